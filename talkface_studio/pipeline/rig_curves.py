"""A take's rig-ready curves (ARKit 52 + head and eyes) and its place on the clock.

The same view of a take as a render (pipeline.renderable: its curves as stored, or performed in
memory when it was never generated): the snapshot's expression and final channels, without the
portrait fit, which curves do not need. The clock is the recording's: a take starts at its audio's broadcast
timecode (BWF bext / iXML) when the file has one, else at midnight (00:00:00:00).
"""

from __future__ import annotations

from pathlib import Path

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.media_paths import resolve_media
from talkface_studio.core.take import Take

from .snapshot import TakeSnapshot


def snapshot_rig_curves(snapshot: TakeSnapshot, start: int | None = None, stop: int | None = None):
    """perform.arkit.solver.RigCurves of take frames [start, stop) of a snapshot (with or without portrait)."""
    from talkface_studio.perform.arkit.solver import solve

    start = snapshot.first_frame if start is None else start
    stop = snapshot.last_frame + 1 if stop is None else stop
    if not snapshot.first_frame <= start < stop <= snapshot.last_frame + 1:
        raise ValidationError(f"frames {start}-{stop - 1} are outside take {snapshot.name!r} "
                              f"(frames {snapshot.first_frame}-{snapshot.last_frame})")
    i, j = start - snapshot.first_frame, stop - snapshot.first_frame
    final = {n: v[i:j] for n, v in snapshot.channels.items()}
    return solve(snapshot.expression_rows(start, stop), final)


def take_rig_curves(state, take: Take, start: int = 0, stop: int | None = None):
    """RigCurves of take frames [start, stop) through a pipeline.take_state.TakeState."""
    return snapshot_rig_curves(state.snapshot(take, portrait=False), start, stop)


def take_start_seconds(project, take: Take) -> float:
    """Seconds since midnight at which take frame 0 plays: the audio's broadcast time reference."""
    return recording_start_seconds(take, project.path)


def recording_start_seconds(take: Take, project_path) -> float:
    """take_start_seconds for a take of the project file `project_path` (a take copy in a worker)."""
    from talkface_studio.audio.bwf import read_start_time

    path = resolve_media(take.audio_path, project_path)
    if path is None or not Path(path).is_file():
        return 0.0
    start = read_start_time(path)
    return start.seconds if start is not None else 0.0


def take_start_frame(project, take: Take) -> int:
    """take_start_seconds in frames of the take's rate (the frame count a timecode label names)."""
    return round(take_start_seconds(project, take) * take.rate.fps)
