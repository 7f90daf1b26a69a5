"""PNG image sequence `name.%06d.png`, numbered with take frame numbers (what Nuke's Read expects).

Frames go into a hidden `.partial` folder inside the target folder and are moved into place only when
the whole range succeeded, so a cancelled render leaves no half sequence that looks finished.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from talkface_studio.core.errors import MediaError, ValidationError
from talkface_studio.core.file_access import check_regular
from talkface_studio.core.limits import MAX_IMAGE_SIDE

from .atomic import ExportError, describe_os_error, discard

PADDING = 6
COMPRESS_LEVEL = 1  # zlib level: higher ones cost 2-5x the time for files ~5% smaller
WORKERS = 2         # encoding threads (the machines this runs on have two cores or more)


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


def _encode_png(bgr: np.ndarray, level: int) -> np.ndarray:
    """A frame's PNG bytes. OpenCV's encoder with zlib's Huffman-only strategy: ~11 ms a 512 px
    frame, about three times faster than Pillow's level 3 and ~5 % smaller (the renders are
    photographs: string matching finds little in them)."""
    ok, data = cv2.imencode(".png", bgr, [cv2.IMWRITE_PNG_COMPRESSION, level, cv2.IMWRITE_PNG_STRATEGY,
                                          cv2.IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY])
    if not ok:
        raise ValueError("OpenCV could not encode it as PNG")
    return data


class ImageSequenceWriter:
    """Context manager: `write(frame, image)`; files appear in `folder` only on a clean exit.
    A subclass writes another format by setting `suffix` and overriding `prepare` and `save`
    (``exr_sequence``).

    PNG encoding (zlib) costs about as much as rendering a frame, so frames are encoded by a few
    writer threads (OpenCV's encoder releases the GIL) while the next frames render; at most
    ``2 * workers`` frames wait, so memory stays flat however long the take. Images may be uint8
    or uint16 (kept 16-bit), RGB or RGBA (straight alpha, kept: plate renders with `--alpha`)."""

    suffix = ".png"

    def __init__(self, folder, name: str, compress_level: int = COMPRESS_LEVEL, workers: int = WORKERS):
        self.folder = Path(folder)
        if not name or "/" in name or os.sep in name:
            raise ValidationError(f"not a usable sequence name: {name!r}", self.folder)
        if not 0 <= compress_level <= 9:
            raise ValidationError(f"PNG compression level must be 0..9, got {compress_level}", self.folder)
        self.name = name
        self.compress_level = compress_level
        self._created = not self.folder.exists()  # remove it again if the render fails
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._temp = Path(tempfile.mkdtemp(dir=self.folder, prefix=f".{name}.", suffix=".partial"))
        except OSError as exc:
            raise ExportError(f"cannot write image sequence: {describe_os_error(exc)}", self.folder) from None
        self.frames: list[int] = []
        self._pool = ThreadPoolExecutor(max_workers=max(1, int(workers)), thread_name_prefix="png-writer")
        self._pending: deque[Future] = deque()
        self._max_pending = 2 * max(1, int(workers))

    def write(self, frame: int, image) -> None:
        if frame < 0:
            raise ValidationError(f"image sequences need frame numbers >= 0, got {frame}", self.folder)
        payload = self.prepare(image)  # checked and copied here: the caller may reuse its buffer
        while len(self._pending) >= self._max_pending:
            self._pending.popleft().result()  # a writer's ExportError surfaces here
        target = self._temp / frame_name(self.name, frame, self.suffix)
        self._pending.append(self._pool.submit(self._save_frame, payload, target, frame))
        self.frames.append(frame)

    def prepare(self, image: np.ndarray):
        """The writer thread's own copy of a frame: BGR(A) for OpenCV's encoder."""
        if image.ndim != 3 or image.shape[2] not in (3, 4) or image.dtype not in (np.uint8, np.uint16):
            raise ValueError(f"frame must be uint8 or uint16 [H,W,3|4], got {image.dtype} {image.shape}")
        return cv2.cvtColor(np.ascontiguousarray(image),
                            cv2.COLOR_RGBA2BGRA if image.shape[2] == 4 else cv2.COLOR_RGB2BGR)

    def save(self, payload, target: Path) -> None:
        """Write one prepared frame (in a writer thread)."""
        data = _encode_png(payload, self.compress_level)
        with open(target, "wb") as fh:  # not ndarray.tofile: its errors lose the errno (a full disk)
            fh.write(memoryview(data).cast("B"))

    def _save_frame(self, payload, target: Path, frame: int) -> None:
        try:
            self.save(payload, target)
        except OSError as exc:
            raise ExportError(f"cannot write frame {frame}: {describe_os_error(exc)}", target) from None
        except ValueError as exc:
            raise ExportError(f"cannot encode frame {frame}: {exc}", target) from None

    def _drain(self) -> None:
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> list[Path]:
        done = []
        try:
            self._drain()
        except BaseException:
            self.abort()
            raise
        finally:
            self._pool.shutdown(wait=True)
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
        for pending in self._pending:
            pending.cancel()
        self._pool.shutdown(wait=True)  # no writer may still be filling the folder we remove
        self._pending.clear()
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
