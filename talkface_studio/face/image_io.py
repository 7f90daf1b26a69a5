"""Load any common still image as uint8 RGB, the way a viewer would show it.

Pillow does the decoding; this module only normalizes what artists actually hand in: camera JPEGs
with an EXIF orientation, grayscale scans, RGBA cut-outs (composited on mid grey, not black, so the
face tracker and renderer see a neutral backdrop), palette PNGs, and 16-bit TIFF/PNG from grading.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from talkface_studio.core.errors import MediaError
from talkface_studio.core.file_access import check_regular

MAX_PIXELS = 100_000_000  # beyond this a portrait is a mistake (or a decompression bomb)
BACKDROP_GREY = 128


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _to_uint8(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == np.uint8:
        return arr
    if np.issubdtype(arr.dtype, np.floating):
        top = 1.0 if arr.max(initial=0) <= 1.0 else 255.0
        return np.clip(np.round(arr / top * 255.0), 0, 255).astype(np.uint8)
    top = 255 if arr.max(initial=0) <= 255 else 65535  # 8-bit data stored wide, or true 16-bit
    return np.clip(np.round(arr.astype(np.float64) / top * 255.0), 0, 255).astype(np.uint8)


def _composite(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    a = alpha.astype(np.float32)[..., None] / 255.0
    return np.round(rgb * a + BACKDROP_GREY * (1.0 - a)).astype(np.uint8)


def load_image(path: str | Path) -> np.ndarray:
    """Decode ``path`` to uint8 RGB [H, W, 3]; raise MediaError naming the file on any problem."""
    path = Path(path)
    check_regular(path, "image file", MediaError)  # a FIFO or device is refused before reading
    try:
        with warnings.catch_warnings():  # our own size limit below replaces Pillow's bomb warning
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                w, h = im.size
                if w * h > MAX_PIXELS:
                    raise MediaError(f"image is too large ({w}x{h} = {w * h / 1e6:.0f} MP; "
                                     f"the limit is {MAX_PIXELS // 1_000_000} MP)", path)
                im.load()
                return _decode(ImageOps.exif_transpose(im))
    except MediaError:
        raise
    except Image.DecompressionBombError:  # Pillow's own, larger limit tripped while opening
        raise MediaError(f"image is too large (over {MAX_PIXELS // 1_000_000} MP)", path) from None
    except UnidentifiedImageError:
        raise MediaError("not an image Pillow can read (PNG, JPEG, WebP, TIFF, ...)", path) from None
    except (OSError, ValueError, SyntaxError) as exc:  # truncated / corrupt data
        raise MediaError(f"image is broken or truncated ({exc})", path) from None


def _decode(im: Image.Image) -> np.ndarray:
    mode = im.mode
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        mode = im.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = np.asarray(im.convert("RGBA"))
        return _composite(rgba[..., :3], rgba[..., 3])
    if mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):  # wide grayscale
        grey = _to_uint8(np.asarray(im))
        return np.repeat(grey[..., None], 3, axis=2)
    if mode == "RGB":
        return np.ascontiguousarray(np.asarray(im))
    return np.asarray(im.convert("RGB"))  # L, 1, CMYK, YCbCr, LAB, HSV
