"""Cues measured from normalized landmarks: gaze from the irises, blink and mouth shape from the lids
and lips. Used to label training data (gaze) and to turn generated landmarks into the editable blink
and mouth channels. All ratios are scale-free, so they work in normalized space at any unit.
"""

from __future__ import annotations

import numpy as np

from talkface_studio.face.topology import (IRIS_CENTRES, LEFT_EYE_CORNERS, MOUTH_CORNERS,
                                           RIGHT_EYE_CORNERS, canonical_face)

# MediaPipe indices of the lid midpoints (upper, lower) and the inner-lip midpoints (upper, lower).
_RIGHT_LIDS, _LEFT_LIDS = (159, 145), (386, 374)
_INNER_LIPS = (13, 14)
# An eyeball's radius is ~0.4 of the eye opening's width: an iris displaced by d eye-widths is
# turned by asin(d / 0.4).
_EYEBALL_RADIUS = 0.4


def _eye(lm, corners, iris):
    outer, inner = lm[..., corners[0], :2], lm[..., corners[1], :2]
    width = np.linalg.norm(outer - inner, axis=-1)
    offset = (lm[..., iris, :2] - (outer + inner) / 2) / width[..., None]
    return offset, width


def gaze_from_landmarks(lm: np.ndarray) -> np.ndarray:
    """normalized landmarks [T, 478, 3] -> gaze [T, 2] (yaw, pitch) degrees relative to the head;
    yaw > 0 toward the image's right, pitch > 0 up (y points down)."""
    off = np.mean([_eye(lm, RIGHT_EYE_CORNERS, IRIS_CENTRES[0])[0],
                   _eye(lm, LEFT_EYE_CORNERS, IRIS_CENTRES[1])[0]], axis=0)
    ang = np.degrees(np.arcsin(np.clip(off / _EYEBALL_RADIUS, -1, 1)))
    return np.stack([ang[..., 0], -ang[..., 1]], -1).astype(np.float32)


def _aperture(lm):
    ap = []
    for corners, lids in ((RIGHT_EYE_CORNERS, _RIGHT_LIDS), (LEFT_EYE_CORNERS, _LEFT_LIDS)):
        width = np.linalg.norm(lm[..., corners[0], :2] - lm[..., corners[1], :2], axis=-1)
        ap.append(np.linalg.norm(lm[..., lids[0], :2] - lm[..., lids[1], :2], axis=-1) / width)
    return np.mean(ap, axis=0)


def blink_from_landmarks(lm: np.ndarray) -> np.ndarray:
    """[T, 478, 3] -> blink [T] in 0..1: 0 at the canonical face's lid opening, 1 at ~15% of it."""
    ref = _aperture(canonical_face())
    return np.clip((ref - _aperture(lm)) / (0.85 * ref), 0.0, 1.0).astype(np.float32)


def mouth_from_landmarks(lm: np.ndarray) -> dict[str, np.ndarray]:
    """[T, 478, 3] -> {"jaw_open", "mouth_wide"} in 0..1 relative to the canonical face: jaw_open 1
    when the lips part by 60% of the neutral mouth width, mouth_wide 1 at 30% wider corners."""
    canon = canonical_face()

    def parts(x):
        width = np.linalg.norm(x[..., MOUTH_CORNERS[0], :2] - x[..., MOUTH_CORNERS[1], :2], axis=-1)
        gap = np.linalg.norm(x[..., _INNER_LIPS[0], :2] - x[..., _INNER_LIPS[1], :2], axis=-1)
        return width, gap

    w0, g0 = parts(canon)
    w, g = parts(lm)
    return {"jaw_open": np.clip((g - g0) / (0.6 * w0), 0, 1).astype(np.float32),
            "mouth_wide": np.clip((w - w0) / (0.3 * w0), 0, 1).astype(np.float32)}
