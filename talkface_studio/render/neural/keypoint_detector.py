"""Canonical keypoint detector L (face-vid2vid): image -> K identity-specific 3D keypoints x_c.

face-vid2vid uses a 2D->3D hourglass; this is a lighter encoder with the same output (a softmax
heatmap volume per keypoint, keypoint = its expected coordinate), documented as a simplification.
"""

from __future__ import annotations

from torch import nn

from talkface_studio.render.neural.blocks import DownBlock2d
from talkface_studio.render.neural.keypoint_math import heatmap_to_keypoints


class CanonicalKeypointDetector(nn.Module):
    """image [B, 3, S, S] -> x_c [B, K, 3] in [-1, 1]^3."""

    def __init__(self, cfg):
        super().__init__()
        be, mf = cfg.block_expansion, cfg.max_features
        chans = [3, be, min(mf, be * 2), min(mf, be * 4)]
        self.k, self.d = cfg.num_kp, cfg.kp_depth
        self.encode = nn.Sequential(*[DownBlock2d(a, b) for a, b in zip(chans, chans[1:])])
        self.heatmap = nn.Conv2d(chans[-1], self.k * self.d, 7, padding=3)

    def forward(self, image):
        h = self.heatmap(self.encode(image))
        return heatmap_to_keypoints(h.view(h.shape[0], self.k, self.d, *h.shape[2:]))
