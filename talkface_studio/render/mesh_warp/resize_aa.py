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
    """(source indices, weights), both [n_out, taps], for one axis."""
    scale = n_in / n_out
    support = max(scale, 1.0)                      # the triangle's half-width, in source pixels
    inv = 1.0 / scale if scale >= 1.0 else 1.0
    centre = scale * (np.arange(n_out) + 0.5)
    lo = np.maximum((centre - support + 0.5).astype(np.int64), 0)
    hi = np.minimum((centre + support + 0.5).astype(np.int64), n_in)
    taps = int((hi - lo).max())
    j = np.arange(taps)
    w = np.maximum(0.0, 1.0 - np.abs((j[None] + lo[:, None] - centre[:, None] + 0.5) * inv))
    w[j[None] >= (hi - lo)[:, None]] = 0.0
    w /= w.sum(1, keepdims=True)
    return np.minimum(lo[:, None] + j[None], n_in - 1), w.astype(np.float32)


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
