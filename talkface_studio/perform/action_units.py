"""FACS action units as landmark displacement fields [478, 3] at full intensity (normalized space).

Magnitudes are chosen from published ranges of facial movement (e.g. brow raise ~6-8 mm, smile
corner pull ~6 mm up and out) at full intensity; blendshapes.py scales them up to MEAD's level 3
(an exaggerated, unmistakable expression) and level 1 (one third) stays subtle but visible. Most
units are built on the subject's right and mirrored; `side="right"` keeps only one side (contempt
is a unilateral AU12+AU14).
"""

from __future__ import annotations

import numpy as np

from talkface_studio.face.topology import REGIONS

from .face_fields import (
    CORNERS,
    FACE,
    IN_LIPS,
    LIP_DEPTH,
    LIP_SIDE,
    MM,
    MOUTH_LINE_Y,
    X,
    Y,
    above_eye,
    both_sides,
    brow_ends,
    bump,
    corner_bump,
    lid_profile,
    scaled,
    smoothstep,
    vec,
)

RIGHT_CORNER = FACE[CORNERS[0]]
_EYE_R = FACE[REGIONS["right_eye"]].mean(axis=0)
_UPPER_SIDE = (Y < MOUTH_LINE_Y) & (np.abs(X) < 0.45) & (Y > FACE[2, 1] - 0.02)  # between nose and lips


def _right_half() -> np.ndarray:
    return smoothstep(0.5 - X / 0.04)  # 1 on the subject's right (x<0), fading over the midline


def _brow_field(at: np.ndarray, v_mm, sigma_x: float) -> np.ndarray:
    """Brow + forehead skin moving around one point of the brow (canonical x, y); the lid below
    stays put."""
    w = above_eye("right") * np.exp(-((X - at[0]) ** 2) / (2 * sigma_x**2))
    w *= np.exp(-np.clip(at[1] - 0.05 - Y, 0, None) ** 2 / (2 * 0.3**2))  # fades up the forehead
    w *= _right_half()
    return scaled(w, vec(*v_mm))


def au1_inner_brow_raiser():
    inner, _ = brow_ends("right")
    return both_sides(_brow_field(FACE[inner], (0.8, -8.0, 0.0), 0.10))


def au2_outer_brow_raiser():
    _, outer = brow_ends("right")
    return both_sides(_brow_field(FACE[outer], (-0.5, -7.0, 0.0), 0.13))


def brow_middle_raiser():
    """The middle of the brow up 6 mm at 1. AU1 and AU2 each lift one end of the brow (the fields
    above), so together they left its middle 6-7 mm below both ends: a wavy, worried brow. When the
    whole frontalis contracts (AU1+2, surprise) the middle rises with the ends, into a high, even
    arch."""
    inner, outer = brow_ends("right")
    return both_sides(_brow_field(FACE[[inner, outer]].mean(axis=0), (0.0, -6.0, 0.0), 0.12))


def au4_brow_lowerer(lid: float = 1.0, v_shape: float = 0.0):
    """Brows down and drawn together. `lid`: how much the lowered brow presses the upper lid down
    (0 for a glare, where AU5 holds the lid up under the lowered brow). `v_shape`: extra lowering
    of the inner ends (mm at 1: 2.5), the V of anger rather than a level frown."""
    inner, outer = brow_ends("right")
    mid = FACE[[inner, outer]].mean(axis=0)
    w_down = above_eye("right") * np.exp(-((X - mid[0]) ** 2) / (2 * 0.2**2)) * _right_half()
    w_down *= np.exp(-np.clip(mid[1] - 0.05 - Y, 0, None) ** 2 / (2 * 0.2**2))
    w_in = above_eye("right") * np.exp(-((X - FACE[inner, 0]) ** 2) / (2 * 0.1**2)) * _right_half()
    down = scaled(w_down, vec(0, 4.5, -0.5)) + scaled(w_in, vec(4.0, 1.0 + 2.5 * v_shape, -1.0))
    lid_push = scaled(lid_profile(REGIONS["right_upper_lid"]), vec(0, 1.0 * lid, 0))  # the brow presses the lid
    return both_sides(down + lid_push)


def au5_upper_lid_raiser():
    """The upper lid pulled up (3.2 mm at 1): the white of the eye shows above the iris."""
    lid = lid_profile(REGIONS["right_upper_lid"])
    fold = bump(FACE[REGIONS["right_upper_lid"]].mean(0) + [0, -0.06, 0], 0.07) * (1 - above_eye("right") ** 2)
    fold[REGIONS["right_upper_lid"]] = 0
    fold *= _right_half()
    return both_sides(scaled(lid, vec(0, -3.2, 0)) + scaled(fold, vec(0, -1.2, 0)))


