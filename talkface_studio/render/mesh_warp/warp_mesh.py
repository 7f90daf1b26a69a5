"""The warp mesh: the 478-point face mesh, its holes filled, plus a ring of anchors around the face.

Source side (one portrait, one output size) is built once and cached; each frame only moves the
points. Outside the face the mesh continues with anchor points on rings around the face oval, whose
displacement is a decaying fraction of the nearest oval point's, and fixed points beyond the frame
border: hair, neck and background follow the head smoothly and the frame edge never moves.

The rings start where the photo's face ends, not at the oval: where the photo's head is turned,
its mesh wraps past the oval to the cheek's visible outline (``face_outline``), and there the
ring's inner edge is a copy of the oval point moved out to that outline, a point of the face's
surface there that moves with it: the ring never takes the strip of face between them for
background, and where the turn brings the photo's hidden side into view, the background (the
ring) begins at the edge of what the photo showed instead of repeating it. There the ring's inner
edge runs on past the mesh to the photo's true profile (``profile_reach``: a nose tip, lips, a
chin sticking out past the landmarks), with points of its own between the oval's, so the profile
moves with the face and does not stay behind as a ghost.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.spatial import Delaunay

from .face_loops import FACE_OVAL, hole_triangles
from .face_outline import face_coverage, on_surface, outline_reach
from .hidden_side import mirror_sources, photo_depth_map
from .profile_reach import profile_reach
from .triangle_area import signed_areas
from .triangle_scan import scan_triangles

# (distance beyond the oval as a fraction of the oval's radius, fraction of the oval motion kept).
RINGS = ((0.12, 0.9), (0.35, 0.6), (0.8, 0.25), (1.4, 0.08))
BORDER_STEPS = 8          # fixed points per frame edge
HAIR_FOLLOW = 0.95        # share of the face's motion an anchor on the hair keeps
FAR = 1e9                 # depth of anchor triangles: always behind the face
SKIN_MATTE = 0.9         # head matte below this inside the face's triangles: background, not skin
BORDER_REACH = 0.45       # of the spacing of border points: the most one moves along its edge
# px at 512 the photo's face reaches past its oval (``face_outline``) from which a turn that
# unfolds the hidden strip shows the background beside what the photo showed (fully at TRUST_AT)
# rather than that face's edge stretched out to the oval: a frontal face's cheek reaches ~0-4 px
# past it, a head the photo shows turned 15-25
TRUST_FROM, TRUST_AT = 5.0, 12.0
PROFILE_SPACING = 8.0     # px at 512 between the points of that outline that look for its profile
PROFILE_LEAST = 2.0       # px at 512 a point between two oval points must find past it to stay
RING_CLEAR = 12.0         # px at 512: no ring anchor nearer a profile found past the outline


@dataclass(frozen=True)
class WarpMesh:
    """Everything about the mesh that does not change from frame to frame."""

    src: np.ndarray          # [M, 2] source positions, output-frame pixels (landmarks, then anchors)
    triangles: np.ndarray    # [F, 3] into src; face triangles first, then anchor triangles
    n_face_tris: int         # triangles [:n_face_tris] belong to the face (depth tested, culled)
    n_holes: int             # the last n_holes face triangles fill eyes/mouth (never culled)
    src_area: np.ndarray     # [F] signed source areas (orientation reference for fold-over checks)
    ring_parent: np.ndarray  # [R] landmark index each ring anchor follows
    ring_weight: np.ndarray  # [R] fraction of that landmark's motion it keeps
    n_border: int            # fixed points after the ring anchors
    outline_corners: np.ndarray | None = None  # [K, 3] the first K ring anchors: oval points moved
    outline_weights: np.ndarray | None = None  # out to the photo's outline, each a point of the face
                             # surface there (landmark ids, barycentric weights): it moves with it
    outline_trust: np.ndarray | None = None  # [K] 0..1: how far past its oval point the photo's
                             # face reached (1: so far that the oval there is a guess; ``_outline``)
    outline_offset: np.ndarray | None = None  # [K, 2] px from that surface point out to the photo's
                             # true profile (``profile_reach``: a nose tip past the mesh), carried along
    border_parent: np.ndarray | None = None  # [n_border] the oval point each border point follows
    border_weight: np.ndarray | None = None  # [n_border] and its share of that motion (0 but where
                             # the head reaches the frame's edge)
    border_axis: np.ndarray | None = None  # [n_border, 2] the direction of its edge (0 at corners)
    completed: np.ndarray | None = None  # [F] bool: face triangles the photo hides that take their
                             # colour from their mirror triangle (``hidden_side``); None: none do
    completed_src: np.ndarray | None = None  # [count, 3, 2] where in the photo those sample
    src_depth: np.ndarray | None = None  # [478] the photo's landmark depths (MediaPipe z, output px)
    photo_depth: np.ndarray | None = None  # [S, S] the photo's front-facing mesh's nearest depth
                             # per pixel (inf off the face): which of its points the photo shows
    edge_depth: np.ndarray | None = None  # [S, S] float32: px inside the photo's face (the union of
                             # its triangles where the head matte holds; 0 outside, -1 where its
                             # triangles cover background): how near its edge a source pixel lies
    beside_background: np.ndarray | None = None  # [K] int64: the face triangles whose source
                             # covers such background, and those sharing a corner with them; None: none

    def source_corners(self, keep: np.ndarray) -> np.ndarray:
        """[K, 3, 2]: where in the photo the corners of the triangles keep [F] (bool) sample:
        their own source points, or the mirror triangle's for a completed one."""
        corners = self.src[self.triangles[keep]]
        if self.completed is not None:
            mine = self.completed[keep]
            if mine.any():
                corners[mine] = self.completed_src[np.cumsum(self.completed)[keep][mine] - 1]
        return corners

    def target_points(self, landmarks: np.ndarray, anchor_gain: float = 1.0):
        """Frame landmarks [478, 3] (output pixels) -> (points [M, 2], depth [M])."""
        n = len(landmarks)
        move = landmarks[self.ring_parent, :2] - self.src[self.ring_parent]
        ring = self.src[n:n + len(self.ring_parent)] + move * (self.ring_weight * anchor_gain)[:, None]
        if self.outline_corners is not None and len(self.outline_corners):
            ring[:len(self.outline_corners)] = self._outline(landmarks)
        border = self.src[n + len(self.ring_parent):]
        if self.border_weight is not None and self.border_weight.any():
            # along its own edge only (the frame stays covered), and less than half the way to
            # the next border point (neighbours never cross, so nothing folds there)
            along = np.abs(np.diff(self.src[n + len(self.ring_parent):][:2], axis=0)).sum() * BORDER_REACH
            shift = landmarks[self.border_parent, :2] - self.src[self.border_parent]
            step = np.clip((shift * self.border_axis).sum(1) * self.border_weight * anchor_gain, -along, along)
            border = border + step[:, None] * self.border_axis
        pts = np.concatenate([landmarks[:, :2], ring, border]).astype(np.float64)
        depth = np.concatenate([landmarks[:, 2], np.full(len(ring) + len(border), FAR)])
        return pts, depth

    def _outline(self, landmarks: np.ndarray) -> np.ndarray:
        """The ring's inner edge where the photo's outline lies beyond the oval: each point goes
        where the surface it lies on goes. Where the turn unfolds the strip of the head the photo
        did not show (the surface point is carried inward, behind its oval point along the
        ring's ray), a point only a little past its oval (the oval is about the visible outline:
        a frontal face's cheek) is pushed back out level with the oval point, so the face reaches
        its landmarks and that strip is the front's edge stretched; one far past it
        (``outline_trust`` 1: a head the photo shows turned, its oval a guess deep behind the
        cheek) stays on the surface, and the background begins where what the photo showed ends.
        (Continuous in the landmarks: no pop as a slow turn crosses the oval.)"""
        k = len(self.outline_corners)
        surface = np.einsum("kc,kcd->kd", self.outline_weights, landmarks[self.outline_corners, :2])
        oval = landmarks[self.ring_parent[:k], :2]
        out = self.src[len(landmarks):len(landmarks) + k] - self.src[self.ring_parent[:k]]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        behind = np.maximum(-((surface - oval) * out).sum(1), 0.0) * (1.0 - self.outline_trust)
        profile = 0.0 if self.outline_offset is None else self.outline_offset
        return surface + behind[:, None] * out + profile


