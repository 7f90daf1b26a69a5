"""Mouth blendshapes [478, 3] at channel value 1, in normalized space.

jaw_open is a rotation of the lower face about the jaw hinge (near the ear), not a straight drop:
the chin swings down and back. The lower lip hangs from the mandible at the centre and from the
cheeks at the corners, so it drops as an arc (widest at the centre), not as a box. lip_press is sized to close the gap the jaw leaves at
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
    LOWER_LIP_EDGE_Y,
    MM,
    MOUTH_LINE_Y,
    X,
    Y,
    both_sides,
    bump,
    corner_bump,
    scaled,
    smoothstep,
    vec,
)

JAW_DROP_MM = 24.0  # lower-lip drop at jaw_open = 1 (a wide shout; speech uses ~0.2-0.6)
JAW_PRESS_LIMIT = 0.25  # lip_press = 1 still closes the lips at this jaw opening
HINGE = np.array([0.0, 0.25, 0.6])  # temporomandibular joint: in front of the ear, behind the face
CORNER_SHARE = 0.3  # of the mandible's drop that reaches the lip corners (they hang from the cheeks)
ROUND_CORNER_MM = 12.0  # each corner comes this far in at full rounding
JAW_CORNER_IN_MM = 4.5  # each corner comes this far in at jaw_open = 1 (~2.5 mm on a spoken /a/)
JAW_UPPER_LIFT_MM = 2.5  # the upper lip's centre lifts off the teeth this far at jaw_open = 1
ARC_POWER = 0.7  # opening profile (1 - u^2)^p: 0.5 an ellipse, 1 a pointed lens; trackers see between

_RIGHT_CORNER = FACE[CORNERS[0]]
_INNER_CORNER_X = abs(FACE[INNER_LOWER[0], 0])


def along_mouth() -> np.ndarray:
    """u [N]: 0 on the midline .. 1 at the inner lip corners and beyond."""
    return np.clip(np.abs(X) / _INNER_CORNER_X, 0.0, 1.0)


def opening_profile(u: np.ndarray) -> np.ndarray:
    """Share of the centre's opening at u along the mouth: 1 at the centre, 0 at the corners, with
    a smooth round top (no flat run that would leave the opening a box with vertical sides)."""
    return (1.0 - np.clip(u, 0.0, 1.0) ** 2) ** ARC_POWER


def _jaw_weight() -> np.ndarray:
    """How far each point follows the mandible: 1 chin, 0 upper lip and above. The lower lip hangs
    from the mandible at the centre but from the cheeks at the corners, so its weight falls from 1
    to CORNER_SHARE along the mouth: the opening becomes an arc, widest at the centre."""
    corner_y = FACE[CORNERS, 1].mean()
    lateral = np.clip(np.abs(X) - abs(_RIGHT_CORNER[0]), 0, None)
    top = corner_y - 0.04 - 0.5 * lateral  # the jaw/cheek boundary rises toward the ear
    w = smoothstep((Y - top) / 0.12)
    u = along_mouth()
    lower_lip = CORNER_SHARE + (1 - CORNER_SHARE) * opening_profile(u)
    upper_lip = CORNER_SHARE * u**4  # only next to the corners does the upper lip follow them down
    # skin below the lower lip: from the lip's own weight at its edge to the mandible's 10 mm lower
    # (and 12 mm out past the corners), so the lip and the chin below it do not tear apart
    below = smoothstep((Y - LOWER_LIP_EDGE_Y) / (10 * MM))
    below = np.maximum(below, smoothstep(lateral / (12 * MM)))
    near = (Y > MOUTH_LINE_Y) & ~IN_LIPS
    w[near] = (lower_lip + (w - lower_lip) * below)[near]
    w[IN_LIPS] = np.where(LIP_SIDE > 0, lower_lip, upper_lip)[IN_LIPS]
    # the commissure (outer corner, inner corner and the points between) moves as one
    to_corner = np.linalg.norm(FACE[:, None, :2] - FACE[np.r_[CORNERS, INNER_LOWER[[0, -1]]], :2][None], axis=2)
    w[to_corner.min(axis=1) < 1.5 * MM] = CORNER_SHARE
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
    # an open mouth narrows (corners in) and the upper lip's centre lifts off the teeth, so the
    # opening is an oval rather than a wide slot (a slot between straight lips read as a grin),
    # and the lower lip, stretched over the teeth, rolls out a little at its outer edge
    depth = np.nan_to_num(LIP_DEPTH)
    arc = opening_profile(along_mouth())
    field += both_sides(scaled(corner_bump(_RIGHT_CORNER, 0.08), vec(JAW_CORNER_IN_MM, 0, 0)) * (X < 0)[:, None])
    field += scaled((LIP_SIDE < 0) * (1 - depth) * arc, vec(0, -JAW_UPPER_LIFT_MM, 0))
    field += scaled((LIP_SIDE > 0) * depth * arc, vec(0, 0, -1.5))
    return field


def mouth_wide() -> np.ndarray:
    corner = corner_bump(_RIGHT_CORNER, 0.14) * (X < 0)
    field = both_sides(scaled(corner, vec(-7.0, -0.5, 1.5)))
    thin = -np.sign(LIP_SIDE) * np.nan_to_num(LIP_DEPTH)  # stretched lips get thinner
    return field + scaled(thin, vec(0, 1.0, 0))


def mouth_round() -> np.ndarray:
    """Lips rounded and pushed forward (/u/, /o/, /w/), as a viewer sees it from the front: the
    corners come in (the mouth ~25 mm narrower at full rounding), the lips evert and look fuller,
    and the opening the jaw leaves narrows with the corners into a small oval."""
    corner = corner_bump(_RIGHT_CORNER, 0.12) * (X < 0)
    field = both_sides(scaled(corner, vec(ROUND_CORNER_MM, 0.0, -2.0)))
    lips = bump([0.0, MOUTH_LINE_Y.min(), FACE[INNER_UPPER, 2].mean()], 0.14)
    field += scaled(lips, vec(0, 0, -6.0))  # lips push forward
    depth = np.nan_to_num(LIP_DEPTH)
    u = along_mouth()
    # a small round opening with everted lips: inner edges part at the centre only
    side = np.sign(LIP_SIDE) * IN_LIPS * opening_profile(u)
    field += scaled(side * (1 - 0.3 * depth), vec(0, 1.8, 0))
    # everted lips: the outer edges roll out, so both lips look fuller from the front
    evert = np.sign(LIP_SIDE) * IN_LIPS * depth * (1 - 0.6 * u**2)
    field += scaled(evert, vec(0, 1.5, 0))
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
    """Lower lip up and back under the upper teeth (f, v). The lip meets the teeth across the
    middle of the mouth; toward the corners it follows them (a lip lifted whole left a step beside
    each still corner: a hook in the closed line)."""
    teeth = 1 - smoothstep((along_mouth() - 0.4) / 0.6)  # the incisors span the middle ~60 %
    lower = (LIP_SIDE > 0) * (1 - 0.4 * np.nan_to_num(LIP_DEPTH)) * teeth
    below = bump(FACE[INNER_LOWER[len(INNER_LOWER) // 2]] + [0, 0.08, 0], 0.08) * (LIP_SIDE == 0) * (Y > MOUTH_LINE_Y)
    upper = (LIP_SIDE < 0) * (1 - np.nan_to_num(LIP_DEPTH)) * teeth
    return scaled(lower, vec(0, -4.5, 4.0)) + scaled(below, vec(0, -1.5, 2.0)) + scaled(upper, vec(0, -1.0, 0))
