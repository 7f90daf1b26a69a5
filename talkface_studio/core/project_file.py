"""Project files (`.tfs`): UTF-8 JSON, written atomically, upgraded on load, never executed.

Layout (schema_version 2; README "Project files" documents it for pipeline authors):
    {"schema": "talkface.project", "schema_version": 2, "writer": "talkface-studio 0.1.0",
     "settings": {...}, "takes": [{"schema": "talkface.take", "version": 1, "name", "audio",
     "portrait" (relative to the project file), "rate": [num, den], "n_frames", "language" (BCP-47),
     "audio_channel" (take version 3, only when set: the recording's channel, from 1), "generation",
     "portrait_fit", "emotion_track": {..., "segments": [{"id", "start", "end", "emotion", "level",
     "transition"}]}, "channels": {name: {"base": {...}, "layers": [{..., "keys": [[frame, value,
     interp, id], ...]}]}}}]}
All times are integer frames at the take's rational rate.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from pathlib import Path

import numpy as np

from . import atomic_write
from .atomic_write import backup_path, write_target
from .channels import CHANNEL_NAMES, Channel
from .edit_json import layer_from_json, layer_to_json, markers_from_json, markers_to_json
from .emotion_track import EMOTIONS, EmotionTrack, Segment, default_transition
from .errors import ProjectFileError, TalkFaceError, ValidationError
from .file_access import read_regular
from .json_reader import At, describe, parse_json
from .media_paths import relative_media, resolve_in_folder
from .mouth_shapes import MAX_SHAPES, shapes_from_json
from .limits import (MAX_AUDIO_CHANNELS, MAX_FRAMES, MAX_LAYERS, MAX_NAME, MAX_OPTION_NUMBER, MAX_PROJECT_BYTES,
                     MAX_SEED, MAX_SEGMENTS, MAX_TAKES, VALUE_LIMIT)
from .language_code import normalize_language
from .project import Project
from .project_lock import ProjectLock
from .protected_files import ProtectedFiles
from .schema_upgrade import CURRENT_VERSION, PROJECT_SCHEMA, check_schema, encode_f32, upgrade, upgrade_object
from .stored_fit import check_stored_fit
from .take import GenerationSettings, Take, check_take_name
from .timebase import FrameRate

SUFFIX = ".tfs"


def autosave_path(path: str | Path) -> Path:
    return Path(f"{path}.autosave")


# -- writing ---------------------------------------------------------------------------------------
def project_to_json(project: Project, project_dir: str | Path) -> dict:
    from talkface_studio import __version__

    return {
        "schema": PROJECT_SCHEMA, "schema_version": CURRENT_VERSION, "writer": f"talkface-studio {__version__}",
        "settings": project.settings,
        "takes": [_take_to_json(t, Path(project_dir)) for t in project.takes],
        **({"view": project.view} if project.view else {}),
    }


def _take_to_json(take: Take, project_dir: Path) -> dict:
    track = take.emotion_track
    generation = take.generation.to_json()
    if take.generation.stamp is not None:  # readers before it ignore it: no schema change
        generation["stamp"] = take.generation.stamp
    markers = {"markers": markers_to_json(take.markers)} if take.markers else {}
    channel = {"audio_channel": take.audio_channel} if take.audio_channel is not None else {}
    # the lowest version that holds the take
    version = 4 if take.generation.mouth_shapes else 3 if channel else 2 if markers else 1
    return {
        "schema": "talkface.take", "version": version, "name": take.name, **channel,
        "audio": _relative(take.audio_path, project_dir), "portrait": _relative(take.portrait_path, project_dir),
        "rate": take.rate.to_json(), "n_frames": take.n_frames, "language": take.language, **markers,
        "generation": generation,
        "portrait_fit": take.portrait_fit,
        "emotion_track": {
            "schema": "talkface.emotion_track", "version": 1, "default_transition": track.default_transition,
            "next_id": track.next_id,
            "segments": [{"id": s.id, "start": s.start, "end": s.end, "emotion": s.emotion, "level": s.level,
                          "transition": s.transition} for s in track.segments],
        },
        "channels": {n: {"base": encode_f32(ch.base), "layers": [layer_to_json(x) for x in ch.layers]}
                     for n, ch in take.channels.items()},
    }


def _relative(path: Path | None, project_dir: Path) -> str | None:
    """Media relative to the project file so a folder can move; absolute if on another drive."""
    return relative_media(path, project_dir)


def save_project(project: Project, path: str | Path | None = None, backup: bool = True) -> Path:
    """Write atomically; the previous file becomes NAME.tfs.bak; a stale autosave is removed.

    Refused before anything is written: a path that is one of the project's media files, a read-only
    or special file (core.atomic_write), and a project file that another program saved since this
    one was loaded (ProjectChangedError: the caller re-applies its change to their version, or asks).
    A symbolic link is saved through to its target. The check and the write hold NAME.tfs.lock.
    """
    path = Path(path if path is not None else project.path or "")
    if not str(path):
        raise ProjectFileError("the project has no file name yet; choose where to save it")
    media = ProtectedFiles.of_media(project)  # not the project files: a save replaces its own
    media.check(path, "project file")
    if backup:
        media.check(backup_path(write_target(path)), "project backup")
    data = _to_text(project, path).encode("utf-8")
    with ProjectLock(path):
        check_unchanged(project, path)
        write_atomic(path, data, backup=backup)
        atomic_write.remove_stale_temps(write_target(path))  # left by a save that was killed
    project.path = path
    project.file_digest = digest(data)
    try:
        autosave_path(path).unlink(missing_ok=True)
    except OSError:
        pass  # a leftover autosave is only offered while newer than the project
    return path


class ProjectChangedError(ProjectFileError):
    """The file on disk is no longer the one this project was loaded from (another program saved it)."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def disk_digest(path: str | Path) -> str | None:
    """sha256 of the project file as it is on disk now; None when there is none."""
    try:
        return digest(read_regular(path, "project file", MAX_PROJECT_BYTES, ProjectFileError))
    except ProjectFileError:
        if not os.path.lexists(path) or (os.path.islink(path) and not os.path.exists(path)):
            return None
        raise


