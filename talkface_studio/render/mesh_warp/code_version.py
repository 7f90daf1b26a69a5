"""A digest of the renderer's own source, so cached frames never outlive a change to the look.

Frame-cache keys include the renderer's version; a hand-bumped number was forgotten once and the
cache served frames from an older look. Hashing the source makes every change count. In a frozen
build (no .py files) the package version stands in.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from talkface_studio import __version__


@lru_cache(maxsize=None)
def source_digest(folder: str, exclude: tuple[str, ...] = ()) -> str:
    files = sorted(p for p in Path(folder).glob("*.py") if p.name not in exclude)
    if not files:
        return __version__
    h = hashlib.sha256()
    for p in files:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]
