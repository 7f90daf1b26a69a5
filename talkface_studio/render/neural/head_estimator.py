"""Head pose and expression estimator H (face-vid2vid): image -> yaw/pitch/roll (binned), translation t,
expression deformations delta [K, 3]."""

from __future__ import annotations

import torch
from torch import nn

from talkface_studio.render.neural.blocks import DownBlock2d
from talkface_studio.render.neural.keypoint_math import bins_to_degrees


class HeadPoseExpressionEstimator(nn.Module):
    """image [B, 3, S, S] -> dict yaw, pitch, roll [B] degrees, t [B, 3], delta [B, K, 3]."""

    def __init__(self, cfg):
        super().__init__()
        be, mf = cfg.block_expansion, cfg.max_features
        chans = [3, be, min(mf, be * 2), min(mf, be * 4), min(mf, be * 8)]
        self.k, self.bins = cfg.num_kp, cfg.head_bins
        self.encode = nn.Sequential(*[DownBlock2d(a, b) for a, b in zip(chans, chans[1:])],
                                    nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.out = nn.Linear(chans[-1], 3 * self.bins + 3 + 3 * self.k)

    def forward(self, image):
        y = self.out(self.encode(image))
        yaw, pitch, roll, rest = torch.split(y, [self.bins, self.bins, self.bins, 3 + 3 * self.k], -1)
        return {"yaw": bins_to_degrees(yaw), "pitch": bins_to_degrees(pitch), "roll": bins_to_degrees(roll),
                "t": rest[:, :3], "delta": rest[:, 3:].view(-1, self.k, 3)}
