"""BASES: per-channel displacement [478, 3] per unit of each mouth and expression channel.

Expression channels combine FACS action units (action_units.py) per emotion. Every backend's
expression can be edited through channels with `apply_channel_edits`, because a channel edit is
just (final - base) * basis added to the landmarks.
"""

from __future__ import annotations

import numpy as np

from . import action_units as au
from . import mouth_shapes as ms
from .face_fields import FACE, LIP_PAIRS, MM

MOUTH_CHANNELS = ("jaw_open", "mouth_wide", "mouth_round", "lip_press", "lip_tuck")
EXPRESSION_CHANNELS = ("emo_angry", "emo_contempt", "emo_disgusted", "emo_fear", "emo_happy", "emo_sad", "emo_surprised")
SHAPE_CHANNELS = MOUTH_CHANNELS + EXPRESSION_CHANNELS


def _build() -> dict[str, np.ndarray]:
    jaw = ms.jaw_open()
    bases = {
        "jaw_open": jaw,
        "mouth_wide": ms.mouth_wide(),
        "mouth_round": ms.mouth_round(),
        "lip_press": ms.lip_press(jaw),
        "lip_tuck": ms.lip_tuck(),
        "emo_happy": au.au6_cheek_raiser() + au.au12_lip_corner_puller(),
        # sad: the oblique inner brows and the down-turned, pouting mouth (AU17) carry it
        "emo_sad": 1.4 * au.au1_inner_brow_raiser() + au.au4_brow_lowerer() + 1.3 * au.au15_lip_corner_depressor()
        + au.au17_chin_raiser(),
        # anger: brows down and knitted (the strongest single cue), lids narrowed (AU7, no stare),
        # lips pressed thin (AU23+24), corners a little down, nostrils flared (AU38)
        "emo_angry": 1.6 * au.au4_brow_lowerer() + 1.1 * au.au7_lid_tightener() + 1.4 * au.au23_lip_tightener()
        + au.au24_lip_presser() + 0.3 * au.au15_lip_corner_depressor() + au.au38_nostril_dilator(),
        "emo_surprised": au.au1_inner_brow_raiser() + au.au2_outer_brow_raiser() + au.au5_upper_lid_raiser()
        + au.au26_jaw_drop(jaw),
        # fear: raised and drawn-together brows, staring eyes, stretched and slightly parted lips
        "emo_fear": 1.2 * au.au1_inner_brow_raiser() + 1.2 * au.au2_outer_brow_raiser() + au.au4_brow_lowerer()
        + 1.3 * au.au5_upper_lid_raiser() + au.au20_lip_stretcher() + 0.3 * ms.lips_part(),
        # disgust: the raised upper lip (AU10) with the nose wrinkle (AU9), the lower lip pulled down (AU16)
        "emo_disgusted": 1.2 * au.au9_nose_wrinkler() + 1.7 * au.au10_upper_lip_raiser()
        + au.au16_lower_lip_depressor() + 0.8 * au.au15_lip_corner_depressor(),
        # contempt: one corner tightened and raised (a one-sided AU12+AU14), the dimple beside it
        "emo_contempt": 1.4 * au.au12_lip_corner_puller(side="right") + 1.6 * au.au14_dimpler(side="right"),
    }
    out = {}
    for name, field in bases.items():
        field = field.astype(np.float32)
        field.setflags(write=False)
        out[name] = field
    return out


BASES: dict[str, np.ndarray] = _build()
# Stacked [C, 478*3] for one matrix product per take.
_MATRIX = np.stack([BASES[c].reshape(-1) for c in SHAPE_CHANNELS])


def compose(channels: dict[str, np.ndarray], n_frames: int) -> np.ndarray:
    """canonical + sum(channel * basis) -> float32 [T, 478, 3], lips kept in order."""
    weights = np.zeros((n_frames, len(SHAPE_CHANNELS)), np.float32)
    for i, name in enumerate(SHAPE_CHANNELS):
        if name in channels:
            weights[:, i] = channels[name]
    out = (weights @ _MATRIX).reshape(n_frames, len(FACE), 3) + FACE.astype(np.float32)
    return clamp_lip_order(out)


def clamp_lip_order(expression: np.ndarray) -> np.ndarray:
    """Where the lower inner lip rose above the upper (y down), both meet at their mean. In place."""
    up, low = LIP_PAIRS[:, 0], LIP_PAIRS[:, 1]
    yu, yl = expression[:, up, 1], expression[:, low, 1]
    crossed = yl < yu
    if crossed.any():
        mid = 0.5 * (yu + yl)
        expression[:, up, 1] = np.where(crossed, mid, yu)
        expression[:, low, 1] = np.where(crossed, mid, yl)
    return expression


def inner_lip_gap(expression: np.ndarray) -> np.ndarray:
    """Mean opening between the inner lips per frame [T], in millimetres."""
    up, low = LIP_PAIRS[:, 0], LIP_PAIRS[:, 1]
    return (expression[:, low, 1] - expression[:, up, 1]).mean(axis=1) / MM


def apply_channel_edits(expression: np.ndarray, base_channels: dict, final_channels: dict) -> np.ndarray:
    """Add (final - base) * BASES[c] for every mouth/expression channel; other channels are ignored
    (pose, gaze and blink are applied by face.relocate). Returns a new float32 [T, 478, 3]."""
    out = np.array(expression, dtype=np.float32, copy=True)
    n = len(out)
    weights = np.zeros((n, len(SHAPE_CHANNELS)), np.float32)
    for i, name in enumerate(SHAPE_CHANNELS):
        if name in final_channels and name in base_channels:
            weights[:, i] = np.asarray(final_channels[name], np.float32) - np.asarray(base_channels[name], np.float32)
    if np.any(weights):
        out += (weights @ _MATRIX).reshape(n, len(FACE), 3)
        clamp_lip_order(out)
    return out
