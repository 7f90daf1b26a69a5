"""Skin painted where the photo hid it takes the brightness and colour of the real skin beside it.

Two passes paint skin the photo never showed when the head turns its hidden side into view: the
mirror pass (``mirror_fill``: the other side of the face, which the light falls on differently)
and the unfolded-sheet refill (``unfolded_sheet``: the skin by the face's edge, reflected, often in
the edge's own shadow or rim light). Each keeps its source's low frequencies, so it read as a
patch: a pale band down a turned man's jaw, the shadow along an old man's far cheek doubled into
a grey stripe.

Here, on the coarse grid (one colour per node: the mean of its cell), the painted nodes' local
mean colour is moved to the local mean of the real skin around them (nodes sampling the photo
deeper than ``EDGE`` px inside its face: never background, hair or the photo's edge band), both
Gaussian means over ``SIGMA`` px, each over its own nodes. The difference goes back to the
pixels bilinearly, times the painted share, so only the low frequencies change (the detail is
the painted skin's own), feathered over ``FEATHER`` px either side of the seam and never onto
what is not the photo's face. Frames that paint nothing (every frame of a frontal photo at rest)
skip it. ~0.6-1.1 ms CPU a 512-px frame that paints something.
"""

from __future__ import annotations

import cv2
import numpy as np

from . import flow
from .unfolded_sheet import EDGE     # px at 512: real skin samples the photo this deep inside its face

SIGMA = 10.0      # px at 512: the scale of "brightness and colour" matched (a turn's painted strip
                  # is 5-20 px wide at 512)
SURE = 0.15       # a painted node with less real skin around it (the Gaussian's share) is
                  # moved in proportion: far from any skin there is nothing to match
PAINTED = 0.5     # a node is painted from this share on
FEATHER = 5.0     # px at 512: the ramp of the shift across the seam


def painted_share(refilled: np.ndarray, mirror) -> np.ndarray:
    """float32 [g, g] 0..1: how much of each node's colour the refill (refilled [g, g] bool) and
    the mirror pass (``mirror_fill.mirror_field``'s result or None) painted."""
    share = refilled.astype(np.float32)
    if mirror is not None:
        _, weight, (i0, j0), _ = mirror
        h, w = weight.shape
        block = share[i0:i0 + h, j0:j0 + w]
        np.maximum(block, weight[:block.shape[0], :block.shape[1]], out=block)
    return share


def match_seam_tone(frame, coarse: np.ndarray, share: np.ndarray, edge_depth: np.ndarray,
                    window) -> None:
    """In place: frame [3, S, S] (+offset; numpy or a tensor), where share [g, g] (``painted_share``)
    says the passes painted it, moved to the low frequencies of the real skin beside it. coarse
    [g, g, 2]: the frame's displacement at the nodes (source - target, px); edge_depth [S, S]: px
    inside the photo's face (``WarpMesh.edge_depth``); window (x0, y0, x1, y1): where the frame is
    valid."""
    painted = share > PAINTED
    if not painted.any():
        return
    size, g = frame.shape[-1], share.shape[0]
    step = size / g
    sigma = SIGMA * size / 512.0 / step                         # in nodes
    reach = int(np.ceil(3 * sigma)) + 1
    rows, cols = np.nonzero(painted)
    # the nodes around the painted ones whose cells lie inside the frame's valid window
    i0 = max(rows.min() - reach, int(np.ceil(window[1] / step)))
    j0 = max(cols.min() - reach, int(np.ceil(window[0] / step)))
    i1 = min(rows.max() + reach + 1, int(np.floor(window[3] / step)), g)
    j1 = min(cols.max() + reach + 1, int(np.floor(window[2] / step)), g)
    if i1 - i0 < 2 or j1 - j0 < 2:
        return
    x0, y0, x1, y1 = (int(round(v * step)) for v in (j0, i0, j1, i1))
    pixels = frame[:, y0:y1, x0:x1]
    pixels = (pixels if isinstance(pixels, np.ndarray) else pixels.cpu().numpy()).transpose(1, 2, 0)
    h, w = i1 - i0, j1 - j0
    colour = cv2.resize(np.ascontiguousarray(pixels, dtype=np.float32), (w, h), interpolation=cv2.INTER_AREA)
    # real skin: nodes sampling deep inside the photo's face, clear of the painted ones by a node
    nodes = (np.stack(np.meshgrid(np.arange(j0, j1), np.arange(i0, i1)), -1) + 0.5) * step
    src = np.clip((nodes + coarse[i0:i1, j0:j1]).astype(np.int64), 0, size - 1)
    deep = edge_depth[src[..., 1], src[..., 0]] >= EDGE * size / 512.0
    beside = cv2.dilate((share[i0:i1, j0:j1] > 0.02).astype(np.uint8), np.ones((3, 3), np.uint8)) == 0
    skin = (deep & beside).astype(np.float32)
    mine = share[i0:i1, j0:j1] * painted[i0:i1, j0:j1]

    def mean(weight):
        num = cv2.GaussianBlur(colour * weight[..., None], (0, 0), sigma, borderType=cv2.BORDER_CONSTANT)
        den = cv2.GaussianBlur(weight, (0, 0), sigma, borderType=cv2.BORDER_CONSTANT)
        return num / np.maximum(den, 1e-6)[..., None], den
    skin_mean, skin_share = mean(skin)
    own_mean, _ = mean(mine)
    sure = np.clip(skin_share / SURE, 0.0, 1.0)
    delta = (skin_mean - own_mean) * (mine * sure)[..., None]
    # feathered across the seam: the shift ramps over FEATHER px on both sides (the real skin
    # beside takes part of it), a gradient rather than a step; never onto what is not the
    # face (background, hair beyond the outline: nodes sampling outside the photo's face)
    feather = FEATHER * size / 512.0 / step
    spread = cv2.GaussianBlur(mine, (0, 0), feather, borderType=cv2.BORDER_CONSTANT)
    delta = cv2.GaussianBlur(delta, (0, 0), feather, borderType=cv2.BORDER_CONSTANT)
    delta /= np.maximum(spread, 1e-6)[..., None]
    face = painted[i0:i1, j0:j1] | (edge_depth[src[..., 1], src[..., 0]] > 0)
    delta *= (np.minimum(2.0 * spread, 1.0) * face)[..., None]     # (a thin strip's own nodes in full)
    # node field -> pixels (bilinear between node centres), over the nodes it moves only
    rows, cols = np.nonzero(np.abs(delta).max(2) > 0.25)
    if len(rows) == 0:
        return
    a0, a1, b0, b1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    x0, y0, x1, y1 = (int(round(v * step)) for v in (j0 + b0, i0 + a0, j0 + b1, i0 + a1))
    shift = cv2.resize(np.ascontiguousarray(delta[a0:a1, b0:b1], dtype=np.float32), (x1 - x0, y1 - y0),
                       interpolation=cv2.INTER_LINEAR)
    lo, hi = np.float32(flow.TEXTURE_OFFSET), np.float32(255.0 + flow.TEXTURE_OFFSET)
    if isinstance(frame, np.ndarray):
        view = frame.transpose(1, 2, 0)[y0:y1, x0:x1]
        np.clip(view + shift, lo, hi, out=view)
        return
    import torch
    add = torch.from_numpy(np.ascontiguousarray(shift.transpose(2, 0, 1))).to(frame.device, frame.dtype)
    frame[:, y0:y1, x0:x1] = torch.clamp(frame[:, y0:y1, x0:x1] + add, float(lo), float(hi))
