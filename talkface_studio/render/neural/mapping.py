"""Landmark-to-keypoint mapping (the paper's bridge between stage 1 and face-vid2vid): relocated
MediaPipe landmarks of a frame -> the generator's K implicit 3D keypoints for that frame.

Trained self-supervised: for a video frame, the target is what the (frozen) keypoint detector and
head estimator give on that same frame, x = R x_c + t + delta; the input is the frame's landmarks.
Input landmarks are in image units (pixels / image width, so any output size maps the same), centred.
"""

from __future__ import annotations

from torch import nn


class LandmarkToKeypoints(nn.Module):
    """landmarks [B, 478, 3] in image units (x, y in 0..1) -> keypoints [B, K, 3]."""

    def __init__(self, cfg):
        super().__init__()
        layers, dim = [], 478 * 3
        for _ in range(cfg.mapping_layers - 1):
            layers += [nn.Linear(dim, cfg.mapping_hidden), nn.LeakyReLU(0.2)]
            dim = cfg.mapping_hidden
        self.net = nn.Sequential(*layers, nn.Linear(dim, cfg.num_kp * 3))
        self.k = cfg.num_kp

    def forward(self, landmarks):
        centred = landmarks.clone()
        centred[..., :2] = centred[..., :2] * 2 - 1  # to the generator's [-1, 1] image coordinates
        return self.net(centred.flatten(1)).view(-1, self.k, 3)
