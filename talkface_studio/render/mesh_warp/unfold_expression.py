"""Keep an expression from folding a surface the photo shows facing the camera.

Where the photo sees a surface nearly edge-on (the far side wall of the nose of a face rolled and
turned a little, an eye's corner, the lips' edge), its triangles are a fraction of a pixel to a few
pixels in the photo, and a strong expression (the nose wrinkle of disgust) moves their corners
across each other: the triangles turn their back to the camera and the raster drops them, so the
texture on one side of that wall meets the other's along a line, a crease.

The photo's face, turned in the image plane only (roll, scale, shift fitted per frame on points
expressions move least: ``reference``; a turn out of the image plane counts from TURN_FROM), faces the camera everywhere the photo does; what the frame
adds to it is expression and a little turn. Where a triangle the photo sees nearly edge-on
(``EDGE_ON``) would fold, those additions at its corners are scaled down, just enough that it keeps
``KEEP`` of that reference area (a sliver: the wall stays about as thin as the photo showed it,
and where a turn brings the nose over it the depth test still hides it), and no more, nor further
than the triangle's size warrants (``RELAX_REACH``: a sliver is not worth dragging the cheek by it);
the scale is continuous in the landmarks, so nothing pops from frame to frame. A fold of what the photo
sees from the front (a brow lowered over the lid) is the face's own and stays. Points drawn by
their own code (lips and lids: a closing mouth and a blink must close) and the brows (what reads
anger and disgust most) keep their full motion (the renderer names them). Relaxing may not fold
a neighbour the frame had facing: there its points go only part of the way.

The brows move further than the skin the expression leaves beside them: a disgust's inner brow
drops ~10 mm and runs over the nose's root between the eyes, folding a triangle the photo sees
from the front (the raster drops it; a dark or bright speck by the inner eye corner). Skin does
not fold there, it is pushed ahead: where a brow point would turn a front triangle's back, its
other corners are carried along with the brow (``carry_skin``), just enough that it keeps KEEP of
its posed area, and skin so carried carries the ring beyond it in turn (``CARRIED_KEEP``; last:
relaxing toward the pose would take the push back). Cost: two small SVDs and a few vectorised
passes over ~850 triangles, 2-5 ms a frame (``benchmarks/bench_unfold.py``).

The converse, first: what the photo shows turned away, folded behind a far cheek's outline, an
expression does not turn to the camera (``keep_hidden``); only a turn of the head shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from talkface_studio.face.topology import REGIONS

from .brow_hair import carry_brow_hair
from .brow_rest import rest_brows
from .chin_skin import share_chin_stretch
from .lip_contact import keep_lips_whole, uncross_lips
from .triangle_area import RELIABLE_AREA, signed_areas
from .warp_mesh import WarpMesh

KEEP = 0.05         # least share of its posed area an expression leaves a guarded triangle
ROUNDS = 4          # corners shared by two folding triangles may need a second pass
CARRY_ROUNDS = 8    # a brow's push travels this many rings of skin at most (``carry_skin``)
# skin pushed on by pushed skin keeps this share of its posed area (a brow's own triangle KEEP):
# kept to KEEP, ring after ring ended as slivers, a jagged line; at 0.2 still some teeth
CARRIED_KEEP = 0.4
PUSHED = 1.0        # px: skin pushed this far drives the ring beyond and is no longer carried by it
SETTLED = 0.1       # px: a round of pushes that moves no point further than this ends them
# guarded: triangles the photo sees at most this much of (its area over the triangle's 3-D area,
# the cosine of its tilt from the camera: 0.2 is 78 degrees), a surface seen nearly edge-on. A
# strong expression's folds of what the photo sees from the front (a brow lowered over the lid,
# cos 0.3-1) are the face's own and stay; the crease along a nose's side wall was 0-0.15.
EDGE_ON = 0.2
TURN_FROM, TURN_AT = 6.0, 14.0   # degrees out of the image plane (``reference``)
HIDDEN_TURN = (6.0, 10.0)        # the same for what the photo shows turned away (``keep_hidden``)
FADE = 1.0          # px^2
# A guarded triangle pulls its free corners toward the pose by at most this many times its size
# (the square root of its posed area, or of the area by which the frame folds it, whichever is
# larger, plus FADE) per pass. Unbounded, a sliver at the far mouth corner of a small face that a
# smile folds dragged a cheek point 20+ px: a tail of lip-coloured skin out of the corner, and a
# 15-px jump from one frame to the next wherever a neighbour's hold-back switched it on and off.
RELAX_REACH = 0.5


@dataclass(frozen=True)
class FacingGuard:
    """What one portrait needs to guard its frames (built once per portrait and size)."""

    src: np.ndarray        # [N, 3] the photo's landmarks, output px
    anchors: np.ndarray    # point ids the pose is fitted on (those expressions move least)
    triangles: np.ndarray  # [G, 3] face triangles the photo shows facing the camera
    edge_on: np.ndarray    # [G] bool: those it sees nearly edge-on (``EDGE_ON``), the guarded
                           # ones; the others only may not be folded by the relaxing itself
    facing: float          # +1 / -1: the orientation sign of the face's front in the photo
    free: np.ndarray       # [N] bool: points whose expression offset may be relaxed
    pushers: np.ndarray | None = None   # [N] bool: points that carry the free skin ahead of them
                                        # rather than fold it (the brows; ``carry_skin``)
    hidden: np.ndarray | None = None    # [H, 3] face triangles the photo shows turned away behind
                                        # the outline, with a free corner (``keep_hidden``)
    brow_hair: np.ndarray | None = None  # per brow column, the share of the strip below it that is
                                         # hair (``brow_hair.hair_shares``)


def facing_triangles(src_landmarks: np.ndarray, triangles: np.ndarray):
    """(front [F] bool, edge_on [F] bool, facing): the triangles [F, 3] of src_landmarks [N, 3]
    (output px) the photo shows from the front (a reliable area oriented as most of the face's),
    those it sees nearly edge-on (their 2-D area under ``EDGE_ON`` of their 3-D one), and the
    face front's orientation sign (+1 / -1)."""
    src = np.asarray(src_landmarks, dtype=np.float64)
    area = signed_areas(src[:, :2], triangles)
    facing = 1.0 if area.sum() >= 0 else -1.0
    v = src[triangles]
    area3d = 0.5 * np.linalg.norm(np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0]), axis=1)
    edge_on = np.abs(area) < EDGE_ON * area3d
    front = (np.abs(area) > RELIABLE_AREA) & (np.sign(area) == facing)
    return front, edge_on, facing


