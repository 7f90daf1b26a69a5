"""Rotations and similarity fits in MediaPipe's axes (x right, y down, z away from the camera).

Angle conventions, as seen by the viewer of the image (ARCHITECTURE.md):
yaw > 0 turns the face toward the image's right, pitch > 0 looks up, roll > 0 rotates the face
counter-clockwise. A head rotation is ``R = Rz(roll) @ Rx(pitch) @ Ry(yaw)`` applied to column
vectors (yaw first, in the head's frame; roll last, in the image plane).
"""

from __future__ import annotations

import numpy as np


def rotation_from_angles(yaw, pitch, roll) -> np.ndarray:
    """Degrees (scalars or arrays of shape [T]) -> rotation matrices [..., 3, 3] (float64)."""
    a, b, g = (np.radians(np.asarray(v, dtype=np.float64)) for v in (yaw, pitch, roll))
    a, b, g = np.broadcast_arrays(a, b, g)
    ca, sa, cb, sb, cg, sg = np.cos(a), np.sin(a), np.cos(b), np.sin(b), np.cos(g), np.sin(g)
    # Rx @ Ry written out: rows r1 = [ca, 0, -sa], r2 = [sb sa, cb, sb ca], r3 = [cb sa, -sb, cb ca];
    # Rz mixes r1 and r2. Signs chosen so the nose (z < 0) follows the conventions above.
    r1 = np.stack([ca, np.zeros_like(ca), -sa], axis=-1)
    r2 = np.stack([sb * sa, cb, sb * ca], axis=-1)
    r3 = np.stack([cb * sa, -sb, cb * ca], axis=-1)
    row1 = cg[..., None] * r1 + sg[..., None] * r2
    row2 = -sg[..., None] * r1 + cg[..., None] * r2
    return np.stack([row1, row2, r3], axis=-2)


def angles_from_rotation(rotation: np.ndarray) -> tuple[float, float, float]:
    """Inverse of :func:`rotation_from_angles`: a [3, 3] rotation -> (yaw, pitch, roll) degrees."""
    r = np.asarray(rotation, dtype=np.float64)
    pitch = np.arcsin(np.clip(-r[2, 1], -1.0, 1.0))
    yaw = np.arctan2(r[2, 0], r[2, 2])
    roll = np.arctan2(r[0, 1], r[1, 1])
    return float(np.degrees(yaw)), float(np.degrees(pitch)), float(np.degrees(roll))


def fit_similarity(source: np.ndarray, target: np.ndarray, weights: np.ndarray | None = None):
    """Least-squares ``target ≈ scale * R @ source + t`` (Umeyama 1991), R a proper rotation.

    source, target: [N, 3]. Returns (R [3,3], scale, t [3]) in float64.
    """
    src = np.asarray(source, dtype=np.float64)
    dst = np.asarray(target, dtype=np.float64)
    w = np.ones(len(src)) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    mu_s, mu_d = w @ src, w @ dst
    s0, d0 = src - mu_s, dst - mu_d
    cov = (d0 * w[:, None]).T @ s0
    u, sig, vt = np.linalg.svd(cov)
    fix = np.eye(3)
    fix[2, 2] = np.sign(np.linalg.det(u) * np.linalg.det(vt)) or 1.0  # no reflections
    rot = u @ fix @ vt
    var_s = float(w @ (s0**2).sum(axis=1))
    scale = float((sig * np.diag(fix)).sum() / var_s)
    trans = mu_d - scale * rot @ mu_s
    return rot, scale, trans
