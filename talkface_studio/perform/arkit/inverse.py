"""From ARKit curves (an iPhone capture, or our own export) back to the take's channels.

Per channel group (`GROUPS`), what is read:

- head_yaw/pitch/roll (deg): -degrees(HeadYaw/HeadPitch/HeadRoll), Live Link's sign
  (pipeline.export.livelink);
- gaze_yaw/pitch (deg): -degrees of the two eyes' mean yaw/pitch; without eye rotations, the
  eyeLook weights (gaze_shapes.gaze_from_looks);
- blink (0..1): mean of eyeBlinkLeft/Right above the capture's resting level (its 10th percentile,
  at most 0.5), rescaled to 0..1;
- jaw_open, mouth_wide, mouth_round, lip_press, lip_tuck, emo_* (0..1): a bounded least-squares fit
  of the 52 weights (eyeLook excluded) to each channel's ARKit signature.

A channel's signature is what the solver (solver.py) reads from that channel alone at a small value,
scaled to 1 (the solver's response is linear there; emotions saturate ARKit weights well before
MEAD level 3). So exporting a take and importing it gives its mouth channels back, and an actor's
capture becomes the mix of our shapes that makes the same ARKit weights. Values are clipped to the
channels' ranges. A group is left out when the capture carries nothing for it (a phone recording
without head rotation leaves the generated head alone).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from talkface_studio.core.channels import SPEC_BY_NAME

from ..blendshapes import SHAPE_CHANNELS, compose
from .gaze_shapes import gaze_from_looks
from .names import ARKIT_SHAPES, INDEX
from .solver import solve_shapes

GROUPS = {
    "head": ("head_yaw", "head_pitch", "head_roll"),
    "gaze": ("gaze_yaw", "gaze_pitch"),
    "blink": ("blink",),
    "mouth": tuple(c for c in SHAPE_CHANNELS if not c.startswith("emo_")),
    "emotion": tuple(c for c in SHAPE_CHANNELS if c.startswith("emo_")),
}
PROBE = 0.25  # channel value at which signatures are taken (the solver is linear below saturation)
BLINK_REST_PERCENTILE = 10.0
_FIT_COLUMNS = [i for i, n in enumerate(ARKIT_SHAPES) if not n.startswith("eyeLook")]


@lru_cache(maxsize=1)
def signatures() -> np.ndarray:
    """[C, 52]: the ARKit weights each shape channel makes at 1 (from its response at PROBE)."""
    rows = []
    for name in SHAPE_CHANNELS:
        face = compose({name: np.array([PROBE], np.float32)}, 1)
        rows.append(solve_shapes(face)[0].astype(np.float64) / PROBE)
    out = np.stack(rows)
    out.setflags(write=False)
    return out


def _fit_shapes(weights: np.ndarray, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Bounded least squares of weights [N, 52] on the signatures of `names` -> {channel: [N]}."""
    sig = signatures()[[SHAPE_CHANNELS.index(n) for n in names]][:, _FIT_COLUMNS]  # [C, K]
    target = np.asarray(weights, np.float64)[:, _FIT_COLUMNS]
    gram = sig @ sig.T + 1e-6 * np.eye(len(names))
    c = target @ sig.T
    x = np.clip(c @ np.linalg.inv(gram), 0.0, 1.0)
    step = 1.0 / float(np.linalg.eigvalsh(gram).max())
    y, t = x.copy(), 1.0
    for _ in range(300):
        x_next = np.clip(y - step * (y @ gram - c), 0.0, 1.0)
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        y = x_next + ((t - 1.0) / t_next) * (x_next - x)
        x, t = x_next, t_next
    return {n: x[:, i] for i, n in enumerate(names)}


def _clip(name: str, values: np.ndarray) -> np.ndarray:
    spec = SPEC_BY_NAME[name]
    return np.clip(values, spec.min, spec.max)


def capture_channels(weights: np.ndarray, rotations: np.ndarray, groups=tuple(GROUPS)) -> dict[str, np.ndarray]:
    """weights [N, 52] (ARKit order), rotations [N, 9] (Live Link's radians) -> {channel: [N]} for the
    requested groups that the capture carries."""
    w = np.asarray(weights, np.float64)
    rot = np.asarray(rotations, np.float64)
    out: dict[str, np.ndarray] = {}
    if "head" in groups and np.any(rot[:, 0:3]):
        for k, name in enumerate(GROUPS["head"]):
            out[name] = -np.degrees(rot[:, k])
    if "gaze" in groups:
        eyes = rot[:, 3:9].reshape(-1, 2, 3)
        if np.any(eyes[:, :, :2]):
            out["gaze_yaw"] = -np.degrees(eyes[:, :, 0].mean(axis=1))
            out["gaze_pitch"] = -np.degrees(eyes[:, :, 1].mean(axis=1))
        elif np.any(w[:, [INDEX[n] for n in ARKIT_SHAPES if n.startswith("eyeLook")]]):
            out["gaze_yaw"], out["gaze_pitch"] = gaze_from_looks(w)
    if "blink" in groups:
        blink = 0.5 * (w[:, INDEX["eyeBlinkLeft"]] + w[:, INDEX["eyeBlinkRight"]])
        rest = min(float(np.percentile(blink, BLINK_REST_PERCENTILE)), 0.5)
        out["blink"] = (blink - rest) / (1.0 - rest)
    wanted = [n for g in ("mouth", "emotion") if g in groups for n in GROUPS[g]]
    if wanted:  # fitted jointly, so a smile is not read as a wide mouth when only the mouth is asked for
        fitted = _fit_shapes(w, SHAPE_CHANNELS)
        out.update({n: fitted[n] for n in wanted})
    return {n: _clip(n, v) for n, v in out.items()}