def build_warp_mesh(face_triangles: np.ndarray, src_landmarks: np.ndarray, size: int,
                    hair: np.ndarray | None = None, neck: np.ndarray | None = None,
                    photo: np.ndarray | None = None, head: np.ndarray | None = None,
                    rgb: np.ndarray | None = None, plate: np.ndarray | None = None) -> WarpMesh:
    """Source landmarks [478, 3] in output pixels -> the mesh used for every frame of that portrait.

    ``hair`` [size, size] (0..1, optional): how much each pixel belongs to the head's hair; an
    anchor there follows its face point almost fully (hair moves with the head instead of
    stretching), however far out its ring lies. ``neck`` [size, size]: where it is > 0 (the neck),
    an anchor takes exactly that share of the motion (down to none at the collar). ``photo``
    [size, size] bool (optional): where the crop is the photo's own pixels, not its fill. ``head``
    [size, size] (0..1, optional): the head matte (``face.person_matte``); where it is below
    ``SKIN_MATTE`` inside the face's triangles (the background MediaPipe's outline takes in beside
    a turned cheek or the nose), ``edge_depth`` is -1: not the face, though its triangles cover it.
    ``rgb`` [size, size, 3] and ``plate`` [size, size, 3] (optional, both): the photo and the
    background made up behind the head; with them, where the photo's face reaches past its oval
    the ring starts at its true profile (``profile_reach``), not at its mesh's outline."""
    lm = np.asarray(src_landmarks, dtype=np.float64)[:, :2]
    n = len(lm)
    oval = lm[FACE_OVAL]
    centre = oval.mean(axis=0)
    margin = 2.0
    lo, hi = -margin, size + margin
    # where the photo's face reaches past its oval, the ring (and every ring outside it) starts
    # that much further out; elsewhere the reach is exactly 0 and the mesh is as it always was
    reach = outline_reach(lm, np.asarray(face_triangles), FACE_OVAL, size)
    out = (oval - centre) / np.maximum(np.linalg.norm(oval - centre, axis=1, keepdims=True), 1e-9)
    beyond = reach > 0
    inner = np.where(beyond[:, None], oval + reach[:, None] * out, oval)
    scale = size / 512.0
    trust = np.clip((reach - TRUST_FROM * scale) / ((TRUST_AT - TRUST_FROM) * scale), 0.0, 1.0)
    edge = _outline_points(inner, out, beyond, trust, scale, dense=rgb is not None and plate is not None)
    # there the photo's profile (nose tip, lips, chin) may stick out past the mesh: the ring
    # starts at its end, a fixed offset from the surface point it follows, and every ring
    # outside it that much further out; a point between two oval points stays only where it
    # finds one (elsewhere it would only add thin triangles that fold as the head turns)
    profile = np.zeros(len(edge.points))
    if rgb is not None and plate is not None:
        # only where the mesh clearly folds past its oval (a head the photo shows turned): a
        # frontal face's outline is its profile, and beside it lie hair and ears
        profile = np.where(edge.trust > 0, profile_reach(rgb, plate, edge.points, edge.direction, size), 0.0)
        kept = edge.corner | (profile >= PROFILE_LEAST * scale)
        edge, profile = edge.subset(kept), profile[kept]
    corners, bary = on_surface(src_landmarks, np.asarray(face_triangles), edge.points)
    further = np.zeros(len(oval))
    for owner in edge.owners:
        np.maximum.at(further, owner, profile)
    reach = reach + further

    ring_pts = [edge.points + profile[:, None] * edge.direction]
    found = ring_pts[0][profile >= PROFILE_LEAST * scale]
    parents, weights = [FACE_OVAL[edge.parent]], [np.ones(len(edge.points))]
    for extent, keep in RINGS:
        pts = centre + (oval - centre) * (1.0 + extent) + reach[:, None] * out
        # Keep anchors clear of the fixed border points, or a small move would fold between them.
        inside = np.all((pts > lo + 0.08 * size) & (pts < hi - 0.08 * size), axis=1)
        # and clear of a profile the outline reached out to (a ring point under a nose tip that
        # moves with the face folds as soon as the nose passes over it)
        if len(found):
            inside &= ((pts[:, None] - found[None]) ** 2).sum(-1).min(1) >= (RING_CLEAR * scale) ** 2
        ring_pts.append(pts[inside])
        parents.append(FACE_OVAL[inside])
        w = np.full(int(inside.sum()), keep)
        ij = np.clip(pts[inside].astype(int), 0, size - 1)
        if hair is not None:
            w = np.maximum(w, HAIR_FOLLOW * hair[ij[:, 1], ij[:, 0]])
        if neck is not None:
            on_neck = neck[ij[:, 1], ij[:, 0]]
            below = pts[inside][:, 1] > lm[152, 1]
            w = np.where(below & (on_neck > 0), on_neck, w)
        weights.append(w)
    ring = np.concatenate(ring_pts)
    t = np.linspace(lo, hi, BORDER_STEPS + 1)
    border = np.unique(np.concatenate([
        np.stack([t, np.full_like(t, lo)], 1), np.stack([t, np.full_like(t, hi)], 1),
        np.stack([np.full_like(t, lo), t], 1), np.stack([np.full_like(t, hi), t], 1)]), axis=0)

    # Where a face fills its photo, the head runs on past the photo's edge into the crop's fill
    # (``face.person_matte``: that fill moves with the head); where it reaches the frame's edge
    # there, the edge follows the head as a hair anchor would: pinned, it sheared the head's top
    # (a lock of hair cut by the photo's top became a diagonal streak). The still background is
    # the other layer, and a frame edge on the photo itself stays put as ever.
    border_parent = FACE_OVAL[np.argmin(((border[:, None] - oval[None]) ** 2).sum(-1), axis=1)]
    border_weight = np.zeros(len(border))
    on_x = (border[:, 1] <= lo) | (border[:, 1] >= hi)          # top and bottom edges: along x
    on_y = (border[:, 0] <= lo) | (border[:, 0] >= hi)
    border_axis = np.stack([on_x & ~on_y, on_y & ~on_x], 1).astype(np.float64)
    if hair is not None and photo is not None:
        ij = np.clip(border.astype(int), 0, size - 1)
        border_weight = HAIR_FOLLOW * hair[ij[:, 1], ij[:, 0]] * ~photo[ij[:, 1], ij[:, 0]]

    # Triangulate the outside: the face's outline (oval points, or their copies moved out to
    # the photo's outline) + anchors + border; drop triangles lying inside the face.
    k, poly = len(edge.points), edge.polygon
    anchor, oval_at = np.maximum(poly, 0), np.maximum(-1 - poly, 0)
    inner_ids = np.where(poly >= 0, n + anchor, FACE_OVAL[oval_at])
    inner_pts = np.where((poly >= 0)[:, None], ring[anchor] if k else oval[oval_at], oval[oval_at])
    outer_ids = np.concatenate([inner_ids, n + np.arange(k, len(ring) + len(border))])
    outer_pts = np.concatenate([inner_pts, ring[k:], border])
    tri = Delaunay(outer_pts).simplices
    tri = tri[~np.all(tri < len(inner_ids), axis=1)]
    anchor_tris = outer_ids[tri]

    holes = np.concatenate(list(hole_triangles().values()))
    face = np.concatenate([np.asarray(face_triangles, dtype=np.int64), holes])
    triangles = np.concatenate([face, anchor_tris]).astype(np.int64)
    src = np.concatenate([lm, ring, border])
    # what the photo hides of a turned face samples the mirror side it shows (``hidden_side``)
    done, mirror_corners = mirror_sources(np.asarray(src_landmarks, dtype=np.float64), np.asarray(face_triangles))
    completed = np.zeros(len(triangles), dtype=bool)
    completed[:len(done)] = done
    covered = face_coverage(lm, face, size)
    skin = covered if head is None else covered & (np.asarray(head) >= SKIN_MATTE).astype(np.uint8)
    edge_depth = cv2.distanceTransform(skin, cv2.DIST_L2, 5)
    edge_depth[(covered > 0) & (skin == 0)] = -1.0     # background the face's triangles take in
    return WarpMesh(src=src, triangles=triangles, n_face_tris=len(face), n_holes=len(holes),
                    src_area=signed_areas(src, triangles), ring_parent=np.concatenate(parents),
                    ring_weight=np.concatenate(weights), n_border=len(border),
                    outline_corners=corners, outline_weights=bary, outline_trust=edge.trust,
                    outline_offset=profile[:, None] * edge.direction,
                    border_parent=border_parent, border_weight=border_weight, border_axis=border_axis,
                    completed=completed if completed.any() else None,
                    completed_src=mirror_corners[done] if completed.any() else None,
                    src_depth=np.asarray(src_landmarks, dtype=np.float64)[:, 2],
                    photo_depth=photo_depth_map(np.asarray(src_landmarks, dtype=np.float64),
                                                np.asarray(face_triangles), size) if completed.any() else None,
                    edge_depth=edge_depth, beside_background=beside_background(lm, face, edge_depth))


