"""Geometric read-outs of an expression, in millimetres, from 478-point landmarks.

What an expression classifier looks at, made measurable without one: are the lip corners above or
below the mouth's centre, how high are the inner and outer brows over the eyes, how far apart are
the brows, how open are the eyes and lips. Landmarks in any pose are normalized first, so
rendered-and-retracked frames and generated expressions are measured the same way.
"""

from __future__ import annotations

import numpy as np

from talkface_studio.face.normalize import normalize

from .face_fields import LIP_PAIRS, MM

# MediaPipe indices; "right" is the subject's right (image left).
_CORNERS = (61, 291)
_LIP_MID = (13, 14)  # inner lips at the midline
_OUTER_LIP_MID = (0, 17)
_INNER_BROW = ((55, 107), (285, 336))
_OUTER_BROW = ((46, 70), (276, 300))
_INNER_EYE = (133, 362)
_OUTER_EYE = (33, 263)
_LIDS = ((159, 145), (386, 374))  # (upper, lower) mid-lid per eye
_NOSE_ALA = (129, 358)
_NOSE_WING = (64, 294)  # the outermost points of the nose wings
_SUBNASALE = 2
_UPPER_LIP_TOP = (37, 0, 267)  # the cupid's bow
_CHEEKS = ((101, 36, 119), (330, 266, 348))  # the cheek apples below each eye (move most with AU6)
_IRISES = ((468, 469, 470, 471, 472), (473, 474, 475, 476, 477))  # centre first

MEASURES = ("corner_lift", "corner_asym", "inner_brow", "outer_brow", "brow_gap", "eye_open",
            "lip_gap", "mouth_width", "lip_thickness", "nose_to_lip", "ala_drop", "nose_width",
            "lower_lip_drop", "corner_height", "cheek_height", "upper_lid", "lower_lid",
            "sclera_above_iris")


def measure(landmarks: np.ndarray, normalized: bool = False) -> dict[str, np.ndarray]:
    """{measure: float [T]} in mm for landmarks [T, 478, 3] (or [478, 3] -> [1]).

    corner_lift > 0: corners above the centre of the mouth (smile), < 0 below (frown).
    corner_asym: right corner's lift minus the left's (one-sided smile != 0).
    inner_brow / outer_brow: height of the brow above the eye corners' line.
    brow_gap: distance between the inner brows. eye_open: mid-lid opening (mean of both eyes).
    lip_gap: inner-lip opening. lip_thickness: visible red of both lips at the midline.
    nose_to_lip: nose base to the top of the upper lip (shrinks as the upper lip rises).
    ala_drop: how far the nose wings sit below the eyes (shrinks when the nose wrinkles).
    nose_width: across the nose wings (grows when the nostrils flare, AU38).
    lower_lip_drop: the lower lip's outer edge below the nose base (grows with AU16 or the jaw).
    corner_height: the lip corners' height relative to the eye corners (negative; rises with a
    smile whatever the jaw does to the mouth's centre). cheek_height: the cheek apples' height
    relative to the eye corners (negative; rises with AU6). upper_lid / lower_lid: mid-lid height
    relative to the line through the eye's corners (upper > 0 rises with AU5; lower < 0 rises with
    AU6/AU7). sclera_above_iris: how far the upper lid sits above the top of the iris (> 0: white
    shows above it, the wide eyes of surprise and fear; < 0: the lid covers part of the iris)."""
    lm = np.asarray(landmarks, np.float64)
    if lm.ndim == 2:
        lm = lm[None]
    if not normalized:
        lm = np.stack([normalize(f)[0] for f in lm])
    x, y = lm[..., 0] / MM, lm[..., 1] / MM
    centre_y = y[:, list(_LIP_MID)].mean(axis=1)
    lift_r, lift_l = centre_y - y[:, _CORNERS[0]], centre_y - y[:, _CORNERS[1]]
    eye_line = y[:, list(_INNER_EYE)].mean(axis=1)
    outer_line = y[:, list(_OUTER_EYE)].mean(axis=1)
    inner_brow = np.mean([eye_line - y[:, list(b)].mean(axis=1) for b in _INNER_BROW], axis=0)
    outer_brow = np.mean([outer_line - y[:, list(b)].mean(axis=1) for b in _OUTER_BROW], axis=0)
    brow_gap = x[:, list(_INNER_BROW[1])].mean(axis=1) - x[:, list(_INNER_BROW[0])].mean(axis=1)
    eye_open = np.mean([y[:, lo] - y[:, up] for up, lo in _LIDS], axis=0)
    lip_gap = (y[:, LIP_PAIRS[:, 1]] - y[:, LIP_PAIRS[:, 0]]).mean(axis=1)
    thickness = (y[:, _LIP_MID[0]] - y[:, _OUTER_LIP_MID[0]]) + (y[:, _OUTER_LIP_MID[1]] - y[:, _LIP_MID[1]])
    corners_line = y[:, list(_INNER_EYE + _OUTER_EYE)].mean(axis=1)
    upper_lid = np.mean([y[:, [i, o]].mean(axis=1) - y[:, up] for (up, _), i, o
                         in zip(_LIDS, _INNER_EYE, _OUTER_EYE)], axis=0)
    lower_lid = np.mean([y[:, [i, o]].mean(axis=1) - y[:, lo] for (_, lo), i, o
                         in zip(_LIDS, _INNER_EYE, _OUTER_EYE)], axis=0)
    sclera = []
    for (up, _), iris in zip(_LIDS, _IRISES):
        centre, ring = lm[:, iris[0], :2] / MM, lm[:, list(iris[1:]), :2] / MM
        radius = np.linalg.norm(ring - centre[:, None], axis=2).mean(axis=1)
        sclera.append((centre[:, 1] - radius) - y[:, up])
    return {
        "corner_lift": 0.5 * (lift_r + lift_l),
        "corner_asym": lift_r - lift_l,
        "inner_brow": inner_brow,
        "outer_brow": outer_brow,
        "brow_gap": brow_gap,
        "eye_open": eye_open,
        "lip_gap": lip_gap,
        "mouth_width": x[:, _CORNERS[1]] - x[:, _CORNERS[0]],
        "lip_thickness": thickness,
        "nose_to_lip": y[:, list(_UPPER_LIP_TOP)].mean(axis=1) - y[:, _SUBNASALE],
        "ala_drop": y[:, list(_NOSE_ALA)].mean(axis=1) - eye_line,
        "nose_width": x[:, _NOSE_WING[1]] - x[:, _NOSE_WING[0]],
        "lower_lip_drop": y[:, _OUTER_LIP_MID[1]] - y[:, _SUBNASALE],
        "corner_height": corners_line - y[:, list(_CORNERS)].mean(axis=1),
        "cheek_height": corners_line - y[:, [i for side in _CHEEKS for i in side]].mean(axis=1),
        "upper_lid": upper_lid,
        "lower_lid": lower_lid,
        "sclera_above_iris": np.mean(sclera, axis=0),
    }