def au6_cheek_raiser():
    """Cheeks lifted by the orbicularis oculi: the lower lid pushed up and bulging, crow's feet at
    the outer corner, the skin under the brow's tail drawn down a little (the eyes smile)."""
    cheek = bump(_EYE_R + [0.0, 0.22, -0.05], 0.13) * (Y > _EYE_R[1]) * _right_half()
    lower_lid = lid_profile(REGIONS["right_lower_lid"])
    upper_lid = lid_profile(REGIONS["right_upper_lid"])
    crow = bump(FACE[REGIONS["right_eye_corners"][0]] + [-0.05, 0, 0], 0.05) * _right_half()
    return both_sides(scaled(cheek, vec(0, -4.0, -1.8)) + scaled(lower_lid, vec(0, -2.2, -0.3))
                      + scaled(upper_lid, vec(0, 0.4, 0)) + scaled(crow, vec(1.0, -0.5, 0)))


def au7_lid_tightener(upper: float = 1.0):
    """The lower lid tensed up and straightened; `upper` scales the upper lid's share (0 for a
    glare: the lower lid tenses while the upper lid stays up)."""
    lower = lid_profile(REGIONS["right_lower_lid"])
    upper_lid = lid_profile(REGIONS["right_upper_lid"])
    return both_sides(scaled(lower, vec(0, -2.2, 0)) + scaled(upper_lid, vec(0, 1.0 * upper, 0)))


def au43_lids_droop():
    """The upper lids hang lower (sadness, tiredness): 1.5 mm at the lid's middle."""
    return both_sides(scaled(lid_profile(REGIONS["right_upper_lid"]), vec(0, 1.5, 0)))


def au9_nose_wrinkler():
    # the nose wings (alae) and the skin beside them lift: the wrinkle's most visible part
    ala = bump(FACE[[129, 98, 64, 48]].mean(axis=0), 0.07, depth_weight=0.2) * _right_half()
    bridge = bump([-0.07, 0.12, -0.3], 0.06, depth_weight=0.2) * _right_half()
    inner, _ = brow_ends("right")
    brow = above_eye("right") * np.exp(-((X - FACE[inner, 0]) ** 2) / (2 * 0.08**2)) * _right_half()
    lip = _UPPER_SIDE * bump([-0.08, MOUTH_LINE_Y.min() - 0.05, 0], 0.1) * _right_half()
    return both_sides(
        scaled(ala, vec(1.0, -4.0, -0.8)) + scaled(bridge, vec(0.5, -1.5, 0))
        + scaled(brow, vec(1.0, 2.5, 0)) + scaled(lip, vec(0, -2.0, 0))
    )


def au10_upper_lip_raiser():
    # the upper lip's red rises most (baring the upper teeth); the skin under the nose less
    w = (_UPPER_SIDE | (LIP_SIDE < 0)) * bump([-0.09, MOUTH_LINE_Y.min() - 0.03, 0], 0.11) * _right_half()
    w *= np.where(LIP_SIDE < 0, 1.0, 0.6)
    return both_sides(scaled(w, vec(0, -6.0, -1.0)))


def au12_lip_corner_puller(side: str = "both"):
    # The corner travels furthest; the lower lip is stretched along rather than lifted, which is
    # what keeps a smile's mouth line curved (corners above the centre) instead of shifted up.
    # Its last stretch moves with the corner: lagging there, a smile taken off a portrait (the
    # corners drawn in) pushed the corner past the lower lip beside it.
    u = np.abs(X) / abs(RIGHT_CORNER[0])
    lower = 0.6 + 0.4 * smoothstep((u - 0.6) / 0.4)
    corner = corner_bump(RIGHT_CORNER, 0.08) * _right_half() * np.where(LIP_SIDE > 0, lower, 1.0)
    cheek = bump(RIGHT_CORNER + [-0.08, -0.17, -0.05], 0.1) * _right_half()
    f = scaled(corner, vec(-6.0, -7.0, 2.5)) + scaled(cheek, vec(-1.0, -2.5, -1.5))
    return both_sides(f) if side == "both" else f


def au14_dimpler(side: str = "both"):
    corner = corner_bump(RIGHT_CORNER, 0.07) * _right_half()
    f = scaled(corner, vec(2.0, -2.5, 3.0))  # the corner tucks in, up and back
    return both_sides(f) if side == "both" else f


def au15_lip_corner_depressor():
    corner = corner_bump(RIGHT_CORNER + [0, 0.02, 0], 0.1) * _right_half()
    return both_sides(scaled(corner, vec(-1.0, 5.0, 0.5)))


