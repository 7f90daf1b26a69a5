"""A lowered brow comes to rest on the eye: it narrows the eye, it never slides over it.

Stage 1 lowers the brows by millimetres on the canonical face (anger's AU4 ~8 mm at level 3), but a
portrait's own room between brow and lid varies: deep-set eyes, a head tipped forward, the far eye
of a turned head. Where the room is smaller than the lowering, the brow's lower edge came down
past the upper lid, even past the lower one (the far eye of the 112-px crop in anger): the mesh folds
the whole eye under the brow, and the eye drawing (``eyes.draw_eye``: iris at the gaze, lid skin)
then paints an eye inside the lids over the brow, a pasted-on eye with no brow above it.

Skin does not do that: the brow pushes the lid's fold down ahead of it, and the upper lid with it,
narrowing the eye; the brow stops where the folded skin will not compress further. So, per frame,
in each eye's own frame (u along the corners, v across): the brow's lower edge keeps at least
``ROOM`` of the photo's distance from it down to the lower lid (the photo's lower lid carried with
the frame's eye corners, at the frame's scale: ``room``), and the upper lid stays ``MARGIN`` below
the brow's lower edge, pushed down where the brow comes closer (never below the lower lid). The
reference is the lower lid at rest because neither a blink nor a tensed lid moves it (a brow held
against the upper lid, or the moving lower lid, would pop at every blink). The skin above a held brow rises
with it (``_carried``: the forehead stretches, it does not fold), and the hold fades out beyond
the eye's corners (a brow's tail over the temple covers no eye). Both limits bend in smoothly
(``soft_excess``), so the result is continuous in the landmarks; frames whose brows stay clear of
their lids are returned as they are. The eye drawing stops a lowered lid's painted skin at the
brow's lower edge too (``eyes._draw_lid``). Cost: a few small numpy passes over the 478 points.
"""

from __future__ import annotations

import numpy as np

from talkface_studio.face.topology import N_LANDMARKS, TRIANGLES

from .face_loops import EYES
from .rim_frame import Axis

# the lids and irises: moved by blinks, gaze and their own code, never carried with a brow
EYE_POINTS = np.concatenate([np.concatenate([rim.loop, [rim.iris_centre], rim.iris_ring]) for rim in EYES])
RINGS = 3       # triangle rings round a brow whose points may be carried with it


def _around(ids: np.ndarray, rings: int) -> np.ndarray:
    """bool [N]: the mesh points within ``rings`` triangles of ``ids`` on the face's surface (a
    turned head's far jaw can lie beside the far brow in the image; it is not the brow's skin)."""
    tris = np.asarray(TRIANGLES)
    near = np.zeros(N_LANDMARKS, bool)
    near[ids] = True
    for _ in range(rings):
        near[tris[near[tris].any(1)]] = True
    return near


# per eye: the skin a held brow may carry (its brow's neighbourhood on the mesh, the eyes left out)
SKIN = tuple(_around(np.concatenate([rim.brow_lower, rim.brow_upper]), RINGS) for rim in EYES)
for _skin in SKIN:
    _skin[EYE_POINTS] = False
ROOM = 0.35     # least share of the photo's brow-to-lower-lid distance a lowered brow leaves
MARGIN = 0.03   # upper lid below the brow's lower edge, in eye widths (~1 mm of lid skin)
SOFT = 0.05     # width of the limits' smooth bend, in eye widths
BEYOND = 0.3    # eye widths beyond its corners over which a brow's hold fades out
REACH = 0.5     # the skin above a held brow rises with it, fading over this many eye widths
BELOW = 0.1     # ... and the lid's skin below it over this many


def soft_excess(x: np.ndarray, width: float) -> np.ndarray:
    """max(x, 0) with the corner rounded over [-width, width] (C1): 0 below -width, x above width."""
    x = np.asarray(x, dtype=np.float64)
    w = max(float(width), 1e-9)
    return np.where(x >= w, x, np.where(x <= -w, 0.0, (x + w) ** 2 / (4.0 * w)))


def _profile(p: np.ndarray, ids: np.ndarray, axis: Axis, corners) -> tuple[np.ndarray, np.ndarray]:
    """(u sorted, v) of a lid: its points between the eye's two corners."""
    u, v = axis.to_uv(np.concatenate([p[[corners[0]], :2], p[ids, :2], p[[corners[1]], :2]]))
    order = np.argsort(u)
    return u[order], v[order]


