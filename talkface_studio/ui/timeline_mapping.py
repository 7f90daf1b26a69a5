"""Frame <-> pixel mapping for the timeline and its zoom/pan maths (session state, never saved)."""

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
