"""Where the warp squeezes or stretches the photo hard, each pixel samples it over its footprint.

The frame samples the portrait once per pixel, bilinearly: right while the warp maps a pixel onto
about one pixel of the photo. A turned head breaks that in two ways (the Jacobian J of the map
from frame to portrait, singular values s1 >= s2, s1 along the portrait direction u1):

* squeezed (s1 >> 1): a frame pixel covers s1 portrait pixels along u1 and one tap picks any of
  them, so fine detail turns into specks (the lit cheek between a turned nose and the cheek's
  outline, squeezed ~10x into a few pixels). Texture mapping's answer: sample a copy prefiltered
  to the footprint (a mip level; anisotropic, since the squeeze is along one direction).
* stretched along one axis only (s2 << s1 <= 1): the side of a head the photo saw edge-on is
  spread 3-5x sideways while kept 1:1 along it, so each row of the photo becomes a streak. The
  frame shows along v2 detail s1 / s2 times coarser than along v1; blurring the photo along u1
  by that ratio makes it look the same both ways: a smooth surface instead of streaks.

Both give one footprint length along u1, in the photo's own pixels (a small photo magnified to
the frame is already that soft): F = max(s1, min(s1, 1) / s2) x (texture pixels per photo pixel).
Up to QUIET times the photo's resolution nothing changes (ordinary expressions and head turns),
beyond it the pixel takes a Gaussian of the excess along u1, from copies of the moving layer
blurred along x and along y at a few widths (built the first time a frame needs them), mixed by
u1's direction and between widths. J is that of the displacement the frame is actually sampled
with (the coarse grid, bilinear within a cell), so a cell the bilinear ramp crosses a fold in is
squeezed too; the outline pass redraws the long outlines' pixels afterwards.
"""

from __future__ import annotations

import cv2
import numpy as np

from . import flow

QUIET = 2.0                       # footprint / photo resolution below which nothing changes
WIDTHS = (1.0, 2.0, 4.0, 8.0)     # Gaussian sigmas of the prefiltered copies, texture pixels
SHARE = 12 ** -0.5               # a footprint (a box) of length F has a standard deviation F / sqrt(12)
LEAST = 0.3                       # px: a smaller blur is not worth a pixel's second sample


def node_blur(coarse: np.ndarray, step: float, resolution: float):
    """Per node of the coarse displacement [g, g, 2] (node spacing ``step`` px; ``resolution``:
    texture pixels per photo pixel, >= 1): (sigma [g, g] of the blur along u1 in texture pixels,
    u1's share along x [g, g] 0..1). Each node takes the largest of the four cells around it, so
    a squeezed cell is blurred across all of it."""
    d = coarse.astype(np.float32)
    # the bilinear map's derivatives in each cell (exact at its centre): J = [[a, b], [c, e]]
    dx = (d[:-1, 1:] - d[:-1, :-1] + d[1:, 1:] - d[1:, :-1]) * np.float32(0.5 / step)
    dy = (d[1:, :-1] - d[:-1, :-1] + d[1:, 1:] - d[:-1, 1:]) * np.float32(0.5 / step)
    a, c = 1.0 + dx[..., 0], dx[..., 1]
    b, e = dy[..., 0], 1.0 + dy[..., 1]
    # J J^T's eigenvalues (s1^2, s2^2) and its major eigenvector's angle (u1, in the portrait)
    p, q, r = a * a + b * b, a * c + b * e, c * c + e * e
    mean, half = 0.5 * (p + r), np.hypot(0.5 * (p - r), q)
    s1 = np.sqrt(mean + half)
    s2 = np.sqrt(np.maximum(mean - half, 0.0))
    angle = 0.5 * np.arctan2(2.0 * q, p - r)
    footprint = np.maximum(s1, resolution * np.minimum(s1, 1.0) / np.maximum(s2, 1e-3))
    excess = footprint * footprint - (QUIET * resolution) ** 2
    sigma = SHARE * np.sqrt(np.maximum(excess, 0.0))
    along_x = np.cos(angle) ** 2
    g = coarse.shape[0]
    node_sigma = np.zeros((g, g), np.float32)
    node_x = np.full((g, g), 0.5, np.float32)
    for oy in (0, 1):
        for ox in (0, 1):
            part = node_sigma[oy:oy + g - 1, ox:ox + g - 1]
            more = sigma > part
            part[more] = sigma[more]
            node_x[oy:oy + g - 1, ox:ox + g - 1][more] = along_x[more]
    return np.minimum(node_sigma, WIDTHS[-1]), node_x


