"""Geometry of face-vid2vid's implicit 3D keypoints: x = R(yaw, pitch, roll) x_c + t + delta."""

from __future__ import annotations

import torch


def coordinate_grid(d: int, h: int, w: int, device=None) -> torch.Tensor:
    """[D, H, W, 3] with (x, y, z) in [-1, 1], the layout grid_sample expects."""
    z, y, x = (torch.linspace(-1, 1, n, device=device) for n in (d, h, w))
    zz, yy, xx = torch.meshgrid(z, y, x, indexing="ij")
    return torch.stack([xx, yy, zz], -1)


def heatmap_to_keypoints(heatmap: torch.Tensor) -> torch.Tensor:
    """heatmap logits [B, K, D, H, W] -> keypoints [B, K, 3]: expectation under a softmax over the volume."""
    b, k, d, h, w = heatmap.shape
    prob = heatmap.flatten(2).softmax(-1).view(b, k, d, h, w, 1)
    return (prob * coordinate_grid(d, h, w, heatmap.device)).sum((2, 3, 4))


def bins_to_degrees(logits: torch.Tensor) -> torch.Tensor:
    """[B, n_bins] -> [B] degrees: expected bin index, bins 3 degrees wide starting at -99."""
    idx = torch.arange(logits.shape[-1], device=logits.device, dtype=logits.dtype)
    return (logits.softmax(-1) * idx).sum(-1) * 3 - 99


def rotation_matrix(yaw: torch.Tensor, pitch: torch.Tensor, roll: torch.Tensor) -> torch.Tensor:
    """Degrees [B] -> [B, 3, 3] = R_pitch(x) @ R_yaw(y) @ R_roll(z), face-vid2vid's order."""
    p, y, r = (torch.deg2rad(a) for a in (pitch, yaw, roll))
    one, zero = torch.ones_like(p), torch.zeros_like(p)
    rx = torch.stack([one, zero, zero, zero, p.cos(), -p.sin(), zero, p.sin(), p.cos()], -1).view(-1, 3, 3)
    ry = torch.stack([y.cos(), zero, y.sin(), zero, one, zero, -y.sin(), zero, y.cos()], -1).view(-1, 3, 3)
    rz = torch.stack([r.cos(), -r.sin(), zero, r.sin(), r.cos(), zero, zero, zero, one], -1).view(-1, 3, 3)
    return rx @ ry @ rz


def transform_keypoints(kp_c, rotation, translation, delta) -> torch.Tensor:
    """kp_c [B, K, 3], rotation [B, 3, 3], translation [B, 3], delta [B, K, 3] -> [B, K, 3]."""
    return kp_c @ rotation.transpose(1, 2) + translation[:, None] + delta
