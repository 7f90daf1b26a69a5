"""What is slow to derive from a portrait, kept on disk between processes.

Every `render` and every farm task is a new process, and deriving things from the portrait is most
of its wait for the first frame: the renderer's head matte (MediaPipe's selfie segmentation, whose
import alone pulls in matplotlib) and fold shading, and stage 1's neutralized identity (a bounded
least-squares fit whose import, scipy.optimize, costs half a second). They depend only on the
portrait's pixels or landmarks, the output size and the code that derives them, all of which go
into an entry's key, so they are stored once per portrait in the cache folder
(`app_info.cache_dir("portraits")`, safe to delete) and read back in milliseconds.

Nothing read from a file executes code: an entry is an `.npz` without pickles (plain arrays) plus
a JSON tree naming which of the dataclasses the caller lists to rebuild. A damaged or unreadable
entry is derived again; a cache that cannot be written costs time, never a render.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
import os
import zipfile
from pathlib import Path
from typing import Callable, TypeVar

import numpy as np

from talkface_studio.core.atomic_write import replacing
from talkface_studio.core.errors import TalkFaceError

log = logging.getLogger(__name__)
T = TypeVar("T")
_SCHEMA = "1"
KEEP = 48   # entries kept (~10 MB each at 512 px); the least recently used go first


def store_dir() -> Path | None:
    """The folder of stored preparations, or None when caching is off (``TALKFACE_PORTRAIT_CACHE=0``)."""
    if os.environ.get("TALKFACE_PORTRAIT_CACHE", "1") == "0":
        return None
    from talkface_studio.app_info import cache_dir

    return cache_dir("portraits")


def entry_key(*parts) -> str:
    """A digest of what a preparation depends on (arrays by their bytes and shape, the rest by repr)."""
    h = hashlib.blake2b(_SCHEMA.encode(), digest_size=20)
    for part in parts:
        if isinstance(part, np.ndarray):
            arr = np.ascontiguousarray(part)
            h.update(f"{arr.dtype}{arr.shape}".encode())
            h.update(arr.data)
        else:
            h.update(repr(part).encode())
        h.update(b"|")
    return h.hexdigest()


def _encode(obj, arrays: dict):
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {"dc": type(obj).__name__,
                "f": {f.name: _encode(getattr(obj, f.name), arrays) for f in dataclasses.fields(obj)}}
    if isinstance(obj, np.ndarray):
        name = f"a{len(arrays)}"
        arrays[name] = obj
        return {"nd": name}
    if isinstance(obj, (list, tuple)):
        return {"seq": [_encode(v, arrays) for v in obj], "tuple": isinstance(obj, tuple)}
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"cannot store {type(obj).__name__}")


def _decode(node, arrays, kinds: dict[str, type]):
    if isinstance(node, dict):
        if "nd" in node:
            return arrays[node["nd"]]
        if "seq" in node:
            items = [_decode(v, arrays, kinds) for v in node["seq"]]
            return tuple(items) if node.get("tuple") else items
        cls = kinds[node["dc"]]  # KeyError for anything not listed: the entry is recomputed
        return cls(**{k: _decode(v, arrays, kinds) for k, v in node["f"].items()})
    return node


def _read(path: Path, kinds: dict[str, type]):
    with np.load(path, allow_pickle=False) as data:
        tree = json.loads(bytes(data["tree"]).decode("utf-8"))
        arrays = {k: data[k] for k in data.files if k != "tree"}
    return _decode(tree, arrays, kinds)


def _write(path: Path, obj) -> None:
    arrays: dict = {}
    tree = _encode(obj, arrays)
    buf = io.BytesIO()
    np.savez(buf, tree=np.frombuffer(json.dumps(tree).encode("utf-8"), np.uint8), **arrays)
    path.parent.mkdir(parents=True, exist_ok=True)
    # atomic: another process reads the old entry or the whole new one; no fsync (a cache)
    with replacing(path, durable=False, follow_links=False) as tmp:
        tmp.write_bytes(buf.getvalue())


def stored(kind: str, key: str, compute: Callable[[], T], classes: tuple[type, ...] = ()) -> T:
    """``compute()``, or what an earlier call with the same ``kind`` and ``key`` stored. The value
    is arrays, numbers, strings, lists and tuples of them, and instances of ``classes``
    (dataclasses: the only ones an entry may rebuild)."""
    folder = store_dir()
    if folder is None:
        return compute()
    path = folder / f"{kind}-{key}.npz"
    kinds = {cls.__name__: cls for cls in classes}
    if path.is_file():
        try:
            value = _read(path, kinds)
            os.utime(path)  # the LRU clock (atime is unreliable on noatime mounts)
            return value
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
            log.warning("stored portrait preparation %s was unusable (%s); preparing it again", path, exc)
    value = compute()
    try:
        _write(path, value)
        _prune(folder)
    except (OSError, TypeError, TalkFaceError) as exc:
        log.debug("cannot store %s: %s", path, exc)
    return value


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.npz"), key=lambda p: p.stat().st_mtime)
    for old in entries[:-KEEP]:
        old.unlink(missing_ok=True)
