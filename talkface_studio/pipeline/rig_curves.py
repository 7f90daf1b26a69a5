"""A take's rig-ready curves (ARKit 52 + head and eyes) and its place on the clock.

The same view of a take as a render: the performance's expression with the artist's channel edits
applied, and the final channels (pipeline.take_state.TakeState.snapshot, without the portrait fit,
which curves do not need). The clock is the recording's: a take starts at its audio's broadcast
timecode (BWF bext / iXML) when the file has one, else at midnight (00:00:00:00).
"""

from __future__ import annotations

from pathlib import Path

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.take import Take

from .take_state import TakeState, resolve_media


def take_rig_curves(state: TakeState, take: Take, start: int = 0, stop: int | None = None):
    """perform.arkit.solver.RigCurves for take frames [start, stop)."""
    from talkface_studio.perform.arkit.solver import solve
    from talkface_studio.perform.blendshapes import apply_channel_edits

    stop = take.n_frames if stop is None else stop
    if not 0 <= start < stop <= take.n_frames:
        raise ValidationError(f"frames {start}-{stop - 1} are outside take {take.name!r} "
                              f"(frames 0-{take.n_frames - 1})", state.project.path)
    performance = state.performance(take)
    if performance.n_frames != take.n_frames:
        raise ValidationError(f"take {take.name!r} has {take.n_frames} frames but its audio gives "
                              f"{performance.n_frames}; run generate again", state.project.path)
    final = {n: v[start:stop] for n, v in take.final_channels().items()}
    base = {n: v[start:stop] for n, v in performance.channels.items()}
    expression = apply_channel_edits(performance.expression[start:stop], base, final)
    return solve(expression, final)


def take_start_seconds(project, take: Take) -> float:
    """Seconds since midnight at which take frame 0 plays: the audio's broadcast time reference."""
    from talkface_studio.audio.bwf import read_start_time

    path = resolve_media(project, take.audio_path)
    if path is None or not Path(path).is_file():
        return 0.0
    start = read_start_time(path)
    return start.seconds if start is not None else 0.0


def take_start_frame(project, take: Take) -> int:
    """take_start_seconds in frames of the take's rate (the frame count a timecode label names)."""
    return round(take_start_seconds(project, take) * take.rate.fps)
