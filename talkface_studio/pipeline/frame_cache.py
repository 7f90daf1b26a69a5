"""Rendered frames cached on disk, keyed by a hash of exactly the inputs of that frame.

The key covers the portrait's pixels, that frame's image landmarks, the output size and the
renderer's name and version, so an edit that moves a few frames re-renders only those frames, and a
renderer upgrade (new version string) never serves stale pictures. Least-recently-used entries are
evicted once the cache passes its size cap; a hit refreshes the entry's mtime, which is the LRU clock.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from talkface_studio.core.atomic_write import replacing
from talkface_studio.core.errors import TalkFaceError

DEFAULT_MAX_BYTES = 4 * 1024**3
# Landmarks are rounded before hashing so float noise far below a pixel cannot cause a miss.
_LANDMARK_QUANTUM = 1e-3


def default_cache_dir() -> Path:
    override = os.environ.get("TALKFACE_CACHE_DIR")
    if override:
        return Path(override) / "frames"
    import platformdirs

    return Path(platformdirs.user_cache_dir("talkface-studio")) / "frames"


def image_hash(rgb: np.ndarray) -> str:
    """Content hash of an image (pixels and shape): identifies the portrait in frame keys."""
    arr = np.ascontiguousarray(rgb)
    h = hashlib.sha256(f"{arr.shape}{arr.dtype}".encode())
    h.update(arr.data)
    return h.hexdigest()


def frame_key(portrait_hash: str, landmarks_px: np.ndarray, size: int, renderer_id: str) -> str:
    quantized = np.round(np.asarray(landmarks_px, dtype=np.float64) / _LANDMARK_QUANTUM).astype(np.int64)
    h = hashlib.sha256(f"{portrait_hash}|{size}|{renderer_id}|".encode())
    h.update(np.ascontiguousarray(quantized).data)
    return h.hexdigest()


class FrameCache:
    """Size-capped LRU directory of `.npy` frames. Safe to share between processes (atomic writes)."""

    def __init__(self, root: str | os.PathLike | None = None, max_bytes: int = DEFAULT_MAX_BYTES):
        self.root = Path(root) if root is not None else default_cache_dir()
        self.max_bytes = int(max_bytes)
        self.hits = 0
        self.misses = 0
        self.root.mkdir(parents=True, exist_ok=True)
        self._bytes = sum(size for _, size, _ in self._entries())

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.npy"

    def _entries(self):
        for sub in self.root.iterdir():
            if not sub.is_dir():
                continue
            for entry in os.scandir(sub):
                if entry.name.endswith(".npy"):
                    st = entry.stat()
                    yield Path(entry.path), st.st_size, st.st_mtime

    def get(self, key: str) -> np.ndarray | None:
        path = self._path(key)
        try:
            rgb = np.load(path, allow_pickle=False)
            os.utime(path)  # LRU: a hit makes the entry young again
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return rgb

    def put(self, key: str, rgb: np.ndarray) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(exist_ok=True)
            with replacing(path, durable=False) as tmp, open(tmp, "wb") as fh:
                np.save(fh, np.ascontiguousarray(rgb), allow_pickle=False)
        except (OSError, TalkFaceError):
            return  # a cache that cannot write (full disk) must never fail a render
        self._bytes += path.stat().st_size
        if self._bytes > self.max_bytes:
            self.evict()

    def evict(self, target_fraction: float = 0.8) -> None:
        """Delete least recently used frames until the cache is under `target_fraction` of its cap."""
        entries = sorted(self._entries(), key=lambda e: e[2])
        total = sum(size for _, size, _ in entries)
        limit = self.max_bytes * target_fraction
        for path, size, _ in entries:
            if total <= limit:
                break
            try:
                path.unlink()
                total -= size
            except OSError:
                pass
        self._bytes = total

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return sum(1 for _ in self._entries())

    def clear(self) -> None:
        for path, _, _ in list(self._entries()):
            path.unlink(missing_ok=True)
        self._bytes = 0
