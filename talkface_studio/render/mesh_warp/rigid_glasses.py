"""Glasses move with the skull: the warp inside the frame's footprint follows the head's rigid motion.

The mesh warp moves the skin around the eyes with the brows, lids and cheeks, and a pair of
glasses painted on that skin bends with them. Where the portrait wears glasses
(``face.glasses.detect``), the frame's footprint (``face.glasses.footprint``: the band of the
rims, the bridge and the arms; the lenses' insides are left to the warp, so the eyes behind keep
blinking and looking around) takes the head's rigid motion instead: a 2-D affine map fitted to
the pose-stable landmarks (forehead, nose bridge, eye corners, temples), blended in over the
footprint's feathered edge. Done on the coarse displacement grid, so it costs a few hundred
multiplications per frame.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import map_coordinates

from talkface_studio.face.topology import REGIONS

STABLE = np.asarray(REGIONS["stable"])


def rigid_map(source_lm: np.ndarray, frame_lm: np.ndarray) -> np.ndarray:
    """[2, 3] affine taking frame pixels to portrait pixels, least squares on the stable points."""
    f = frame_lm[STABLE, :2]
    s = source_lm[STABLE, :2]
    a = np.concatenate([f, np.ones((len(f), 1))], axis=1)
    sol, *_ = np.linalg.lstsq(a, s, rcond=None)
    return sol.T


def hold_glasses(coarse: np.ndarray, nodes: np.ndarray, footprint: np.ndarray, box,
                 source_lm: np.ndarray, frame_lm: np.ndarray) -> np.ndarray:
    """coarse [g, g, 2] displacement (source - target px) at ``nodes`` [g, g, 2] -> the same with
    the glasses' footprint [S, S] (portrait pixels; ``box`` (x0, y0, x1, y1) bounds it) moving
    rigidly with the head."""
    m = rigid_map(source_lm, frame_lm)
    src = nodes @ m[:, :2].T + m[:, 2]                         # where each node's pixel comes from
    x0, y0, x1, y1 = box
    near = (src[..., 0] > x0 - 2) & (src[..., 0] < x1 + 2) & (src[..., 1] > y0 - 2) & (src[..., 1] < y1 + 2)
    if not near.any():
        return coarse
    w = np.zeros(near.shape, np.float32)
    pts = src[near]
    w[near] = map_coordinates(footprint, [pts[:, 1] - 0.5, pts[:, 0] - 0.5], order=1, mode="constant")
    rigid = src - nodes
    return coarse + (rigid - coarse) * w[..., None]
