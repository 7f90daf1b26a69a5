"""From a coarse displacement grid to the sampled frame: upsample, add the identity, one grid_sample.

The displacement (not the absolute source position) is upsampled, so a still region has exactly
zero displacement and maps to itself pixel for pixel: no flicker, no blur where nothing moves.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def pixel_grid(size: int, device: torch.device) -> torch.Tensor:
    """[size, size, 2] continuous pixel-centre coordinates (x, y): pixel i has its centre at i+0.5."""
    c = torch.arange(size, device=device, dtype=torch.float32) + 0.5
    yy, xx = torch.meshgrid(c, c, indexing="ij")
    return torch.stack([xx, yy], dim=-1)


def upsample_displacement(coarse: torch.Tensor, size: int) -> torch.Tensor:
    """[g, g, 2] -> [size, size, 2], bilinear between cell centres (align_corners=False)."""
    d = coarse.permute(2, 0, 1)[None]
    d = F.interpolate(d, size=(size, size), mode="bilinear", align_corners=False)
    return d[0].permute(1, 2, 0)


def sample(texture: torch.Tensor, source_px: torch.Tensor) -> torch.Tensor:
    """texture [1, C, S, S] float, source_px [H, W, 2] in the texture's frame scaled to ``size``
    pixels (same units as the output) -> [1, C, H, W]. Out-of-frame samples repeat the border."""
    size = source_px.shape[1]
    norm = source_px * (2.0 / size) - 1.0
    return F.grid_sample(texture, norm[None], mode="bilinear", padding_mode="border",
                         align_corners=False)
