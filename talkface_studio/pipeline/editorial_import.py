"""Markers from an edit back onto a take's emotion lane: a director's notes as a first pass.

The take's clip is found by name (or by the `talkface.take` metadata our export writes). Its
markers, and the markers of the track and timeline that fall on it, are read in the clip's source
time; a marker named "<emotion> <level>" ("happy 2", case-insensitive; "happy" alone is level 2)
paints its range, "neutral" erases it. A marker without a duration (a point note, as most NLEs
make) lasts until the next marker or the end of the clip. Source time maps to take frames through
the take's start timecode (metadata, else the media's available range, else the take's recording),
so a clip trimmed in the edit still lands where it was recorded; another frame rate is converted
through seconds.

Nothing is applied here: the result is a list of core commands (PaintEmotion / EraseEmotion) that
the CLI runs and saves and the app pushes as one undo step.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from talkface_studio.core.emotion_commands import EraseEmotion, PaintEmotion
from talkface_studio.core.emotion_track import EMOTIONS, LEVELS
from talkface_studio.core.errors import ValidationError
from talkface_studio.core.take import Take

from .export.editorial import ADAPTERS

MAX_BYTES = 64 * 1024 * 1024


@dataclass
class MarkerPlan:
    commands: list = field(default_factory=list)
    painted: list[tuple[int, int, str, int]] = field(default_factory=list)  # (start, end, emotion, level)
    outside: int = 0
    clip: str = ""


def read_timeline(path: str | os.PathLike, rate: float | None = None):
    """Read an .otio (or, with its adapter, .edl/.xml/.aaf) file; errors are one line naming it.
    An EDL does not say its frame rate: `rate` (the take's) is how its timecodes are read."""
    import opentimelineio as otio

    path = Path(path)
    adapter = ADAPTERS.get(path.suffix.lower())
    if adapter is None:
        raise ValidationError(f"unknown editorial format {path.suffix!r}; use {', '.join(ADAPTERS)}", path)
    if adapter not in otio.adapters.available_adapter_names():
        raise ValidationError(f"reading {path.suffix} needs its OTIO adapter package; use .otio", path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ValidationError(f"file is larger than {MAX_BYTES >> 20} MB; not an edit of these takes", path)
        text = path.read_text(encoding="utf-8-sig") if adapter != "AAF" else None
    except FileNotFoundError:
        raise ValidationError("editorial file not found", path) from None
    except UnicodeDecodeError:
        raise ValidationError("not a text file", path) from None
    except OSError as exc:
        raise ValidationError(f"cannot read the file: {exc.strerror or exc}", path) from None
    options = {"rate": rate} if adapter == "cmx_3600" and rate else {}
    try:
        result = (otio.adapters.read_from_file(str(path), adapter, **options) if text is None
                  else otio.adapters.read_from_string(text, adapter, **options))
    except Exception as exc:  # noqa: BLE001 - every adapter has its own exceptions; all mean bad input
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValidationError(f"not a readable {path.suffix} timeline: {first}", path) from None
    if not isinstance(result, otio.schema.Timeline):
        raise ValidationError(f"expected a timeline, found a {type(result).__name__}", path)
    return result


def find_clip(timeline, take: Take, path: Path, only_take: bool):
    """The take's clip; a lone unnamed-for clip is accepted when the project has only this take."""
    clips = list(timeline.find_clips())
    ours = [c for c in clips if _take_of(c) == take.name]
    if not ours:
        ours = [c for c in clips if _take_of(c) is None and c.name == take.name]
    if not ours and only_take and len(clips) == 1 and _take_of(clips[0]) is None:
        ours = clips
    if not ours:
        names = ", ".join(sorted({c.name for c in clips})) or "none"
        raise ValidationError(f"no clip for take {take.name!r} in the timeline (clips: {names})", path)
    return ours[0]


def _take_of(clip) -> str | None:
    meta = clip.metadata.get("talkface") if hasattr(clip.metadata, "get") else None
    value = meta.get("take") if hasattr(meta, "get") else None
    return str(value) if value is not None else None


def _clip_markers(clip):
    """(marker, start seconds in clip source time, duration seconds) for every marker on the clip."""
    out = [(m, m.marked_range.start_time.to_seconds(), m.marked_range.duration.to_seconds()) for m in clip.markers]
    try:
        in_parent = clip.range_in_parent()
    except Exception:  # noqa: BLE001 - a clip outside a track has no parent range
        return out
    shift = clip.source_range.start_time.to_seconds() - in_parent.start_time.to_seconds()
    lo, hi = in_parent.start_time.to_seconds(), in_parent.end_time_exclusive().to_seconds()
    parents = [clip.parent()]
    if clip.parent() is not None and clip.parent().parent() is not None:
        parents.append(clip.parent().parent())  # the timeline's stack: global markers
    for parent in parents:
        for m in getattr(parent, "markers", []):
            start = m.marked_range.start_time.to_seconds()
            if lo <= start < hi:
                out.append((m, start + shift, m.marked_range.duration.to_seconds()))
    return out


def _origin_seconds(clip, take_start_s: float) -> float:
    meta = clip.metadata.get("talkface", {}) if hasattr(clip.metadata, "get") else {}
    rate = meta.get("fps_rational") if hasattr(meta, "get") else None
    tc = meta.get("start_timecode") if hasattr(meta, "get") else None
    if tc and rate and len(rate) == 2:
        from talkface_studio.core.timebase import FrameRate

        try:
            r = FrameRate.parse(f"{int(rate[0])}/{int(rate[1])}")
            return r.frame_to_seconds(r.from_timecode(str(tc)))
        except (ValidationError, ValueError, TypeError):
            pass
    ref = clip.media_reference
    if getattr(ref, "available_range", None) is not None:
        return ref.available_range.start_time.to_seconds()
    return take_start_s


def parse_marker(name: str, meta, where: str, path: Path) -> tuple[str, int]:
    """(emotion, level) from a marker's metadata or its name "<emotion> <level>"."""
    if hasattr(meta, "get") and meta.get("emotion") is not None:
        emotion, level = str(meta.get("emotion")), meta.get("level", 2)
    else:
        words = name.strip().lower().split()
        if not words or len(words) > 2:
            raise ValidationError(f"marker {name!r} at {where}: expected \"<emotion> <level>\", "
                                  f"e.g. \"happy 2\"", path)
        emotion, level = words[0], words[1] if len(words) == 2 else 2
    if emotion not in EMOTIONS:
        raise ValidationError(f"marker {name!r} at {where}: unknown emotion {emotion!r}; "
                              f"use one of {', '.join(EMOTIONS)}", path)
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = -1
    if level not in LEVELS:
        raise ValidationError(f"marker {name!r} at {where}: level must be 1-3", path)
    return emotion, level


def plan_markers(timeline, take: Take, path: str | os.PathLike, take_start_s: float = 0.0,
                 only_take: bool = True, replace: bool = False) -> MarkerPlan:
    path = Path(path)
    clip = find_clip(timeline, take, path, only_take)
    found = sorted(_clip_markers(clip), key=lambda m: m[1])
    if not found:
        raise ValidationError(f"no markers on clip {clip.name!r}: nothing to read as emotions", path)
    fps = take.rate.fps
    origin = _origin_seconds(clip, take_start_s)
    clip_end = clip.source_range.end_time_exclusive().to_seconds()
    plan = MarkerPlan(clip=clip.name)
    if replace:
        plan.commands.append(EraseEmotion(take.name, 0, max(take.n_frames, 1)))
    for i, (marker, start, duration) in enumerate(found):
        where = take.rate.to_timecode(max(0, round(start * fps)))
        emotion, level = parse_marker(marker.name, marker.metadata.get("talkface"), where, path)
        end = start + duration if duration > 0 else (found[i + 1][1] if i + 1 < len(found) else clip_end)
        a = round((start - origin) * fps)
        b = round((end - origin) * fps)
        a, b = max(a, 0), min(b, take.n_frames)
        if b <= a or not math.isfinite(start):
            plan.outside += 1
            continue
        if emotion == "neutral":
            plan.commands.append(EraseEmotion(take.name, a, b))
        else:
            plan.commands.append(PaintEmotion(take.name, a, b, emotion, level))
        plan.painted.append((a, b, emotion, level))
    if not plan.painted:
        raise ValidationError(f"none of the {len(found)} marker(s) on clip {clip.name!r} falls inside take "
                              f"{take.name!r}", path)
    return plan
