"""Frames in batches on a GPU: the same frames as one by one, with fewer launches and one copy back.

On a GPU the per-frame cost is mostly waiting: every frame's upsample and composite are small
kernel launches, and copying the frame back to the CPU stalls the queue until the GPU is done.
A batch does the geometry of B frames on the CPU first (numpy: mesh, raster, window), then
upsamples their displacements in one interpolate, composites the moving layer over the still one
in one grid_sample over the windows' union, paints each frame's silhouette, folds, mouth and eyes
on the device without waiting, converts all B to uint8 there and copies them back in one transfer.
Outside its own window each frame is the still layer, exactly as in ``render_frame``.

The code path is device-agnostic, so the tests run it on the CPU (``MeshWarpRenderer(batch=...)``).
"""

from __future__ import annotations

import numpy as np
import torch

from . import flow
from .drawn_softness import SoftenedPainting, eyes_box
from .eyes import draw_eyes
from .footprint import sample_footprints
from .mirror_fill import mirror_field, paint_mirror
from .lip_contact import refine_corners, refine_lips
from .mouth import draw_mouth
from .raster import node_step, rasterize_displacement
from .rigid_glasses import hold_glasses
from .seam_tone import match_seam_tone, painted_share
from .unfold_expression import frame_landmarks
from .silhouette import silhouette_edges, soften_silhouette
from .wrinkles import shade_frame


def render_batch(renderer, prep, lms: np.ndarray) -> list[np.ndarray]:
    """lms [B, 478, 3] (output px) -> B uint8 [S, S, 3] frames (``prep`` on the tensor path)."""
    staged = []
    for lm in lms:
        lm = frame_landmarks(lm, prep.guard)
        pts, depth = renderer._mesh_points(prep, lm)
        refilled = np.zeros((prep.grid, prep.grid), bool)
        coarse = rasterize_displacement(prep.mesh, pts, depth, prep.grid, prep.size, refilled)
        if prep.glasses is not None:
            coarse = hold_glasses(coarse, prep.nodes, *prep.glasses, prep.look.landmarks, lm, prep.mesh)
        staged.append((lm, pts, depth, coarse, renderer._window(prep, lm), refilled))
    out: list[np.ndarray | None] = [prep.plate_u8.copy() if s[4] is None else None for s in staged]
    moving = [i for i, s in enumerate(staged) if s[4] is not None]
    if not moving:
        return out
    grids = flow.sampling_grids(np.stack([staged[i][3] for i in moving]), prep.identity)   # [B, S, S, 2]
    step = node_step(prep.grid, prep.size)
    for k, i in enumerate(moving):
        lm, pts, depth = staged[i][:3]
        refine_lips(grids[k:k + 1], prep.mesh, pts, depth, lm, prep.size, prep.look.landmarks, step)
        refine_corners(grids[k:k + 1], prep.mesh, pts, depth, lm, prep.size)
    windows = np.array([staged[i][4] for i in moving])
    x0, y0 = windows[:, :2].min(0)
    x1, y1 = windows[:, 2:].max(0)
    n, size = len(moving), prep.size
    frames = torch.empty((n, 3, size, size), device=prep.texture.device)
    sub = flow.sample_grid(prep.texture4.expand(n, -1, -1, -1), grids[:, y0:y1, x0:x1])
    still = prep.plate[:, :, y0:y1, x0:x1]
    frames[:, :, y0:y1, x0:x1] = still + (sub[:, :3] - still) * sub[:, 3:4]
    for k, i in enumerate(moving):
        lm, pts, depth, coarse, window, refilled = staged[i]
        sample_footprints(frames[k], grids[k:k + 1], coarse, prep.texture4, prep.plate, prep.blurred,
                          prep.resolution, window, refilled)      # as ``render_frame`` does
        mirror = mirror_field(prep.mesh, pts, depth, prep.grid, prep.size)
        paint_mirror(frames[k], mirror, prep.texture4, prep.plate, prep.mirror_gain, window)
        edges = silhouette_edges(prep.mesh, pts, depth)
        if edges is not None:
            soften_silhouette(frames[k], coarse, edges, prep.texture4, prep.plate, window)
        match_seam_tone(frames[k], coarse, painted_share(refilled, mirror), prep.mesh.edge_depth, window)
        if renderer.detail > 0:
            shade_frame(frames[k], grids[k], lm, prep.folds)
        with SoftenedPainting(frames[k], lm, prep.resolution):
            draw_mouth(frames[k], lm, prep.look, prep.texture)
        with SoftenedPainting(frames[k], lm, prep.resolution, eyes_box):
            draw_eyes(frames[k], grids[k], lm, prep.look, prep.iris_patches, prep.texture, prep.irisless,
                      prep.glasses_frame)
    # the cast truncates, which the texture's +0.5 offset turns into rounding (``flow.to_image``)
    pixels = frames[:, :, y0:y1, x0:x1].permute(0, 2, 3, 1).to(torch.uint8).cpu().numpy()   # one copy back
    for k, i in enumerate(moving):
        wx0, wy0, wx1, wy1 = staged[i][4]
        frame = prep.plate_u8.copy()
        frame[wy0:wy1, wx0:wx1] = pixels[k, wy0 - y0:wy1 - y0, wx0 - x0:wx1 - x0]
        out[i] = frame
    return out
