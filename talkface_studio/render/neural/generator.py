"""Occlusion-aware SPADE generator G (face-vid2vid): warp f_s with the motion field, mask occluded
regions, decode to an image with SPADE residual blocks."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from talkface_studio.render.neural.blocks import SPADEResBlock, UpBlock2d


class SPADEGenerator(nn.Module):
    """f_s [B, C, D, H, W], deformation [B, D, H, W, 3], occlusion [B, 1, H, W] -> image [B, 3, 4H, 4W]."""

    def __init__(self, cfg):
        super().__init__()
        be, mf = cfg.block_expansion, cfg.max_features
        cin = cfg.reshape_channel * cfg.reshape_depth
        ch = min(mf, be * 4)
        self.stem = nn.Conv2d(cin, ch, 3, padding=1)
        self.blocks = nn.ModuleList(SPADEResBlock(ch, ch, ch) for _ in range(cfg.num_resblocks))
        self.up = nn.Sequential(UpBlock2d(ch, min(mf, be * 2)), UpBlock2d(min(mf, be * 2), be))
        self.out = nn.Conv2d(be, 3, 7, padding=3)

    def forward(self, f_s, deformation, occlusion):
        warped = F.grid_sample(f_s, deformation, align_corners=True)
        x = self.stem(warped.flatten(1, 2)) * occlusion
        seg = x
        for block in self.blocks:
            x = block(x, seg)
        return torch.sigmoid(self.out(self.up(x)))