def facing_guard(src_landmarks: np.ndarray, triangles: np.ndarray, fixed: np.ndarray,
                 anchors: np.ndarray, completed: np.ndarray | None = None,
                 pushers: np.ndarray | None = None, outline: np.ndarray | None = None) -> FacingGuard:
    """src_landmarks [N, 3] (output px), the face mesh's triangles [F, 3] (no hole fills),
    ``fixed``: point ids that keep their full offsets; ``anchors``: ids the pose is fitted on;
    ``completed`` [F] bool (optional): triangles
    the photo hides that borrow their mirror's colour (``hidden_side``), not guarded; ``pushers``
    (optional): ids that carry the skin ahead of them (``carry_skin``); ``outline`` (optional):
    ids of the face's outline: the turned-away triangles beyond it are kept turned away
    (``keep_hidden``; elsewhere, by the nostrils and the mouth's corners, the folds are the
    features' own, and held there they twitched)."""
    src = np.asarray(src_landmarks, dtype=np.float64)
    front, edge_on, facing = facing_triangles(src, triangles)
    if completed is not None:
        front &= ~completed[:len(triangles)]
    free = np.ones(len(src), dtype=bool)
    free[np.asarray(fixed, dtype=np.int64)] = False
    movable = front & free[triangles].any(axis=1)
    area = signed_areas(src[:, :2], triangles)
    hidden = (np.abs(area) > RELIABLE_AREA) & (np.sign(area) == -facing) & free[triangles].any(axis=1)
    hidden = _beyond_outline(triangles, hidden, outline, len(src))
    push = None
    if pushers is not None:
        push = np.zeros(len(src), dtype=bool)
        push[np.asarray(pushers, dtype=np.int64)] = True
    return FacingGuard(src=src, anchors=np.asarray(anchors, dtype=np.int64), triangles=triangles[movable],
                       edge_on=edge_on[movable], facing=facing, free=free, pushers=push,
                       hidden=triangles[hidden] if hidden.any() else None)