@dataclass(frozen=True)
class _OutlineEdge:
    """The ring's inner edge where the photo's face reaches past its oval (``build_warp_mesh``)."""

    points: np.ndarray      # [K, 2] anchors: oval points moved out, and points between them
    direction: np.ndarray   # [K, 2] unit, outward: where each looks for the true profile
    parent: np.ndarray      # [K] the oval point (index into FACE_OVAL) each one follows
    trust: np.ndarray       # [K] its ``outline_trust``
    owners: tuple           # two [K] arrays: the oval points whose rings make room for each one
    polygon: np.ndarray     # [P] the face's outline in order: anchor k as k, oval point i as -1 - i
    corner: np.ndarray      # [K] bool: an oval point's own anchor (not one between two)

    def subset(self, keep: np.ndarray) -> "_OutlineEdge":
        """Only the anchors keep [K] (bool), the outline renumbered."""
        if keep.all():
            return self
        new = np.cumsum(keep) - 1
        poly = self.polygon[(self.polygon < 0) | keep[np.maximum(self.polygon, 0)]]
        poly = np.where(poly >= 0, new[np.maximum(poly, 0)], poly)
        return _OutlineEdge(self.points[keep], self.direction[keep], self.parent[keep], self.trust[keep],
                            (self.owners[0][keep], self.owners[1][keep]), poly, self.corner[keep])


