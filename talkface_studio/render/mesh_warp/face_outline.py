"""Where the photo's face really ends: how far the face mesh reaches beyond its own oval.

MediaPipe's face-oval landmarks are the mesh's border, but on a head the photo shows turned, the
far side's mesh wraps past the cheek's visible outline and folds back to the oval, which then lies
up to ~25 px (at 512) inside the face. The warp's background ring used to start at the oval, so
the strip between the oval and the visible outline was background to it: when the head turned
back toward the camera, the ring showed that strip of cheek (and the eye's outer corner) a second
time beside the face, a ghost band, and the fill between the face's front and the ring ramped
backward across it.

Here, per oval point, the distance along the ring's own direction (out from the oval's centre)
to where the union of the face triangles, as the photo shows them, ends. The ring then starts
there (``warp_mesh``). Where the mesh's border is the visible outline (most portraits, most of
the oval) the distance is the raster's own rounding, and ``SLACK`` takes it to exactly zero, so
those meshes are unchanged.
"""

from __future__ import annotations

import cv2
import numpy as np

SLACK = 2.0          # px at 512: reach below this is the raster's rounding, not a fold
STEP = 0.5           # px between the samples along each ray
MOST = 0.3           # of the oval's mean radius: the farthest the outline is looked for


def face_coverage(landmarks: np.ndarray, triangles: np.ndarray, size: int) -> np.ndarray:
    """uint8 [size, size]: 1 where any of the face triangles [F, 3] (landmarks [N, 2+], output
    pixels) covers the pixel centre, front or folded-back sheet alike."""
    covered = np.zeros((size, size), np.uint8)
    # one at a time: fillPoly's several contours cancel where they overlap (even-odd), and a
    # folded mesh overlaps itself exactly where this matters
    for corners in np.round((np.asarray(landmarks, np.float64)[triangles, :2] - 0.5) * 16).astype(np.int32):
        cv2.fillConvexPoly(covered, corners, 1, cv2.LINE_8, shift=4)
    return covered


def outline_reach(landmarks: np.ndarray, triangles: np.ndarray, oval: np.ndarray, size: int) -> np.ndarray:
    """Per point of ``oval`` (indices into landmarks [N, 2], output pixels): how far beyond it
    (px, along the ray from the oval's centre) the face triangles [F, 3] still cover the photo,
    less ``SLACK``: float [len(oval)], >= 0."""
    lm = np.asarray(landmarks, np.float64)[:, :2]
    covered = face_coverage(lm, triangles, size)
    ring = lm[oval]
    out = ring - ring.mean(0)
    radius = np.linalg.norm(out, axis=1, keepdims=True)
    direction = out / np.maximum(radius, 1e-9)
    t = np.arange(0.0, MOST * float(radius.mean()) + STEP, STEP)
    at = np.floor(ring[:, None] + t[None, :, None] * direction[:, None]).astype(np.int64)
    inside = np.zeros(at.shape[:2], bool)
    ok = ((at >= 0) & (at < size)).all(-1)
    inside[ok] = covered[at[ok][:, 1], at[ok][:, 0]] > 0
    # the first sample outside the covered face (the end of the run that starts at the oval)
    leaves = np.where((~inside).any(1), np.argmax(~inside, axis=1), len(t) - 1)
    return np.maximum(t[leaves] - SLACK * size / 512.0, 0.0)


def on_surface(landmarks: np.ndarray, triangles: np.ndarray, points: np.ndarray):
    """Each of points [K, 2] (output pixels) as a point of the surface the photo shows there:
    (corners [K, 3] landmark ids, weights [K, 3] barycentric), from the face triangle [F, 3]
    facing the camera that covers it, the nearest if several do (landmarks [N, 3], MediaPipe's
    z grows away); a point none covers takes the least far one's, extrapolated."""
    lm = np.asarray(landmarks, np.float64)
    v = lm[triangles, :2]                                                   # [F, 3, 2]
    e1, e2 = v[:, 1] - v[:, 0], v[:, 2] - v[:, 0]
    det = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    # the folded-back sheet (turned away in the photo) is never drawn (``raster``): not it
    facing = np.sign(det) == np.sign(det.sum())
    det = np.where((np.abs(det) > 0.1) & facing, det, np.nan)
    r = points[:, None] - v[None, :, 0]                                     # [K, F, 2]
    u = (r[..., 0] * e2[:, 1] - r[..., 1] * e2[:, 0]) / det
    w = (e1[:, 0] * r[..., 1] - e1[:, 1] * r[..., 0]) / det
    bary = np.stack([1.0 - u - w, u, w], -1)                               # [K, F, 3]
    # how far outside each triangle (0 inside), then the depth there among those at the least
    outside = np.nan_to_num(np.maximum(-bary, 0.0).sum(-1), nan=np.inf)
    depth = (bary * lm[triangles, 2][None]).sum(-1)
    best = _pick(outside, depth)
    k = np.arange(len(points))
    return triangles[best], bary[k, best]


def _pick(outside: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Per row, the triangle with the least ``outside`` (1e-6 tolerance), the nearest among ties."""
    least = outside.min(1, keepdims=True)
    tied = outside <= least + 1e-6
    return np.where(tied, np.nan_to_num(depth, nan=np.inf), np.inf).argmin(1)
