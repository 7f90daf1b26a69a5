"""The few pixel operations whose code differs between the CPU path and the GPU path.

The drawing modules (mouth, eyes, folds, silhouette) are written once against this seam. On the
CPU the frame is a numpy array and these are numpy and OpenCV (no torch import: it costs more
than a whole first frame); on a GPU, and in the batched path the tests run on the CPU, it is a
torch tensor and ``pixel_ops_torch`` does the same with torch. ``ops_of(array)`` picks one.

Layouts: a frame and every colour are [C, h, w] on both paths (numpy: a channels-first view of a
channels-last buffer); a texture that is sampled is channels-last [H, W, C] float32 in numpy (what
OpenCV's remap reads) and [1, C, H, W] in torch (what grid_sample reads). Positions given to
``sample`` are in the texture's pixels, pixel centres at +0.5 (the renderer's convention).

Sampling is OpenCV's bilinear remap, which rounds positions to 1/32 pixel (its fixed-point
tables); torch's grid_sample does not, so the two paths differ by at most a level or two where
the texture has a sharp edge.
"""

from __future__ import annotations

import cv2
import numpy as np

# OpenCV's own thread pool waits for a busy second core the way torch's does: everything the
# renderer asks of it is one small image at a time, and the encoder needs the other core.
cv2.setNumThreads(1)

LUMA = np.array([0.299, 0.587, 0.114])   # RGB -> luma (Rec. 601), for every module that reads lightness

REMAP_ROW = 1024    # positions given as a flat list are sampled as rows of this many (remap's
                    # fixed-point tables limit an image side to 32767)


class NumpyOps:
    """numpy and OpenCV: the CPU path."""

    minimum = staticmethod(np.minimum)
    maximum = staticmethod(np.maximum)
    where = staticmethod(np.where)
    full_like = staticmethod(np.full_like)
    ones_like = staticmethod(np.ones_like)
    zeros_like = staticmethod(np.zeros_like)

    @staticmethod
    def clip(x, lo=None, hi=None):
        # two ufuncs: np.clip's Python wrappers cost more than the work on a strip's small arrays
        if lo is None:
            return np.minimum(x, hi)
        out = np.maximum(x, lo)
        if hi is not None:
            out = np.minimum(out, hi, out=out) if isinstance(out, np.ndarray) else np.minimum(out, hi)
        return out

    @staticmethod
    def clip_(x, lo, hi) -> None:
        np.clip(x, lo, hi, out=x)

    @staticmethod
    def stack(arrays, axis: int = 0):
        return np.stack(arrays, axis=axis)

    @staticmethod
    def copy(x) -> np.ndarray:
        return np.array(x, dtype=np.float32)

    @staticmethod
    def gaussian_blur(x: np.ndarray, sigma: float) -> np.ndarray:
        """[C, h, w] blurred by a Gaussian of ``sigma`` pixels (edges reflected) -> [C, h, w]."""
        hwc = np.ascontiguousarray(np.moveaxis(np.asarray(x, np.float32), 0, -1))
        out = cv2.GaussianBlur(hwc, (0, 0), sigmaX=float(sigma), sigmaY=float(sigma))
        return np.moveaxis(out.reshape(hwc.shape), -1, 0)

    @staticmethod
    def const(values, like):
        """values (numbers, numpy) as float32 on ``like``'s device."""
        return np.asarray(values, dtype=np.float32)

    @staticmethod
    def to_numpy(x) -> np.ndarray:
        return np.asarray(x)

    @staticmethod
    def coords(start: float, n: int, like):
        """float32 [n]: start, start + 1, ... (pixel-centre coordinates of a window)."""
        return np.arange(n, dtype=np.float32) + np.float32(start)

    @staticmethod
    def size(texture) -> tuple[int, int]:
        """(height, width) of a texture."""
        return texture.shape[0], texture.shape[1]

    @staticmethod
    def sample(texture: np.ndarray, px: np.ndarray, zeros: bool = False) -> np.ndarray:
        """texture [H, W, C] at positions px [..., 2] (texture pixels, centres at +0.5) -> [C, ...]
        bilinear; outside the texture its border repeats, or (``zeros``) it is 0."""
        lead = px.shape[:-1]
        flat = len(lead) != 2
        if flat:
            n = int(np.prod(lead))
            rows = max(1, -(-n // REMAP_ROW))
            m = np.zeros((rows * min(n, REMAP_ROW), 2), np.float32) if n else np.zeros((1, 2), np.float32)
            m[:n] = px.reshape(-1, 2)
            m = m.reshape(rows, -1, 2)
        else:
            m = px.astype(np.float32)
        m -= np.float32(0.5)
        border = cv2.BORDER_CONSTANT if zeros else cv2.BORDER_REPLICATE
        out = cv2.remap(texture, m, None, cv2.INTER_LINEAR, borderMode=border, borderValue=0)
        if out.ndim == 2:
            out = out[..., None]
        out = out.transpose(2, 0, 1)
        if flat:
            out = out.reshape(out.shape[0], -1)[:, :int(np.prod(lead))].reshape((out.shape[0],) + lead)
        return out

    @staticmethod
    def texture(hwc: np.ndarray, like) -> np.ndarray:
        """An image [H, W, C] (numpy) as a texture for ``sample``."""
        return np.ascontiguousarray(hwc, dtype=np.float32)

    @staticmethod
    def tabulate(table: np.ndarray, like) -> np.ndarray:
        """Curves sampled evenly over 0..1, [C, N] float (numpy) -> the form ``lookup`` reads:
        [2, C, N - 1] float32, each segment's start value and its rise."""
        table = np.asarray(table, dtype=np.float32)
        return np.ascontiguousarray(np.stack([table[:, :-1], np.diff(table, axis=1)]))

    @staticmethod
    def lookup(table: np.ndarray, x) -> list:
        """Each curve of ``tabulate``'s table at x (0..1, any shape; constant beyond): linear
        between its samples -> [C] arrays shaped like x. One 1-D ``take`` per curve and value
        (several times faster than a 2-D gather of all curves at once)."""
        segments = table.shape[2]
        t = NumpyOps.clip(x, 0.0, 1.0) * np.float32(segments)
        i = np.minimum(t.astype(np.intp), segments - 1)
        w = t - i.astype(np.float32)
        return [np.take(start, i) + np.take(rise, i) * w for start, rise in zip(table[0], table[1])]


NUMPY = NumpyOps()


def ops_of(x):
    """The ops for arrays like x: numpy ones for numpy arrays and numbers, else torch ones."""
    if isinstance(x, (np.ndarray, np.generic, float, int)):
        return NUMPY
    from .pixel_ops_torch import TORCH

    return TORCH
