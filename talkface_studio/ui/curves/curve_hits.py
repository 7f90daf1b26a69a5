"""What is under the mouse in the curve editor, in pixels (Qt-free; tests call these directly).

Keys are diamonds of ~10 px; they are picked within KEY_HIT_PX (larger than the drawn key, as
animators expect from Maya and Blender), handles within HANDLE_HIT_PX, and a curve when the mouse
is within CURVE_HIT_PX of its polyline. The nearest wins; keys before handles before curves.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

KEY_HIT_PX = 12.0
HANDLE_HIT_PX = 9.0
CURVE_HIT_PX = 6.0


def nearest_point(points: Iterable[tuple[object, float, float]], x: float, y: float, radius: float):
    """The item of the (item, x_px, y_px) nearest to (x, y) within `radius` px, else None."""
    best, best_d = None, radius
    for item, px, py in points:
        d = float(np.hypot(px - x, py - y))
        if d <= best_d:
            best, best_d = item, d
    return best


def distance_to_polyline(xs: np.ndarray, ys: np.ndarray, x: float, y: float) -> float:
    """Pixels from (x, y) to the polyline through (xs, ys)."""
    if len(xs) == 0:
        return float("inf")
    if len(xs) == 1:
        return float(np.hypot(xs[0] - x, ys[0] - y))
    ax, ay, bx, by = xs[:-1], ys[:-1], xs[1:], ys[1:]
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.clip(np.where(length2 > 0, ((x - ax) * dx + (y - ay) * dy) / length2, 0.0), 0.0, 1.0)
    return float(np.min(np.hypot(ax + u * dx - x, ay + u * dy - y)))


def curve_near(curves: dict[str, tuple[np.ndarray, np.ndarray]], x: float, y: float,
               radius: float = CURVE_HIT_PX) -> str | None:
    """The channel whose drawn curve (x_px, y_px arrays, only near the mouse needed) passes nearest."""
    best, best_d = None, radius
    for name, (xs, ys) in curves.items():
        d = distance_to_polyline(np.asarray(xs, float), np.asarray(ys, float), x, y)
        if d <= best_d:
            best, best_d = name, d
    return best
