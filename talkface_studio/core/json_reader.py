"""Typed access to parsed JSON that names the JSON path of any problem.

    doc = parse_json(data, file, "project file")     # refuses NaN, deep nesting, huge numbers
    take = doc["takes"][0]
    take["n_frames"].int(min=0)   # -> ProjectFileError "FILE: takes[0].n_frames: must be ..."

Every file the program reads that is JSON (projects, curves, model configs, caches) is read through
this, so all of them refuse the same mistakes with the same one-line messages. Why not pydantic or
cattrs: the core stays numpy-only, project files are upgraded version by version as plain JSON
before they are read, and these messages (the JSON path, what was expected, what was found) are
already what an artist should see; a schema library would need its messages rewritten to match.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from .errors import ProjectFileError, TalkFaceError

MAX_DEPTH = 32  # nesting of any JSON file we read; ours reach 7
MAX_TEXT = 1_000_000  # characters of one string (a transcript of a 3-hour take fits)
MAX_ITEMS = 5_000_000  # items of one list (a 3-hour take at 60 fps has 648,000 frames)

_TYPE_NAMES = {dict: "an object", list: "a list", str: "a text", int: "an integer", float: "a number",
               bool: "true or false"}


def describe(value) -> str:
    if value is None:
        return "null"
    text = repr(value) if not isinstance(value, (dict, list)) else _TYPE_NAMES[type(value)]
    return text if len(text) <= 40 else text[:37] + "..."


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json(data: bytes | str, file, what: str, error: type[TalkFaceError] = ProjectFileError,
               max_depth: int = MAX_DEPTH) -> At:
    """Parse JSON text into an `At` at its root; any problem is one `error` naming `file`."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise error(f"not a {what} (not UTF-8 text: bad byte at offset {exc.start})", file) from None
    if not data.strip():
        raise error(f"the {what} is empty", file)
    try:
        value = json.loads(data, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        # json reports a string cut off by the end of file at the string's start
        ends_early = exc.pos >= len(data.rstrip()) or exc.msg.startswith("Unterminated string")
        hint = " (the file ends early: truncated?)" if ends_early else ""
        raise error(f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}{hint}", file) from None
    except RecursionError:
        raise error(f"not a {what} (nested too deeply)", file) from None
    except ValueError as exc:  # NaN/Infinity, or an integer of thousands of digits
        raise error(f"not valid JSON: {' '.join(str(exc).split())[:120]}", file) from None
    root = At(value, file, error=error)
    root.tree(max_depth=max_depth)
    return root


class At:
    """A JSON value and the path that led to it."""

    def __init__(self, value, file: Path | str | None, path: str = "",
                 error: type[TalkFaceError] = ProjectFileError):
        self.value, self.file, self.path, self.error = value, file, path, error

    def fail(self, problem: str) -> TalkFaceError:
        where = f"{self.path}: " if self.path else ""
        return self.error(f"{where}{problem}", self.file)

    def at(self, value, path: str) -> At:
        return At(value, self.file, path, self.error)

    def _child_path(self, key) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else str(key)

    def __getitem__(self, key) -> At:
        if isinstance(key, int):
            items = self.list()
            if not 0 <= key < len(items):
                raise self.fail(f"has no item {key}")
            return self.at(items[key], self._child_path(key))
        obj = self.dict()
        if key not in obj:
            raise self.at(None, self._child_path(key)).fail("missing")
        return self.at(obj[key], self._child_path(key))

    def get(self, key, default=None) -> At:
        obj = self.dict()
        return self.at(obj.get(key, default), self._child_path(key))

    def items(self, max_items: int | None = None):
        obj = self.dict()
        if max_items is not None and len(obj) > max_items:
            raise self.fail(f"has {len(obj)} entries; at most {max_items} are allowed")
        return [(k, self.at(v, self._child_path(k))) for k, v in obj.items()]

    def __iter__(self):
        return (self.at(v, self._child_path(i)) for i, v in enumerate(self.list()))

    def each(self, max_items: int) -> list[At]:
        """The items of a list of at most `max_items` (a limit no real file reaches)."""
        items = self.list(max_items=max_items)
        return [self.at(v, self._child_path(i)) for i, v in enumerate(items)]

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

    def list(self, max_items: int = MAX_ITEMS) -> list:
        items = self._expect(list)
        if len(items) > max_items:
            raise self.fail(f"has {len(items)} items; at most {max_items} are allowed")
        return items

    def str(self, optional: bool = False, max_len: int = MAX_TEXT) -> str | None:
        if optional and self.value is None:
            return None
        text = self._expect(str)
        if len(text) > max_len:
            raise self.fail(f"is {len(text)} characters long; at most {max_len} are allowed")
        return text

    def path_text(self, optional: bool = False) -> str | None:
        """A file name: text without NUL characters, of a length file systems accept."""
        text = self.str(optional=optional, max_len=4096)
        if text is not None and ("\0" in text or not text.strip()):
            raise self.fail(f"is not a usable file name: {describe(text)}")
        return text

    def bool(self) -> bool:
        return self._expect(bool)

    def int(self, min: int | None = None, max: int | None = None, optional: bool = False) -> int | None:
        if optional and self.value is None:
            return None
        v = self._expect(int)
        if (min is not None and v < min) or (max is not None and v > max):
            if min is not None and max is not None and max - min <= 1000:
                bounds = f"{min}-{max}"  # a small range reads best whole: "must be 1-3"
            else:
                bounds = f">= {min}" if min is not None and v < min else f"<= {max}"
            raise self.fail(f"must be {bounds}, got {describe(v)}")
        return v

    def float(self, min: float | None = None, max: float | None = None) -> float:
        raw = self._expect(float)
        try:
            v = float(raw)
        except OverflowError:  # an integer too large for a float
            raise self.fail(f"must be a finite number, got {describe(raw)}") from None
        if not math.isfinite(v):
            raise self.fail(f"must be a finite number, got {v}")
        if (min is not None and v < min) or (max is not None and v > max):
            raise self.fail(f"must be a number from {min:g} to {max:g}, got {v:g}")
        return v

    def tree(self, max_depth: int = MAX_DEPTH, max_nodes: int = 10 * MAX_ITEMS,
             max_number: float | None = None):
        """Check a free-form value (settings, options) without recursion: nesting, size, and numbers
        that are finite (and within +-max_number). Returns the value."""
        stack, nodes = [(self.value, self.path, 0)], 0
        while stack:
            value, path, depth = stack.pop()
            nodes += 1
            if depth > max_depth or nodes > max_nodes:
                limit = f"{max_depth} levels" if depth > max_depth else f"{max_nodes} values"
                raise self.at(value, path).fail(f"is nested or sized beyond what TalkFace Studio reads ({limit})")
            if isinstance(value, dict):
                stack.extend((v, f"{path}.{k}" if path else str(k), depth + 1) for k, v in value.items())
            elif isinstance(value, list):
                stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value))
            elif isinstance(value, float) and not math.isfinite(value):
                raise self.at(value, path).fail(f"must be a finite number, got {value}")
            elif max_number is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
                if abs(value) > max_number:
                    raise self.at(value, path).fail(f"must be within +-{max_number:g}, got {describe(value)}")
        return self.value

    def one_of(self, choices) -> str:
        v = self._expect(str)
        if v not in choices:
            raise self.fail(f"must be one of {', '.join(choices)}, got {v!r}")
        return v
