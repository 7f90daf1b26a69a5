"""From a coarse displacement grid to the sampled frame: resize, add the identity, sample once.

The displacement (not the absolute source position) is resized, so a still region has exactly
zero displacement and maps to itself pixel for pixel: no flicker, no blur where nothing moves.
Full-resolution passes are the cost that grows with the frame, so a frame makes few, each on one
thread: resize the coarse displacement, sample (only where the head can reach, ``mesh_warp``),
convert to uint8.
"""

from __future__ import annotations

import cv2
import numpy as np

from .pixel_ops import ops_of   # (it also keeps OpenCV on one thread)


def cell_positions(grid: int, size: int) -> np.ndarray:
    """[grid, grid, 2] float32 pixel positions of nodes at the centres of a grid x grid tiling of
    the frame: where OpenCV's bilinear resize places its source pixels (the CPU path)."""
    c = ((np.arange(grid, dtype=np.float32) + 0.5) * (size / grid)).astype(np.float32)
    yy, xx = np.meshgrid(c, c, indexing="ij")
    return np.stack([xx, yy], axis=-1)


def identity_grid(size: int) -> np.ndarray:
    """[size, size, 2] float32: every pixel centre in grid_sample units (-1..1)."""
    c = ((np.arange(size, dtype=np.float32) + 0.5) * (2.0 / size) - 1.0).astype(np.float32)
    yy, xx = np.meshgrid(c, c, indexing="ij")
    return np.ascontiguousarray(np.stack([xx, yy], axis=-1))


def sampling_grid(coarse_px: np.ndarray, identity, out: np.ndarray | None = None):
    """Coarse displacement [g, g, 2] (source - target, output pixels) at ``cell_positions`` -> the
    frame's sampling grid [1, S, S, 2] (grid_sample units, -1..1).

    The displacement (not the absolute source position) is resized bilinearly and added to the
    identity (``identity_grid``), so a still region has exactly zero displacement and maps to
    itself pixel for pixel: no flicker, no blur where nothing moves. On the CPU (``identity`` a
    numpy array) OpenCV resizes into ``out`` ([S, S, 2] float32, reused; the grid is a view of
    it): one SIMD pass, ~5x cheaper than a grid_sample upsample. On a GPU (``identity`` a tensor
    [1, S, S, 2]) torch's bilinear interpolate does the same (the same half-pixel convention)."""
    if not isinstance(identity, np.ndarray):
        import torch
        import torch.nn.functional as F

        size = identity.shape[1]
        c = torch.from_numpy(np.ascontiguousarray((coarse_px * np.float32(2.0 / size)).transpose(2, 0, 1)))[None]
        up = F.interpolate(c.to(identity.device), size=(size, size), mode="bilinear", align_corners=False)
        return up.permute(0, 2, 3, 1) + identity
    size = identity.shape[0]
    up = cv2.resize(np.ascontiguousarray(coarse_px * np.float32(2.0 / size), dtype=np.float32), (size, size),
                    dst=out, interpolation=cv2.INTER_LINEAR)
    if up is not out:
        out[...] = up
    out += identity
    return out[None]


def sampling_grids(coarse_px: np.ndarray, identity):
    """``sampling_grid`` for a batch, on the tensor path: coarse [B, g, g, 2] -> [B, S, S, 2],
    one interpolate for all (the same arithmetic frame by frame)."""
    import torch
    import torch.nn.functional as F

    size = identity.shape[1]
    c = torch.from_numpy(np.ascontiguousarray((coarse_px * np.float32(2.0 / size)).transpose(0, 3, 1, 2),
                                              dtype=np.float32))
    up = F.interpolate(c.to(identity.device), size=(size, size), mode="bilinear", align_corners=False)
    return up.permute(0, 2, 3, 1) + identity


