"""Reading older project files: detect the schema version and upgrade step by step to the current.

Each format change adds one function `_vN_to_vN1(doc, file) -> doc` (plain JSON in, plain JSON
out) and a golden file of the old version under tests/golden/ that the tests load.

Version 0 (the prototype, "format": "talkface", "version": 0) stored times as float seconds:
    {"format": "talkface", "version": 0, "takes": [{
        "name", "audio", "portrait", "fps": 24.0, "frames": 192, "seed": 7,
        "blend_seconds": 0.25,
        "emotions": [{"start": 0.5, "end": 3.0, "emotion": "happy", "level": 2}],
        "curves": {"head_yaw": [per-frame floats]},
        "edits": {"head_yaw": [{"mode": "override", "blend": 4, "keys": [[frame, value], ...]}]}}]}

Version 1 (0.1.0) had no spoken language per take: every take was English. Version 2 adds
`"language"` (a BCP-47 tag) to each take.
"""

from __future__ import annotations

import base64

import numpy as np

from .json_reader import At, describe
from .limits import MAX_FRAMES, MAX_SEED
from .timebase import FrameRate

PROJECT_SCHEMA = "talkface.project"
CURRENT_VERSION = 2

# Objects inside a project carry their own versions (OpenTimelineIO style). A writer uses the lowest
# version that holds an object, so files that use no newer feature still open in older releases.
#   talkface.take 2: "markers" (named markers, core.markers)
#   talkface.take 3: "audio_channel" (the recording's channel the character speaks on; absent: the mix)
#   talkface.take 4: "generation"."mouth_shapes" (spans set to a mouth shape by hand, core.mouth_shapes)
#   talkface.edit_layer 2: keys may carry tangent handles as a fifth element (core.edit_json)
OBJECT_VERSIONS = {"talkface.take": 4, "talkface.edit_layer": 2, "talkface.emotion_track": 1}


def detect_version(doc: At) -> int:
    obj = doc.dict()
    if "schema_version" in obj:
        if obj.get("schema") != PROJECT_SCHEMA:
            raise doc["schema"].fail(f"must be {PROJECT_SCHEMA!r}, got {obj.get('schema')!r} "
                                     "(not a TalkFace Studio project)")
        version = doc["schema_version"].int(min=0)
    elif obj.get("format") == "talkface" and "version" in obj:
        version = doc["version"].int(min=0, max=0)
    else:
        raise doc.fail("not a TalkFace Studio project (no \"schema\": \"talkface.project\" / schema_version)")
    if version > CURRENT_VERSION:
        raise doc.fail(f"written by a newer TalkFace Studio (schema {describe(version)}); "
                       f"this version reads up to {CURRENT_VERSION}")
    return version


def upgrade(doc: At) -> dict:
    """Return the document in the current schema (the input is not modified)."""
    version = detect_version(doc)
    value = doc.value
    while version < CURRENT_VERSION:
        value = UPGRADES[version](At(value, doc.file))
        version += 1
    return value


def encode_f32(values) -> dict:
    """Base channel samples: float32 little-endian, base64 (exact, ~5.3 bytes per frame)."""
    arr = np.ascontiguousarray(values, dtype="<f4")
    if len(arr) and np.all(arr == arr[0]):
        return {"encoding": "constant", "value": float(arr[0]), "length": int(len(arr))}
    return {"encoding": "f32le-base64", "length": int(len(arr)), "data": base64.b64encode(arr.tobytes()).decode()}


