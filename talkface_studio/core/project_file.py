"""Project files (`.tfs`): UTF-8 JSON, written atomically, upgraded on load, never executed.

Layout (schema_version 2; README "Project files" documents it for pipeline authors):
    {"schema": "talkface.project", "schema_version": 2, "writer": "talkface-studio 0.1.0",
     "settings": {...}, "takes": [{"schema": "talkface.take", "version": 1, "name", "audio",
     "portrait" (relative to the project file), "rate": [num, den], "n_frames", "language" (BCP-47),
     "generation",
     "portrait_fit", "emotion_track": {..., "segments": [{"id", "start", "end", "emotion", "level",
     "transition"}]}, "channels": {name: {"base": {...}, "layers": [{..., "keys": [[frame, value,
     interp, id], ...]}]}}}]}
All times are integer frames at the take's rational rate.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from .channels import CHANNEL_NAMES, INTERPOLATIONS, LAYER_MODES, Channel, EditLayer, Key
from .emotion_track import EMOTIONS, EmotionTrack, Segment
from .errors import ProjectFileError, TalkFaceError
from .json_reader import At, describe
from .language_code import normalize_language
from .project import Project
from .schema_upgrade import CURRENT_VERSION, PROJECT_SCHEMA, encode_f32, upgrade
from .take import GenerationSettings, Take
from .timebase import FrameRate

SUFFIX = ".tfs"


def backup_path(path: str | Path) -> Path:
    return Path(f"{path}.bak")


def autosave_path(path: str | Path) -> Path:
    return Path(f"{path}.autosave")


# -- writing ---------------------------------------------------------------------------------------
def project_to_json(project: Project, project_dir: str | Path) -> dict:
    from talkface_studio import __version__

    return {
        "schema": PROJECT_SCHEMA, "schema_version": CURRENT_VERSION, "writer": f"talkface-studio {__version__}",
        "settings": project.settings,
        "takes": [_take_to_json(t, Path(project_dir)) for t in project.takes],
    }


def _take_to_json(take: Take, project_dir: Path) -> dict:
    track = take.emotion_track
    return {
        "schema": "talkface.take", "version": 1, "name": take.name,
        "audio": _relative(take.audio_path, project_dir), "portrait": _relative(take.portrait_path, project_dir),
        "rate": take.rate.to_json(), "n_frames": take.n_frames, "language": take.language,
        "generation": take.generation.to_json(),
        "portrait_fit": take.portrait_fit,
        "emotion_track": {
            "schema": "talkface.emotion_track", "version": 1, "default_transition": track.default_transition,
            "next_id": track.next_id,
            "segments": [{"id": s.id, "start": s.start, "end": s.end, "emotion": s.emotion, "level": s.level,
                          "transition": s.transition} for s in track.segments],
        },
        "channels": {n: {"base": encode_f32(ch.base), "layers": [_layer_to_json(x) for x in ch.layers]}
                     for n, ch in take.channels.items()},
    }


def _layer_to_json(layer: EditLayer) -> dict:
    return {"schema": "talkface.edit_layer", "version": 1, "id": layer.id, "name": layer.name, "mode": layer.mode,
            "enabled": layer.enabled, "blend_in": layer.blend_in, "blend_out": layer.blend_out,
            "keys": [[k.frame, k.value, k.interp, k.id] for k in layer.keys]}


def _relative(path: Path | None, project_dir: Path) -> str | None:
    """Media relative to the project file so a folder can move; absolute if on another drive."""
    if path is None:
        return None
    absolute = Path(os.path.abspath(path))
    try:
        return Path(os.path.relpath(absolute, os.path.abspath(project_dir))).as_posix()
    except ValueError:  # Windows: another drive has no relative path
        return str(absolute)


def save_project(project: Project, path: str | Path | None = None, backup: bool = True) -> Path:
    """Write atomically; the previous file becomes NAME.tfs.bak; a stale autosave is removed."""
    path = Path(path if path is not None else project.path or "")
    if not str(path):
        raise ProjectFileError("the project has no file name yet; choose where to save it")
    text = _to_text(project, path)
    write_atomic(path, text.encode("utf-8"), backup=backup)
    project.path = path
    try:
        autosave_path(path).unlink(missing_ok=True)
    except OSError:
        pass  # a leftover autosave is only offered while newer than the project
    return path


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


def write_atomic(path: Path, data: bytes, backup: bool = True) -> None:
    """temp file in the same folder + fsync + os.replace + folder fsync: the old file or the new
    one, never half of either. On any OS error the old file is untouched and the temp removed."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        os.chmod(tmp, _file_mode(path))  # mkstemp makes 0600; keep what the user would get
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if backup and path.exists():
            _keep_backup(path)
        os.replace(tmp, path)
        tmp = None
        _fsync_dir(folder)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ProjectFileError(f"could not save ({reason}); the previous file is unchanged", path) from exc
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


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


