"""Appearance feature extractor F (face-vid2vid): source image -> 3D feature volume f_s."""

from __future__ import annotations

from torch import nn

from talkface_studio.render.neural.blocks import DownBlock2d, ResBlock3d


class AppearanceFeatureExtractor(nn.Module):
    """image [B, 3, S, S] in 0..1 -> f_s [B, C, D, S/4, S/4] (C = reshape_channel, D = reshape_depth)."""

    def __init__(self, cfg):
        super().__init__()
        be, mf = cfg.block_expansion, cfg.max_features
        c1, c2 = min(mf, be * 2), min(mf, be * 4)
        self.c, self.d = cfg.reshape_channel, cfg.reshape_depth
        self.encode = nn.Sequential(nn.Conv2d(3, be, 7, padding=3), nn.BatchNorm2d(be), nn.ReLU(),
                                    DownBlock2d(be, c1), DownBlock2d(c1, c2),
                                    nn.Conv2d(c2, self.c * self.d, 1))
        self.refine = nn.Sequential(*[ResBlock3d(self.c) for _ in range(cfg.num_resblocks)])

    def forward(self, image):
        x = self.encode(image)
        return self.refine(x.view(x.shape[0], self.c, self.d, *x.shape[2:]))
