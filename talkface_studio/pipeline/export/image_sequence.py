"""PNG image sequence `name.%06d.png`, numbered with take frame numbers (what Nuke's Read expects).

Frames go into a hidden `.partial` folder inside the target folder and are moved into place only when
the whole range succeeded, so a cancelled render leaves no half sequence that looks finished.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from talkface_studio.core.errors import MediaError, ValidationError
from talkface_studio.core.file_access import check_regular
from talkface_studio.core.limits import MAX_IMAGE_SIDE

from .atomic import ExportError, describe_os_error, discard

PADDING = 6


def frame_name(name: str, frame: int, suffix: str = ".png") -> str:
    return f"{name}.{frame:0{PADDING}d}{suffix}"


def read_frame(path: Path) -> np.ndarray:
    """One PNG of a rendered sequence as uint8 RGB; a damaged, truncated or oversized one (a
    decompression bomb) is one MediaError naming that frame's file."""
    return _read(path, "RGB")


def read_frame_rgba(path: Path) -> np.ndarray:
    """As ``read_frame``, uint8 RGBA (a frame without alpha reads as opaque)."""
    return _read(path, "RGBA")


def _read(path: Path, mode: str) -> np.ndarray:
    check_regular(path, "image file", MediaError)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                width, height = im.size
                if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
                    raise MediaError(f"frame is {width}x{height}; sequence frames are at most "
                                     f"{MAX_IMAGE_SIDE}x{MAX_IMAGE_SIDE}", path)
                im.load()
                return np.asarray(im.convert(mode))
    except MediaError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaError("frame is far too large to decode (a decompression bomb?)", path) from None
    except UnidentifiedImageError:
        raise MediaError("frame is not an image Pillow can read", path) from None
    except (OSError, ValueError, SyntaxError) as exc:  # truncated / corrupt data
        raise MediaError(f"frame is damaged or truncated ({' '.join(str(exc).split())[:100]})", path) from None


class ImageSequenceWriter:
    """Context manager: `write(frame, rgb)`; files appear in `folder` only on a clean exit.
    Frames are RGB, or RGBA (straight alpha) for plate renders with `--alpha`. A subclass
    writes another format by setting `suffix` and overriding `save` (``exr_sequence``)."""

    suffix = ".png"

    def __init__(self, folder, name: str, compress_level: int = 3):
        self.folder = Path(folder)
        if not name or "/" in name or os.sep in name:
            raise ValidationError(f"not a usable sequence name: {name!r}", self.folder)
        self.name = name
        self.compress_level = compress_level  # 3: close to the size of 9, several times faster
        self._created = not self.folder.exists()  # remove it again if the render fails
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._temp = Path(tempfile.mkdtemp(dir=self.folder, prefix=f".{name}.", suffix=".partial"))
        except OSError as exc:
            raise ExportError(f"cannot write image sequence: {describe_os_error(exc)}", self.folder) from None
        self.frames: list[int] = []

    def write(self, frame: int, rgb: np.ndarray) -> None:
        if frame < 0:
            raise ValidationError(f"image sequences need frame numbers >= 0, got {frame}", self.folder)
        target = self._temp / frame_name(self.name, frame, self.suffix)
        try:
            self.save(rgb, target)
        except OSError as exc:
            raise ExportError(f"cannot write frame {frame}: {describe_os_error(exc)}", target) from None
        self.frames.append(frame)

    def save(self, rgb: np.ndarray, target: Path) -> None:
        if rgb.ndim != 3 or rgb.shape[2] not in (3, 4) or rgb.dtype != np.uint8:
            raise ValueError(f"frame must be uint8 [H,W,3] or [H,W,4], got {rgb.dtype} {rgb.shape}")
        Image.fromarray(rgb).save(target, format="PNG", compress_level=self.compress_level)

    def close(self) -> list[Path]:
        done = []
        try:
            for frame in self.frames:
                name = frame_name(self.name, frame, self.suffix)
                os.replace(self._temp / name, self.folder / name)
                done.append(self.folder / name)
        except OSError as exc:
            raise ExportError(f"cannot move frames into place: {describe_os_error(exc)}", self.folder) from None
        finally:
            discard(self._temp)
        return done

    def abort(self) -> None:
        discard(self._temp)
        if self._created:
            try:
                self.folder.rmdir()
            except OSError:
                pass

    def __enter__(self) -> ImageSequenceWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
