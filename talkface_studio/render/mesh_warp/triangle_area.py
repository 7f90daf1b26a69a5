"""Signed areas of 2-D triangles. Their sign is a triangle's orientation: a face triangle whose sign
differs from most of the face's is seen from behind (the warp mesh, the raster, the photo's hidden side)."""

from __future__ import annotations

import numpy as np


def signed_areas(points: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    a, b, c = (points[triangles[:, i]] for i in range(3))
    return 0.5 * ((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]))
