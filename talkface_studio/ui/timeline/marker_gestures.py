"""Markers on the timeline as plain logic over frames and pixels (Qt-free; tests call these)."""

from __future__ import annotations

from typing import Callable, Sequence

MARKER_HIT_PX = 7.0


def marker_at(markers: Sequence, x: float, x_of: Callable[[float], float], radius: float = MARKER_HIT_PX):
    """The id of the marker drawn nearest to pixel `x` (a marker is drawn at its frame's centre)."""
    best, best_d = None, radius
    for m in markers:
        d = abs(x_of(m.frame + 0.5) - x)
        if d <= best_d:
            best, best_d = m.id, d
    return best


class MarkerDrag:
    """Drag a marker along the take: it follows the mouse by whole frames, within 0 .. last_frame."""

    def __init__(self, marker_id: str, frame: int, press_frame: float, last_frame: int):
        self.marker_id, self.frame, self.press, self.last = marker_id, frame, press_frame, last_frame
        self.current = frame

    def move(self, frame: float) -> int:
        self.current = max(0, min(self.last, self.frame + int(round(frame - self.press))))
        return self.current

    @property
    def moved(self) -> bool:
        return self.current != self.frame
