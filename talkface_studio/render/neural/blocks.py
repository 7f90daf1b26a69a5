"""Building blocks shared by the face-vid2vid networks (2D/3D residual and resampling blocks, SPADE)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import nn


class ResBlock3d(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.body = nn.Sequential(nn.BatchNorm3d(ch), nn.ReLU(), nn.Conv3d(ch, ch, 3, padding=1),
                                  nn.BatchNorm3d(ch), nn.ReLU(), nn.Conv3d(ch, ch, 3, padding=1))

    def forward(self, x):
        return x + self.body(x)


class DownBlock2d(nn.Sequential):
    def __init__(self, cin, cout):
        super().__init__(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(), nn.AvgPool2d(2))


class UpBlock2d(nn.Sequential):
    def __init__(self, cin, cout):
        super().__init__(nn.Upsample(scale_factor=2), nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU())


class SPADE(nn.Module):
    """Spatially-adaptive normalization: the warped source features modulate each decoder layer."""

    def __init__(self, ch, seg_ch, hidden=128):
        super().__init__()
        self.norm = nn.InstanceNorm2d(ch, affine=False)
        self.shared = nn.Sequential(nn.Conv2d(seg_ch, hidden, 3, padding=1), nn.ReLU())
        self.gamma = nn.Conv2d(hidden, ch, 3, padding=1)
        self.beta = nn.Conv2d(hidden, ch, 3, padding=1)

    def forward(self, x, seg):
        a = self.shared(F.interpolate(seg, size=x.shape[2:], mode="nearest"))
        return self.norm(x) * (1 + self.gamma(a)) + self.beta(a)


class SPADEResBlock(nn.Module):
    def __init__(self, cin, cout, seg_ch):
        super().__init__()
        mid = min(cin, cout)
        self.n0, self.c0 = SPADE(cin, seg_ch), nn.Conv2d(cin, mid, 3, padding=1)
        self.n1, self.c1 = SPADE(mid, seg_ch), nn.Conv2d(mid, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1, bias=False) if cin != cout else None
        self.skip_norm = SPADE(cin, seg_ch) if cin != cout else None

    def forward(self, x, seg):
        dx = self.c0(F.leaky_relu(self.n0(x, seg), 0.2))
        dx = self.c1(F.leaky_relu(self.n1(dx, seg), 0.2))
        skip = x if self.skip is None else self.skip(self.skip_norm(x, seg))
        return skip + dx