def _beyond_outline(triangles: np.ndarray, hidden: np.ndarray, outline: np.ndarray | None, n: int) -> np.ndarray:
    """[F] bool: of the ``hidden`` triangles, those joined to the outline's points through hidden
    triangles sharing an edge (the strip folded behind a cheek's outline, not a nostril's or a
    mouth corner's own fold)."""
    if outline is None or not hidden.any():
        return np.zeros_like(hidden)
    ids = np.flatnonzero(hidden)
    tris = np.sort(triangles[ids], axis=1)
    edges = np.concatenate([tris[:, [0, 1]], tris[:, [1, 2]], tris[:, [0, 2]]])
    owner = np.tile(np.arange(len(ids)), 3)
    _, edge_id = np.unique(edges, axis=0, return_inverse=True)
    graph = sparse.coo_matrix((np.ones(len(owner)), (owner, edge_id.reshape(-1)))).tocsr()
    _, label = connected_components(graph @ graph.T, directed=False)
    rim = np.zeros(n, dtype=bool)
    rim[np.asarray(outline, dtype=np.int64)] = True
    keep = np.zeros(len(hidden), dtype=bool)
    keep[ids] = np.isin(label, np.unique(label[rim[triangles[ids]].any(axis=1)]))
    return keep


def _similarity(a: np.ndarray, b: np.ndarray):
    """Umeyama's least-squares similarity taking points a [K, D] to b [K, D]: (rotation, scale)
    about their centroids."""
    a, b = a - a.mean(0), b - b.mean(0)
    u, sig, vt = np.linalg.svd(b.T @ a)
    fix = np.ones(a.shape[1])
    fix[-1] = np.sign(np.linalg.det(u @ vt)) or 1.0
    return (u * fix) @ vt, float((sig * fix).sum() / max((a * a).sum(), 1e-12))


