"""Eye direction as ARKit's eyeLook shapes and per-eye rotations, from the gaze channels.

Our gaze is one direction for both eyes, relative to the head, in degrees (gaze_yaw > 0 toward the
image's right = the performer's left; gaze_pitch > 0 up). ARKit describes it per eye and per direction:
looking toward the performer's left turns the left eye OUT and the right eye IN.

Full scale (weight 1) is calibrated on public Live Link Face recordings, where the app writes the eye
rotations next to the weights: eyeLookUp 0.38 at 9.5 deg up, eyeLookDown 0.28 at 9.8 deg down,
eyeLookOut 0.50 / eyeLookIn 0.60 at 20.6 deg sideways (alexdjulin/LiveLinkFace-CSV-Retarget-For-
Motionbuilder, anim/ and csv/), i.e. about 25 deg up, 35 deg down and 35 deg to the side. ARKit's
weights are not exactly linear in the angle; these are the ranges of a typical eye rig as well.
"""

from __future__ import annotations

import numpy as np

from .names import INDEX

SIDEWAYS_DEG = 35.0
UP_DEG = 25.0
DOWN_DEG = 35.0


def look_weights(gaze_yaw: np.ndarray, gaze_pitch: np.ndarray, out: np.ndarray) -> None:
    """Fill the eight eyeLook columns of `out` [T, 52] in place from gaze [T] (degrees)."""
    yaw = np.asarray(gaze_yaw, np.float64)
    pitch = np.asarray(gaze_pitch, np.float64)
    toward_left = np.clip(yaw / SIDEWAYS_DEG, 0.0, 1.0)  # the performer's left = the image's right
    toward_right = np.clip(-yaw / SIDEWAYS_DEG, 0.0, 1.0)
    up = np.clip(pitch / UP_DEG, 0.0, 1.0)
    down = np.clip(-pitch / DOWN_DEG, 0.0, 1.0)
    for side in ("Left", "Right"):
        out[:, INDEX[f"eyeLookUp{side}"]] = up
        out[:, INDEX[f"eyeLookDown{side}"]] = down
    out[:, INDEX["eyeLookOutLeft"]] = toward_left
    out[:, INDEX["eyeLookInRight"]] = toward_left
    out[:, INDEX["eyeLookInLeft"]] = toward_right
    out[:, INDEX["eyeLookOutRight"]] = toward_right


def gaze_from_looks(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The inverse of look_weights for a capture without eye rotations: (gaze_yaw, gaze_pitch) [T]
    in degrees from the eyeLook columns of `weights` [T, 52] (both eyes averaged)."""
    w = np.asarray(weights, np.float64)
    toward_left = 0.5 * (w[:, INDEX["eyeLookOutLeft"]] + w[:, INDEX["eyeLookInRight"]])
    toward_right = 0.5 * (w[:, INDEX["eyeLookInLeft"]] + w[:, INDEX["eyeLookOutRight"]])
    up = 0.5 * (w[:, INDEX["eyeLookUpLeft"]] + w[:, INDEX["eyeLookUpRight"]])
    down = 0.5 * (w[:, INDEX["eyeLookDownLeft"]] + w[:, INDEX["eyeLookDownRight"]])
    return (toward_left - toward_right) * SIDEWAYS_DEG, up * UP_DEG - down * DOWN_DEG