def _file_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _keep_backup(path: Path) -> None:
    bak = backup_path(path)
    tmp = Path(f"{bak}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(path, tmp)  # cheap: the backup shares the old file's data
    except OSError:
        tmp.write_bytes(path.read_bytes())
    os.replace(tmp, bak)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- reading ---------------------------------------------------------------------------------------
def load_project(path: str | Path, as_path: str | Path | None = None) -> Project:
    """Read (and upgrade in memory) a project; the file is never modified.

    `as_path` loads an autosave as if it were the project at that path (media resolve the same).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ProjectFileError("no such project file", path) from None
    except IsADirectoryError:
        raise ProjectFileError("is a folder, not a project file", path) from None
    except OSError as exc:
        raise ProjectFileError(f"cannot read ({exc.strerror or exc})", path) from None
    if not raw.strip():
        raise ProjectFileError("the file is empty (an interrupted copy?); try NAME.tfs.bak", path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProjectFileError(f"not a project file (not UTF-8 text: bad byte at offset {exc.start})", path) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        # json reports a string cut off by the end of file at the string's start
        ends_early = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        hint = " (the file ends early: truncated?)" if ends_early else ""
        raise ProjectFileError(f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}{hint}",
                               path) from None
    except RecursionError:
        raise ProjectFileError("not a project file (nested too deeply)", path) from None
    doc = At(value, path)
    if not isinstance(value, dict):
        raise doc.fail(f"not a TalkFace Studio project (the top level is {describe(value)}, not an object)")
    current = At(upgrade(doc), path)
    project_path = Path(as_path) if as_path is not None else path
    return project_from_json(current, project_path)


def project_from_json(doc: At, project_path: Path) -> Project:
    folder = project_path.parent
    settings = doc.get("settings", {}).dict()
    takes = [_take_from_json(t, folder) for t in doc["takes"]]
    names = [t.name for t in takes]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise doc["takes"][i]["name"].fail(f"take name {name!r} is used twice")
    return Project(takes, settings, project_path)


def _take_from_json(t: At, folder: Path) -> Take:
    _check_schema(t, "talkface.take")
    name = t["name"].str()
    try:
        rate = FrameRate.from_json(t["rate"].value)
    except TalkFaceError as exc:
        raise t["rate"].fail(exc.problem) from None
    n_frames = t["n_frames"].int(min=0)
    try:
        language = normalize_language(t["language"].str())
    except TalkFaceError as exc:
        raise t["language"].fail(exc.problem) from None
    g = t.get("generation", {})
    g.dict()
    generation = GenerationSettings(g.get("backend", "procedural").str(), g.get("seed", 0).int(),
                                    g.get("transcript").str(optional=True), g.get("options", {}).dict())
    fit = t.get("portrait_fit")
    if not fit.is_null:
        fit.dict()
    track = _track_from_json(t["emotion_track"])
    channels = {}
    for cname, c in t.get("channels", {}).items():
        if cname not in CHANNEL_NAMES:
            raise c.fail(f"unknown channel (channels are {', '.join(CHANNEL_NAMES)})")
        base = _decode_base(c["base"], n_frames)
        layers = [_layer_from_json(x) for x in c.get("layers", []).__iter__()]
        ids = [x.id for x in layers]
        for i, lid in enumerate(ids):
            if lid in ids[:i]:
                raise c["layers"][i]["id"].fail(f"layer id {lid!r} is used twice")
        channels[cname] = Channel(cname, base, layers)
    return Take(name, _resolve(t.get("audio"), folder), _resolve(t.get("portrait"), folder), rate, n_frames,
                track, channels, generation, fit.value, language)


def _check_schema(obj: At, schema: str) -> None:
    got = obj.get("schema", schema).str()
    if got != schema:
        raise obj["schema"].fail(f"must be {schema!r}, got {got!r}")
    version = obj.get("version", 1).int(min=1)
    if version > 1:
        raise obj["version"].fail(f"{schema} version {version} is newer than this TalkFace Studio reads (1)")


def _resolve(value: At, folder: Path) -> Path | None:
    text = value.str(optional=True)
    if text is None:
        return None
    p = Path(text)
    # absolute in memory: a project opened as `shots/scene.tfs` must not resolve media against
    # the project folder a second time (pipeline.resolve_media) or depend on the current folder
    return p if p.is_absolute() else Path(os.path.abspath(folder / p))


def _track_from_json(e: At) -> EmotionTrack:
    _check_schema(e, "talkface.emotion_track")
    default = e.get("default_transition", 8).int(min=0)
    segments = []
    prev_end, seen = 0, set()
    for s in e["segments"]:
        sid = s["id"].str()
        start = s["start"].int(min=0)
        end = s["end"].int(min=start + 1)
        emotion = s["emotion"].one_of([x for x in EMOTIONS if x != "neutral"])
        level = s["level"].int(min=1, max=3)
        transition = s.get("transition").int(min=0, optional=True)
        if start < prev_end:
            raise s.fail(f"overlaps the previous segment (which ends at frame {prev_end}, this starts at {start})")
        if sid in seen:
            raise s["id"].fail(f"segment id {sid!r} is used twice")
        seen.add(sid)
        prev_end = end
        segments.append(Segment(start, end, emotion, level, transition, id=sid))
    return EmotionTrack(segments, default, e.get("next_id", 1).int(min=1))


def _decode_base(b: At, n_frames: int) -> np.ndarray:
    encoding = b["encoding"].one_of(["f32le-base64", "constant"])
    length = b["length"].int(min=0)
    if length != n_frames:
        raise b["length"].fail(f"has {length} frames but the take has {n_frames}")
    if encoding == "constant":
        return np.full(length, b["value"].float(), np.float32)
    try:
        data = base64.b64decode(b["data"].str(), validate=True)
    except (binascii.Error, ValueError):
        raise b["data"].fail("is not valid base64") from None
    if len(data) != 4 * length:
        raise b["data"].fail(f"holds {len(data) // 4} samples, expected {length}")
    values = np.frombuffer(data, dtype="<f4").astype(np.float32)
    if not np.all(np.isfinite(values)):
        raise b["data"].fail("contains values that are not finite numbers")
    return values


def _layer_from_json(x: At) -> EditLayer:
    _check_schema(x, "talkface.edit_layer")
    keys, frames, key_ids = [], set(), set()
    for k in x["keys"]:
        if len(k.list()) != 4:
            raise k.fail("a key must be [frame, value, interp, id]")
        frame = k[0].int()
        value = k[1].float()
        interp = k[2].one_of(INTERPOLATIONS)
        kid = k[3].str()
        if frame in frames:
            raise k.fail(f"a second key on frame {frame}")
        if kid in key_ids:
            raise k[3].fail(f"key id {kid!r} is used twice")
        frames.add(frame)
        key_ids.add(kid)
        keys.append(Key(frame, value, interp, kid))
    return EditLayer(id=x["id"].str(), mode=x.get("mode", "override").one_of(LAYER_MODES), keys=tuple(keys),
                     blend_in=x.get("blend_in", 0).int(min=0), blend_out=x.get("blend_out", 0).int(min=0),
                     enabled=x.get("enabled", True).bool(), name=x.get("name", "").str())


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
