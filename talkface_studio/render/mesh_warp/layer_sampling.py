"""The moving layer at given source pixels, composited over the still layer: what the passes that
resample a finished frame's pixels (the outline, ``silhouette``; the footprint, ``footprint``) put
there. Both kinds of layer: the CPU path's uint8 RGBA copies (OpenCV), a GPU's or a batch's tensors.
"""

from __future__ import annotations

import cv2
import numpy as np

from . import flow
from .pixel_ops import NUMPY, REMAP_ROW

_RGBA_SCALE = np.array([1.0, 1.0, 1.0, 1.0 / 255.0], np.float32)   # uint8 RGBA -> colour, matte 0..1


def sample_layer(layer, src: np.ndarray):
    """layer (uint8 RGBA [S, S, 4], or a [1, 4, S, S] tensor with its matte 0..1) at source pixels
    src [N, 2] (centres at +0.5) -> RGBA float [N, 4] numpy (the matte 0..1), or a [4, N] tensor."""
    if isinstance(layer, np.ndarray):
        if len(src) >= REMAP_ROW * 16:        # remap's fixed-point tables: rows of ``REMAP_ROW``
            got = NUMPY.sample(layer, src.astype(np.float32)).T
        else:
            at = (src - np.float32(0.5)).astype(np.float32).reshape(1, -1, 2)
            got = cv2.remap(layer, at, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)[0]
        return got * _RGBA_SCALE
    import torch
    size = layer.shape[-1]
    grid = torch.from_numpy((src * (2.0 / size) - 1.0).astype(np.float32))[None, None].to(layer.device)
    return flow.sample_grid(layer, grid)[0, :, 0]


def over_still(layer, plate, src: np.ndarray, py: np.ndarray, px: np.ndarray):
    """The moving layer at source pixels src [K, N, 2] over the still layer ``plate`` (uint8
    [S, S, 4], or a [1, 3, S, S] tensor) at frame pixels (py, px) [N]: colour float32 [K, N, 3]
    numpy, or a [3, K, N] tensor, without the texture offset."""
    k, n = src.shape[:2]
    got = sample_layer(layer, src.reshape(-1, 2))
    if isinstance(layer, np.ndarray):
        got = got.reshape(k, n, 4)
        still = plate[py, px, :3].astype(np.float32)
        return still + (got[..., :3] - still) * got[..., 3:]
    import torch
    got = got.reshape(4, k, n)
    yy, xx = torch.from_numpy(py).to(layer.device), torch.from_numpy(px).to(layer.device)
    still = plate[0][:, yy, xx][:, None]                                           # [3, 1, N]
    return still + (got[:3] - still) * got[3:4]
