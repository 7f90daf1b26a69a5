"""Where the timeline ruler puts its ticks and what it writes there, in frames or SMPTE timecode."""

from __future__ import annotations

from dataclasses import dataclass

from talkface_studio.core.timebase import FrameRate
from talkface_studio.ui.timeline_mapping import TimeMapping


@dataclass(frozen=True)
class Tick:
    frame: int
    major: bool
    label: str  # empty for minor ticks


def _candidate_steps(rate: FrameRate) -> list[int]:
    """Sub-second steps in frames, then whole seconds and minutes, so SMPTE labels land on round times."""
    n = rate.nominal
    sub = [s for s in (1, 2, 5, 10, 12, 15) if s < n and n % s == 0] or [1]
    secs = [n * s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600)]
    return sub + secs


def ruler_ticks(mapping: TimeMapping, width_px: float, rate: FrameRate, timecode: bool,
                min_label_px: float = 90.0) -> list[Tick]:
    steps = _candidate_steps(rate)
    major = next((s for s in steps if s * mapping.px_per_frame >= min_label_px), steps[-1])
    # Minor ticks: the largest candidate dividing the major step that still leaves 6 px between ticks.
    minor = major
    for s in steps:
        if s < major and major % s == 0 and s * mapping.px_per_frame >= 6:
            minor = s
            break
    first = int(mapping.frame_at(0)) // minor * minor
    last = int(mapping.frame_at(width_px)) + 1
    ticks = []
    for f in range(max(0, first), last + 1, minor):
        is_major = f % major == 0
        label = (rate.to_timecode(f) if timecode else str(f)) if is_major else ""
        ticks.append(Tick(f, is_major, label))
    return ticks
