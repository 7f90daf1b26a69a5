"""Ordered MediaPipe index loops the renderer needs, and the triangles that fill the mesh's holes.

The 478-point tessellation leaves the eye openings and the mouth open. A renderer must decide what
fills them, so it needs the rims as *ordered* polylines (lid by lid, lip by lip). These indices are
facts of the MediaPipe topology (see ``FACEMESH_LEFT_EYE`` etc. in mediapipe's face_mesh_connections).
"""

from __future__ import annotations

import numpy as np

# The outline of the mesh, clockwise in the image starting at the top of the forehead.
FACE_OVAL = np.array([10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378,
                      400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21,
                      54, 103, 67, 109], dtype=np.int64)

# Inner lip rim: corner, upper lip (image left -> right), corner, lower lip (left -> right).
MOUTH_CORNERS = (78, 308)
INNER_UPPER_LIP = np.array([191, 80, 81, 82, 13, 312, 311, 310, 415], dtype=np.int64)
INNER_LOWER_LIP = np.array([95, 88, 178, 87, 14, 317, 402, 318, 324], dtype=np.int64)
# Outer lip rim (for the portrait's lip colour): a closed loop.
OUTER_LIPS = np.array([61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84,
                       181, 91, 146], dtype=np.int64)


class EyeRim:
    """One eye opening: two corners and the upper/lower lid points between them (image left->right)."""

    def __init__(self, outer_left: int, inner_right: int, upper, lower, iris_centre: int, iris_ring,
                 brow_lower=(), brow_upper=()):
        self.corners = (outer_left, inner_right)
        # the brow over the eye: its lower and upper rows, outer to inner, pair by pair
        self.brow_lower = np.asarray(brow_lower, dtype=np.int64)
        self.brow_upper = np.asarray(brow_upper, dtype=np.int64)
        self.upper = np.asarray(upper, dtype=np.int64)
        self.lower = np.asarray(lower, dtype=np.int64)
        self.iris_centre = iris_centre
        self.iris_ring = np.asarray(iris_ring, dtype=np.int64)

    @property
    def loop(self) -> np.ndarray:
        """Closed polygon: left corner, upper lid, right corner, lower lid backwards."""
        a, b = self.corners
        return np.concatenate([[a], self.upper, [b], self.lower[::-1]])


# The subject's right eye is on the image's left (MediaPipe naming).
RIGHT_EYE = EyeRim(33, 133, [246, 161, 160, 159, 158, 157, 173], [7, 163, 144, 145, 153, 154, 155],
                   468, [469, 470, 471, 472], [46, 53, 52, 65, 55], [70, 63, 105, 66, 107])
LEFT_EYE = EyeRim(362, 263, [398, 384, 385, 386, 387, 388, 466], [382, 381, 380, 374, 373, 390, 249],
                  473, [474, 475, 476, 477], [276, 283, 282, 295, 285], [300, 293, 334, 296, 336])
EYES = (RIGHT_EYE, LEFT_EYE)


def inner_lip_loop() -> np.ndarray:
    """Closed inner-lip polygon: left corner, upper lip, right corner, lower lip backwards."""
    a, b = MOUTH_CORNERS
    return np.concatenate([[a], INNER_UPPER_LIP, [b], INNER_LOWER_LIP[::-1]])


def zipper(left: int, right: int, upper: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """Triangles [F, 3] joining two rims that share end points (a lid pair, a lip pair).

    A strip stays valid when the opening is closed to a line, which a Delaunay fan would not.
    """
    tris = []
    u, lo = [left, *upper, right], [left, *lower, right]
    i = j = 0
    while i < len(u) - 1 or j < len(lo) - 1:
        # Advance along whichever rim is behind in relative progress, so triangles stay fat.
        if j >= len(lo) - 1 or (i < len(u) - 1 and (i + 1) / (len(u) - 1) <= (j + 1) / (len(lo) - 1)):
            tris.append((u[i], u[i + 1], lo[j]))
            i += 1
        else:
            tris.append((u[i], lo[j + 1], lo[j]))
            j += 1
    return np.array([t for t in tris if len(set(t)) == 3], dtype=np.int64)


def hole_triangles() -> dict[str, np.ndarray]:
    """Triangles filling the mouth and both eye openings, by name."""
    return {
        "mouth": zipper(*MOUTH_CORNERS, INNER_UPPER_LIP, INNER_LOWER_LIP),
        "right_eye": zipper(*RIGHT_EYE.corners, RIGHT_EYE.upper, RIGHT_EYE.lower),
        "left_eye": zipper(*LEFT_EYE.corners, LEFT_EYE.upper, LEFT_EYE.lower),
    }
