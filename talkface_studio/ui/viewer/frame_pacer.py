"""FramePacer: which frame the viewer shows at a media time, which frames were dropped, and which
frame to render next. Plain Python (no Qt, no clock of its own), so tests drive it with fake times.

Each frame owns a slot of media time [f / fps, (f + 1) / fps). A frame is shown only inside its own
slot: when rendering falls behind, frames are dropped and the sound goes on (the picture is never
late by more than one frame, and never pulls the audio back). A slot that ends without its frame
on screen counts as one dropped frame, as Maya's and Blender's "drop frames" playback does.

Rendering ahead aims at the first frame whose slot begins after the render is expected to finish
(`next_to_render`), so a renderer slower than real time shows every n-th frame on time instead of
every frame late.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass, field

LOOKAHEAD_S = 0.5  # how far ahead of the audio a fast renderer may fill the cache
MARGIN = 1.25  # a render is planned to finish this much of its expected cost early
OFFSETS_KEPT = 15000  # ten minutes of 25 fps


@dataclass
class PlaybackStats:
    shown: int = 0
    dropped: int = 0
    max_offset_ms: float = 0.0  # latest a shown frame appeared into its slot (audio ahead of picture)
    fps: float = 25.0
    # how far into its slot each shown frame appeared (the latest ones: a loop can play for hours)
    offsets_ms: deque = field(default_factory=lambda: deque(maxlen=OFFSETS_KEPT))

    @property
    def median_offset_ms(self) -> float:
        return statistics.median(self.offsets_ms) if self.offsets_ms else 0.0

    @property
    def played(self) -> int:
        return self.shown + self.dropped

    def summary(self) -> str:
        pct = 100.0 * self.dropped / self.played if self.played else 0.0
        return f"{self.dropped} dropped ({pct:.0f}%) of {self.played}"


class FramePacer:
    def __init__(self, fps: float, lo: int, hi: int, loop: bool = False):
        self.fps = float(fps)
        self.lo, self.hi = int(lo), int(hi)  # frames [lo, hi) are played
        self.loop = loop  # rendering ahead runs on from `lo` past the range's end
        self.stats = PlaybackStats(fps=self.fps)
        self.slot: int | None = None  # the frame whose slot the clock is in
        self.slot_shown = False
        self.on_screen: int | None = None

    def frame_at(self, t: float) -> int:
        return int(math.floor(t * self.fps + 1e-6))

    def start(self, frame: int) -> None:
        self.slot, self.slot_shown = int(frame), False

    def skip_to(self, t: float) -> None:
        """The clock jumped to `t` for a reason that is not rendering (the sound began a report after
        the picture's first frame): the slots passed count neither as shown nor as dropped."""
        due = min(self.frame_at(t), self.hi - 1)
        if self.slot is None or due > self.slot:
            self.slot, self.slot_shown = due, False

    def advance(self, t: float, ready) -> int | None:
        """Move to media time `t`; returns the frame to put on screen now, or None (keep what is
        there). `ready(frame)` says whether a frame's pixels are at hand."""
        due = min(self.frame_at(t), self.hi - 1)
        if self.slot is None:
            self.start(due)
        if due > self.slot:
            self.stats.dropped += (0 if self.slot_shown else 1) + (due - self.slot - 1)
            self.slot, self.slot_shown = due, False
        if self.slot_shown or not ready(self.slot):
            return None
        self.slot_shown = True
        self.on_screen = self.slot
        self.stats.shown += 1
        late_ms = max(0.0, (t - self.slot / self.fps) * 1000.0)
        self.stats.max_offset_ms = max(self.stats.max_offset_ms, late_ms)
        self.stats.offsets_ms.append(late_ms)
        return self.slot

    def finish(self, last: int | None = None) -> None:
        """Playback leaves the range (the slots through frame `last` have ended: each counts as shown
        or dropped) or stops (`last` None: the slot under way was not over, it counts as neither)."""
        if self.slot is not None and last is not None and last >= self.slot:
            self.stats.dropped += (0 if self.slot_shown else 1) + (last - self.slot)
        self.slot, self.slot_shown = None, False

    def next_to_render(self, t: float, cost_s: float, is_cached) -> int | None:
        """The first frame not at hand whose slot starts after a render costing `cost_s`, started at
        media time `t`, is expected to land (so it goes on screen as its slot begins, in sync with the
        sound, rather than up to a frame late); None when the cache already covers LOOKAHEAD_S (or
        the range's end)."""
        f = max(int(math.ceil((t + cost_s * MARGIN) * self.fps - 1e-6)), self.frame_at(t))
        if self.slot_shown and self.slot is not None:
            f = max(f, self.slot + 1)
        horizon = self.frame_at(t + max(LOOKAHEAD_S, cost_s * MARGIN * 2)) + 1
        # past the end: the loop's first frames when looping (the wrap plays from memory), else nothing
        horizon = min(horizon, self.hi + (self.hi - self.lo) if self.loop else self.hi)
        while f < horizon:
            frame = f if f < self.hi else self.lo + (f - self.hi)
            if not is_cached(frame):
                return frame
            f += 1
        return None
