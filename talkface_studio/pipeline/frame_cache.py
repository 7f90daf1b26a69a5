"""Rendered frames cached on disk, keyed by a hash of exactly the inputs of that frame.

The key covers the portrait's pixels, that frame's image landmarks, the output size and the
renderer's name and version, so an edit that moves a few frames re-renders only those frames, and a
renderer upgrade (new version string) never serves stale pictures. Least-recently-used entries are
evicted once the cache passes its size cap; a hit refreshes the entry's mtime, which is the LRU clock.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import stat
from pathlib import Path

import numpy as np

from talkface_studio.core.atomic_write import replacing
from talkface_studio.core.errors import TalkFaceError
from talkface_studio.core.limits import MAX_OUTPUT_SIZE

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 4 * 1024**3
MAX_SIDE = MAX_OUTPUT_SIZE  # the largest render size
# Landmarks are rounded before hashing so float noise far below a pixel cannot cause a miss.
_LANDMARK_QUANTUM = 1e-3


def default_cache_dir() -> Path:
    from talkface_studio.app_info import cache_dir

    return cache_dir("frames")


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


def read_frame(path: Path, shape: tuple[int, int, int] | None = None) -> np.ndarray:
    """A cached frame: a regular .npy file holding uint8 [S, S, 3] with S <= MAX_SIDE (and exactly
    `shape` when given), its header checked before any pixel is read (no pickles, no giant shapes)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a planted FIFO must not hang us
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("not a regular file")
        version = np.lib.format.read_magic(fh)
        if version not in ((1, 0), (2, 0)):
            raise ValueError(f"unknown .npy version {version}")
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        got_shape, fortran, dtype = read_header(fh)
        if dtype != np.uint8 or fortran or len(got_shape) != 3 or got_shape[2] != 3:
            raise ValueError(f"holds {dtype} {got_shape}, not an RGB frame")
        if (shape is not None and tuple(got_shape) != tuple(shape)) or not 0 < got_shape[0] <= MAX_SIDE \
                or got_shape[0] != got_shape[1]:
            raise ValueError(f"holds a {got_shape[1]}x{got_shape[0]} frame, expected {shape or 'a square frame'}")
        data = fh.read(got_shape[0] * got_shape[1] * 3 + 1)
        if len(data) != got_shape[0] * got_shape[1] * 3:
            raise ValueError("is truncated" if len(data) < got_shape[0] * got_shape[1] * 3 else "has trailing data")
        return np.frombuffer(data, np.uint8).reshape(got_shape).copy()


class FrameCache:
    """Size-capped LRU directory of `.npy` frames. Safe to share between processes (atomic writes)."""

    def __init__(self, root: str | os.PathLike | None = None, max_bytes: int = DEFAULT_MAX_BYTES):
        self.root = Path(root) if root is not None else default_cache_dir()
        self.max_bytes = int(max_bytes)
        self.hits = 0
        self.misses = 0
        self.usable = True
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._bytes = sum(size for _, size, _ in self._entries())
        except OSError as exc:  # a cache folder we cannot use costs time, never a render
            log.warning("frame cache %s is unusable (%s); rendering without it", self.root, exc.strerror or exc)
            self.usable, self._bytes = False, 0

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.npy"

    def _entries(self):
        for sub in self.root.iterdir():
            if sub.is_symlink() or not sub.is_dir():
                continue
            with contextlib.suppress(OSError), os.scandir(sub) as entries:
                for entry in entries:
                    if entry.name.endswith(".npy"):
                        try:
                            st = entry.stat(follow_symlinks=False)  # a link's target is not ours to count
                        except OSError:
                            continue
                        yield Path(entry.path), st.st_size, st.st_mtime

    def get(self, key: str, shape: tuple[int, int, int] | None = None) -> np.ndarray | None:
        """The cached frame, or None. An entry that is not a plain uint8 RGB frame (of `shape` when
        given) is a miss: it is deleted (and so rendered and written again) and logged."""
        if not self.usable:
            self.misses += 1
            return None
        path = self._path(key)
        try:
            rgb = read_frame(path, shape)
            os.utime(path)  # LRU: a hit makes the entry young again
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError) as exc:
            log.warning("frame cache entry %s was unusable (%s); rendering that frame again", path, exc)
            with contextlib.suppress(OSError):
                os.unlink(path)
            self.misses += 1
            return None
        self.hits += 1
        return rgb

    def put(self, key: str, rgb: np.ndarray) -> None:
        if not self.usable:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(exist_ok=True)
            with replacing(path, durable=False, follow_links=False) as tmp, open(tmp, "wb") as fh:
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
