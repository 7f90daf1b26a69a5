"""Model configs as JSON files: architecture sizes live apart from code, with a kind and a version.

Shared by the stage 1 and stage 2 neural configs (dataclasses), so both refuse the same mistakes
with the same one-line messages.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from .errors import ValidationError


def config_to_json(config, kind: str) -> dict:
    return {"kind": kind, "version": 1, **dataclasses.asdict(config)}


def config_fields(cls, data: dict, kind: str, what: str, path: str | Path | None = None) -> dict:
    """Constructor arguments of dataclass `cls` from `data`; a wrong kind or unknown keys are refused."""
    if data.get("kind", kind) != kind:
        raise ValidationError(f"not a {what} config (kind {data.get('kind')!r})", path)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - names - {"kind", "version"}
    if unknown:
        raise ValidationError(f"unknown config keys: {', '.join(sorted(unknown))}", path)
    return {k: v for k, v in data.items() if k in names}


def read_config_file(path: str | Path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationError(f"cannot read model config: {exc}", path) from exc
