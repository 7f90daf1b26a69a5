"""Smooth displacement fields over the canonical face, in millimetres made normalized.

Blendshapes and action units are built from a few primitives: a Gaussian bump around an anchor,
masks that tell the upper lip from the lower lip and the brow from the lid, and mirroring of a
one-sided field to the other side. Distances are written in millimetres for readability and
converted with MM (the canonical interpupillary distance is taken as 63 mm, the adult mean).
"""

from __future__ import annotations

import numpy as np

from talkface_studio.face.topology import MIRROR, REGIONS, canonical_face

FACE = canonical_face().astype(np.float64)
N = len(FACE)
MM = float(np.linalg.norm(FACE[REGIONS["iris_centres"][0]] - FACE[REGIONS["iris_centres"][1]]) / 63.0)
X, Y, Z = FACE[:, 0], FACE[:, 1], FACE[:, 2]

INNER_UPPER = REGIONS["lips_inner_upper"]
INNER_LOWER = REGIONS["lips_inner_lower"]
OUTER_UPPER = REGIONS["lips_outer_upper"]
OUTER_LOWER = REGIONS["lips_outer_lower"]
CORNERS = REGIONS["mouth_corners"]  # subject's right (image left, x<0), left
# Inner-lip pairs facing each other across the mouth opening (corners excluded).
LIP_PAIRS = np.stack([INNER_UPPER[1:-1], INNER_LOWER[1:-1]], axis=1)


def vec(dx_mm=0.0, dy_mm=0.0, dz_mm=0.0) -> np.ndarray:
    return np.array([dx_mm, dy_mm, dz_mm]) * MM


def bump(center, sigma: float, depth_weight: float = 0.5) -> np.ndarray:
    """Gaussian weights [N] around a normalized-space point (sigma in normalized units)."""
    d = FACE - np.asarray(center, dtype=float)
    d[:, 2] *= depth_weight  # depth matters less than position in the image
    return np.exp(-(d**2).sum(axis=1) / (2 * sigma**2))


LIP_BAND_MM = 10.0  # height of the lips' red above a mouth corner on the canonical face


def corner_bump(center, sigma: float) -> np.ndarray:
    """Gaussian weights [N] around a mouth corner (or a point beside it), measured along the mouth.

    The canonical face puts the lip points beside a corner ~9 mm above it and ~6 mm in front,
    where a portrait's lips run nearly level into their corner. A round bump left those points
    behind what moved the corner: drawn in (a neutral face, a rounded vowel, pressed lips), the
    corner passed the lip beside it and the warp folded the photo's corner pit out onto the
    cheek; pulled down, a closed mouth showed a hook at each end. So height counts a quarter up to
    the lips' own height above the corner, and depth a quarter; below the corner and higher than
    the lips, distance counts in full (the chin and the cheek do not follow)."""
    center = np.asarray(center, dtype=float)
    rise = np.clip(center[1] - Y, 0.0, None)
    band = LIP_BAND_MM * MM
    dy = np.where(Y < center[1], 0.25 * np.minimum(rise, band) + np.clip(rise - band, 0.0, None), Y - center[1])
    d2 = (X - center[0]) ** 2 + dy**2 + (0.25 * (Z - center[2])) ** 2
    return np.exp(-d2 / (2 * sigma**2))


def smoothstep(x) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def _line(indices) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(X[indices])
    return X[indices][order], Y[indices][order]


