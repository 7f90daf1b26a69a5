"""On-disk cache for analysis results, keyed by audio content + settings.

Arrays go to `.npz` (read with allow_pickle=False), phone lists to JSON: nothing read back can
execute code. Writes are atomic (temp file + rename) so a crash never leaves a half file that a
later run would trust. `TALKFACE_CACHE_DIR` overrides the location (tests, render farms).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import stat
from pathlib import Path

import numpy as np

from talkface_studio.core.atomic_write import replacing
from talkface_studio.core.errors import TalkFaceError

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    from talkface_studio.app_info import cache_dir as app_cache_dir

    return app_cache_dir("audio")


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
        with open_regular(path) as fh, np.load(fh, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, EOFError) as exc:  # damaged: recompute (and overwrite it)
        log.warning("analysis cache entry %s was unusable (%s); analysing again", path, exc)
        return None


def valid_acoustic(arrays: dict | None, fields, n_frames: int | None) -> bool:
    """Per-frame float arrays of one length (n_frames when given), mel [T, bins]: a cache entry a
    damaged or hand-made file cannot turn into a crash further on."""
    if arrays is None:
        return False
    try:
        lengths = {len(arrays[k]) for k in fields}
        ok = len(lengths) == 1 and all(np.issubdtype(arrays[k].dtype, np.floating) and np.all(np.isfinite(arrays[k]))
                                       for k in fields)
        ok = ok and all(arrays[k].ndim == (2 if k == "mel" else 1) for k in fields)
        ok = ok and (n_frames is None or lengths == {int(n_frames)})
    except (KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        log.warning("analysis cache entry does not fit this take; analysing again")
    return ok


def valid_phones(stored) -> bool:
    """A cached phone pass: {"phones": [[start_s, end_s, phone], ...], "stretches": [[start_s, end_s,
    path, reason, words], ...], "words": [[start_s, end_s, word], ...]} with sane values."""
    try:
        phones, stretches, words = stored["phones"], stored["stretches"], stored.get("words", [])
        ok = len(phones) <= 10_000_000 and len(stretches) <= 1_000_000 and len(words) <= 1_000_000
        ok = ok and all(isinstance(p, str) and len(p) <= 8 and 0 <= float(a) <= float(b) <= 1e6
                        for a, b, p in phones)
        ok = ok and all(isinstance(p, str) and len(p) <= 16 and isinstance(r, str) and len(r) <= 10_000
                        and isinstance(w, str) and len(w) <= 100_000 and 0 <= float(a) <= float(b) <= 1e6
                        for a, b, p, r, w in stretches)
        ok = ok and all(isinstance(w, str) and len(w) <= 1000 and 0 <= float(a) <= float(b) <= 1e6
                        for a, b, w in words)
    except (KeyError, TypeError, ValueError):
        ok = False
    if stored is not None and not ok:
        log.warning("analysis cache phone entry was unusable; analysing again")
    return ok


def valid_posteriors(arrays: dict | None) -> bool:
    """A cached viseme recognizer pass (audio.phone_pass.cached_posteriors): logp [T, K] (and
    align_logp, when there, the same shape), jaw, level, darkness [T] finite floats, gaps [T] bool."""
    if arrays is None:
        return False
    try:
        logp = arrays["logp"]
        t = len(logp)
        floats = [logp, arrays["jaw"], arrays["level"], arrays["darkness"]] + (
            [arrays["align_logp"]] if "align_logp" in arrays else [])
        ok = logp.ndim == 2 and all(np.issubdtype(a.dtype, np.floating) and np.all(np.isfinite(a)) for a in floats)
        ok = ok and all(a.shape == (t,) for a in (arrays["jaw"], arrays["level"], arrays["darkness"], arrays["gaps"]))
        ok = ok and arrays["gaps"].dtype == bool
        ok = ok and ("align_logp" not in arrays or arrays["align_logp"].shape == logp.shape)
    except (KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        log.warning("analysis cache posteriors entry was unusable; running the recognizer again")
    return ok


@contextlib.contextmanager
def open_regular(path: Path):
    """Open for reading without ever blocking on a FIFO planted in the cache folder."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("not a regular file")
        yield fh


def save_arrays(key: str, arrays: dict[str, np.ndarray]) -> None:
    _atomic_write(cache_dir() / f"{key}.npz", lambda fh: np.savez(fh, **arrays))


def load_json(key: str):
    path = cache_dir() / f"{key}.json"
    try:
        with open_regular(path) as fh:
            return json.loads(fh.read(64 * 1024**2).decode("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:
        log.warning("analysis cache entry %s was unusable (%s); analysing again", path, exc)
        return None


def save_json(key: str, value) -> None:
    data = json.dumps(value).encode("utf-8")
    _atomic_write(cache_dir() / f"{key}.json", lambda fh: fh.write(data))


def _atomic_write(path: Path, write) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path, durable=False, follow_links=False) as tmp, open(tmp, "wb") as fh:
            write(fh)
    except (OSError, TalkFaceError):
        pass  # a read-only or full cache disk must not stop analysis; it only costs time
