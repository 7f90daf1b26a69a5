"""Head pose as a `.chan` file (Nuke Axis/Camera "import chan", Maya via chan importers).

One line per frame: `frame tx ty tz rx ry rz`, rotations in degrees. Axis mapping, for a Y-up,
right-handed scene with the camera on +Z looking down -Z (Nuke's and Maya's default):

    rx = -head_pitch   (our pitch > 0 looks up; a positive X rotation tips the nose down)
    ry = +head_yaw     (our yaw > 0 turns toward the image's right = +X)
    rz = +head_roll    (our roll > 0 is counter-clockwise as seen by the camera = positive Z)

Translation is the head's movement in the output image relative to the first exported frame,
converted to units of the face's width (so it is resolution independent), y up; tz is 0 because the
performer moves the head only in the image plane. Our head rotation is yaw first, then pitch, then
roll (face.geometry: R = Rz(roll) Rx(pitch) Ry(yaw)), so set the node's rotation order to YXZ (Nuke
Axis "rotation order", Maya rotateOrder `yxz`); Nuke's default ZXY differs only at large angles.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from talkface_studio.core.errors import ValidationError

from .atomic import write_text_atomic


def chan_rows(frames: np.ndarray, channels: Mapping[str, np.ndarray],
              translation: np.ndarray | None = None) -> np.ndarray:
    """float64 [T, 7]: frame, tx, ty, tz, rx, ry, rz."""
    frames = np.asarray(frames)
    n = len(frames)
    for name in ("head_yaw", "head_pitch", "head_roll"):
        if name not in channels or len(channels[name]) != n:
            raise ValidationError(f"head pose export needs channel {name!r} with {n} frames")
    rows = np.zeros((n, 7), dtype=np.float64)
    rows[:, 0] = frames
    if translation is not None:
        rows[:, 1:4] = np.asarray(translation, dtype=np.float64).reshape(n, 3)
    rows[:, 4] = -np.asarray(channels["head_pitch"], dtype=np.float64)
    rows[:, 5] = np.asarray(channels["head_yaw"], dtype=np.float64)
    rows[:, 6] = np.asarray(channels["head_roll"], dtype=np.float64)
    return rows


def translation_from_landmarks(landmarks_px: np.ndarray) -> np.ndarray:
    """[T,3] head movement in face widths relative to frame 0 (y up, z = 0)."""
    lm = np.asarray(landmarks_px, dtype=np.float64)
    centre = lm[:, :, :2].mean(axis=1)
    width = np.ptp(lm[0, :, 0]) or 1.0
    out = np.zeros((len(lm), 3))
    out[:, 0] = (centre[:, 0] - centre[0, 0]) / width
    out[:, 1] = -(centre[:, 1] - centre[0, 1]) / width
    return out


def write_chan(path: str | os.PathLike, frames, channels: Mapping[str, np.ndarray],
               translation: np.ndarray | None = None) -> Path:
    rows = chan_rows(frames, channels, translation)
    lines = [f"{int(r[0])} " + " ".join(f"{v:.6f}" for v in r[1:]) for r in rows]
    return write_text_atomic(path, "\n".join(lines) + "\n")