def _posed(src: np.ndarray, lm: np.ndarray, anchors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(points [N, 3], rotation [3, 3]): the photo's landmarks src carried by the 3-D similarity
    fitted on the anchors of the frame lm: the frame's head pose without its expression."""
    rot, scale = _similarity(src[anchors], lm[anchors])
    return lm[anchors].mean(0) + scale * (src - src[anchors].mean(0)) @ rot.T, rot


def pose_fits(src: np.ndarray, lm: np.ndarray, anchors: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(posed [N, 3], flat [N, 3], tilt in degrees): the photo's landmarks src [N, 3] carried by
    the similarity fitted on the anchors of the frame lm [N, 3], in 3-D (``_posed``) and in the
    image plane only (roll, scale and shift; depth as posed), and how far the 3-D fit turns out
    of the image plane. Fitted once per frame; ``reference`` blends them."""
    posed, rot = _posed(src, lm, anchors)
    tilt = float(np.degrees(np.arccos(np.clip(rot[2, 2], -1.0, 1.0))))
    rot2, scale2 = _similarity(src[anchors, :2], lm[anchors, :2])
    flat = posed.copy()
    flat[:, :2] = lm[anchors, :2].mean(0) + scale2 * (src[:, :2] - src[anchors, :2].mean(0)) @ rot2.T
    return posed, flat, tilt


def reference(fits: tuple[np.ndarray, np.ndarray, float], turn_from: float = TURN_FROM,
              turn_at: float = TURN_AT) -> tuple[np.ndarray, float]:
    """(points [N, 3], how far 0..1 the fit's turn counts) what the frame would be without its
    expression, from its ``pose_fits``. Turned out of the image plane by less than ``TURN_FROM``
    degrees, only the fit's roll, scale and shift (``flat``: every triangle faces as in the photo;
    a wall the photo sees nearly edge-on is kept from folding by a little turn too, its depth
    there being the tracker's guess); from ``TURN_AT`` on, the full 3-D fit (a real turn may hide
    it behind the nose); blended in between."""
    posed, flat, tilt = fits
    turn = float(np.clip((tilt - turn_from) / (turn_at - turn_from), 0.0, 1.0))
    if turn >= 1.0:
        return posed, 1.0
    return flat + turn * (posed - flat), turn


def _area_above_floor(p: np.ndarray, e: np.ndarray, floor: np.ndarray, facing: float):
    """(c0, c1, c2) [K] each: the facing area of triangles p + s * e (corners p, offsets e
    [K, 3, 2]) less ``floor``, as the quadratic c0 + c1 s + c2 s^2."""
    ab, ac = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]
    dab, dac = e[:, 1] - e[:, 0], e[:, 2] - e[:, 0]

    def cross(u, v):
        return 0.5 * facing * (u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0])
    return cross(ab, ac) - floor, cross(ab, dac) + cross(dab, ac), cross(dab, dac)


def _first_crossing(p: np.ndarray, e: np.ndarray, floor: np.ndarray, facing: float) -> np.ndarray:
    """Per triangle (corners p [K, 3, 2] where the area is at least ``floor``, offsets e [K, 3, 2]
    after which it is below): the s in [0, 1] at which the area of p + s * e meets ``floor``.
    The area is quadratic in s, c0 + c1 s + c2 s^2, and (area - floor) changes sign once on
    [0, 1]: its root there, in closed form (the stable pair of formulas)."""
    c0, c1, c2 = _area_above_floor(p, e, floor, facing)
    disc = np.sqrt(np.maximum(c1 * c1 - 4.0 * c2 * c0, 0.0))
    q = -0.5 * (c1 + np.where(c1 >= 0, disc, -disc))
    with np.errstate(divide="ignore", invalid="ignore"):
        roots = np.stack([np.where(c2 != 0, q / c2, np.inf), np.where(q != 0, c0 / q, np.inf)], axis=1)
    roots = np.where((roots >= -1e-9) & (roots <= 1 + 1e-9), roots, np.inf).min(axis=1)
    return np.clip(np.where(np.isfinite(roots), roots, 0.0), 0.0, 1.0)


def carry_skin(lm: np.ndarray, guard: FacingGuard, pose: np.ndarray, base: np.ndarray) -> np.ndarray:
    """lm [N, 3] with the free corners of front triangles that a pusher (a brow) coming down the
    face would fold carried along with it: moved by the least share of the pushers' mean expression
    offset (lm - pose [N, 3]) that keeps KEEP of the posed area ``base`` [G] (where no share does,
    the one that keeps the most). Skin pushed along pushes in turn: a triangle its push would fold
    carries its other free corners by the pushed corners' mean push, ring after ring (pushed into a
    still ring, the skin folded there instead: a jagged line across the nose's root in anger). A
    point pushed by several triangles takes their pushes' mean weighted by length; a few passes
    settle them. Continuous in lm (a point drives by as much as it was pushed); lm itself where no
    brow folds one."""
    if guard.pushers is None:
        return lm
    tri = guard.triangles
    out = np.asarray(lm, dtype=np.float64)
    eyes = pose[263, :2] - pose[33, :2]
    down = np.array([-eyes[1], eyes[0]]) / max(float(np.linalg.norm(eyes)), 1e-9)
    # what each point drives with: a brow its expression offset, pushed skin its push so far
    drive_of = np.zeros((len(out), 2))
    drive_of[guard.pushers] = (out - pose)[guard.pushers, :2]
    drivers = guard.pushers.copy()
    limit = np.zeros(len(out))          # per point: the most it may be pushed (what pushes it moved)
    brow_tri = guard.pushers[tri].any(axis=1)
    keep = np.where(brow_tri, KEEP, CARRIED_KEEP) * base
    can_fold = ~guard.edge_on & (base > 0)
    for _ in range(CARRY_ROUNDS):
        near = np.flatnonzero(can_fold & drivers[tri].any(axis=1))
        area = guard.facing * signed_areas(out[:, :2], tri[near])
        fold = near[area < keep[near] - 1e-9]
        if not len(fold):
            break
        t = tri[fold]
        # a brow's triangle is driven by its brow corners' mean offset; one of pushed skin by its
        # corners' pushes, weighted by length (a corner barely pushed barely counts: continuous)
        brow = guard.pushers[t]                                            # [K, 3]
        by_brow = brow_tri[fold][:, None]
        weight = np.where(by_brow, brow, np.linalg.norm(drive_of[t], axis=2))
        drive = (drive_of[t] * weight[..., None]).sum(1) / np.maximum(weight.sum(1, keepdims=True), 1e-12)
        # only a brow coming down pushes (a raised one bunches the forehead: its creases are drawn)
        drive *= np.clip(drive @ down / np.maximum(np.linalg.norm(drive, axis=1), 1e-9), 0.0, 1.0)[:, None]
        # a brow is not carried; pushed skin less the further it was pushed, none from PUSHED on (a
        # corner barely pushed is carried as if it were not: continuous; excluded once pushed at
        # all, a corner a first round had nudged 0.1 px stayed behind, a 7-px twitch)
        carried = np.where(by_brow, ~brow, np.clip(1.0 - np.linalg.norm(drive_of[t], axis=2) / PUSHED, 0.0, 1.0))
        e = drive[:, None, :] * (carried * guard.free[t])[..., None]       # [K, 3, 2]
        share = _least_share(out[t, :2], e, keep[fold], guard.facing)
        push = (share[:, None, None] * e).reshape(-1, 2)
        length = np.linalg.norm(push, axis=1)
        ids = t.ravel()
        total = np.bincount(ids, length, minlength=len(out))
        step = np.stack([np.bincount(ids, push[:, k] * length, minlength=len(out)) for k in (0, 1)], axis=1)
        step /= np.maximum(total, 1e-12)[:, None]
        # skin is never pushed further than what pushes it moved (pushed again round after round
        # into a lid that cannot move, a point by a 3/4 face's far brow went 84 px in one frame and
        # ~10 in the next)
        np.maximum.at(limit, ids, np.repeat(np.linalg.norm(drive, axis=1), 3) * (np.abs(e).sum(2) > 0).ravel())
        pushed = ~guard.pushers & (total > 0)
        after = drive_of[pushed] + step[pushed]
        after *= np.minimum(1.0, limit[pushed] / np.maximum(np.linalg.norm(after, axis=1), 1e-12))[:, None]
        step[pushed] = after - drive_of[pushed]
        if out is lm:
            out = out.copy()
        out[:, :2] += step
        drive_of[pushed] = after
        drivers |= pushed
        if np.abs(step).max() < SETTLED:
            break
    return out


def _least_share(p: np.ndarray, e: np.ndarray, floor: np.ndarray, facing: float) -> np.ndarray:
    """Per triangle (corners p [K, 3, 2] below ``floor`` in area, offsets e [K, 3, 2]): the least
    s in [0, 1] at which p + s * e reaches the floor, or, where none does, the s that gives the
    most area (so s moves continuously as the root leaves [0, 1] or meets its twin)."""
    c0, c1, c2 = _area_above_floor(p, e, floor, facing)
    disc = c1 * c1 - 4.0 * c2 * c0
    root = np.sqrt(np.maximum(disc, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        lin = np.where(c1 > 0, -c0 / c1, np.inf)                  # c2 = 0: a line
        quad = np.stack([(-c1 - root) / (2 * c2), (-c1 + root) / (2 * c2)], axis=1)
        roots = np.where(c2[:, None] != 0, quad, lin[:, None])
        roots = np.where((disc[:, None] >= 0) & (roots >= 0) & (roots <= 1), roots, np.inf).min(axis=1)
        vertex = np.where(c2 < 0, np.clip(-c1 / (2 * c2), 0, 1), 0.0)
    tries = np.stack([np.zeros_like(c0), np.ones_like(c0), vertex], axis=1)
    best = tries[np.arange(len(c0)), np.argmax(c1[:, None] * tries + c2[:, None] * tries ** 2, axis=1)]
    return np.where(np.isfinite(roots), roots, best)


def keep_hidden(lm: np.ndarray, guard: FacingGuard, fits) -> np.ndarray:
    """lm [N, 3] with what the photo shows turned away kept turned away by the expression
    (``fits``: the frame's ``pose_fits``).

    Where the photo sees a face from a little to one side, the mesh folds behind the far cheek's
    outline: the triangles between the outline and the points just beyond it (hidden by the cheek)
    face away. An expression that narrows the cheek (a smile relaxed to neutral) moves those
    points inward further than the outline, which is held to its full motion, and turns the
    triangles toward the camera: the warp then unfolds a strip the photo never saw, refilled and
    pinched against the background, a pale stepped line down the cheek's edge. Skin beyond an
    outline goes where the outline goes: each free corner of such a triangle is brought back
    toward its fixed corners' mean expression offset (the outline's; all its corners' where none
    is fixed), by the least share that keeps
    KEEP of the area it has turned away in the frame's head pose (``reference``, its turn counted
    from HIDDEN_TURN: a turn that shows the far side unfolds it, its area there facing; the few
    degrees of a talking head's sway do not, the tracker's guess of the depth beyond the outline
    being too rough to unfold by). Continuous in the landmarks: a triangle that barely
    unfolds moves its corners barely; a point shared by several takes the most relaxed share, its
    target weighted by how much each asks."""
    tri = guard.hidden
    if tri is None:
        return lm
    pose, _ = reference(fits, *HIDDEN_TURN)
    away = -guard.facing
    base = away * signed_areas(pose[:, :2], tri)
    floor = KEEP * base
    out = lm
    for _ in range(ROUNDS):
        bad = (base > 0) & (away * signed_areas(out[:, :2], tri) < floor - 1e-9)
        if not bad.any():
            break
        t = tri[bad]
        offset = out[t, :2] - pose[t, :2]                                   # [K, 3, 2]
        free = guard.free[t]
        held = np.where(free.all(axis=1, keepdims=True), True, ~free).astype(np.float64)
        target = (offset * held[..., None]).sum(1) / held.sum(1)[:, None]  # [K, 2]
        start = pose[t, :2] + np.where(free[..., None], target[:, None, :], offset)
        e = np.where(free[..., None], offset - target[:, None, :], 0.0)
        kept = away * signed_areas(start.reshape(-1, 2), np.arange(3 * len(t)).reshape(-1, 3))
        s = _first_crossing(start, e, np.minimum(floor[bad], kept), away)
        ids, asked = t[free], np.broadcast_to((1.0 - s)[:, None], free.shape)[free]
        share = np.ones(len(out))
        np.minimum.at(share, ids, 1.0 - asked)
        weight = np.bincount(ids, asked, minlength=len(out))
        goal = np.stack([np.bincount(ids, asked * np.broadcast_to(target[:, None, k], free.shape)[free],
                                     minlength=len(out)) for k in (0, 1)], axis=1)
        moved = weight > 0
        goal = goal[moved] / weight[moved][:, None]
        if out is lm:
            out = np.array(lm, dtype=np.float64, copy=True)
        own = out[moved, :2] - pose[moved, :2]
        out[moved, :2] = pose[moved, :2] + goal + share[moved][:, None] * (own - goal)
    return out


def frame_zoom(lm: np.ndarray, guard: FacingGuard) -> float:
    """The frame's scale over the photo's: the spread of the points expressions move least."""
    spread = np.linalg.norm(guard.src[guard.anchors, :2] - guard.src[guard.anchors, :2].mean(0))
    return float(np.linalg.norm(lm[guard.anchors, :2] - lm[guard.anchors, :2].mean(0)) / max(spread, 1e-12))


def unfold_expression(lm: np.ndarray, guard: FacingGuard | None) -> np.ndarray:
    """Frame landmarks lm [N, 3] (output px) with the expression relaxed where it would fold a
    triangle the photo and the posed photo show facing the camera, and the skin a brow runs over
    carried ahead of it (``carry_skin``); lm itself where none folds."""
    if guard is None or not len(guard.triangles):
        return lm
    tri = guard.triangles
    lm = np.asarray(lm, dtype=np.float64)
    fits = pose_fits(guard.src, lm, guard.anchors)
    pose, _ = reference(fits)
    lm = keep_hidden(lm, guard, fits)
    base = guard.facing * signed_areas(pose[:, :2], tri)
    now = guard.facing * signed_areas(lm[:, :2], tri)
    # an edge-on triangle keeps KEEP of its posed area; any other as much as the expression left
    # it (relaxing a corner toward the pose must not fold a neighbour the frame had facing)
    floor = np.where(guard.edge_on, KEEP * base, np.minimum(KEEP * base, now))
    zoom = frame_zoom(lm, guard)
    # its area in the photo at the frame's scale (at least FADE px^2): the relaxing fades in as
    # the reference's area grows from 0 to that
    photo = np.maximum(zoom ** 2 * np.abs(signed_areas(guard.src[:, :2], tri)), FADE)
    if not np.any(guard.edge_on & (base > 0) & (now < floor)):
        return carry_skin(lm, guard, pose, base)
    offset = lm - pose
    scale = np.ones(len(lm))                   # per point: the share of its offset kept
    for _ in range(ROUNDS):
        pts = pose[:, :2] + offset[:, :2] * scale[:, None]
        area = guard.facing * signed_areas(pts, tri)
        bad = (base > 0) & (area < floor - 1e-9)
        if not bad.any():
            break
        t = tri[bad]
        movable = guard.free[t]                                    # [K, 3]
        e = offset[t, :2] * (scale[t] * movable)[..., None]        # what relaxing can undo
        fixed_part = offset[t, :2] * (scale[t] * ~movable)[..., None]
        start = pose[t, :2] + fixed_part
        held = guard.facing * signed_areas(start.reshape(-1, 2), np.arange(3 * len(t)).reshape(-1, 3))
        s = _first_crossing(start, e, np.minimum(floor[bad], held), guard.facing)
        # where the fixed points alone (nearly) fold it (a lip's own fold), relaxing the rest
        # cannot help: fade the relaxing out as what they leave of the floor goes to 0
        reach = np.clip(held / np.maximum(floor[bad], 1e-12), 0.0, 1.0)
        # and as the reference itself turns it edge-on (a real turn hides it): no pop there
        reach *= np.clip(base[bad] / photo[bad], 0.0, 1.0)
        s = 1.0 - (1.0 - s) * reach
        # and by no more than its size warrants (RELAX_REACH)
        size = np.sqrt(np.maximum(base[bad], -now[bad]).clip(0.0) + FADE)
        s = np.maximum(s, 1.0 - RELAX_REACH * size / np.maximum(np.linalg.norm(e, axis=2).max(axis=1), 1e-12))
        np.minimum.at(scale, t[movable], (scale[t] * s[:, None])[movable])
    out = np.array(lm, dtype=np.float64, copy=True)
    out[guard.free] = pose[guard.free] + offset[guard.free] * scale[guard.free, None]
    # Relaxing toward the pose cannot unfold what the pose itself turns away, and could fold
    # such a neighbour that the frame had facing: there the points go only part of the way, as far
    # as every triangle facing in the frame keeps half its area (per point, a few passes; every
    # step is continuous in the landmarks, and so is the result).
    for _ in range(ROUNDS):
        after = guard.facing * signed_areas(out[:, :2], tri)
        lost = (now > 0) & (after < 0.5 * now - 1e-9)
        if not lost.any():
            break
        t, delta = tri[lost], out - lm
        s = _first_crossing(lm[t, :2], delta[t, :2], 0.5 * now[lost], guard.facing)
        # a triangle the frame barely had facing is barely held back (no pop as it turns)
        s = 1.0 - (1.0 - s) * np.clip(now[lost] / np.maximum(np.abs(base[lost]), 1e-12), 0.0, 1.0)
        share = np.ones(len(lm))
        np.minimum.at(share, t.ravel(), np.repeat(s, 3))
        out = lm + share[:, None] * delta
    return carry_skin(out, guard, pose, base)     # last: relaxing would take the push back


def guard_for(lm: np.ndarray, mesh: WarpMesh, brow_hair: np.ndarray | None = None) -> FacingGuard:
    """The portrait's guard: lips and lids (drawn by their own code, and a mouth or a blink must
    close), irises and brows (what reads anger and disgust most) and the outline keep their full
    motion. brow_hair: ``brow_hair.hair_shares`` of the photo, or None."""
    fixed = np.concatenate([REGIONS[k] for k in ("lips", "left_eye", "right_eye", "left_iris", "right_iris",
                                                 "left_brow", "right_brow", "face_oval")])
    n_mesh = mesh.n_face_tris - mesh.n_holes
    brows = np.concatenate([REGIONS["left_brow"], REGIONS["right_brow"]])
    guard = facing_guard(lm, mesh.triangles[:n_mesh], fixed, REGIONS["stable"], mesh.completed, pushers=brows,
                         outline=REGIONS["face_oval"])
    return guard if brow_hair is None else replace(guard, brow_hair=np.asarray(brow_hair, np.float64))


def driving_landmarks(lm: np.ndarray, guard: FacingGuard | None) -> np.ndarray:
    """What the unfolding starts from: the lips uncrossed and whole (``lip_contact``), the brows resting on the eyes
    (``brow_rest``) and carrying their hair (``brow_hair``), the skin under the lower lip sharing its
    stretch down to the chin (``chin_skin``); a frame's landmarks are these unfolded
    (``frame_landmarks``)."""
    lm = uncross_lips(lm)
    if guard is not None:
        lm = keep_lips_whole(lm, guard.src)
        zoom = frame_zoom(lm, guard)
        lm = rest_brows(lm, guard.src, zoom)
        lm = carry_brow_hair(lm, guard.src, guard.brow_hair, zoom)
        lm = share_chin_stretch(lm, guard.src, zoom)
    return lm


def frame_landmarks(lm: np.ndarray, guard: FacingGuard | None) -> np.ndarray:
    """The landmarks a frame is drawn from (both render paths start here): the driving landmarks
    (``driving_landmarks``) with the expression kept from folding what the photo shows facing the
    camera."""
    return unfold_expression(driving_landmarks(lm, guard), guard)