def points_in_polygon(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Even-odd rule: a ray to +x crosses the edges an odd number of times from inside. (numpy, not
    matplotlib.path: importing matplotlib holds the GIL ~140 ms and stalled the app's GUI thread.)"""
    x, y = points[:, 0:1], points[:, 1:2]
    x0, y0 = polygon[:, 0], polygon[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    straddles = (y0 > y) != (y1 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_cross = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
    return np.count_nonzero(straddles & (x < x_cross), axis=1) % 2 == 1


def _inside(contour_indices) -> np.ndarray:
    return points_in_polygon(FACE[:, :2], FACE[contour_indices, :2])


# -- the mouth ------------------------------------------------------------------------------
_outer_loop = np.concatenate([OUTER_UPPER, OUTER_LOWER[::-1][1:-1]])
IN_LIPS = _inside(_outer_loop)
IN_LIPS[np.concatenate([OUTER_UPPER, OUTER_LOWER])] = True
MOUTH_LINE_Y = np.interp(X, *_line(INNER_UPPER))  # where the lips meet, per x
LOWER_LIP_EDGE_Y = np.interp(X, *_line(OUTER_LOWER))  # the lower lip's outer edge, per x


def lip_side() -> np.ndarray:
    """+1 for points of the lower lip, -1 upper lip, 0 corners and elsewhere."""
    side = np.zeros(N)
    side[IN_LIPS & (Y > MOUTH_LINE_Y + 1e-6)] = 1.0
    side[IN_LIPS & (Y < MOUTH_LINE_Y - 1e-6)] = -1.0
    # contours by name: near the corners the canonical lower edge (146, 375) lies above the
    # interpolated mouth line, which would otherwise count it as upper lip
    side[np.concatenate([INNER_UPPER, OUTER_UPPER])] = -1.0
    side[np.concatenate([INNER_LOWER, OUTER_LOWER])] = 1.0
    side[np.concatenate([CORNERS, INNER_UPPER[[0, -1]]])] = 0.0
    return side


LIP_SIDE = lip_side()


def lip_depth() -> np.ndarray:
    """0 on the inner lip line .. 1 on the outer lip contour (lip points only), else nan."""
    out = np.full(N, np.nan)
    up_outer = np.interp(X, *_line(OUTER_UPPER))
    low_outer = LOWER_LIP_EDGE_Y
    upper = IN_LIPS & (LIP_SIDE <= 0)
    lower = IN_LIPS & (LIP_SIDE > 0)
    out[upper] = (MOUTH_LINE_Y - Y)[upper] / np.maximum(1e-6, (MOUTH_LINE_Y - up_outer)[upper])
    out[lower] = (Y - MOUTH_LINE_Y)[lower] / np.maximum(1e-6, (low_outer - MOUTH_LINE_Y)[lower])
    out = np.clip(out, 0, 1)
    out[np.concatenate([OUTER_UPPER[1:-1], OUTER_LOWER[1:-1]])] = 1.0  # the contours by name
    out[np.concatenate([INNER_UPPER[1:-1], INNER_LOWER[1:-1]])] = 0.0
    return out


LIP_DEPTH = lip_depth()

# -- eyes and brows ---------------------------------------------------------------------------


def above_eye(side: str) -> np.ndarray:
    """0 at and below the upper lid of `side` ('right'/'left') .. 1 at the brow and above."""
    lid_x, lid_y = _line(REGIONS[f"{side}_upper_lid"])
    brow = REGIONS[f"{side}_brow"]
    brow_y = np.interp(X, *_line(brow))  # lower and upper brow rows together: the brow's middle
    lid = np.interp(X, lid_x, lid_y)
    return smoothstep((lid - Y) / np.maximum(1e-6, lid - brow_y))


def lid_profile(indices) -> np.ndarray:
    """Weights [N]: 1 at the middle of a lid contour, 0 at the eye corners (a sine arch)."""
    w = np.zeros(N)
    k = len(indices)
    w[indices] = np.sin(np.linspace(0, np.pi, k))
    return w


def brow_ends(side: str) -> tuple[int, int]:
    """(inner, outer) end points of a brow: inner is nearest the midline."""
    brow = REGIONS[f"{side}_brow"]
    ax = np.abs(X[brow])
    return int(brow[np.argmin(ax)]), int(brow[np.argmax(ax)])


def mirrored(field: np.ndarray) -> np.ndarray:
    """The same field on the other side of the face (x flipped)."""
    out = field[MIRROR].copy()
    out[:, 0] *= -1
    return out


def both_sides(field_right: np.ndarray) -> np.ndarray:
    """A field built on the subject's right (x<0) plus its mirror image."""
    return field_right + mirrored(field_right)


def scaled(weights: np.ndarray, v: np.ndarray) -> np.ndarray:
    """weights [N] x vector [3] -> field [N, 3]."""
    return np.asarray(weights, dtype=float)[:, None] * np.asarray(v, dtype=float)[None, :]
