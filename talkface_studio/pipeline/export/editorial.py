"""Editorial hand-off: takes as an OpenTimelineIO timeline with the emotion lane as markers.

One clip per take, in project order, at the take's rate (OTIO stores rates as doubles: 24000/1001
is written as 23.976023976...; the exact rational is kept in the clip's metadata
`talkface.fps_rational`). A clip's source range starts at the take's start timecode (the recording's
BWF time of day; 00:00:00:00 without one), so an editor lines it up with the production sound.
Its media is the rendered movie when given (a video track) or the take's audio (an audio track);
with both kinds, each track keeps the other's takes as gaps so the two stay in sync.

Every emotion segment becomes a marker on its clip named "<emotion> <level>" ("happy 2"), over the
segment's frames in the clip's source time, coloured per emotion, with
`metadata["talkface"] = {"emotion", "level", "transition"}`.

Media paths are absolute `file://` URLs by default (what the EDL, FCP XML and AAF adapters and NLEs
resolve); `relative=True` writes them relative to the timeline file's folder instead (portable with
the folder, which OTIO readers resolve against the file). The file format follows the suffix: .otio
(OTIO JSON) always, .edl when otio-cmx3600-adapter is installed, .xml (FCP 7) with otio-fcp-adapter,
.aaf with otio-aaf-adapter.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from talkface_studio.core.emotion_track import Segment
from talkface_studio.core.errors import ValidationError
from talkface_studio.core.timebase import FrameRate

from .atomic import write_text_atomic

ADAPTERS = {".otio": "otio_json", ".edl": "cmx_3600", ".xml": "fcp_xml", ".aaf": "AAF"}
ADAPTER_PACKAGES = {"cmx_3600": "otio-cmx3600-adapter", "fcp_xml": "otio-fcp-adapter", "AAF": "otio-aaf-adapter"}
# OTIO's nearest to the emotion lane's own colours (ui.emotion_palette), so an editor sees the same lane
COLOURS = {"angry": "RED", "contempt": "ORANGE", "disgusted": "GREEN", "fear": "PURPLE", "happy": "YELLOW",
           "sad": "BLUE", "surprised": "PINK", "neutral": "WHITE"}
VIDEO_SUFFIXES = {".mov", ".mp4", ".mxf", ".avi", ".mkv"}


@dataclass(frozen=True)
class EditorialTake:
    name: str
    rate: FrameRate
    n_frames: int
    start_frame: int  # the take's start timecode as a frame count at `rate`
    media: Path
    segments: tuple[Segment, ...] = ()
    transitions: tuple[int, ...] = ()  # effective transition of each segment, frames

    @property
    def is_video(self) -> bool:
        return self.media.suffix.lower() in VIDEO_SUFFIXES


def marker_name(emotion: str, level: int) -> str:
    return f"{emotion} {level}"


def _url(media: Path, relative_to: Path | None) -> str:
    import opentimelineio as otio

    media = Path(media).absolute()
    if relative_to is not None:
        try:
            return Path(os.path.relpath(media, Path(relative_to).absolute())).as_posix()
        except ValueError:  # another drive (Windows): only an absolute URL can reach it
            pass
    return otio.url_utils.url_from_filepath(str(media))


def _clip(take: EditorialTake, relative_to: Path | None):
    import opentimelineio as otio

    rate = take.rate.num / take.rate.den
    start = otio.opentime.RationalTime(take.start_frame, rate)
    length = otio.opentime.RationalTime(take.n_frames, rate)
    span = otio.opentime.TimeRange(start, length)
    ref = otio.schema.ExternalReference(target_url=_url(take.media, relative_to), available_range=span)
    clip = otio.schema.Clip(name=take.name, media_reference=ref, source_range=span)
    clip.metadata["talkface"] = {"take": take.name, "fps_rational": [take.rate.num, take.rate.den],
                                 "start_timecode": take.rate.to_timecode(take.start_frame)}
    transitions = take.transitions or (None,) * len(take.segments)
    for seg, transition in zip(take.segments, transitions):
        marked = otio.opentime.TimeRange(otio.opentime.RationalTime(take.start_frame + seg.start, rate),
                                         otio.opentime.RationalTime(seg.length, rate))
        marker = otio.schema.Marker(name=marker_name(seg.emotion, seg.level), marked_range=marked,
                                    color=getattr(otio.schema.MarkerColor, COLOURS[seg.emotion]))
        marker.metadata["talkface"] = {"emotion": seg.emotion, "level": seg.level,
                                       "transition": transition if transition is not None else seg.transition}
        clip.markers.append(marker)
    return clip


def build_timeline(name: str, takes: list[EditorialTake], relative_to: Path | None = None):
    """An otio.schema.Timeline: the takes one after another on a video and/or an audio track."""
    import opentimelineio as otio

    if not takes:
        raise ValidationError("no takes to put on the timeline")
    timeline = otio.schema.Timeline(name=name)
    video = otio.schema.Track(name="Video", kind=otio.schema.TrackKind.Video)
    audio = otio.schema.Track(name="Audio", kind=otio.schema.TrackKind.Audio)
    for take in takes:
        clip = _clip(take, relative_to)
        mine, other = (video, audio) if take.is_video else (audio, video)
        mine.append(clip)
        other.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(duration=clip.source_range.duration)))
    for track in (video, audio):
        if any(isinstance(item, otio.schema.Clip) for item in track):
            timeline.tracks.append(track)
    first = takes[0]
    timeline.global_start_time = otio.opentime.RationalTime(first.start_frame, first.rate.num / first.rate.den)
    return timeline


def adapter_for(path: Path) -> str:
    import opentimelineio as otio

    suffix = Path(path).suffix.lower()
    adapter = ADAPTERS.get(suffix)
    if adapter is None:
        raise ValidationError(f"unknown editorial format {suffix!r}; use {', '.join(ADAPTERS)}", path)
    if adapter not in otio.adapters.available_adapter_names():
        raise ValidationError(f"writing {suffix} needs the {ADAPTER_PACKAGES[adapter]} package "
                              f"(pip install {ADAPTER_PACKAGES[adapter]}); .otio always works", path)
    return adapter


def write_editorial(path: str | os.PathLike, timeline) -> Path:
    import opentimelineio as otio

    path = Path(path)
    adapter = adapter_for(path)
    if adapter == "cmx_3600" and not any(t.kind == otio.schema.TrackKind.Video for t in timeline.tracks):
        raise ValidationError("an EDL lists video events: give the render with --media RENDER.mov "
                              "(or write .otio, which also carries audio-only takes)", path)
    try:
        text = otio.adapters.write_to_string(timeline, adapter)
    except Exception as exc:  # noqa: BLE001 - an adapter's refusal (e.g. EDL: one video track) is input
        raise ValidationError(f"the {adapter} adapter cannot write this timeline: {exc}", path) from None
    return write_text_atomic(path, text)
