"""Mouth blendshapes [478, 3] at channel value 1, in normalized space.

jaw_open is a rotation of the lower face about the jaw hinge (near the ear), not a straight drop:
the chin swings down and back. lip_press is sized to close the gap the jaw leaves at
jaw_open = JAW_PRESS_LIMIT, so bilabials close even on a slightly open jaw; when both are small the
lips would overlap, which `clamp_lip_order` (blendshapes.py) resolves after mixing.
"""

from __future__ import annotations

import numpy as np

from .face_fields import (
    CORNERS,
    FACE,
    IN_LIPS,
    INNER_LOWER,
    INNER_UPPER,
    LIP_DEPTH,
    LIP_PAIRS,
    LIP_SIDE,
    MM,
    MOUTH_LINE_Y,
    X,
    Y,
    both_sides,
    bump,
    scaled,
    smoothstep,
    vec,
)

JAW_DROP_MM = 24.0  # lower-lip drop at jaw_open = 1 (a wide shout; speech uses ~0.2-0.6)
JAW_PRESS_LIMIT = 0.25  # lip_press = 1 still closes the lips at this jaw opening
HINGE = np.array([0.0, 0.25, 0.6])  # temporomandibular joint: in front of the ear, behind the face

_RIGHT_CORNER = FACE[CORNERS[0]]


def _jaw_weight() -> np.ndarray:
    """How rigidly each point follows the mandible: 1 lower lip/chin, 0 upper lip and above."""
    corner_y = FACE[CORNERS, 1].mean()
    lateral = np.clip(np.abs(X) - abs(_RIGHT_CORNER[0]), 0, None)
    top = corner_y - 0.04 - 0.5 * lateral  # the jaw/cheek boundary rises toward the ear
    w = smoothstep((Y - top) / 0.12)
    w[IN_LIPS] = (LIP_SIDE[IN_LIPS] > 0).astype(float)
    w[CORNERS] = 0.5
    w[INNER_UPPER[[0, -1]]] = 0.5
    w[INNER_UPPER[1:-1]] = 0.0
    w[INNER_LOWER[1:-1]] = 1.0
    return w


def jaw_open() -> np.ndarray:
    lower_lip = FACE[INNER_LOWER[len(INNER_LOWER) // 2]]
    r = lower_lip[1:] - HINGE[1:]
    angle = JAW_DROP_MM * MM / np.linalg.norm(r)
    c, s = np.cos(angle), np.sin(angle)
    rel = FACE[:, 1:] - HINGE[1:]
    # rotate in the y-z plane so points in front of the hinge (z < hinge) swing down (+y)
    rotated = np.stack([c * rel[:, 0] - s * rel[:, 1], s * rel[:, 0] + c * rel[:, 1]], axis=1)
    field = np.zeros_like(FACE)
    field[:, 1:] = (rotated - rel) * _jaw_weight()[:, None]
    # an open mouth narrows a little and the upper lip lifts off the teeth
    field += both_sides(scaled(bump(_RIGHT_CORNER, 0.08), vec(3.0, 0, 0)) * (X < 0)[:, None])
    field += scaled((LIP_SIDE < 0) * (1 - np.nan_to_num(LIP_DEPTH)), vec(0, -1.5, 0))
    return field


def mouth_wide() -> np.ndarray:
    corner = bump(_RIGHT_CORNER, 0.14) * (X < 0)
    field = both_sides(scaled(corner, vec(-7.0, -0.5, 1.5)))
    thin = -np.sign(LIP_SIDE) * np.nan_to_num(LIP_DEPTH)  # stretched lips get thinner
    return field + scaled(thin, vec(0, 1.0, 0))


def mouth_round() -> np.ndarray:
    corner = bump(_RIGHT_CORNER, 0.12) * (X < 0)
    field = both_sides(scaled(corner, vec(9.0, 0.0, -2.0)))
    lips = bump([0.0, MOUTH_LINE_Y.min(), FACE[INNER_UPPER, 2].mean()], 0.14)
    field += scaled(lips, vec(0, 0, -6.0))  # lips push forward
    # a small round opening with everted lips: inner edges part, outer edges flare out
    side = np.sign(LIP_SIDE) * IN_LIPS
    field += scaled(side * (1 - 0.3 * np.nan_to_num(LIP_DEPTH)), vec(0, 1.8, 0))
    return field


def lip_press(jaw_field: np.ndarray) -> np.ndarray:
    """Inner lips meet (upper 35 %, lower 65 % of the way) and roll in slightly."""
    up, low = LIP_PAIRS[:, 0], LIP_PAIRS[:, 1]
    gap = (FACE[low, 1] - FACE[up, 1]) + JAW_PRESS_LIMIT * (jaw_field[low, 1] - jaw_field[up, 1])
    gap = np.clip(gap, 0, None)
    # spread each pair's closing distance over its half of the lip (by x), fading to the outer edge
    close = np.interp(X, np.sort(X[up]), gap[np.argsort(X[up])])
    depth = np.nan_to_num(LIP_DEPTH, nan=1.0)
    field = np.zeros_like(FACE)
    field[:, 1] = np.where(LIP_SIDE < 0, 0.35, -0.65) * close * (1 - 0.4 * depth) * (LIP_SIDE != 0)
    field += scaled(-np.sign(LIP_SIDE) * np.nan_to_num(LIP_DEPTH), vec(0, 1.0, 1.0))  # roll in
    return field


def lips_part(gap_mm: float = 10.0) -> np.ndarray:
    """AU25, lips apart with the jaw still (a teeth-showing smile): not a channel, used to estimate
    and remove a portrait's own open lips. Upper lip 45 %, lower 55 % of `gap_mm`, fading outward."""
    depth = np.nan_to_num(LIP_DEPTH, nan=1.0)
    along = 1.0 - smoothstep(np.abs(X) / np.abs(_RIGHT_CORNER[0]))  # 0 at the corners
    field = np.zeros_like(FACE)
    field[:, 1] = np.where(LIP_SIDE < 0, -0.45, 0.55) * gap_mm * MM * (1 - 0.4 * depth) * (LIP_SIDE != 0)
    return field * (0.3 + 0.7 * along)[:, None]


def lip_tuck() -> np.ndarray:
    """Lower lip up and back under the upper teeth (f, v)."""
    lower = (LIP_SIDE > 0) * (1 - 0.4 * np.nan_to_num(LIP_DEPTH))
    below = bump(FACE[INNER_LOWER[len(INNER_LOWER) // 2]] + [0, 0.08, 0], 0.08) * (LIP_SIDE == 0) * (Y > MOUTH_LINE_Y)
    upper = (LIP_SIDE < 0) * (1 - np.nan_to_num(LIP_DEPTH))
    return scaled(lower, vec(0, -4.5, 4.0)) + scaled(below, vec(0, -1.5, 2.0)) + scaled(upper, vec(0, -1.0, 0))
