"""OpenEXR image sequence `name.%06d.exr`, written with OpenCV's EXR codec (bundled in the
opencv-contrib wheel; off by default, switched on here through OPENCV_IO_ENABLE_OPENEXR).

What compositors expect of an EXR: half floats, scene-linear values (the photo's sRGB transfer
curve removed; Rec.709 / sRGB primaries), lossless ZIP compression, channels named R, G, B (and
A). With an alpha channel (the performer's matte) the colour is the whole plate and is *not*
premultiplied by it: the alpha is a matte to pull the performer with, not a cut-out. Every 8-bit
value survives the trip (half float holds sRGB's 256 levels apart: ``read_exr`` gives them back).

Files go through the same hidden `.partial` folder as PNG sequences (``image_sequence``).
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from talkface_studio.core.errors import MediaError

from .image_sequence import ImageSequenceWriter


def _enable_exr() -> None:
    # read by OpenCV the first time its EXR codec is used (not at import)
    os.environ.setdefault("OPENCV_IO_ENABLE_OPENEXR", "1")


def srgb_to_linear(u8: np.ndarray) -> np.ndarray:
    """uint8 sRGB -> float32 scene-linear (IEC 61966-2-1)."""
    return _TO_LINEAR[u8]


def linear_to_srgb(linear: np.ndarray) -> np.ndarray:
    """float scene-linear -> uint8 sRGB (rounded)."""
    x = np.clip(np.asarray(linear, np.float64), 0.0, 1.0)
    v = np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)
    return np.clip(np.round(v * 255.0), 0, 255).astype(np.uint8)


def _table() -> np.ndarray:
    v = np.arange(256, dtype=np.float64) / 255.0
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4).astype(np.float32)


_TO_LINEAR = _table()


def write_exr(path: str | os.PathLike, rgb: np.ndarray, alpha: np.ndarray | None = None) -> None:
    """rgb uint8 [H, W, 3] (sRGB) and optional alpha float [H, W] 0..1 -> a half-float EXR."""
    _enable_exr()
    lin = srgb_to_linear(rgb)
    if alpha is not None:
        planes = cv2.cvtColor(lin, cv2.COLOR_RGB2BGR)
        data = np.dstack([planes, np.clip(alpha, 0.0, 1.0).astype(np.float32)])
    else:
        data = cv2.cvtColor(lin, cv2.COLOR_RGB2BGR)
    params = [cv2.IMWRITE_EXR_TYPE, cv2.IMWRITE_EXR_TYPE_HALF,
              cv2.IMWRITE_EXR_COMPRESSION, cv2.IMWRITE_EXR_COMPRESSION_ZIP]
    try:
        ok = cv2.imwrite(os.fspath(path), data, params)
    except cv2.error as exc:
        raise OSError(f"OpenCV cannot write EXR ({' '.join(str(exc).split())[:120]})") from None
    if not ok:
        raise OSError("OpenCV could not write the EXR file")


def read_exr(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray | None]:
    """(sRGB uint8 [H, W, 3], alpha float32 [H, W] or None) of an EXR this module wrote."""
    _enable_exr()
    path = Path(path)
    data = cv2.imread(os.fspath(path), cv2.IMREAD_UNCHANGED)
    if data is None or data.ndim != 3 or data.shape[2] not in (3, 4):
        raise MediaError("not an RGB or RGBA EXR file", path)
    rgb = linear_to_srgb(cv2.cvtColor(np.ascontiguousarray(data[..., :3]), cv2.COLOR_BGR2RGB))
    return rgb, (data[..., 3].astype(np.float32) if data.shape[2] == 4 else None)


class ExrSequenceWriter(ImageSequenceWriter):
    """`write(frame, rgb)` or `write(frame, (rgb, alpha))`: name.%06d.exr, as the PNG writer."""

    suffix = ".exr"

    def prepare(self, frame):
        rgb, alpha = frame if isinstance(frame, tuple) else (frame, None)
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"frame must be uint8 [H,W,3], got {rgb.dtype} {rgb.shape}")
        return rgb.copy(), (None if alpha is None else np.array(alpha, copy=True))

    def save(self, payload, target: Path) -> None:
        write_exr(target, *payload)