def room(p: np.ndarray, src: np.ndarray, rim, zoom: float) -> np.ndarray:
    """Per point of the brow's lower row of landmarks p [N, 3] (output px): its distance (px,
    across the eye) down to the eye's lower lid at rest, the photo's (src [N, 3]) lower lid carried
    with the frame's eye corners at the frame's scale ``zoom`` (a blink or a tensed lid moving
    the lid itself does not move the brow)."""
    src_axis = Axis.between(src[rim.corners[0], :2], src[rim.corners[1], :2])
    lu, lv = _profile(src, rim.lower, src_axis, rim.corners)
    axis = Axis.between(p[rim.corners[0], :2], p[rim.corners[1], :2])
    bu, bv = axis.to_uv(p[rim.brow_lower, :2])
    return zoom * np.interp(bu, lu, lv) - bv


def _carried(lm: np.ndarray, axis: Axis, lower: np.ndarray, upper: np.ndarray, lift: np.ndarray,
             skin: np.ndarray) -> np.ndarray:
    """Per landmark [N]: how far (px, up across the eye) it rises with a brow whose lower-row
    points rise by ``lift``: the brow itself by its lift where it lies along the eye, the skin
    above it by a share that fades over ``REACH`` eye widths up (and as far beyond the brow's
    ends), so the forehead and temple stretch rather than fold over a held brow, and the lid's
    skin below it by a share that fades over ``BELOW``; only points of ``skin`` [N] bool (the
    brow's neighbourhood on the mesh; never the eyes)."""
    u, v = axis.to_uv(lm[:, :2])
    bu, bv = axis.to_uv(lm[lower, :2])
    tu, tv = axis.to_uv(lm[upper, :2])
    o, t = np.argsort(bu), np.argsort(tu)
    low, top = np.interp(u, bu[o], bv[o]), np.interp(u, tu[t], tv[t])
    reach = REACH * axis.width
    share = np.clip(1.0 - (top - v) / reach, 0.0, 1.0)                   # 1 down to the upper row
    share = np.minimum(share, np.clip(1.0 - (v - low) / (BELOW * axis.width), 0.0, 1.0))
    beyond = np.maximum(bu.min() - u, u - bu.max()) * axis.width         # px past the brow's ends
    share *= np.clip(1.0 - beyond / reach, 0.0, 1.0)
    return np.interp(u, bu[o], lift[o]) * share * skin


def rest_brows(lm: np.ndarray, src: np.ndarray, zoom: float) -> np.ndarray:
    """Frame landmarks lm [N, 3] (output px) with each brow held at ``ROOM`` of the photo's
    (src [N, 3], the same px at the photo's scale; ``zoom``: frame scale over photo scale) room
    above the lower lid, the skin above it with it (``_carried``), and each upper lid pushed
    ``MARGIN`` below its brow; lm itself where no brow comes near its eye."""
    rise = np.zeros((len(lm), 2))               # per point: px it moves up across its eye
    weight = np.zeros(len(lm))
    for rim, skin in zip(EYES, SKIN):
        lower, upper = rim.brow_lower, rim.brow_upper
        axis = Axis.between(lm[rim.corners[0], :2], lm[rim.corners[1], :2])
        # how far each brow point comes below its floor (the photo's room, at the frame's scale)
        floor = ROOM * zoom * room(src, src, rim, 1.0)
        bu, bv = axis.to_uv(lm[lower, :2])
        # over the eye only: beyond its corners (a brow's tail, its head by the nose) nothing is
        # drawn under the brow, and the skin there is the temple's and the nose root's
        over = np.clip(1.0 - np.maximum(-bu, bu - 1.0) / BEYOND, 0.0, 1.0)
        lift = soft_excess(floor - room(lm, src, rim, zoom), SOFT * axis.width) * over
        order = np.argsort(bu)
        lid_u, lid_v = axis.to_uv(lm[rim.upper, :2])
        edge = np.interp(lid_u, bu[order], (bv - lift)[order]) + MARGIN * axis.width
        push = soft_excess(edge - lid_v, SOFT * axis.width)
        lu, lv = _profile(lm, rim.lower, axis, rim.corners)
        push = np.minimum(push, np.maximum(np.interp(lid_u, lu, lv) - lid_v, 0.0))   # not past the lower lid
        if lift.any():
            # the skin between the brows rises with both: by the mean of the two lifts, each
            # weighted by itself (continuous; one brow's alone where the other does not reach)
            carried = _carried(lm, axis, lower, upper, lift, skin)
            rise += np.outer(carried * carried, axis.ey)
            weight += carried
        if push.any():
            rise[rim.upper] = -np.outer(push, axis.ey)
            weight[rim.upper] = 1.0
    if not weight.any():
        return lm
    rise /= np.maximum(weight, 1e-12)[:, None]
    out = np.array(lm, dtype=np.float64, copy=True)
    out[:, :2] -= rise
    return out
