"""Small pixel windows (where the mouth and eyes are drawn) and the smoothstep used for soft edges."""

from __future__ import annotations

from .pixel_ops import ops_of


def window_grid(x0: int, y0: int, w: int, h: int, like):
    """[h, w, 2] pixel-centre coordinates of the window whose top-left pixel is (x0, y0), an array
    of ``like``'s kind (numpy, or a tensor on its device)."""
    xp = ops_of(like)
    xs = xp.coords(x0 + 0.5, w, like)
    ys = xp.coords(y0 + 0.5, h, like)
    zero = ys[:, None] * 0.0 + xs[None, :] * 0.0           # [h, w]: broadcasts both ways
    return xp.stack([xs[None, :] + zero, ys[:, None] + zero], axis=-1)


def bbox(points, size: int, pad: float) -> tuple[int, int, int, int]:
    """(x0, y0, w, h) integer window around points [K, 2] (numpy), padded and clipped to the frame."""
    lo = (points.min(0) - pad).clip(0, size)
    hi = (points.max(0) + pad).clip(0, size)
    x0, y0 = int(lo[0]), int(lo[1])
    x1, y1 = min(int(hi[0]) + 1, size), min(int(hi[1]) + 1, size)
    return x0, y0, max(x1 - x0, 0), max(y1 - y0, 0)


def smoothstep(edge0: float, edge1: float, x):
    """0 below edge0, 1 above edge1, a smooth cubic between (floats, numpy arrays and tensors)."""
    t = (x - edge0) / max(edge1 - edge0, 1e-9)
    t = min(max(t, 0.0), 1.0) if isinstance(t, (float, int)) else ops_of(t).clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)
