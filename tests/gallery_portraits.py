"""The gallery portraits (skimage's astronaut + every image in tests/data/portraits/), fitted once per
test session: the faces `make gallery` shows and the geometry tests check."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import numpy as np

PORTRAIT_DIR = Path(__file__).resolve().parent / "data" / "portraits"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".ppm", ".webp", ".tif", ".tiff", ".bmp"}


def gallery_names() -> list[str]:
    local = sorted(p.stem for p in PORTRAIT_DIR.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    return ["astronaut", *local]


def portrait_file(name: str, workdir: Path) -> Path:
    if name == "astronaut":
        from PIL import Image
        from skimage import data

        path = Path(workdir) / "astronaut.png"
        if not path.exists():
            Image.fromarray(data.astronaut()).save(path)
        return path
    return next(p for p in PORTRAIT_DIR.iterdir() if p.stem == name and p.suffix.lower() in IMAGE_SUFFIXES)


@functools.lru_cache(maxsize=None)
def fitted_portrait(name: str, size: int = 512):
    """The portrait fitted at `size` (a PortraitFit; shared, do not change it)."""
    from talkface_studio.face.portrait import fit_portrait

    with tempfile.TemporaryDirectory() as tmp:
        return fit_portrait(portrait_file(name, Path(tmp)), size=size)


@functools.lru_cache(maxsize=None)
def fitted_landmarks(name: str) -> np.ndarray:
    """The portrait's own landmarks [478, 3] in 512-px crop pixels (read-only)."""
    from talkface_studio.face.portrait import fit_portrait

    with tempfile.TemporaryDirectory() as tmp:
        landmarks = np.asarray(fit_portrait(portrait_file(name, Path(tmp)), size=512).landmarks, np.float32)
    landmarks.setflags(write=False)
    return landmarks
