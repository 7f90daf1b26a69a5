"""The warp mesh: the 478-point face mesh, its holes filled, plus a ring of anchors around the face.

Source side (one portrait, one output size) is built once and cached; each frame only moves the
points. Outside the face the mesh continues with anchor points on rings around the face oval, whose
displacement is a decaying fraction of the nearest oval point's, and fixed points beyond the frame
border: hair, neck and background follow the head smoothly and the frame edge never moves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import Delaunay

from .face_loops import FACE_OVAL, hole_triangles

# (distance beyond the oval as a fraction of the oval's radius, fraction of the oval motion kept).
RINGS = ((0.12, 0.9), (0.35, 0.6), (0.8, 0.25), (1.4, 0.08))
BORDER_STEPS = 8          # fixed points per frame edge
HAIR_FOLLOW = 0.95        # share of the face's motion an anchor on the hair keeps
FAR = 1e9                 # depth of anchor triangles: always behind the face


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

    def target_points(self, landmarks: np.ndarray, anchor_gain: float = 1.0):
        """Frame landmarks [478, 3] (output pixels) -> (points [M, 2], depth [M])."""
        n = len(landmarks)
        move = landmarks[self.ring_parent, :2] - self.src[self.ring_parent]
        ring = self.src[n:n + len(self.ring_parent)] + move * (self.ring_weight * anchor_gain)[:, None]
        border = self.src[n + len(self.ring_parent):]
        pts = np.concatenate([landmarks[:, :2], ring, border]).astype(np.float64)
        depth = np.concatenate([landmarks[:, 2], np.full(len(ring) + len(border), FAR)])
        return pts, depth


def signed_areas(points: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    a, b, c = (points[triangles[:, i]] for i in range(3))
    return 0.5 * ((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]))


def build_warp_mesh(face_triangles: np.ndarray, src_landmarks: np.ndarray, size: int,
                    hair: np.ndarray | None = None, neck: np.ndarray | None = None) -> WarpMesh:
    """Source landmarks [478, 3] in output pixels -> the mesh used for every frame of that portrait.

    ``hair`` [size, size] (0..1, optional): how much each pixel belongs to the head's hair; an
    anchor there follows its face point almost fully (hair moves with the head instead of
    stretching), however far out its ring lies. ``neck`` [size, size]: where it is > 0 (the neck),
    an anchor takes exactly that share of the motion (down to none at the collar)."""
    lm = np.asarray(src_landmarks, dtype=np.float64)[:, :2]
    n = len(lm)
    oval = lm[FACE_OVAL]
    centre = oval.mean(axis=0)
    margin = 2.0
    lo, hi = -margin, size + margin

    ring_pts, parents, weights = [], [], []
    for extent, keep in RINGS:
        pts = centre + (oval - centre) * (1.0 + extent)
        # Keep anchors clear of the fixed border points, or a small move would fold between them.
        inside = np.all((pts > lo + 0.08 * size) & (pts < hi - 0.08 * size), axis=1)
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

    # Triangulate the outside: oval + anchors + border; drop triangles lying inside the face.
    outer_ids = np.concatenate([FACE_OVAL, n + np.arange(len(ring) + len(border))])
    outer_pts = np.concatenate([oval, ring, border])
    tri = Delaunay(outer_pts).simplices
    n_oval = len(FACE_OVAL)
    tri = tri[~np.all(tri < n_oval, axis=1)]
    anchor_tris = outer_ids[tri]

    holes = np.concatenate(list(hole_triangles().values()))
    face = np.concatenate([np.asarray(face_triangles, dtype=np.int64), holes])
    triangles = np.concatenate([face, anchor_tris]).astype(np.int64)
    src = np.concatenate([lm, ring, border])
    return WarpMesh(src=src, triangles=triangles, n_face_tris=len(face), n_holes=len(holes),
                    src_area=signed_areas(src, triangles), ring_parent=np.concatenate(parents),
                    ring_weight=np.concatenate(weights), n_border=len(border))
