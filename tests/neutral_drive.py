"""Driving landmarks for renderer tests: a portrait's own face with a neutral, closed mouth.

Stands in for stage 1's portrait neutralization, so the renderer's part (closing the lips over a
smile's teeth, dropping its cheeks) can be tested on its own: the canonical neutral face's lower
face (closed lips, relaxed corners and cheeks) replaces the portrait's, in the portrait's own pose,
blended in around the mouth and out toward the eyes and the face outline.
"""

from __future__ import annotations

import numpy as np

from talkface_studio.face.normalize import denormalize, normalize
from talkface_studio.face.topology import canonical_face

CORE, REACH = 0.45, 0.3   # normalized units (eye span = 1): all neutral within CORE of the mouth,
                          # blended out over REACH beyond
LOWER_LIDS = ((7, 163, 144, 145, 153, 154, 155), (382, 381, 380, 374, 373, 390, 249))
EYE_CORNERS = ((33, 133), (362, 263))
INNER_UPPER = [191, 80, 81, 82, 13, 312, 311, 310, 415]
INNER_LOWER = [95, 88, 178, 87, 14, 317, 402, 318, 324]


def neutral_lower_face(landmarks_px: np.ndarray, amount: float = 1.0) -> np.ndarray:
    """[478, 3] image landmarks -> the same face, its mouth and cheeks neutral (lips closed) and
    its lower lids no higher than a neutral face's."""
    n, pose = normalize(np.asarray(landmarks_px, dtype=np.float64))
    canon = canonical_face().astype(np.float64)
    centre = n[[13, 14]].mean(0)
    target = canon + (centre - canon[[13, 14]].mean(0))
    d = np.linalg.norm((n - centre)[:, :2], axis=1)
    w = amount * np.exp(-((np.clip(d - CORE, 0.0, None) / REACH) ** 2))
    w[468:] = 0.0                                  # irises stay where they look
    out = n + w[:, None] * (target - n)
    # lips closed: each inner-lip pair meets halfway
    mid = 0.5 * (out[INNER_UPPER] + out[INNER_LOWER])
    out[INNER_UPPER] += amount * (mid - out[INNER_UPPER])
    out[INNER_LOWER] += amount * (mid - out[INNER_LOWER])
    # A smile's cheeks push the lower lids up (AU6): put them at the neutral face's height under
    # this face's own eye corners.
    for lids, (a, b) in zip(LOWER_LIDS, EYE_CORNERS):
        lids = list(lids)
        mid_n, mid_c = n[[a, b]].mean(0), canon[[a, b]].mean(0)
        out[lids, 1] = n[lids, 1] + amount * ((canon[lids, 1] - mid_c[1]) - (n[lids, 1] - mid_n[1])).clip(0)
    return denormalize(out, pose).astype(np.float32)
