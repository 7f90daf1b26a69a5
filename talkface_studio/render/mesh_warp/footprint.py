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
from .layer_sampling import over_still

QUIET = 3.0                       # footprint / photo resolution below which nothing changes
WIDTHS = (1.0, 2.0, 4.0, 8.0)     # Gaussian sigmas of the prefiltered copies, texture pixels
SHARE = 12 ** -0.5               # a footprint (a box) of length F has a standard deviation F / sqrt(12)
LEAST = 0.3                       # px: a smaller blur is not worth a pixel's second sample


def node_blur(coarse: np.ndarray, step: float, resolution: float, refilled: np.ndarray | None = None):
    """Per node of the coarse displacement [h, w, 2] (a block of the grid; node spacing ``step``
    px; ``resolution``: texture pixels per photo pixel, >= 1): (sigma [h, w] of the blur along u1
    in texture pixels, u1's share along x [h, w] 0..1). Each node takes the largest of the four cells around it, so
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
    s2 = np.sqrt(np.maximum(mean - half, 1e-6))
    stretch = resolution * np.minimum(s1, 1.0) / s2
    if refilled is not None and refilled.any():
        # a cell between refilled nodes and others spans the refill's seam, where the reflection
        # meets the skin it mirrors (``unfolded_sheet``): its nodes there sample nearly one point,
        # which reads as an edge-on stretch (its blur, spread to the nodes, washed the old man's
        # refilled cheek to flat grey). It takes the least stretch of the cells beside it on the
        # skin's side: a reflection of skin the turn does stretch is blurred as that skin is
        n = refilled.astype(np.int8)
        count = n[:-1, :-1] + n[:-1, 1:] + n[1:, :-1] + n[1:, 1:]
        seam = (count > 0) & (count < 4)
        if seam.any():
            off = cv2.erode(np.where(count > 0, np.inf, stretch).astype(np.float32), np.ones((3, 3), np.uint8),
                            borderType=cv2.BORDER_CONSTANT, borderValue=np.inf)
            stretch = np.where(seam & np.isfinite(off), np.minimum(off, stretch), stretch)
    footprint = np.maximum(s1, stretch)
    excess = footprint * footprint - np.float32((QUIET * resolution) ** 2)
    h, w = coarse.shape[:2]
    if not (excess > 0).any():
        return np.zeros((h, w), np.float32), np.full((h, w), 0.5, np.float32)
    sigma = np.float32(SHARE) * np.sqrt(np.maximum(excess, 0.0))
    # u1's share along x: cos^2 of its angle, (1 + cos 2 angle) / 2
    along_x = 0.5 + 0.25 * (p - r) / np.maximum(half, 1e-9)
    # a node: the largest blur of its (up to) four cells, their direction weighted by blur
    pad = np.zeros((h + 1, w + 1), np.float32)
    pad[1:-1, 1:-1] = sigma
    corners = (pad[:-1, :-1], pad[:-1, 1:], pad[1:, :-1], pad[1:, 1:])
    node_sigma = np.maximum(np.maximum(corners[0], corners[1]), np.maximum(corners[2], corners[3]))
    total = corners[0] + corners[1] + corners[2] + corners[3]
    pad[1:-1, 1:-1] *= along_x                                  # (the corners are views of pad)
    weighted = corners[0] + corners[1] + corners[2] + corners[3]
    return np.minimum(node_sigma, WIDTHS[-1]), np.where(total > 0, weighted / np.maximum(total, 1e-9), 0.5)


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


def sample_footprints(frame, grid, coarse: np.ndarray, layer, plate, levels: dict,
                      resolution: float, window, refilled: np.ndarray | None = None) -> None:
    """In place: frame [3, S, S] (+offset) resampled over each pixel's footprint where the warp
    squeezes or stretches the portrait past QUIET (``node_blur``). grid: the frame's sampling
    grid [1, S, S, 2]; coarse [g, g, 2] its coarse displacement; layer / plate: the moving and
    still layers (``soften_silhouette``'s kinds); levels: a dict the prefiltered copies are kept
    in (per portrait and size); window (x0, y0, x1, y1): where the frame is valid. refilled
    [g, g] bool (optional): the nodes the unfolded-sheet refill drew (``node_blur``)."""
    size, g = frame.shape[-1], coarse.shape[0]
    step = size / g
    # the nodes whose cells reach into the window
    j0, i0 = (max(int(v / step - 1.5), 0) for v in window[:2])
    j1, i1 = (min(int(v / step + 1.5), g) for v in window[2:])
    if j1 - j0 < 2 or i1 - i0 < 2:
        return
    sigma, along_x = node_blur(coarse[i0:i1, j0:j1], step, resolution,
                               None if refilled is None else refilled[i0:i1, j0:j1])
    rows, cols = np.nonzero(sigma > LEAST)
    if len(rows) == 0:
        return
    # the pixels those nodes reach (one node further), each node field bilinear at the pixel
    x0 = max(int((cols.min() + j0) * step - step), window[0])
    y0 = max(int((rows.min() + i0) * step - step), window[1])
    x1 = min(int((cols.max() + j0) * step + 2 * step) + 1, window[2])
    y1 = min(int((rows.max() + i0) * step + 2 * step) + 1, window[3])
    if x1 <= x0 or y1 <= y0:
        return
    at = np.stack(np.meshgrid((np.arange(x0, x1, dtype=np.float32) + 0.5) / np.float32(step) - 0.5 - j0,
                              (np.arange(y0, y1, dtype=np.float32) + 0.5) / np.float32(step) - 0.5 - i0), -1)
    fields = cv2.remap(np.stack([sigma, along_x], -1), at, None, cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REPLICATE)
    py, px = np.nonzero(fields[..., 0] > LEAST)
    if len(py) == 0:
        return
    s, wx = fields[py, px, 0], fields[py, px, 1]
    py += y0
    px += x0
    g_at = grid[0, py, px]
    g_at = g_at if isinstance(g_at, np.ndarray) else g_at.cpu().numpy()
    src = flow.grid_to_pixels(g_at, size)                                          # [N, 2]
    # each pixel between two widths (0: the sharp layer), along x and along y, weighted; a
    # turn's squeeze is nearly along x, so most pixels need one direction only
    widths = np.array((0.0,) + WIDTHS)
    k = np.clip(np.searchsorted(widths, s, side="right") - 1, 0, len(widths) - 2)
    t = (s - widths[k]) / (widths[k + 1] - widths[k])
    wx = np.where(wx > 0.98, 1.0, np.where(wx < 0.02, 0.0, wx))
    # the sharp layer's share is what the frame already holds there (the composite): each blurred
    # sample is composited over the still layer and mixed in
    sharp = np.where(k == 0, 1.0 - t, 0.0).astype(np.float32)
    tensor = not isinstance(layer, np.ndarray)
    if tensor:
        import torch
        yy, xx = torch.from_numpy(py).to(layer.device), torch.from_numpy(px).to(layer.device)
        total = frame[:, yy, xx] * torch.from_numpy(sharp).to(layer.device)
    else:
        view = frame.transpose(1, 2, 0)
        total = view[py, px] - np.float32(flow.TEXTURE_OFFSET)
        total *= sharp[:, None]
    for level in np.unique(np.concatenate([k, k + 1])):
        if level == 0:
            continue
        w_level = np.where(k == level, 1.0 - t, 0.0) + np.where(k + 1 == level, t, 0.0)
        for axis, w_axis in ((0, wx), (1, 1.0 - wx)):
            use = np.flatnonzero(w_level * w_axis > 0)
            if len(use) == 0:
                continue
            w = (w_level[use] * w_axis[use]).astype(np.float32)
            key = (axis, int(level))
            if key not in levels:
                levels[key] = _blurred(layer, axis, float(widths[level]))
            over = over_still(levels[key], plate, src[use][None], py[use], px[use])
            if tensor:
                total.index_add_(1, torch.from_numpy(use).to(layer.device), over[:, 0] * torch.from_numpy(w).to(layer.device))
            else:
                over = over[0]
                over *= w[:, None]
                total[use] += over
    if tensor:
        frame[:, yy, xx] = total.to(frame.dtype)
        return
    total += np.float32(flow.TEXTURE_OFFSET)
    view[py, px] = total
