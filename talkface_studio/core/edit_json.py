"""JSON of the artist's edits inside a take: edit layers with their keys, and markers.

A key is `[frame, value, interp, id]`, plus (edit_layer version 2) a fifth object with its tangent
handles when they are not the defaults: `{"tangent", "in_slope", "out_slope", "broken",
"weighted", "in_weight", "out_weight"}` (only the fields that differ). A layer is written at the
lowest version that holds it, so a project that uses no tangent handles still opens in 0.1.0,
which refuses one that does with a clear "newer version" line instead of dropping the handles.
Markers are `{"id", "frame", "name"}` in the take (take version 2).
"""

from __future__ import annotations

from .channels import LAYER_MODES, EditLayer, Key
from .errors import ValidationError
from .json_reader import At
from .key_curve import INTERPOLATIONS, TANGENTS
from .limits import MAX_FRAMES, MAX_KEYS, MAX_NAME, VALUE_LIMIT
from .markers import Marker, sorted_markers
from .schema_upgrade import check_schema, upgrade_object

_DEFAULT_HANDLES = Key(0, 0.0, id="k")
_HANDLE_FIELDS = ("tangent", "in_slope", "out_slope", "broken", "weighted", "in_weight", "out_weight")
MAX_MARKERS = 100_000


def key_to_json(k: Key) -> list:
    row = [k.frame, k.value, k.interp, k.id]
    if not k.has_default_tangents:
        row.append({f: getattr(k, f) for f in _HANDLE_FIELDS if getattr(k, f) != getattr(_DEFAULT_HANDLES, f)})
    return row


def layer_to_json(layer: EditLayer) -> dict:
    version = 1 if all(k.has_default_tangents for k in layer.keys) else 2
    return {"schema": "talkface.edit_layer", "version": version, "id": layer.id, "name": layer.name,
            "mode": layer.mode, "enabled": layer.enabled, "blend_in": layer.blend_in, "blend_out": layer.blend_out,
            "keys": [key_to_json(k) for k in layer.keys]}


def _handles_from_json(h: At) -> dict:
    fields = {}
    for name in h.dict():
        if name not in _HANDLE_FIELDS:
            raise h[name].fail(f"unknown key field (fields are {', '.join(_HANDLE_FIELDS)})")
    if "tangent" in h.value:
        fields["tangent"] = h["tangent"].one_of(TANGENTS)
    for name in ("in_slope", "out_slope"):
        if name in h.value:
            fields[name] = h[name].float(min=-VALUE_LIMIT, max=VALUE_LIMIT)
    for name in ("broken", "weighted"):
        if name in h.value:
            fields[name] = h[name].bool()
    for name in ("in_weight", "out_weight"):
        if name in h.value and not h[name].is_null:
            fields[name] = h[name].float(min=1e-9, max=2 * MAX_FRAMES)
    return fields


def layer_from_json(x: At) -> EditLayer:
    version = check_schema(x, "talkface.edit_layer")
    x = x.at(upgrade_object(x, "talkface.edit_layer", version), x.path)
    keys, frames, key_ids = [], set(), set()
    for k in x["keys"].each(MAX_KEYS):
        size = len(k.list())
        if size not in (4, 5):
            raise k.fail("a key must be [frame, value, interp, id] or [frame, value, interp, id, {handles}]")
        frame = k[0].int(min=-MAX_FRAMES, max=2 * MAX_FRAMES)
        value = k[1].float(min=-VALUE_LIMIT, max=VALUE_LIMIT)
        interp = k[2].one_of(INTERPOLATIONS)
        kid = k[3].str(max_len=MAX_NAME)
        handles = _handles_from_json(k[4]) if size == 5 else {}
        if frame in frames:
            raise k.fail(f"a second key on frame {frame}")
        if kid in key_ids:
            raise k[3].fail(f"key id {kid!r} is used twice")
        frames.add(frame)
        key_ids.add(kid)
        try:
            keys.append(Key(frame, value, interp, kid, **handles))
        except ValidationError as exc:
            raise k.fail(exc.problem) from None
    try:
        return EditLayer(id=x["id"].str(max_len=MAX_NAME), mode=x.get("mode", "override").one_of(LAYER_MODES),
                         keys=tuple(keys), blend_in=x.get("blend_in", 0).int(min=0, max=MAX_FRAMES),
                         blend_out=x.get("blend_out", 0).int(min=0, max=MAX_FRAMES),
                         enabled=x.get("enabled", True).bool(), name=x.get("name", "").str(max_len=MAX_NAME))
    except ValidationError as exc:
        raise x.fail(exc.problem) from None


def markers_to_json(markers) -> list:
    return [{"id": m.id, "frame": m.frame, "name": m.name} for m in markers]


def markers_from_json(a: At) -> tuple[Marker, ...]:
    markers = []
    for m in a.each(MAX_MARKERS):
        try:
            markers.append(Marker(m["frame"].int(min=0, max=MAX_FRAMES), m.get("name", "").str(max_len=MAX_NAME),
                                  m["id"].str(max_len=MAX_NAME)))
        except ValidationError as exc:
            raise m.fail(exc.problem) from None
    try:
        return sorted_markers(markers)
    except ValidationError as exc:
        raise a.fail(exc.problem) from None
