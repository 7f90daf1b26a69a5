"""ARKit-52 weights, head and eye rotations from a take's performance: the rig-ready curves.

The face shapes are solved from the expression landmarks, not mapped from channel names, so edits to
any channel and any stage-1 backend (procedural or neural) carry through: per frame, the landmark
displacements from the canonical face (pose already removed; the eyeballs left out, they are gaze)
are fitted by a bounded least-squares sum of the ARKit shape fields (shape_fields.py), each weight
in 0..1:

    min_w  sum_points | sum_k w_k F_k - (expression - canonical) |^2 + ridge |w|^2,   0 <= w_k <= 1

solved for all frames at once by accelerated projected gradient (FISTA) on the 43x43 normal
equations, warm-started from the clipped unconstrained solution. A shape the performer makes at full
strength with one of our own fields reads back as 1 (jaw_open = 1 gives jawOpen = 1.00).

What does not live in the expression comes from the channels (degrees, our conventions):
eyeBlink = 1 - (1 - blink)(1 - lid closing found in the landmarks), eyeLook from gaze_yaw/pitch
(gaze_shapes.py), head yaw/pitch/roll from head_*, each eye's rotation = the gaze (both eyes look the
same way; no roll). tongueOut is 0: the landmarks have no tongue.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from talkface_studio.core.errors import ValidationError
from talkface_studio.face.topology import N_LANDMARKS, N_MESH_POINTS, canonical_face

from .gaze_shapes import look_weights
from .names import ARKIT_SHAPES, INDEX
from .shape_fields import SOLVED, shape_fields

RIDGE = 1e-5  # relative to the mean diagonal of the normal equations: breaks exact ties only
ITERATIONS = 150
CHUNK = 4096  # frames per block: bounds memory on hour-long takes


@dataclass(frozen=True)
class RigCurves:
    """Per-frame rig values. `weights` float32 [T, 52] in ARKIT_SHAPES order (0..1); `head` [T, 3]
    (yaw, pitch, roll) and `eyes` [T, 2, 3] (left eye, right eye; yaw, pitch, roll relative to the
    head) in degrees with our conventions (yaw > 0 toward the image's right, pitch > 0 up, roll > 0
    counter-clockwise as seen in the image)."""

    weights: np.ndarray
    head: np.ndarray
    eyes: np.ndarray

    def __post_init__(self):
        n = len(self.weights)
        if self.weights.shape != (n, len(ARKIT_SHAPES)) or self.head.shape != (n, 3) or self.eyes.shape != (n, 2, 3):
            raise ValidationError(f"rig curves need weights [T,52], head [T,3], eyes [T,2,3]; got "
                                  f"{self.weights.shape}, {self.head.shape}, {self.eyes.shape}")

    @property
    def n_frames(self) -> int:
        return len(self.weights)

    def weight(self, name: str) -> np.ndarray:
        return self.weights[:, INDEX[name]]

    def frames(self, start: int, stop: int) -> RigCurves:
        return RigCurves(self.weights[start:stop], self.head[start:stop], self.eyes[start:stop])


@lru_cache(maxsize=1)
def _system() -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Fields as a matrix [K, P*3] over the mesh points, its regularized Gram matrix, inverse and
    Lipschitz constant."""
    fields = shape_fields()
    basis = np.stack([fields[n][:N_MESH_POINTS].reshape(-1) for n in SOLVED])
    gram = basis @ basis.T
    gram += RIDGE * float(np.mean(np.diag(gram))) * np.eye(len(SOLVED))
    return basis, gram, np.linalg.inv(gram), float(np.linalg.eigvalsh(gram).max())


def _bounded_fit(targets: np.ndarray) -> np.ndarray:
    """[T, P*3] displacements -> weights [T, K] in 0..1 (FISTA on the normal equations)."""
    basis, gram, inverse, lipschitz = _system()
    c = targets @ basis.T  # [T, K]
    w = np.clip(c @ inverse, 0.0, 1.0)
    y, t = w.copy(), 1.0
    step = 1.0 / lipschitz
    for _ in range(ITERATIONS):
        w_next = np.clip(y - step * (y @ gram - c), 0.0, 1.0)
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        y = w_next + ((t - 1.0) / t_next) * (w_next - w)
        w, t = w_next, t_next
    return w


def solve_shapes(expression: np.ndarray) -> np.ndarray:
    """Expression landmarks [T, 478, 3] (normalized) -> the solved weights float32 [T, 52] (eyeLook
    and tongueOut 0; eyeBlink is the lid closing in the landmarks alone)."""
    expr = np.asarray(expression, np.float32)
    if expr.ndim != 3 or expr.shape[1:] != (N_LANDMARKS, 3):
        raise ValidationError(f"expression must be [T, {N_LANDMARKS}, 3], got {expr.shape}")
    canon = canonical_face()[:N_MESH_POINTS]
    columns = [INDEX[n] for n in SOLVED]
    out = np.zeros((len(expr), len(ARKIT_SHAPES)), np.float32)
    for a in range(0, len(expr), CHUNK):
        deltas = (expr[a:a + CHUNK, :N_MESH_POINTS] - canon).reshape(len(expr[a:a + CHUNK]), -1)
        out[a:a + CHUNK][:, columns] = _bounded_fit(deltas.astype(np.float64))
    return out


def _channel(channels: dict, name: str, n: int) -> np.ndarray:
    value = channels.get(name)
    if value is None:
        return np.zeros(n)
    arr = np.asarray(value, np.float64).reshape(-1)
    if len(arr) != n:
        raise ValidationError(f"channel '{name}' has {len(arr)} frames; the expression has {n}")
    return arr


def solve(expression: np.ndarray, channels: dict) -> RigCurves:
    """A take's final expression [T, 478, 3] and final channels {name: [T]} -> RigCurves."""
    weights = solve_shapes(expression)
    n = len(weights)
    blink = np.clip(_channel(channels, "blink", n), 0.0, 1.0)
    for side in ("Left", "Right"):
        k = INDEX[f"eyeBlink{side}"]
        weights[:, k] = 1.0 - (1.0 - blink) * (1.0 - weights[:, k])
    gaze_yaw, gaze_pitch = _channel(channels, "gaze_yaw", n), _channel(channels, "gaze_pitch", n)
    look_weights(gaze_yaw, gaze_pitch, weights)
    head = np.stack([_channel(channels, f"head_{a}", n) for a in ("yaw", "pitch", "roll")], axis=1)
    eye = np.stack([gaze_yaw, gaze_pitch, np.zeros(n)], axis=1)
    return RigCurves(np.clip(weights, 0.0, 1.0).astype(np.float32), head.astype(np.float32),
                     np.stack([eye, eye], axis=1).astype(np.float32))