def au17_chin_raiser():
    """The chin boss pushes the lower lip up (the pout of sadness and doubt)."""
    below = Y > MOUTH_LINE_Y
    centre = FACE[[17, 18, 200]].mean(axis=0)
    lower_lip = (LIP_SIDE > 0) * bump(centre, 0.16) * (1 - 0.5 * np.nan_to_num(LIP_DEPTH))
    chin = below * (LIP_SIDE == 0) * bump(FACE[200], 0.1)
    return scaled(lower_lip, vec(0, -2.5, -1.5)) + scaled(chin, vec(0, -2.0, -1.0))


def au20_lip_stretcher():
    # a round bump: stretched outward a corner cannot pass the lips beside it, and fear reads from
    # lips that lag their corners (with ``corner_bump`` the development classifier's fear on the
    # smiling portrait, held, fell 0.43 -> 0.31; 0.40 with this)
    corner = bump(RIGHT_CORNER, 0.12) * _right_half()
    return both_sides(scaled(corner, vec(-6.5, 1.5, 1.0)))


def au23_lip_tightener():
    # the red of the lips narrows: outer edges move toward the lip line, corners draw in
    towards_line = -np.sign(LIP_SIDE) * np.nan_to_num(LIP_DEPTH)
    thin = scaled(towards_line, vec(0, 1.5, -0.3))
    corner = corner_bump(RIGHT_CORNER, 0.08) * _right_half()
    narrow = both_sides(scaled(corner, vec(1.8, 0, -0.5)))
    return thin + narrow


def au16_lower_lip_depressor():
    """The lower lip pulled down and a little out, most at its middle third (baring the lower teeth)."""
    lower = (LIP_SIDE > 0) * bump(FACE[[17, 14]].mean(axis=0), 0.2)
    skin = (Y > MOUTH_LINE_Y) * (LIP_SIDE == 0) * bump(FACE[18], 0.12) * (np.abs(X) < 0.35)
    return scaled(lower, vec(0, 4.5, -1.2)) + scaled(skin, vec(0, 1.5, -0.5))


def au24_lip_presser():
    """The lips pressed together: the red thins and flattens against the teeth, the skin just
    above and below the lips bunches toward the line."""
    towards_line = -np.sign(LIP_SIDE) * np.nan_to_num(LIP_DEPTH)
    thin = scaled(towards_line, vec(0, 1.2, 0.6))
    near = bump(FACE[[13, 14]].mean(axis=0), 0.22) * (LIP_SIDE == 0) * ~np.isin(np.arange(len(FACE)), CORNERS)
    bunch = scaled(near * -np.sign(Y - MOUTH_LINE_Y), vec(0, 0.8, 0))
    return thin + bunch


def au38_nostril_dilator():
    """The nose wings flare outward."""
    ala = bump(FACE[[129, 98, 64, 48]].mean(axis=0), 0.05, depth_weight=0.2) * _right_half()
    return both_sides(scaled(ala, vec(-1.8, 0.2, 0)))


def au25_lips_apart(gap_mm: float = 6.0, upper_share: float = 0.45):
    """Lips parted with the jaw nearly still, widest at the centre and closing toward the corners;
    `upper_share` of the gap comes from the upper lip rising off the upper teeth (a smile shows
    them), the rest from the lower lip. The red of each lip moves as one, so it keeps its fullness."""
    along = 1.0 - smoothstep(np.abs(X) / abs(RIGHT_CORNER[0]))  # 1 at the centre, 0 at the corners
    lips = np.where(LIP_SIDE < 0, -upper_share, np.where(LIP_SIDE > 0, 1.0 - upper_share, 0.0)) * IN_LIPS
    skin_above = _UPPER_SIDE * bump([0.0, MOUTH_LINE_Y.min() - 0.04, 0.0], 0.09) * -upper_share * 0.4
    field = np.zeros_like(FACE)
    field[:, 1] = (lips * (0.15 + 0.85 * along) + skin_above) * gap_mm * MM
    return field


def au18_lips_rounded(inward_mm: float = 3.5):
    """The corners drawn toward the midline and the lips pushed a little forward: with a dropped jaw
    the opening becomes an oval (the "O" of surprise), not a wide, toothy slot."""
    corner = corner_bump(RIGHT_CORNER, 0.1) * _right_half()
    lips = bump(FACE[[13, 14]].mean(axis=0), 0.16) * IN_LIPS
    return both_sides(scaled(corner, vec(inward_mm, 0.0, -1.0))) + scaled(lips, vec(0, 0, -1.5))


def au26_jaw_drop(jaw_open_basis: np.ndarray, amount: float = 0.35):
    return amount * jaw_open_basis