def check_unchanged(project: Project, path: Path) -> None:
    """Raise ProjectChangedError when `path` is the file `project` was loaded from and another
    program has replaced it since (content hash: mtimes are coarse on some network disks)."""
    loaded = getattr(project, "file_digest", None)
    if loaded is None or project.path is None:
        return
    if os.path.realpath(project.path) != os.path.realpath(path):
        return  # Save As elsewhere: nothing of ours is there to overwrite
    current = disk_digest(path)
    if current is not None and current != loaded:
        raise ProjectChangedError("was saved by another program since it was opened here; nothing was "
                                  "written (reopen it, or save under another name)", path)


def autosave(project: Project) -> Path:
    """Write NAME.tfs.autosave next to the project (same atomic writer, no backup)."""
    if project.path is None:
        raise ProjectFileError("an unsaved project has no autosave location")
    target = autosave_path(project.path)
    text = _to_text(project, target, readable=False)
    write_atomic(target, text.encode("utf-8"), backup=False)
    return target


def _to_text(project: Project, path: Path, readable: bool = True) -> str:
    doc = project_to_json(project, path.parent)
    try:
        return dumps_readable(doc) if readable else json.dumps(doc, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:  # e.g. a NaN or an array in portrait_fit: a bug, said plainly
        raise ProjectFileError(f"could not save: the project holds a value JSON cannot store ({exc})", path) from None
    except RecursionError:
        raise ProjectFileError("could not save: the project holds values nested too deeply", path) from None


def write_atomic(path: Path, data: bytes, backup: bool = True) -> None:
    """The shared atomic writer (core.atomic_write) with project-file messages."""
    atomic_write.write_atomic(path, data, backup=backup, error=ProjectFileError, verb="could not save")


def dumps_readable(obj, indent: str = "") -> str:
    """Indented JSON that keeps lists of plain values on one line (keys, rates), so a diff of two
    saves shows which key changed without spending six lines per key."""
    inner = indent + " "
    if isinstance(obj, dict) and obj:
        nested = any(isinstance(v, (dict, list)) for v in obj.values())
        flat = None if nested else json.dumps(obj, ensure_ascii=False, allow_nan=False)
        if flat is not None and len(flat) <= 100:
            return flat
        items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {dumps_readable(v, inner)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(obj, list) and any(isinstance(v, (dict, list)) for v in obj):
        return "[\n" + ",\n".join(inner + dumps_readable(v, inner) for v in obj) + "\n" + indent + "]"
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


# -- reading ---------------------------------------------------------------------------------------
def load_project(path: str | Path, as_path: str | Path | None = None) -> Project:
    """Read (and upgrade in memory) a project; the file is never modified.

    `as_path` loads an autosave as if it were the project at that path (media resolve the same).
    """
    path = Path(path)
    raw = read_regular(path, "project file", MAX_PROJECT_BYTES, ProjectFileError)
    if not raw.strip():
        raise ProjectFileError("the file is empty (an interrupted copy?); try NAME.tfs.bak", path)
    doc = parse_json(raw, path, "project file")
    if not isinstance(doc.value, dict):
        raise doc.fail(f"not a TalkFace Studio project (the top level is {describe(doc.value)}, not an object)")
    current = At(upgrade(doc), path)
    project_path = Path(as_path) if as_path is not None else path
    project = project_from_json(current, project_path)
    # what a later save compares the disk with: this file, or for a recovered autosave the project
    # file it stands in for (so restoring an autosave and saving is not mistaken for a conflict)
    project.file_digest = digest(raw) if as_path is None else disk_digest(as_path)
    return project


def project_from_json(doc: At, project_path: Path) -> Project:
    """Every field type- and range-checked (core.limits); problems name their JSON path."""
    folder = project_path.parent
    settings = doc.get("settings", {})
    settings.dict()
    settings.tree(max_depth=16, max_nodes=100_000, max_number=MAX_OPTION_NUMBER)
    takes = [_take_from_json(t, folder) for t in doc["takes"].each(MAX_TAKES)]
    names = [t.name for t in takes]
    seen = set()
    for i, name in enumerate(names):
        if name in seen:
            raise doc["takes"][i]["name"].fail(f"take name {name!r} is used twice")
        seen.add(name)
    project = Project(takes, settings.value, project_path)
    project.view = _view_from_json(doc.get("view", {}))
    return project


def _view_from_json(view: At) -> dict:
    """View settings are the UI's (ui.view_settings reads them leniently); here only their size."""
    view.dict()
    view.tree(max_depth=6, max_nodes=10_000, max_number=1e9)
    return view.value


def _take_from_json(t: At, folder: Path) -> Take:
    t = t.at(upgrade_object(t, "talkface.take", _check_schema(t, "talkface.take")), t.path)
    name = t["name"]
    try:
        check_take_name(name.str(max_len=MAX_NAME))
    except ValidationError as exc:
        raise name.fail(exc.problem) from None
    try:
        rate = FrameRate.from_json(t["rate"].value)
    except TalkFaceError as exc:
        raise t["rate"].fail(exc.problem) from None
    n_frames = t["n_frames"].int(min=0, max=MAX_FRAMES)
    try:
        language = normalize_language(t["language"].str())
    except TalkFaceError as exc:
        raise t["language"].fail(exc.problem) from None
    audio_channel = t.get("audio_channel").int(min=1, max=MAX_AUDIO_CHANNELS, optional=True)
    g = t.get("generation", {})
    g.dict()
    options = g.get("options", {})
    options.dict()
    options.tree(max_depth=8, max_nodes=10_000, max_number=MAX_OPTION_NUMBER)
    generation = GenerationSettings(g.get("backend", "procedural").str(max_len=100),
                                    g.get("seed", 0).int(min=0, max=MAX_SEED),
                                    g.get("transcript").str(optional=True), options.value,
                                    g.get("stamp").str(optional=True, max_len=200),
                                    _mouth_shapes_from_json(g.get("mouth_shapes", []), n_frames))
    fit = t.get("portrait_fit")
    if not fit.is_null:
        check_stored_fit(fit)
    track = _track_from_json(t["emotion_track"], rate.fps)
    channels = {}
    for cname, c in t.get("channels", {}).items():
        if cname not in CHANNEL_NAMES:
            raise c.fail(f"unknown channel (channels are {', '.join(CHANNEL_NAMES)})")
        base = _decode_base(c["base"], n_frames)
        layers = [layer_from_json(x) for x in c.get("layers", []).each(MAX_LAYERS)]
        ids = set()
        for i, layer in enumerate(layers):
            if layer.id in ids:
                raise c["layers"][i]["id"].fail(f"layer id {layer.id!r} is used twice")
            ids.add(layer.id)
        try:
            channels[cname] = Channel(cname, base, layers)
        except ValidationError as exc:
            raise c.fail(exc.problem) from None
    audio, portrait = _resolve(t.get("audio"), folder), _resolve(t.get("portrait"), folder)
    try:
        return Take(name.value, audio, portrait, rate, n_frames, track, channels, generation, fit.value,
                    language, markers_from_json(t.get("markers", [])), audio_channel)
    except ValidationError as exc:
        raise t.fail(exc.problem) from None


def _mouth_shapes_from_json(a: At, n_frames: int) -> tuple:
    """[[start, end, shape], ...]: frames within the take, known shapes, no overlaps."""
    items = []
    for item in a.each(MAX_SHAPES):
        if len(item.list(max_items=3)) != 3:
            raise item.fail("must be [start frame, end frame, shape]")
        start, end = item[0].int(min=0, max=n_frames), item[1].int(min=0, max=n_frames)
        items.append((start, end, item[2].str(max_len=10)))
    try:
        return shapes_from_json(items)
    except ValidationError as exc:
        raise a.fail(exc.problem) from None


def _check_schema(obj: At, schema: str) -> int:
    return check_schema(obj, schema)


def _resolve(value: At, folder: Path) -> Path | None:
    text = value.path_text(optional=True)
    if text is None:
        return None
    # absolute in memory: a project opened as `shots/scene.tfs` must not resolve media against
    # the project folder a second time or depend on the current folder
    return resolve_in_folder(text, folder)


def _track_from_json(e: At, fps: float) -> EmotionTrack:
    _check_schema(e, "talkface.emotion_track")
    default = e.get("default_transition", default_transition(fps)).int(min=0, max=MAX_FRAMES)
    segments = []
    prev_end, seen = 0, set()
    for s in e["segments"].each(MAX_SEGMENTS):
        sid = s["id"].str(max_len=MAX_NAME)
        start = s["start"].int(min=0, max=MAX_FRAMES)
        end = s["end"].int(min=start + 1, max=MAX_FRAMES)
        emotion = s["emotion"].one_of([x for x in EMOTIONS if x != "neutral"])
        level = s["level"].int(min=1, max=3)
        transition = s.get("transition").int(min=0, max=MAX_FRAMES, optional=True)
        if start < prev_end:
            raise s.fail(f"overlaps the previous segment (which ends at frame {prev_end}, this starts at {start})")
        if sid in seen:
            raise s["id"].fail(f"segment id {sid!r} is used twice")
        seen.add(sid)
        prev_end = end
        segments.append(Segment(start, end, emotion, level, transition, id=sid))
    next_id = e.get("next_id", 1)
    try:
        return EmotionTrack(segments, default, next_id.int(min=1, max=2**62))
    except ValidationError as exc:
        raise e.fail(exc.problem) from None


def _decode_base(b: At, n_frames: int) -> np.ndarray:
    encoding = b["encoding"].one_of(["f32le-base64", "constant"])
    length = b["length"].int(min=0, max=MAX_FRAMES)
    if length != n_frames:
        raise b["length"].fail(f"has {length} frames but the take has {n_frames}")
    if encoding == "constant":
        return np.full(length, b["value"].float(min=-VALUE_LIMIT, max=VALUE_LIMIT), np.float32)
    text = b["data"].str(max_len=4 * ((4 * MAX_FRAMES + 2) // 3) + 4)
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise b["data"].fail("is not valid base64") from None
    if len(data) != 4 * length:
        raise b["data"].fail(f"holds {len(data) // 4} samples, expected {length}")
    values = np.frombuffer(data, dtype="<f4").astype(np.float32)
    if not np.all(np.isfinite(values)):
        raise b["data"].fail("contains values that are not finite numbers")
    if len(values) and np.abs(values).max() > VALUE_LIMIT:
        raise b["data"].fail(f"contains values beyond +-{VALUE_LIMIT:g}")
    return values


# -- recovery --------------------------------------------------------------------------------------
def find_recovery(path: str | Path) -> Path | None:
    """The autosave of `path` if it is newer than the project (a crash left unsaved work)."""
    auto = autosave_path(path)
    try:
        auto_mtime = auto.stat().st_mtime_ns
    except OSError:
        return None
    try:
        return auto if auto_mtime > Path(path).stat().st_mtime_ns else None
    except FileNotFoundError:
        return auto
