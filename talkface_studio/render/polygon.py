"""Anti-aliased polygon masks over a small pixel window, in torch (runs on the render device)."""

from __future__ import annotations

import torch


def window_grid(x0: int, y0: int, w: int, h: int, device: torch.device) -> torch.Tensor:
    """[h, w, 2] pixel-centre coordinates of the window whose top-left pixel is (x0, y0)."""
    xs = torch.arange(x0, x0 + w, device=device, dtype=torch.float32) + 0.5
    ys = torch.arange(y0, y0 + h, device=device, dtype=torch.float32) + 0.5
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([xx, yy], dim=-1)


def signed_distance(poly: torch.Tensor, pts: torch.Tensor) -> torch.Tensor:
    """Distance from pts [..., 2] to the closed polygon poly [K, 2]; positive inside (even-odd).

    Loops over the K edges on whole-window tensors: far less memory traffic than a [..., K]
    broadcast, which matters on CPU."""
    px, py = pts[..., 0], pts[..., 1]
    best = torch.full_like(px, float("inf"))
    inside = torch.zeros_like(px, dtype=torch.bool)
    verts = poly.tolist()
    for (ax, ay), (bx, by) in zip(verts, verts[1:] + verts[:1]):
        ex, ey = bx - ax, by - ay
        dx, dy = px - ax, py - ay
        t = ((dx * ex + dy * ey) / max(ex * ex + ey * ey, 1e-9)).clamp_(0, 1)
        best = torch.minimum(best, (dx - t * ex) ** 2 + (dy - t * ey) ** 2)
        if ay != by:  # horizontal edges never cross a horizontal ray
            straddles = (py < ay) != (py < by)
            x_cross = ax + (py - ay) * (ex / ey)
            inside ^= straddles & (px < x_cross)
    dist = best.sqrt_()
    return torch.where(inside, dist, -dist)


def coverage(poly: torch.Tensor, pts: torch.Tensor, feather: float = 1.0) -> torch.Tensor:
    """Soft inside-mask in 0..1: a one-pixel (``feather``) ramp across the edge."""
    return (0.5 + signed_distance(poly, pts) / feather).clamp(0.0, 1.0)


def bbox(points, size: int, pad: float) -> tuple[int, int, int, int]:
    """(x0, y0, w, h) integer window around points [K, 2] (numpy), padded and clipped to the frame."""
    lo = (points.min(0) - pad).clip(0, size)
    hi = (points.max(0) + pad).clip(0, size)
    x0, y0 = int(lo[0]), int(lo[1])
    x1, y1 = min(int(hi[0]) + 1, size), min(int(hi[1]) + 1, size)
    return x0, y0, max(x1 - x0, 0), max(y1 - y0, 0)


def polyline_distance(line: torch.Tensor, pts: torch.Tensor) -> torch.Tensor:
    """Distance from pts [..., 2] to the open polyline line [K, 2]."""
    a, b = line[:-1], line[1:]
    p = pts[..., None, :]
    ab = b - a
    t = ((p - a) * ab).sum(-1) / (ab * ab).sum(-1).clamp_min(1e-9)
    return (p - (a + t.clamp(0, 1)[..., None] * ab)).norm(dim=-1).amin(-1)


def smoothstep(edge0: float, edge1: float, x):
    """0 below edge0, 1 above edge1, a smooth cubic between (works on floats and tensors)."""
    t = (x - edge0) / max(edge1 - edge0, 1e-9)
    t = t.clamp(0.0, 1.0) if isinstance(t, torch.Tensor) else min(max(t, 0.0), 1.0)
    return t * t * (3.0 - 2.0 * t)
