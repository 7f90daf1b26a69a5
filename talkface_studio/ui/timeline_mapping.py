"""The frames shown on screen (TimeView: one for the timeline and the curve editor, session state)
and the frame <-> pixel mapping each strip derives from it for its own width, with zoom/pan maths."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

MIN_PX_PER_FRAME = 0.01  # a 10-minute take at 24 fps fits in ~150 px
MAX_PX_PER_FRAME = 80.0


@dataclass(frozen=True)
class TimeMapping:
    first_frame: float = 0.0  # frame at x = 0 (fractional while panning)
    px_per_frame: float = 6.0

    def x_of(self, frame: float) -> float:
        return (frame - self.first_frame) * self.px_per_frame

    def frame_at(self, x: float) -> float:
        return self.first_frame + x / self.px_per_frame

    def snapped_frame_at(self, x: float) -> int:
        return int(math.floor(self.frame_at(x)))

    def zoomed(self, factor: float, anchor_x: float) -> TimeMapping:
        """Zoom by `factor`, keeping the frame under `anchor_x` fixed (the mouse position)."""
        anchor = self.frame_at(anchor_x)
        ppf = min(MAX_PX_PER_FRAME, max(MIN_PX_PER_FRAME, self.px_per_frame * factor))
        return TimeMapping(anchor - anchor_x / ppf, ppf)

    def panned(self, dx_px: float) -> TimeMapping:
        return replace(self, first_frame=self.first_frame - dx_px / self.px_per_frame)

    def fitted(self, start: int, end: int, width_px: float, margin: float = 0.03) -> TimeMapping:
        span = max(1, end - start)
        ppf = min(MAX_PX_PER_FRAME, max(MIN_PX_PER_FRAME, width_px * (1 - 2 * margin) / span))
        return TimeMapping(start - width_px * margin / ppf, ppf)


MIN_SPAN = 2.0  # frames: zoomed all the way in (~40 px per frame on a typical strip)


@dataclass(frozen=True)
class TimeView:
    """The span of frames every time axis shows, [start, end] at its left and right edges.

    Width-free, so the timeline's strips and the curve editor (different widths, different widgets)
    share one zoom and pan: whichever the artist zooms, the other follows.
    """

    start: float = 0.0
    end: float = 100.0

    @property
    def span(self) -> float:
        return max(MIN_SPAN, self.end - self.start)

    def mapping(self, width_px: float) -> TimeMapping:
        return TimeMapping(self.start, max(1.0, width_px) / self.span)

    @staticmethod
    def of(mapping: TimeMapping, width_px: float) -> TimeView:
        return TimeView(mapping.first_frame, mapping.frame_at(max(1.0, width_px)))

    @staticmethod
    def fitted(start: int, end: int, margin: float = 0.03) -> TimeView:
        """Frames [start, end) with a small margin either side (what "frame all" shows)."""
        span = max(1, end - start)
        pad = span * margin / (1 - 2 * margin)
        return TimeView(start - pad, end + pad)

    def scrolled_to(self, start: float) -> TimeView:
        return TimeView(start, start + self.span)
