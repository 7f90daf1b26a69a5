"""Typed access to parsed JSON that names the JSON path of any problem.

    take = At(doc, file)["takes"][0]
    take["n_frames"].int(min=0)   # -> ProjectFileError "FILE: takes[0].n_frames: must be ..."
"""

from __future__ import annotations

import math
from pathlib import Path

from .errors import ProjectFileError

_TYPE_NAMES = {dict: "an object", list: "a list", str: "a text", int: "an integer", float: "a number",
               bool: "true or false"}


def describe(value) -> str:
    if value is None:
        return "null"
    text = repr(value) if not isinstance(value, (dict, list)) else _TYPE_NAMES[type(value)]
    return text if len(text) <= 40 else text[:37] + "..."


class At:
    """A JSON value and the path that led to it."""

    def __init__(self, value, file: Path | str | None, path: str = ""):
        self.value, self.file, self.path = value, file, path

    def fail(self, problem: str) -> ProjectFileError:
        where = f"{self.path}: " if self.path else ""
        return ProjectFileError(f"{where}{problem}", self.file)

    def _child_path(self, key) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else str(key)

    def __getitem__(self, key) -> At:
        if isinstance(key, int):
            items = self.list()
            if not 0 <= key < len(items):
                raise self.fail(f"has no item {key}")
            return At(items[key], self.file, self._child_path(key))
        obj = self.dict()
        if key not in obj:
            raise At(None, self.file, self._child_path(key)).fail("missing")
        return At(obj[key], self.file, self._child_path(key))

    def get(self, key, default=None) -> At:
        obj = self.dict()
        return At(obj.get(key, default), self.file, self._child_path(key))

    def items(self):
        return [(k, At(v, self.file, self._child_path(k))) for k, v in self.dict().items()]

    def __iter__(self):
        return (At(v, self.file, self._child_path(i)) for i, v in enumerate(self.list()))

    @property
    def is_null(self) -> bool:
        return self.value is None

    # -- typed values -----------------------------------------------------------------------------
    def _expect(self, kind):
        ok = isinstance(self.value, kind) and not (kind in (int, float) and isinstance(self.value, bool))
        if kind is float and isinstance(self.value, int) and not isinstance(self.value, bool):
            ok = True
        if not ok:
            raise self.fail(f"must be {_TYPE_NAMES[kind]}, got {describe(self.value)}")
        return self.value

    def dict(self) -> dict:
        return self._expect(dict)

    def list(self) -> list:
        return self._expect(list)

    def str(self, optional: bool = False) -> str | None:
        if optional and self.value is None:
            return None
        return self._expect(str)

    def bool(self) -> bool:
        return self._expect(bool)

    def int(self, min: int | None = None, max: int | None = None, optional: bool = False) -> int | None:
        if optional and self.value is None:
            return None
        v = self._expect(int)
        if (min is not None and v < min) or (max is not None and v > max):
            bounds = f"{min}-{max}" if min is not None and max is not None else (
                f">= {min}" if min is not None else f"<= {max}")
            raise self.fail(f"must be {bounds}, got {v}")
        return v

    def float(self) -> float:
        v = float(self._expect(float))
        if not math.isfinite(v):
            raise self.fail(f"must be a finite number, got {v}")
        return v

    def one_of(self, choices) -> str:
        v = self._expect(str)
        if v not in choices:
            raise self.fail(f"must be one of {', '.join(choices)}, got {v!r}")
        return v
