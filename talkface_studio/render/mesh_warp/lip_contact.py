"""Lips that press together meet cleanly; they never pass through each other.

The warp's displacement is computed on a coarse grid (~4 px) and upsampled. Where the frame's lips
close over a portrait whose mouth is open, the displacement jumps across the lip line by the
portrait's whole opening (upper lip above the teeth, lower lip below them), and bilinear
upsampling between a node on either side samples the teeth in between: a jagged white sliver,
one grid cell wide, wherever the nodes straddle the line, changing from frame to frame. So the
band along the lips' meeting line is rasterised again at every pixel (``raster.rasterize_window``,
the lips' triangles only) and blended into the sampling grid over a feathered border: the lips
meet on one clean line.

A stage-1 backend pressing the lips (/m/, an angry press) can leave the inner lower lip a pixel
or two above the inner upper lip. The warp would then turn the mouth's hole triangles over and
paste the portrait's mouth (its teeth, or its dark seam) mirrored into a stair-stepped sliver
along the lips. Where a pair of inner-lip points has crossed, both move to their midpoint along
the mouth's normal: the opening closes to a line, its triangles have no area, and the lips'
own triangles meet there.

Seen from above (a head pitched down), a lip's outline can project past its own inner rim, the
lip's triangles fold over, the rasteriser leaves them out, and the seam came out ragged with
flecks of whatever filled the holes: in the image each ring of a lip keeps the least distance from
the rim that relocation allows it (``relocate.least_ring_offsets``, against the photo's;
``keep_lips_whole``).

With the head turned, the far mouth corner's commissure is squeezed into a few pixels and the
coarse grid smeared the portrait's dark corner pit into the skin beside it (a notch just outside
the opening): that corner is rasterised at every pixel too (``refine_corners``). Turned further, the
corner folds behind the cheek; the pixels its undrawn triangle leaves take the cheek beside them
(``_fill_folds``), not the field interpolated across the squeezed lip.
"""

from __future__ import annotations

import numpy as np

from . import flow
from .face_loops import INNER_LOWER_LIP, INNER_UPPER_LIP, MOUTH_CORNERS
from .raster import rasterize_window
from .warp_mesh import WarpMesh
from talkface_studio.face.relocate import LIP_RINGS, least_ring_offsets
from talkface_studio.face.topology import REGIONS

EYE_CORNERS = (33, 263)
OUTER_CORNERS = (61, 291)
CORNER_REACH = 0.1   # mouth widths around the far corner (inner to outer) refined when turned
TURNED = (0.08, 0.16)  # depth difference of the outer corners / eye span (~8 to ~16 degrees of yaw)
FEATHER = 4          # px over which the exact lip window blends into the coarse warp


def uncross_lips(lm: np.ndarray) -> np.ndarray:
    """lm [478, 3] -> the same landmarks (a copy only if anything moved) with no inner-lip pair
    crossed: the lower point never above the upper one along the mouth's normal."""
    ey = _mouth_normal(lm)
    up, lo = lm[INNER_UPPER_LIP, :2], lm[INNER_LOWER_LIP, :2]
    gap = (lo - up) @ ey
    crossed = gap < 0
    if not crossed.any():
        return lm
    out = np.array(lm, copy=True)
    half = (0.5 * gap[crossed])[:, None] * ey
    out[INNER_UPPER_LIP[crossed], :2] = up[crossed] + half
    out[INNER_LOWER_LIP[crossed], :2] = lo[crossed] - half
    return out


def keep_lips_whole(lm: np.ndarray, src: np.ndarray) -> np.ndarray:
    """lm [478, 3] -> the same landmarks (a copy only if anything moved) with every ring of each
    lip at least ``relocate.LIP_KEEP`` of its distance in the photo (src, the same pixels) from its
    inner rim, along the mouth's normal in the image; only the outer rings move, so the rims (where
    the lips meet) stay."""
    out = None
    ey, s_ey = _mouth_normal(lm), _mouth_normal(src)
    for rings, outwards in LIP_RINGS:
        own = outwards * ((src[rings[1:], :2] - src[rings[0], :2][None]) @ s_ey)        # [3, C] px
        least = least_ring_offsets(own)
        now = outwards * ((lm[rings[1:], :2] - lm[rings[0], :2][None]) @ ey)
        lack = least - now
        if not (lack > 0).any():
            continue
        if out is None:
            out = np.array(lm, copy=True)
        out[rings[1:], :2] += (outwards * np.clip(lack, 0, None))[..., None] * ey
    return lm if out is None else out


def _mouth_normal(lm: np.ndarray) -> np.ndarray:
    """Unit vector across the mouth (down for an upright face), from the inner corners."""
    a, b = lm[MOUTH_CORNERS[0], :2], lm[MOUTH_CORNERS[1], :2]
    ex = (b - a) / max(float(np.linalg.norm(b - a)), 1e-6)
    return np.array([-ex[1], ex[0]])


def refine_lips(grid, mesh: WarpMesh, points: np.ndarray, depth: np.ndarray, lm: np.ndarray,
                size: int, source_lm: np.ndarray, step: float) -> None:
    """In place: the sampling grid [1, S, S, 2] exact at every pixel along the lips' meeting line,
    where the frame's lips are closer together than the portrait's (elsewhere the displacement
    has no jump the coarse grid could smear). ``step``: pixels between the coarse grid's nodes."""
    gap = np.linalg.norm(lm[INNER_LOWER_LIP, :2] - lm[INNER_UPPER_LIP, :2], axis=1)
    own = np.linalg.norm(source_lm[INNER_LOWER_LIP, :2] - source_lm[INNER_UPPER_LIP, :2], axis=1)
    if not np.any(own - gap > 0.5 * step):
        return
    rim = lm[np.concatenate([INNER_UPPER_LIP, INNER_LOWER_LIP, MOUTH_CORNERS]), :2]
    _refine_box(grid, mesh, points, depth, rim.min(0), rim.max(0), 1.5 * step + FEATHER + 1, size)


