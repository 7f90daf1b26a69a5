"""Signed areas of 2-D triangles. Their sign is a triangle's orientation: a face triangle whose sign
differs from most of the face's is seen from behind (the warp mesh, the raster, the photo's hidden side)."""

from __future__ import annotations

import numpy as np

RELIABLE_AREA = 0.05  # px^2: a source triangle smaller than this has no reliable orientation


def signed_areas(points: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    a, b, c = (points[triangles[:, i]] for i in range(3))
    return 0.5 * ((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]))


def front_sign(areas: np.ndarray) -> float:
    """The orientation (+1 or -1; 0 for no area at all) most of a face mesh's area has: its front,
    as the photo shows it. A triangle oriented the other way is seen from behind."""
    return float(np.sign(areas.sum()))
