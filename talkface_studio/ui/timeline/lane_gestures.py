"""Mouse handling of the emotion lane as plain objects over press/move/release (tests drive them
with frame numbers; the widget only converts pixels to frames and intents to commands).

A gesture never edits the model. It reports a preview while dragging and one intent at release,
so the widget pushes exactly one undoable command per drag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from talkface_studio.ui.selection import Brush

EDGE_TOLERANCE_PX = 5.0


@dataclass(frozen=True)
class Paint:
    start: int
    end: int  # exclusive
    emotion: str
    level: int


@dataclass(frozen=True)
class Erase:
    start: int
    end: int


@dataclass(frozen=True)
class MoveEdge:
    segment_id: str
    side: str  # "start" | "end"
    old: int
    new: int


@dataclass(frozen=True)
class Select:
    segment_id: str | None  # None clears the selection


def edge_under(segments: Sequence, x: float, x_of, tolerance: float = EDGE_TOLERANCE_PX):
    """(index, side) of the segment edge nearest to pixel x within tolerance, else None."""
    best, best_d = None, tolerance
    for i, seg in enumerate(segments):
        for side, frame in (("start", seg.start), ("end", seg.end)):
            d = abs(x_of(frame) - x)
            if d <= best_d:
                best, best_d = (i, side), d
    return best


def segment_at(segments: Sequence, frame: int):
    for seg in segments:
        if seg.start <= frame < seg.end:
            return seg.id
    return None


class RangeGesture:
    """Paint or erase: the range between press and the current frame, inclusive of both.

    A click without a drag is not a one-frame stroke: with the brush it selects the segment under
    the mouse, with the eraser it erases that whole segment.
    """

    def __init__(self, brush: Brush, frame: int, under=None):
        self.brush, self.anchor, self.current = brush, frame, frame
        self.under = under  # the Segment under the press, if any
        self.dragged = False

    def move(self, frame: int) -> None:
        self.current = frame
        self.dragged = self.dragged or frame != self.anchor
        return None

    @property
    def range(self) -> tuple[int, int]:
        return min(self.anchor, self.current), max(self.anchor, self.current) + 1

    def release(self):
        start, end = self.range
        if not self.dragged:
            if self.brush.tool == "erase":
                return Erase(self.under.start, self.under.end) if self.under is not None else None
            return Select(self.under.id if self.under is not None else None)
        if self.brush.tool == "erase":
            return Erase(start, end)
        return Paint(start, end, self.brush.emotion, self.brush.level)


class EdgeGesture:
    """Drag one edge of a segment. The core clamps it (and rolls a touching neighbour's edge)."""

    def __init__(self, segments: Sequence, index: int, side: str):
        seg = segments[index]
        self.segment_id, self.side = seg.id, side
        self.old = seg.start if side == "start" else seg.end
        self.current = self.old

    def move(self, frame: int) -> MoveEdge:
        self.current = max(0, frame)
        return MoveEdge(self.segment_id, self.side, self.old, self.current)

    def release(self):
        if self.current == self.old:
            return None
        return MoveEdge(self.segment_id, self.side, self.old, self.current)


class SelectGesture:
    def __init__(self, segment_id):
        self.segment_id = segment_id

    def move(self, frame: int) -> None:
        return None

    def release(self):
        return Select(self.segment_id)


def press(brush: Brush, segments: Sequence, frame: int, x: float, x_of):
    """Start the gesture a press at (frame, pixel x) means. Edges win over painting so an artist
    can retime a segment without switching tools; the eraser never grabs edges."""
    if brush.tool != "erase":
        hit = edge_under(segments, x, x_of)
        if hit is not None:
            return EdgeGesture(segments, *hit)
    if brush.tool == "select":
        return SelectGesture(segment_at(segments, frame))
    under = next((s for s in segments if s.start <= frame < s.end), None)
    return RangeGesture(brush, frame, under)
