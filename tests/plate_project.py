"""A small plate project: the demo portrait placed small in a larger, odd-sized, textured photo (a
face ~70 px wide in a 961x541 frame: the "small face in a large frame" case at a test's cost),
over 1.2 s of the demo line (30 frames at 25 fps), fitted and generated."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import soundfile as sf
from skimage import data

from talkface_studio.cli.main import main

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"
WIDTH, HEIGHT = 961, 541   # both odd: video pads one column and one row
PORTRAIT_PX = 380
N_FRAMES = 30


def plate_photo(width: int = WIDTH, height: int = HEIGHT, portrait_px: int = PORTRAIT_PX) -> np.ndarray:
    """uint8 RGB: a textured background (a photo, scaled, plus seeded grain: every pixel differs
    from its neighbours, so a shifted or resampled background cannot pass as untouched) with the
    demo portrait pasted at the bottom, a little right of centre."""
    bg = cv2.resize(data.coffee(), (width, height), interpolation=cv2.INTER_CUBIC).astype(np.int16)
    bg += np.random.default_rng(7).integers(-12, 13, bg.shape, dtype=np.int16)
    photo = np.clip(bg, 0, 255).astype(np.uint8)
    portrait = np.asarray(cv2.imread(str(DEMO / "portrait.png"))[..., ::-1])
    p = cv2.resize(portrait, (portrait_px, portrait_px), interpolation=cv2.INTER_AREA)
    x0, y0 = (width - portrait_px) // 2 + width // 10, height - portrait_px
    photo[y0:, x0:x0 + portrait_px] = p[: height - y0]
    return photo


def make_plate_project(folder: Path, photo: np.ndarray | None = None) -> Path:
    """folder/scene.tfs, take `t1`, portrait folder/photo.png; generated (the fit is stored)."""
    folder.mkdir(parents=True, exist_ok=True)
    samples, rate = sf.read(DEMO / "line.wav")
    sf.write(folder / "line.wav", samples[: int(1.2 * rate)], rate)
    image = plate_photo() if photo is None else photo
    cv2.imwrite(str(folder / "photo.png"), image[..., ::-1])
    tfs = folder / "scene.tfs"
    assert main(["new", str(tfs), "--audio", str(folder / "line.wav"), "--portrait", str(folder / "photo.png"),
                 "--fps", "25", "--take", "t1", "--seed", "3"]) == 0
    assert main(["generate", str(tfs)]) == 0
    return tfs


def copy_project(tfs: Path, folder: Path) -> Path:
    """A copy of the project's folder (media paths are relative), to change without harm."""
    shutil.copytree(tfs.parent, folder, ignore=shutil.ignore_patterns("out*", "*.lock"))
    return folder / tfs.name


def read_photo(tfs: Path) -> np.ndarray:
    return np.ascontiguousarray(cv2.imread(str(tfs.parent / "photo.png"))[..., ::-1])