def refine_corners(grid, mesh: WarpMesh, points: np.ndarray, depth: np.ndarray, lm: np.ndarray,
                   size: int) -> None:
    """In place: with the head turned, the sampling grid exact at every pixel around the far mouth
    corner. Its commissure is squeezed into a few pixels there, and bilinear upsampling between
    nodes either side of it sampled the portrait's dark corner pit (or its opening) into the skin
    just outside the frame's corner: a dark notch. Straight on nothing changes (nor costs)."""
    eye = float(np.linalg.norm(lm[EYE_CORNERS[1]] - lm[EYE_CORNERS[0]]))
    turn = float(lm[OUTER_CORNERS[1], 2] - lm[OUTER_CORNERS[0], 2]) / max(eye, 1e-6)
    amount = float(np.clip((abs(turn) - TURNED[0]) / (TURNED[1] - TURNED[0]), 0.0, 1.0))
    if amount <= 0:
        return
    far = 1 if turn > 0 else 0                  # depth grows away from the camera
    ends = lm[[MOUTH_CORNERS[far], OUTER_CORNERS[far]], :2]
    width = float(np.linalg.norm(lm[OUTER_CORNERS[1], :2] - lm[OUTER_CORNERS[0], :2]))
    # every triangle: the cheek's next to the commissure carry the pit too
    _refine_box(grid, mesh, points, depth, ends.min(0), ends.max(0), CORNER_REACH * width + FEATHER + 1,
                size, amount, every=True)


def _refine_box(grid, mesh: WarpMesh, points: np.ndarray, depth: np.ndarray, lo: np.ndarray,
                hi: np.ndarray, pad: float, size: int, amount: float = 1.0, every: bool = False) -> None:
    """The lips' triangles (``every``: all the face's) rasterised exactly over the box lo..hi
    (+ pad), blended into the grid over a feathered border (times ``amount``)."""
    x0, y0 = np.floor(lo - pad).astype(int).clip(0, size)
    x1, y1 = np.minimum(np.ceil(hi + pad).astype(int), size)
    w, h = int(x1 - x0), int(y1 - y0)
    if w < 2 * FEATHER + 2 or h < 2 * FEATHER + 2:
        return
    if every:
        disp, covered, folds = rasterize_window(mesh, points, depth, int(x0), int(y0), w, h, folds=True)
        if folds is not None:
            covered = _fill_folds(disp, covered, *folds)
    else:
        disp, covered = rasterize_window(mesh, points, depth, int(x0), int(y0), w, h, only=_lip_triangles(mesh))
    ramp_x = np.minimum(np.arange(w) + 0.5, w - np.arange(w) - 0.5) / FEATHER
    ramp_y = np.minimum(np.arange(h) + 0.5, h - np.arange(h) - 0.5) / FEATHER
    alpha = np.clip(np.minimum(ramp_y[:, None], ramp_x[None, :]), 0.0, 1.0) * covered * amount
    flow.refine(grid, disp, alpha, int(x0), int(y0))


def _fill_folds(disp: np.ndarray, covered: np.ndarray, fold: np.ndarray, folded: np.ndarray) -> np.ndarray:
    """In place: the window's pixels that only folded (undrawn) triangles cover (``folded``; fold:
    where in the photo their own surface lies, as displacement) take the nearest photo point to
    that among those the window draws; returns the covered mask with them added. A turned
    head's far mouth corner folds behind the cheek: its triangle is dropped, and the coarse grid
    filled the hole between the lip (the photo's corner squeezed several times) and the cheek by
    interpolating across that jump, through the photo's lip corner: a pale hook ringed in lip
    colour just outside the corner. The photo point nearest the fold's own is the cheek's."""
    holes = folded & ~covered
    if not holes.any() or not covered.any():
        return covered
    hy, hx = np.nonzero(holes)
    cy, cx = np.nonzero(covered)
    here = np.stack([hx, hy], axis=1) + 0.5
    drawn = np.stack([cx, cy], axis=1) + 0.5 + disp[cy, cx]   # the photo points the window shows
    wanted = here + fold[hy, hx]                              # where each hole's own surface lies
    dx, dy = wanted[:, None, 0] - drawn[None, :, 0], wanted[:, None, 1] - drawn[None, :, 1]
    nearest = np.argmin(dx * dx + dy * dy, axis=1)
    disp[hy, hx] = drawn[nearest] - here
    return covered | holes


_LIP_TRIS: dict = {}


def _lip_triangles(mesh: WarpMesh) -> np.ndarray:
    """Mask [F] of the mesh's triangles touching the lips (their rims, the mouth's hole, the skin
    around them): the only ones the lips' window needs."""
    # keyed by the triangles array itself, held here: a bare id() is reused once a mesh is freed,
    # and the next portrait's mesh (another triangle count) then got the old mask
    key = id(mesh.triangles)
    if key not in _LIP_TRIS or _LIP_TRIS[key][0] is not mesh.triangles:
        lips = np.zeros(mesh.src.shape[0], bool)
        lips[np.asarray(REGIONS["lips"])] = True
        touch = lips[mesh.triangles].any(axis=1)
        touch[mesh.n_face_tris:] = False
        _LIP_TRIS.clear()
        _LIP_TRIS[key] = (mesh.triangles, touch)
    return _LIP_TRIS[key][1]
