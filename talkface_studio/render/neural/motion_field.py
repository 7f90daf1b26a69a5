"""Motion field estimator M (face-vid2vid): source features + source/driving keypoints -> a dense 3D
warp (a softmax mix of K per-keypoint translations and the identity) and a 2D occlusion map."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from talkface_studio.render.neural.keypoint_math import coordinate_grid


def _gaussian(kp, grid, sigma=0.1):
    """kp [B, K, 3], grid [D, H, W, 3] -> [B, K, D, H, W]."""
    diff = grid[None, None] - kp[:, :, None, None, None]
    return torch.exp(-0.5 * (diff ** 2).sum(-1) / sigma ** 2)


class DenseMotionNetwork(nn.Module):
    """f_s [B, C, D, H, W], kp_s / kp_d [B, K, 3] -> deformation [B, D, H, W, 3] (sampling positions in
    the source volume for each driving position), occlusion [B, 1, H, W] in 0..1."""

    def __init__(self, cfg):
        super().__init__()
        k, c, mc = cfg.num_kp, cfg.reshape_channel, cfg.motion_channels
        self.compress = nn.Conv3d(c, cfg.motion_compress, 1)
        cin = (k + 1) * (cfg.motion_compress + 1)
        self.body = nn.Sequential(nn.Conv3d(cin, mc, 3, padding=1), nn.GroupNorm(1, mc), nn.ReLU(),
                                  nn.Conv3d(mc, mc, 3, padding=1), nn.GroupNorm(1, mc), nn.ReLU())
        self.mask = nn.Conv3d(mc, k + 1, 7, padding=3)
        self.occlusion = nn.Conv2d(mc * cfg.reshape_depth, 1, 7, padding=3)

    def forward(self, f_s, kp_s, kp_d):
        b, _, d, h, w = f_s.shape
        grid = coordinate_grid(d, h, w, f_s.device)
        # where each driving position came from, if only keypoint k moved it (plus "did not move")
        sparse = grid[None, None] - kp_d[:, :, None, None, None] + kp_s[:, :, None, None, None]
        sparse = torch.cat([grid[None, None].expand(b, 1, d, h, w, 3), sparse], 1)  # [B, K+1, D, H, W, 3]
        feat = self.compress(f_s)
        k1 = sparse.shape[1]
        deformed = F.grid_sample(feat.repeat_interleave(k1, 0), sparse.flatten(0, 1), align_corners=True)
        heat = _gaussian(kp_d, grid) - _gaussian(kp_s, grid)
        heat = torch.cat([torch.zeros_like(heat[:, :1]), heat], 1)[:, :, None]
        x = torch.cat([deformed.view(b, k1, -1, d, h, w), heat], 2).flatten(1, 2)
        x = self.body(x)
        mask = self.mask(x).softmax(1)
        deformation = (mask[..., None] * sparse).sum(1)
        occlusion = torch.sigmoid(self.occlusion(x.flatten(1, 2)))
        return deformation, occlusion