def _v0_to_v1(doc: At) -> dict:
    takes = []
    for t in doc["takes"].each(10_000):
        rate_value = t["fps"].float()
        try:
            rate = FrameRate.parse(rate_value)
        except Exception as exc:
            raise t["fps"].fail(str(exc)) from None
        n_frames = t["frames"].int(min=0, max=MAX_FRAMES)
        transition = round(t.get("blend_seconds", 0.25).float(min=0, max=60) * rate.fps)
        segments = []
        longest = MAX_FRAMES / rate.fps
        for i, e in enumerate(t.get("emotions", []).each(MAX_FRAMES)):
            start = rate.seconds_to_frame(e["start"].float(min=0, max=longest))
            end = rate.seconds_to_frame(e["end"].float(min=0, max=longest))
            segments.append({"id": f"s{i + 1}", "start": start, "end": end, "emotion": e["emotion"].value,
                             "level": e.get("level", 2).value, "transition": None})
        channels = {}
        for name, curve in t.get("curves", {}).items(max_items=100):
            values = [v.float() for v in curve.each(MAX_FRAMES)]
            if len(values) != n_frames:
                raise curve.fail(f"has {len(values)} values but the take has {n_frames} frames")
            channels[name] = {"base": encode_f32(values), "layers": []}
        for name, edits in t.get("edits", {}).items():
            entry = channels.setdefault(name, {"base": encode_f32([0.0] * n_frames), "layers": []})
            for j, layer in enumerate(edits):
                blend = layer.get("blend", 0).int(min=0)
                keys = [[k[0].int(), k[1].float(), "linear", f"v0k{j}_{n}"] for n, k in enumerate(layer["keys"])]
                entry["layers"].append({"schema": "talkface.edit_layer", "version": 1, "id": f"v0L{j}",
                                        "name": "", "mode": layer.get("mode", "override").value, "enabled": True,
                                        "blend_in": blend, "blend_out": blend, "keys": keys})
        takes.append({
            "schema": "talkface.take", "version": 1, "name": t["name"].value,
            "audio": t.get("audio").value, "portrait": t.get("portrait").value,
            "rate": rate.to_json(), "n_frames": n_frames,
            "generation": {"backend": "procedural", "seed": t.get("seed", 0).int(min=0, max=MAX_SEED),
                           "transcript": None, "options": {}},
            "portrait_fit": None,
            "emotion_track": {"schema": "talkface.emotion_track", "version": 1, "default_transition": transition,
                              "next_id": len(segments) + 1, "segments": segments},
            "channels": channels,
        })
    return {"schema": PROJECT_SCHEMA, "schema_version": 1, "settings": {}, "takes": takes}


def _v1_to_v2(doc: At) -> dict:
    """Takes gain a spoken language; before version 2 every take was analysed as English."""
    value = dict(doc.dict())
    takes = []
    for t in doc["takes"]:
        take = dict(t.dict())
        take.setdefault("language", "en")
        takes.append(take)
    value["takes"] = takes
    value["schema_version"] = 2
    return value


UPGRADES = {0: _v0_to_v1, 1: _v1_to_v2}


def check_schema(obj: At, schema: str) -> int:
    """The object's version after checking its schema name; newer than this release reads: refused."""
    got = obj.get("schema", schema).str(max_len=100)
    if got != schema:
        raise obj["schema"].fail(f"must be {schema!r}, got {got!r}")
    version = obj.get("version", 1).int(min=1)
    reads = OBJECT_VERSIONS.get(schema, 1)
    if version > reads:
        raise obj["version"].fail(f"{schema} version {version} is newer than this TalkFace Studio reads ({reads})")
    return version


def _take_v1_to_v2(obj: dict) -> dict:
    """Takes gained named markers; a take of version 1 has none."""
    return {**obj, "version": 2, "markers": []}


def _take_v2_to_v3(obj: dict) -> dict:
    """Takes may name the recording's channel to analyse; one of version 2 analyses the mix."""
    return {**obj, "version": 3}


def _take_v3_to_v4(obj: dict) -> dict:
    """Takes may hold mouth shapes set by hand; one of version 3 has none."""
    return {**obj, "version": 4}


def _layer_v1_to_v2(obj: dict) -> dict:
    """Keys may carry tangent handles; a version-1 key [frame, value, interp, id] means the default
    handles (auto-clamped, a third of the span), which evaluate exactly as version 1 did."""
    return {**obj, "version": 2}


OBJECT_UPGRADES = {("talkface.take", 1): _take_v1_to_v2, ("talkface.take", 2): _take_v2_to_v3,
                  ("talkface.take", 3): _take_v3_to_v4,
                   ("talkface.edit_layer", 1): _layer_v1_to_v2}


def upgrade_object(obj: At, schema: str, version: int) -> dict:
    """The object (plain JSON) upgraded from `version` to the newest one this release reads."""
    value = obj.dict()
    while version < OBJECT_VERSIONS.get(schema, 1):
        value = OBJECT_UPGRADES[(schema, version)](value)
        version += 1
    return value
