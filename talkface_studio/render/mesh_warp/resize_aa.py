"""The portrait resized to the output size: torch's antialiased bilinear resize, in numpy.

``F.interpolate(mode="bilinear", antialias=True, align_corners=False)`` is a separable triangle
filter whose support widens with the shrink factor (plain bilinear when enlarging), its weights
normalised over the pixels inside the image. The CPU path must not import torch, and both paths
must start from the same texture, so it is done here, once per portrait and size: a few gathers
along each axis (the taps of each output pixel), cheaper than a dense matrix product.
"""

from __future__ import annotations

import numpy as np


def _taps(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """(source indices, weights), both [n_out, taps], for one axis. In float32 step by step, as
    torch computes them: the same weights to the last bit keep the rounded texture (which the
    mattes and colours are read from) the same as the GPU path's."""
    f32 = np.float32
    scale = f32(n_in / n_out)
    support = scale if scale >= 1.0 else f32(1.0)          # the triangle's half-width, source px
    inv = f32(1.0) / scale if scale >= 1.0 else f32(1.0)
    centre = scale * (np.arange(n_out, dtype=f32) + f32(0.5))
    lo = np.maximum((centre - support + f32(0.5)).astype(np.int64), 0)
    hi = np.minimum((centre + support + f32(0.5)).astype(np.int64), n_in)
    taps = int((hi - lo).max())
    j = np.arange(taps)
    w = np.maximum(f32(0.0), f32(1.0) - np.abs(((j[None] + lo[:, None]).astype(f32) - centre[:, None] + f32(0.5)) * inv))
    w[j[None] >= (hi - lo)[:, None]] = 0.0
    total = np.zeros(n_out, f32)
    for k in range(taps):                                  # summed in order, as torch does
        total += w[:, k]
    return np.minimum(lo[:, None] + j[None], n_in - 1), w / total[:, None]


def resize_antialiased(image: np.ndarray, size: int) -> np.ndarray:
    """image [H, W, C] (any numeric type) -> float32 [size, size, C], clipped to 0..255."""
    img = np.asarray(image, dtype=np.float32)
    idx, w = _taps(img.shape[1], size)             # along x first, as torch does
    out = np.zeros((img.shape[0], size, img.shape[2]), np.float32)
    for k in range(idx.shape[1]):
        out += img[:, idx[:, k]] * w[None, :, k, None]
    idx, w = _taps(img.shape[0], size)
    res = np.zeros((size, size, img.shape[2]), np.float32)
    for k in range(idx.shape[1]):
        res += out[idx[:, k]] * w[:, k, None, None]
    return np.clip(res, 0.0, 255.0, out=res)
