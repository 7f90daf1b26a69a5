"""``pixel_ops`` in torch: the GPU path (and the batched path the tests run on the CPU).

Textures are [1, C, H, W] tensors sampled by grid_sample (bilinear, align_corners=False, so a
position in pixels maps to grid units as x * 2 / W - 1); curve tables [1, C, 1, N] are looked up
by a one-row grid_sample (align_corners=True), one pass however many curves.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def _device(like):
    """The device of a tensor, or ``like`` itself when it is a device."""
    return like if isinstance(like, torch.device) else like.device


class TorchOps:
    minimum = staticmethod(torch.minimum)
    maximum = staticmethod(torch.maximum)
    where = staticmethod(torch.where)
    full_like = staticmethod(torch.full_like)
    ones_like = staticmethod(torch.ones_like)
    zeros_like = staticmethod(torch.zeros_like)

    @staticmethod
    def clip(x, lo=None, hi=None):
        return torch.clamp(x, lo, hi)

    @staticmethod
    def clip_(x, lo, hi) -> None:
        x.clamp_(lo, hi)

    @staticmethod
    def stack(arrays, axis: int = 0):
        return torch.stack(arrays, dim=axis)

    @staticmethod
    def copy(x):
        return x.clone()

    @staticmethod
    def gaussian_blur(x, sigma: float):
        """[C, h, w] blurred by a Gaussian of ``sigma`` pixels (edges reflected, as OpenCV's
        default: the kernel reaches 4 sigmas, as its float images do) -> [C, h, w]."""
        radius = max(1, int(round(4.0 * float(sigma))))
        radius = min(radius, int(x.shape[-1]) - 1, int(x.shape[-2]) - 1)
        if radius < 1:
            return x.clone()
        t = torch.arange(-radius, radius + 1, device=x.device, dtype=torch.float32)
        k = torch.exp(-0.5 * (t / float(sigma)) ** 2)
        k = k / k.sum()
        c = int(x.shape[0])
        y = F.pad(x[None], (radius, radius, radius, radius), mode="reflect")
        y = F.conv2d(y, k.view(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c)
        y = F.conv2d(y, k.view(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c)
        return y[0]

    @staticmethod
    def const(values, like):
        return torch.as_tensor(np.asarray(values, dtype=np.float32), device=_device(like))

    @staticmethod
    def to_numpy(x) -> np.ndarray:
        return x.cpu().numpy()

    @staticmethod
    def coords(start: float, n: int, like):
        return torch.arange(n, device=like.device, dtype=torch.float32) + float(start)

    @staticmethod
    def size(texture) -> tuple[int, int]:
        return int(texture.shape[-2]), int(texture.shape[-1])

    @staticmethod
    def sample(texture, px, zeros: bool = False):
        """texture [1, C, H, W] at px [..., 2] (pixels, centres at +0.5) -> [C, ...]."""
        h, w = texture.shape[-2:]
        lead = tuple(px.shape[:-1])
        g = px.reshape(1, 1, -1, 2) if len(lead) != 2 else px[None]
        g = g * torch.tensor([2.0 / w, 2.0 / h], device=px.device) - 1.0
        out = F.grid_sample(texture, g, mode="bilinear", padding_mode="zeros" if zeros else "border",
                            align_corners=False)[0]
        return out.reshape((out.shape[0],) + lead)

    @staticmethod
    def texture(hwc: np.ndarray, like):
        hwc = np.ascontiguousarray(hwc, dtype=np.float32)
        return torch.from_numpy(hwc).permute(2, 0, 1)[None].contiguous().to(_device(like))

    @staticmethod
    def tabulate(table: np.ndarray, like):
        return torch.as_tensor(np.asarray(table, dtype=np.float32), device=_device(like))[None, :, None, :]

    @staticmethod
    def lookup(table, x) -> list:
        t = x * 2.0 - 1.0
        where = torch.stack([t, torch.zeros_like(t)], dim=-1).reshape(1, 1, -1, 2)
        out = F.grid_sample(table, where, mode="bilinear", padding_mode="border", align_corners=True)
        return list(out[0, :, 0].reshape((table.shape[1],) + tuple(x.shape)))


TORCH = TorchOps()
