"""Eyes: the iris redrawn at the gaze position, the sclera it leaves behind, a lash line on blinks.

The warp already carries the portrait's eye into the target lids (the eye openings are filled by
strip triangles), so an unmoved gaze needs nothing more. When the target iris landmarks (468-477)
say the iris went elsewhere, the portrait's own iris texture is pasted there, clipped to the target
eye opening, and where the warp still shows the old iris the portrait's sclera colour is filled in.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .appearance import IRIS_EXTENT, EyeLook, PortraitLook, lid_gap
from .face_loops import EYES, EyeRim
from . import flow
from .polygon import bbox, coverage, polyline_distance, signed_distance, smoothstep, window_grid


def _blend(base: torch.Tensor, colour: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    return base + (colour - base) * alpha


def draw_eye(frame: torch.Tensor, source_px: torch.Tensor, lm: np.ndarray, rim: EyeRim, look: EyeLook,
             patch: torch.Tensor, irisless: torch.Tensor, colours: PortraitLook) -> None:
    """Paint one eye into frame [3, S, S] (float 0..255) in place.

    source_px [S, S, 2]: where the warp samples each pixel; lm [478, 3]: target landmarks; patch
    [1, 3, P, P]: the portrait's iris texture (``appearance.EyeLook.patch``); irisless [1, 3, S, S]:
    the portrait with its irises painted out.
    """
    size = frame.shape[-1]
    dev = frame.device
    poly_np = lm[rim.loop, :2]
    width = float(np.linalg.norm(lm[rim.corners[1], :2] - lm[rim.corners[0], :2]))
    x0, y0, w, h = bbox(poly_np, size, pad=2.0 + 0.3 * width)
    if w < 2 or h < 2:
        return
    pts = window_grid(x0, y0, w, h, dev)
    poly = torch.as_tensor(poly_np, dtype=torch.float32, device=dev)
    inside = signed_distance(poly, pts)
    cov = (0.5 + inside).clamp(0, 1)
    win = frame[:, y0:y0 + h, x0:x0 + w]

    c_t = lm[rim.iris_centre, :2]
    r_t = float(np.linalg.norm(lm[rim.iris_ring, :2] - c_t, axis=1).mean())
    # How far the gaze moved beyond what the lids' warp already did (source pixels at the target
    # iris centre vs. the portrait's iris centre); sub-pixel differences keep the warped eye as is.
    ci = np.clip(np.floor(c_t).astype(int), 0, size - 1)
    moved = source_px[ci[1], ci[0]].cpu().numpy() - (ci + 0.5)      # warp displacement there
    drift = float(np.linalg.norm(c_t + moved - look.centre))
    gate = smoothstep(0.25, 1.0, drift)
    eye_gap = lid_gap(lm, rim)
    if gate > 0 and r_t > 0.5:
        # Depth inside the opening: lids shade the sclera and the top of the iris.
        shade = 0.8 + 0.2 * smoothstep(0.0, max(1.0, 0.3 * eye_gap * width), inside)
        src = source_px[y0:y0 + h, x0:x0 + w]
        old_iris = ((src - torch.as_tensor(look.centre, dtype=torch.float32, device=dev)).norm(dim=-1)
                    / look.radius)
        fill = ((1.3 - old_iris) * look.radius + 0.5).clamp(0, 1)
        sclera = flow.sample(irisless, src)[0]
        win[:] = _blend(win, sclera, (gate * cov * fill)[None])

        d = (pts - torch.as_tensor(c_t, dtype=torch.float32, device=dev)) / r_t
        disc = ((1.0 - d.norm(dim=-1)) * r_t + 0.5).clamp(0, 1)
        iris = F.grid_sample(patch, (d / IRIS_EXTENT)[None], mode="bilinear", padding_mode="border",
                             align_corners=False)[0] * shade
        win[:] = _blend(win, iris, (gate * cov * disc)[None])

    # Closing lids: the lashes of both lids meet in a dark line along the upper lid.
    closure = 1.0 - eye_gap / max(look.opening, 1e-3)
    strength = 0.8 * smoothstep(0.35, 0.9, closure)
    if closure > 0.05:
        _cover_with_lid(win, pts, lm, rim, look, closure)
    if strength > 0:
        lid = np.concatenate([lm[[rim.corners[0]], :2], lm[rim.upper, :2], lm[[rim.corners[1]], :2]])
        dist = polyline_distance(torch.as_tensor(lid, dtype=torch.float32, device=dev), pts)
        half = max(0.6, 0.035 * width)
        line = ((half - dist) + 0.5).clamp(0, 1) * strength
        win[:] = _blend(win, torch.as_tensor(colours.lash, device=dev)[:, None, None], line[None])


def _cover_with_lid(win, pts, lm, rim: EyeRim, look: EyeLook, closure: float) -> None:
    """A closing upper lid is skin, not the portrait's lashes stretched: paint lid skin between the
    lid's rest line (where the portrait's lid would sit on this face) and the lowered lid."""
    a, b = lm[rim.corners[0], :2], lm[rim.corners[1], :2]
    lower = lm[rim.lower, :2]
    # Rest lid: the lower lid plus the portrait's lid gap (same fraction of the eye width), upward.
    normal = np.array([(b - a)[1], -(b - a)[0]])            # points up in the image for a->b
    rest = lower + normal * look.opening * 1.1
    upper = lm[rim.upper, :2]
    rest = np.minimum(rest[:, 1], upper[:, 1])[:, None] * [0, 1] + rest * [1, 0]
    region = np.concatenate([[a], upper, [b], rest[::-1]])
    dev = win.device
    cov = coverage(torch.as_tensor(region, dtype=torch.float32, device=dev), pts, feather=2.0)
    margin = polyline_distance(torch.as_tensor(np.concatenate([[a], upper, [b]]), dtype=torch.float32,
                                               device=dev), pts)
    width = float(np.linalg.norm(b - a))
    shade = 0.82 + 0.18 * smoothstep(0.0, max(1.0, 0.12 * width), margin)
    # Skin colour column by column from just above the rest line, so the lid matches its surroundings.
    order = np.argsort(rest[:, 0])
    from_y = torch.as_tensor(np.interp(pts[0, :, 0].cpu().numpy(), rest[order, 0], rest[order, 1])
                             - 0.12 * width, dtype=torch.float32, device=dev)
    h, w = pts.shape[:2]
    y0 = float(pts[0, 0, 1]) - 0.5
    gy = ((from_y - y0) / h * 2 - 1).clamp(-1, 1)[None, :].expand(h, w)
    gx = torch.linspace(-1 + 1 / w, 1 - 1 / w, w, device=dev)[None, :].expand(h, w)
    above = F.grid_sample(win[None].clone(), torch.stack([gx, gy], -1)[None], mode="bilinear",
                          padding_mode="border", align_corners=False)[0]
    skin = (0.6 * above + 0.4 * torch.as_tensor(look.lid, device=dev)[:, None, None]) * shade[None]
    win[:] = _blend(win, skin, (cov * smoothstep(0.05, 0.3, closure))[None])


def draw_eyes(frame, source_px, lm, colours: PortraitLook, patches, irisless) -> None:
    for rim, look, patch in zip(EYES, colours.eyes, patches):
        draw_eye(frame, source_px, lm, rim, look, patch, irisless, colours)
