"""Glasses move with the skull: the warp inside the frame's footprint follows the head's rigid motion.

The mesh warp moves the skin around the eyes with the brows, lids and cheeks, and a pair of
glasses painted on that skin bends with them. Where the portrait wears glasses
(``face.glasses.detect``), the frame's footprint (``face.glasses.footprint``: the band of the
rims, the bridge and the arms; the lenses' insides are left to the warp, so the eyes behind keep
blinking and looking around) takes the head's rigid motion instead, blended in over the
footprint's feathered edge.

The rigid motion is the portrait's own face mesh moved by the 3-D similarity fitted to the
pose-stable landmarks (forehead, nose bridge, eye corners, temples), and warped like any frame:
a turned head's far lens and arm are foreshortened and fold out of sight with the face they sit
on. (A 2-D affine fit, used before, only shifts and scales them in the image plane: turned 25
degrees, the far arm was carried ~60 px beyond the cheek's outline, a wing over the background.)
The expression is the portrait's, so brows and lids moving under the rims do not drag them.
Where the warp would fetch a pixel from behind the top bar (skin pulled out from under it), the
node is held too (``hold_glasses``' ``bar``). ``find_glasses`` finds them once per portrait.
One more coarse raster, of the nodes around the glasses (~1 ms a frame at 512 px more than the
affine fit), for portraits with glasses only.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import map_coordinates

from talkface_studio.face.geometry import fit_similarity
from talkface_studio.face import glasses
from talkface_studio.face.topology import REGIONS, TRIANGLES

from .gap_fill import fill_harmonic
from .raster import node_step, rasterize_window
from .warp_mesh import WarpMesh

def _skull_points() -> np.ndarray:
    """The pose-stable points less those sharing a triangle with a brow (the glabella, 8, 9, 193,
    417): a lowered brow carries them ahead of it (``unfold_expression.carry_skin``), and fitted
    on, they pulled the held frame down with an angry brow (1 px at 256 px)."""
    tri = np.asarray(TRIANGLES)
    brows = np.concatenate([REGIONS["left_brow"], REGIONS["right_brow"]])
    near = np.unique(tri[np.isin(tri, brows).any(axis=1)])
    return np.setdiff1d(np.asarray(REGIONS["stable"]), near)


STABLE = _skull_points()


def skull_landmarks(source_lm: np.ndarray, frame_lm: np.ndarray) -> np.ndarray:
    """The portrait's landmarks [478, 3] moved rigidly (rotation, scale, shift in 3-D) onto the
    frame's stable points (``STABLE``): where the skull, and whatever it carries unbent, lands in
    the frame."""
    rot, scale, shift = fit_similarity(source_lm[STABLE], frame_lm[STABLE])
    return source_lm @ (scale * rot).T + shift


def find_glasses(image: np.ndarray, image_lm: np.ndarray, size: int, lm: np.ndarray):
    """(footprint [size, size], its box, top bar [size, size]) of the portrait's glasses
    (``face.glasses``), or None without glasses: the arguments of ``hold_glasses`` after
    ``coarse, nodes``. Found on the portrait at its own resolution (image, image_lm): at a small
    render size the frames' lines blur into the skin and the same face scored under the threshold;
    lm: its landmarks at the render size."""
    found = glasses.detect(image, image_lm)
    if not found.present:
        return None
    fp = glasses.footprint((size, size), lm, found)
    ys, xs = np.nonzero(fp > 0)
    box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    return fp, box, glasses.top_bar((size, size), lm, found)


def hold_glasses(coarse: np.ndarray, nodes: np.ndarray, footprint: np.ndarray, box, bar: np.ndarray,
                 source_lm: np.ndarray, frame_lm: np.ndarray, mesh: WarpMesh) -> np.ndarray:
    """coarse [g, g, 2] displacement (source - target px) at ``nodes`` [g, g, 2] -> the same with
    the glasses' footprint [S, S] (portrait pixels; ``box`` (x0, y0, x1, y1) bounds it) moving
    rigidly with the head. bar [S, S]: the part of it that hides what lies behind (the top bar,
    ``face.glasses.top_bar``). mesh: the portrait's warp mesh (``warp_mesh``)."""
    g, size = coarse.shape[0], footprint.shape[0]
    source_lm = np.asarray(source_lm, np.float64)
    skull = skull_landmarks(source_lm, np.asarray(frame_lm, np.float64))
    # the nodes the glasses can reach: where the skull carries the landmarks inside their box
    x0, y0, x1, y1 = box
    inside = (source_lm[:, 0] >= x0) & (source_lm[:, 0] <= x1) & (source_lm[:, 1] >= y0) & (source_lm[:, 1] <= y1)
    if not inside.any():
        return coarse
    step = node_step(g, size)
    lo = np.floor(skull[inside, :2].min(0) / step - 3).astype(int).clip(0, g - 1)
    hi = np.ceil(skull[inside, :2].max(0) / step + 3).astype(int).clip(0, g - 1)
    (j0, i0), (j1, i1) = lo, hi + 1
    pts, depth = mesh.target_points(skull)
    rigid, covered = rasterize_window(mesh, pts, depth, j0, i0, j1 - j0, i1 - i0, step=step)
    if not covered.any():
        return coarse
    fill_harmonic(rigid, covered)
    nodes = nodes[i0:i1, j0:j1]
    out = coarse.copy()
    block = out[i0:i1, j0:j1]
    # A node is held where its pixel comes rigidly from the frame, and also where the warp would
    # fetch it from behind the top bar: brows raised from under a thick bar would carry the bar's
    # pixels up with them (a torn-off copy). Only the bar: a lens's round band lies over the brows
    # of many faces, and brows moving out of it are brows, not frame.
    w = np.maximum(_footprint_at(footprint, nodes + rigid, box), _footprint_at(bar, nodes + block, box))
    if not w.any():
        return coarse
    block += (rigid - block) * w[..., None]
    return out


def _footprint_at(footprint: np.ndarray, src: np.ndarray, box) -> np.ndarray:
    """The footprint [S, S] sampled at portrait positions src [..., 2] (0 outside its box)."""
    x0, y0, x1, y1 = box
    near = (src[..., 0] > x0 - 2) & (src[..., 0] < x1 + 2) & (src[..., 1] > y0 - 2) & (src[..., 1] < y1 + 2)
    w = np.zeros(near.shape, np.float32)
    if near.any():
        p = src[near]
        w[near] = map_coordinates(footprint, [p[:, 1] - 0.5, p[:, 0] - 0.5], order=1, mode="constant")
    return w
