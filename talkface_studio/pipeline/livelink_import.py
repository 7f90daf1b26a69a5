"""A Live Link Face capture onto a take: timing, alignment and the edit layers it becomes.

Timing comes from the capture's timecodes, never from its row numbers (the phone drops and repeats
frames). A capture at the take's rate (within 1 %) lands sample by sample on the nearest frame; at
another rate (the iPhone records 60 fps) it is refused unless `retime` is asked for, which samples
it linearly at each take frame's time. Where it lands:

- `at=FRAME`: the capture's first sample at that take frame;
- otherwise by timecode when the take's recording carries a time of day (BWF) that the capture
  overlaps (a phone synced to the sound recorder's clock);
- otherwise its first sample at frame 0.

Samples before frame 0 or after the take's last frame are dropped (reported); the channels become
one edit layer each (core ImportCurvesAsLayer), so the generated base stays underneath and the
import is undone as one step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from talkface_studio.core.commands import ImportCurvesAsLayer
from talkface_studio.core.errors import ValidationError
from talkface_studio.core.take import Take
from talkface_studio.perform.arkit.inverse import GROUPS, capture_channels

from .livelink_capture import LiveLinkCapture

SAME_RATE = 0.01  # relative difference under which a capture counts as recorded at the take's rate
KEY_TOLERANCE = 1e-3  # channel units: thin straight runs of keys, never visibly


@dataclass
class CapturePlan:
    """What an import will do: frames [F], {channel: values [F]} and how it was placed."""

    frames: np.ndarray
    channels: dict[str, np.ndarray]
    placement: str
    retimed: bool
    dropped: int = 0
    notes: list[str] = field(default_factory=list)

    def command(self, take: str, name: str, mode: str = "override") -> ImportCurvesAsLayer:
        curves = {n: (self.frames, v) for n, v in self.channels.items()}
        return ImportCurvesAsLayer(take, curves, mode=mode, name=name, tolerance=KEY_TOLERANCE)

    def summary(self) -> str:
        first, last = int(self.frames[0]), int(self.frames[-1])
        how = "resampled by timecode" if self.retimed else "sample per frame"
        text = f"{len(self.channels)} channel(s) on frames {first}-{last} ({how}; {self.placement})"
        if self.dropped:
            text += f"; {self.dropped} sample(s) outside the take were left out"
        return text


def parse_groups(text: str | None) -> tuple[str, ...]:
    if text is None or text.strip() in ("", "all"):
        return tuple(GROUPS)
    groups = tuple(g.strip() for g in text.split(",") if g.strip())
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        raise ValidationError(f"unknown channel group(s) {', '.join(unknown)}; use {', '.join(GROUPS)}")
    return groups


def at_take_rate(capture: LiveLinkCapture, take: Take) -> bool:
    """True when the capture was recorded at the take's frame rate (within 1 %): no retiming needed."""
    return len(capture.times) < 2 or abs(capture.rate - take.rate.fps) <= SAME_RATE * take.rate.fps


def plan_capture(capture: LiveLinkCapture, take: Take, take_start_s: float = 0.0, *, retime: bool = False,
                 at: int | None = None, groups=tuple(GROUPS)) -> CapturePlan:
    fps = take.rate.fps
    rate = capture.rate
    same = at_take_rate(capture, take)
    if not same and not retime:
        raise ValidationError(f"the capture is at {rate:.4g} fps but take {take.name!r} is at {take.rate} fps; "
                              "pass --retime to resample it by timecode", capture.path)
    origin, placement = _origin(capture, take, take_start_s, at)
    if same:
        frames = np.rint((capture.times - origin) * fps).astype(np.int64)
        inside = (frames >= 0) & (frames < take.n_frames)
        frames, rows = frames[inside], capture.values[inside]
        dropped = int((~inside).sum())
        frames, last = np.unique(frames[::-1], return_index=True)  # a repeated frame keeps its last sample
        rows = rows[::-1][last]
    else:
        first = max(0, math.ceil((capture.times[0] - origin) * fps - 1e-6))
        stop = min(take.n_frames, math.floor((capture.times[-1] - origin) * fps + 1e-6) + 1)
        frames = np.arange(first, max(first, stop), dtype=np.int64)
        t = origin + frames / fps
        rows = np.stack([np.interp(t, capture.times, capture.values[:, k])
                         for k in range(capture.values.shape[1])], axis=1) if len(frames) else capture.values[:0]
        span = (capture.times[-1] - capture.times[0]) * fps
        dropped = max(0, int(round(span)) + 1 - len(frames))
    if len(frames) == 0:
        raise ValidationError(f"the capture does not overlap take {take.name!r} (frames 0-{take.n_frames - 1}; "
                              f"{placement})", capture.path)
    channels = capture_channels(rows[:, :52], rows[:, 52:], groups)
    if not channels:
        raise ValidationError(f"the capture carries none of the channel groups asked for ({', '.join(groups)})",
                              capture.path)
    return CapturePlan(frames, channels, placement, not same, dropped)


def _origin(capture: LiveLinkCapture, take: Take, take_start_s: float, at: int | None) -> tuple[float, str]:
    """Clock time of take frame 0, and how it was chosen."""
    fps = take.rate.fps
    if at is not None:
        return capture.times[0] - at / fps, f"first sample at frame {at}"
    end = take_start_s + take.n_frames / fps
    if take_start_s > 0 and capture.times[0] < end and capture.times[-1] >= take_start_s:
        return take_start_s, "placed by timecode"
    return capture.times[0], "first sample at frame 0"