def _blurred(layer, axis: int, sigma: float):
    """The moving layer blurred along one axis (0 x, 1 y) by a Gaussian of ``sigma`` px: uint8
    [S, S, 4] on the CPU path, a [1, 4, S, S] tensor on the tensor one."""
    radius = int(np.ceil(3 * sigma))
    kernel = cv2.getGaussianKernel(2 * radius + 1, sigma).astype(np.float32)
    if isinstance(layer, np.ndarray):
        one = np.ones((1, 1), np.float32)
        kx, ky = (kernel, one) if axis == 0 else (one, kernel)
        return cv2.sepFilter2D(layer, -1, kx, ky, borderType=cv2.BORDER_REPLICATE)
    import torch
    import torch.nn.functional as F
    k = torch.from_numpy(kernel.reshape(-1)).to(layer)
    shape = (1, 1, 1, -1) if axis == 0 else (1, 1, -1, 1)
    pad = (radius, radius, 0, 0) if axis == 0 else (0, 0, radius, radius)
    weight = k.reshape(shape).expand(layer.shape[1], 1, *k.reshape(shape).shape[2:])
    return F.conv2d(F.pad(layer, pad, mode="replicate"), weight, groups=layer.shape[1])


def _sample(layer, src: np.ndarray):
    """layer (``_blurred``'s kinds) at source pixels src [N, 2] (centres at +0.5) -> RGBA float
    [N, 4] numpy (the matte 0..1) on the CPU path, [4, N] tensor on the tensor one."""
    if isinstance(layer, np.ndarray):
        got = cv2.remap(layer, (src - 0.5).reshape(1, -1, 2).astype(np.float32), None,
                        cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).reshape(-1, 4)
        got = got.astype(np.float32)
        got[:, 3] *= np.float32(1.0 / 255.0)
        return got
    import torch
    size = layer.shape[-1]
    grid = torch.from_numpy((src * (2.0 / size) - 1.0).astype(np.float32))[None, None].to(layer.device)
    return flow.sample_grid(layer, grid)[0, :, 0]


def sample_footprints(frame, grid, coarse: np.ndarray, layer, plate, levels: dict,
                      resolution: float, window) -> None:
    """In place: frame [3, S, S] (+offset) resampled over each pixel's footprint where the warp
    squeezes or stretches the portrait past QUIET (``node_blur``). grid: the frame's sampling
    grid [1, S, S, 2]; coarse [g, g, 2] its coarse displacement; layer / plate: the moving and
    still layers (``soften_silhouette``'s kinds); levels: a dict the prefiltered copies are kept
    in (per portrait and size); window (x0, y0, x1, y1): where the frame is valid."""
    size, g = frame.shape[-1], coarse.shape[0]
    sigma, along_x = node_blur(coarse, size / g, resolution)
    if not (sigma > LEAST).any():
        return
    x0, y0, x1, y1 = window
    full = cv2.resize(np.stack([sigma, along_x], -1), (size, size), interpolation=cv2.INTER_LINEAR)
    sig = full[y0:y1, x0:x1, 0]
    py, px = np.nonzero(sig > LEAST)
    if len(py) == 0:
        return
    s, wx = sig[py, px], full[y0:y1, x0:x1, 1][py, px]
    py, px = py + y0, px + x0
    g_at = grid[0, py, px]
    g_at = g_at if isinstance(g_at, np.ndarray) else g_at.cpu().numpy()
    src = flow.grid_to_pixels(np.asarray(g_at, np.float64), size)                   # [N, 2]
    # each pixel between two widths (0: the sharp layer), both directions, weighted
    widths = np.array((0.0,) + WIDTHS)
    k = np.clip(np.searchsorted(widths, s, side="right") - 1, 0, len(widths) - 2)
    t = (s - widths[k]) / (widths[k + 1] - widths[k])
    tensor = not isinstance(layer, np.ndarray)
    total = None
    for level in np.unique(np.concatenate([k, k + 1])):
        w_level = np.where(k == level, 1.0 - t, 0.0) + np.where(k + 1 == level, t, 0.0)
        use = np.flatnonzero(w_level > 0)
        for axis, w_axis in ((0, wx), (1, 1.0 - wx)):
            w = w_level[use] * w_axis[use]
            if level == 0:
                tex = layer
            else:
                key = (axis, int(level))
                if key not in levels:
                    levels[key] = _blurred(layer, axis, float(widths[level]))
                tex = levels[key]
            got = _sample(tex, src[use])
            if tensor:
                import torch
                part = torch.zeros((4, len(src)), device=layer.device)
                part[:, torch.from_numpy(use).to(layer.device)] = got * torch.from_numpy(w.astype(np.float32)).to(layer.device)
            else:
                part = np.zeros((len(src), 4), np.float32)
                part[use] = got * w.astype(np.float32)[:, None]
            total = part if total is None else total + part
    if tensor:
        import torch
        yy, xx = torch.from_numpy(py).to(layer.device), torch.from_numpy(px).to(layer.device)
        still = plate[0][:, yy, xx]
        frame[:, yy, xx] = (still + (total[:3] - still) * total[3:4]).to(frame.dtype)
        return
    still = plate[py, px, :3].astype(np.float32)
    over = still + (total[:, :3] - still) * total[:, 3:]
    frame.transpose(1, 2, 0)[py, px] = over + np.float32(flow.TEXTURE_OFFSET)