def remap(texture_hwc: np.ndarray, grid_window: np.ndarray) -> np.ndarray:
    """Sample texture [S, S, C] (channels last, uint8 or float32) at a window of the sampling grid
    [h, w, 2] (grid_sample units) -> [h, w, C]: OpenCV's bilinear remap (SIMD, 2-4x cheaper than
    grid_sample on the CPU); outside the texture its border repeats, as in ``sample_grid``."""
    size = texture_hwc.shape[0]
    px = grid_window * np.float32(size / 2.0)
    px += np.float32(size / 2.0 - 0.5)
    return cv2.remap(texture_hwc, px, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def refine(grid, disp: np.ndarray, alpha: np.ndarray, x0: int, y0: int) -> None:
    """In place: replace a window of the sampling grid [1, S, S, 2] by an exact per-pixel
    displacement disp [h, w, 2] (output pixels, source - target) blended in with alpha [h, w]."""
    size = grid.shape[1]
    h, w = alpha.shape
    yy, xx = np.mgrid[y0:y0 + h, x0:x0 + w].astype(np.float32) + 0.5
    src = (np.stack([xx, yy], axis=-1) + disp) * np.float32(2.0 / size) - np.float32(1.0)
    win = grid[0, y0:y0 + h, x0:x0 + w]
    xp = ops_of(grid)
    win += (xp.const(src, grid) - win) * xp.const(alpha[..., None], grid)


def grid_to_pixels(grid_window, size: int):
    """A window of a sampling grid [..., 2] (-1..1) -> source positions in output pixels."""
    return (grid_window + 1.0) * (size / 2.0)


def sample_grid(texture, grid):
    """The tensor path: texture [1, C, S, S], grid [1, H, W, 2] (-1..1) -> [1, C, H, W]; outside
    repeats the border."""
    import torch.nn.functional as F

    return F.grid_sample(texture, grid, mode="bilinear", padding_mode="border", align_corners=False)


def sample(texture, source_px):
    """A texture of ``pixel_ops`` (the portrait at output size) at source_px [H, W, 2] (output
    pixels) -> [C, H, W]. Out-of-frame samples repeat the border."""
    return ops_of(source_px).sample(texture, source_px)


def to_image(frame, base: np.ndarray | None = None, window=None) -> np.ndarray:
    """frame [3, S, S] float, 0.5..255.5 (the texture carries a +0.5 offset, see ``TEXTURE_OFFSET``)
    -> uint8 [S, S, 3]: the cast truncates, which the offset turns into rounding. With ``base``
    (uint8 [S, S, 3]) and ``window`` (x0, y0, x1, y1), only the window is taken from the frame and
    the rest is a copy of ``base`` (the still background).

    One pass: the cast writes straight into a channels-last buffer (~1 ms at 512 px), on CPU in
    numpy, single-threaded for the same reason as ``sampling_grid``. Every colour the renderer
    composites is a convex blend of in-range values, so nothing needs clipping."""
    if base is not None and window is not None:
        x0, y0, x1, y1 = window
        out = base.copy()
        part = frame[:, y0:y1, x0:x1]
        if isinstance(part, np.ndarray) or part.device.type == "cpu":
            np.copyto(out[y0:y1, x0:x1], np.asarray(part).transpose(1, 2, 0), casting="unsafe")
        else:
            import torch

            out[y0:y1, x0:x1] = part.permute(1, 2, 0).to(torch.uint8).cpu().numpy()
        return out
    if isinstance(frame, np.ndarray) or frame.device.type == "cpu":
        out = np.empty(frame.shape[1:] + frame.shape[:1], dtype=np.uint8)
        np.copyto(out, np.asarray(frame).transpose(1, 2, 0), casting="unsafe")
        return out
    import torch

    out = torch.empty(frame.shape[1:] + frame.shape[:1], dtype=torch.uint8, device=frame.device)
    out.permute(2, 0, 1).copy_(frame)
    return out.cpu().numpy()


TEXTURE_OFFSET = 0.5   # added to the portrait texture so that to_image can truncate