def _outline_points(inner: np.ndarray, out: np.ndarray, beyond: np.ndarray, trust: np.ndarray,
                    scale: float, dense: bool) -> _OutlineEdge:
    """An anchor per oval point whose photo face reaches past it (at inner [N, 2], ray out [N, 2]),
    and, with ``dense``, more between two such neighbours, ``PROFILE_SPACING`` px apart: a nose
    tip between two oval rays 35 px apart sticks out past the line joining them, and only a ray
    of its own finds it (``profile_reach``)."""
    pts, dirs, parent, tr, own, poly = [], [], [], [], [], []
    n_oval = len(inner)
    for i in range(n_oval):
        if not beyond[i]:
            poly.append(-1 - i)
            continue
        poly.append(len(pts))
        pts.append(inner[i]), dirs.append(out[i]), parent.append(i), tr.append(trust[i]), own.append((i, i))
        j = (i + 1) % n_oval
        if not (dense and beyond[j]):
            continue
        m = int(np.ceil(np.linalg.norm(inner[j] - inner[i]) / (PROFILE_SPACING * scale))) - 1
        for f in np.arange(1, m + 1) / (m + 1):
            d = (1 - f) * out[i] + f * out[j]
            poly.append(len(pts))
            pts.append((1 - f) * inner[i] + f * inner[j]), dirs.append(d / max(np.linalg.norm(d), 1e-9))
            parent.append(i if f < 0.5 else j), tr.append((1 - f) * trust[i] + f * trust[j]), own.append((i, j))
    own = np.asarray(own, np.int64).reshape(-1, 2)
    return _OutlineEdge(np.asarray(pts, np.float64).reshape(-1, 2), np.asarray(dirs, np.float64).reshape(-1, 2),
                        np.asarray(parent, np.int64), np.asarray(tr, np.float64), (own[:, 0], own[:, 1]),
                        np.asarray(poly, np.int64), own[:, 0] == own[:, 1])


def beside_background(lm: np.ndarray, face: np.ndarray, edge_depth: np.ndarray) -> np.ndarray | None:
    """int64 [K]: indices of the face triangles face [F, 3] (landmarks lm [N, 2], output px) whose
    source covers a pixel edge_depth marks as background (-1), and of those sharing a corner with
    them (a frame checks only these for spreading such background: ``unfolded_sheet.stray``).
    None where there is no such pixel."""
    background = edge_depth < 0
    if not background.any():
        return None
    h, w = background.shape
    t, x, y = scan_triangles(lm[:, :2] - 0.5, face, w, h)   # pixel centres (node units: pixel j at j)
    hit = np.zeros(len(face), bool)
    hit[t[background[y, x]]] = True
    corners = np.zeros(int(face.max()) + 1, bool)
    corners[face[hit].ravel()] = True
    near = corners[face].any(1)
    return np.flatnonzero(near) if near.any() else None
