"""On-disk cache for analysis results, keyed by audio content + settings.

Arrays go to `.npz` (read with allow_pickle=False), phone lists to JSON: nothing read back can
execute code. Writes are atomic (temp file + rename) so a crash never leaves a half file that a
later run would trust. `TALKFACE_CACHE_DIR` overrides the location (tests, render farms).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from talkface_studio.core.atomic_write import replacing
from talkface_studio.core.errors import TalkFaceError


def cache_dir() -> Path:
    override = os.environ.get("TALKFACE_CACHE_DIR")
    if override:
        return Path(override) / "audio"
    import platformdirs

    return Path(platformdirs.user_cache_dir("talkface-studio")) / "audio"


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:32]


def samples_digest(samples: np.ndarray, sample_rate: int) -> str:
    h = hashlib.sha256(str(sample_rate).encode())
    h.update(np.ascontiguousarray(samples, dtype=np.float32).tobytes())
    return h.hexdigest()[:32]


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def load_arrays(key: str) -> dict[str, np.ndarray] | None:
    path = cache_dir() / f"{key}.npz"
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except (OSError, ValueError, KeyError):  # missing or damaged: recompute
        return None


def save_arrays(key: str, arrays: dict[str, np.ndarray]) -> None:
    _atomic_write(cache_dir() / f"{key}.npz", lambda fh: np.savez(fh, **arrays))


def load_json(key: str):
    try:
        return json.loads((cache_dir() / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def save_json(key: str, value) -> None:
    data = json.dumps(value).encode("utf-8")
    _atomic_write(cache_dir() / f"{key}.json", lambda fh: fh.write(data))


def _atomic_write(path: Path, write) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path, durable=False) as tmp, open(tmp, "wb") as fh:
            write(fh)
    except (OSError, TalkFaceError):
        pass  # a read-only or full cache disk must not stop analysis; it only costs time
