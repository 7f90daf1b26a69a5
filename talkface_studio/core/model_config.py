"""Model configs as JSON files: architecture sizes live apart from code, with a kind and a version.

Shared by the stage 1 and stage 2 neural configs (dataclasses), so both refuse the same mistakes
with the same one-line messages: a wrong kind, unknown keys, and every field type- and range-checked
against the config's LIMITS (a config asking for n_mels = 1e13 is refused before anything is built).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

from .errors import ValidationError
from .file_access import read_regular
from .json_reader import parse_json
from .limits import MAX_CONFIG_BYTES

DEFAULT_INT_RANGE = (0, 65_536)
DEFAULT_FLOAT_RANGE = (-1e6, 1e6)


def config_to_json(config, kind: str) -> dict:
    return {"kind": kind, "version": 1, **dataclasses.asdict(config)}


def _one_line(text: str) -> str:
    """At most 40 characters of a value from the file, line breaks and other unprintables escaped:
    a message names the bad entry in one line, whatever the file holds (a key "\n" once split it)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:40])


def config_fields(cls, data: dict, kind: str, what: str, path: str | Path | None = None,
                  limits: dict[str, tuple] | None = None) -> dict:
    """Constructor arguments of dataclass `cls` from `data`; a wrong kind, unknown keys, a wrong type
    or a value outside `limits` ({field: (low, high)}) is refused naming the field."""
    if not isinstance(data, dict):
        raise ValidationError(f"not a {what} config (expected a JSON object)", path)
    if data.get("kind", kind) != kind:
        raise ValidationError(f"not a {what} config (kind {str(data.get('kind'))[:60]!r})", path)
    version = data.get("version", 1)
    if type(version) is not int or not 1 <= version <= 1:
        raise ValidationError(f"version: this TalkFace Studio reads {what} configs of version 1, got "
                              f"{_one_line(str(version))}", path)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(data) - set(fields) - {"kind", "version"}
    if unknown:
        raise ValidationError(f"unknown config keys: {', '.join(sorted(_one_line(str(k)) for k in unknown)[:5])}", path)
    limits = limits or {}
    for name, value in data.items():
        if name in fields:
            _check_field(name, value, str(fields[name].type), limits.get(name), path)
    return {k: v for k, v in data.items() if k in fields}


def _check_field(name: str, value, kind: str, bounds, path) -> None:
    def fail(expected: str):
        shown = str(value) if not isinstance(value, (dict, list)) else type(value).__name__
        return ValidationError(f"{name}: must be {expected}, got {_one_line(shown)}", path)

    if kind == "int":
        low, high = bounds or DEFAULT_INT_RANGE
        if type(value) is not int or not low <= value <= high:
            raise fail(f"a whole number from {low} to {high}")
    elif kind == "float":
        low, high = bounds or DEFAULT_FLOAT_RANGE
        if type(value) not in (int, float) or not math.isfinite(value) or not low <= value <= high:
            raise fail(f"a number from {low:g} to {high:g}")
    elif kind == "bool":
        if type(value) is not bool:
            raise fail("true or false")
    elif kind == "str":
        if type(value) is not str or len(value) > 1000:
            raise fail("a text")
    elif kind == "dict":
        if type(value) is not dict or len(value) > 100:
            raise fail("an object of at most 100 entries")
        for key, item in value.items():
            if type(item) not in (int, float) or not math.isfinite(item) or abs(item) > 1e6:
                raise ValidationError(f"{name}.{_one_line(str(key))}: must be a finite number, "
                                      f"got {_one_line(str(item))}", path)


def parse_config_text(text: bytes | str, path: str | Path | None, what: str = "model config") -> dict:
    """A config from JSON text (a sidecar file or a checkpoint's metadata)."""
    doc = parse_json(text, path, what, ValidationError, max_depth=4)
    return doc.dict()


def read_config_file(path: str | Path) -> dict:
    return parse_config_text(read_regular(path, "model config", MAX_CONFIG_BYTES, ValidationError), path)
