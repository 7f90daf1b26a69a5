"""Gaze as a class on a yaw x pitch grid plus a regression offset inside the class.

Classifying first lets the model keep several plausible fixation targets (a single regression would
average them into a stare at the middle); the offset recovers precision. Class k is
(yaw bin k // n_pitch, pitch bin k % n_pitch); offsets are in bin widths, within [-1, 1].
"""

from __future__ import annotations

import torch


class GazeBins:
    def __init__(self, n_yaw: int, n_pitch: int, yaw_max: float, pitch_max: float):
        self.n_yaw, self.n_pitch = n_yaw, n_pitch
        self.yaw_centres = torch.linspace(-yaw_max, yaw_max, n_yaw)
        self.pitch_centres = torch.linspace(-pitch_max, pitch_max, n_pitch)
        self.width = torch.tensor([2 * yaw_max / max(n_yaw - 1, 1), 2 * pitch_max / max(n_pitch - 1, 1)])
        grid = torch.stack(torch.meshgrid(self.yaw_centres, self.pitch_centres, indexing="ij"), -1)
        self.centres = grid.reshape(-1, 2)  # [G, 2] degrees (yaw, pitch)

    @property
    def n_classes(self) -> int:
        return self.n_yaw * self.n_pitch

    def encode(self, gaze_deg: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """gaze [..., 2] degrees -> (class [...] long, offset [..., 2] in bin widths, clipped to +-1)."""
        iy = torch.bucketize(gaze_deg[..., 0].contiguous(), (self.yaw_centres[1:] + self.yaw_centres[:-1]) / 2)
        ip = torch.bucketize(gaze_deg[..., 1].contiguous(), (self.pitch_centres[1:] + self.pitch_centres[:-1]) / 2)
        cls = iy * self.n_pitch + ip
        offset = (gaze_deg - self.centres.to(gaze_deg)[cls]) / self.width.to(gaze_deg)
        return cls, offset.clamp(-1.0, 1.0)

    def decode(self, cls: torch.Tensor, offset: torch.Tensor) -> torch.Tensor:
        """(class [...], offset [..., 2]) -> gaze [..., 2] degrees."""
        return self.centres.to(offset)[cls] + offset * self.width.to(offset)

    def expected(self, logits: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        """Differentiable gaze: probability-weighted class centres plus offsets.
        logits [..., G], offsets [..., G, 2] -> [..., 2] degrees."""
        p = logits.softmax(-1)[..., None]
        per_class = self.centres.to(offsets) + offsets * self.width.to(offsets)
        return (p * per_class).sum(-2)
