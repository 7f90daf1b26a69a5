"""Normalized face space: head pose removed, centred, unit scale.

Definition. A face's ``Pose`` is the least-squares similarity (Umeyama) that maps the canonical
face's *stable* points (forehead, nose bridge, eye corners, temples — never the mouth or jaw, which
move with speech) onto the face: ``pixels = scale * rotation @ normalized + translation``. So in
normalized space the stable points sit as close as possible to the canonical face's, whose outer eye
corners are at (-0.5, 0, 0) and (+0.5, 0, 0): the unit of length is the outer-eye-corner distance
and the origin their midpoint. Axes as in MediaPipe: x right, y down, z away from the camera.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from talkface_studio.core.errors import ValidationError
from talkface_studio.face.geometry import angles_from_rotation, fit_similarity, rotation_from_angles
from talkface_studio.face.topology import N_LANDMARKS, REGIONS, canonical_face

STABLE_POINTS = REGIONS["stable"]


@dataclass(frozen=True)
class Pose:
    """Where a normalized face sits in an image: ``px = scale * rotation @ n + translation``."""

    rotation: np.ndarray  # [3, 3] proper rotation
    scale: float  # pixels per normalized unit (outer-eye-corner distance)
    translation: np.ndarray  # [3] pixels

    @property
    def yaw(self) -> float:
        """Degrees; > 0 turned toward the image's right."""
        return angles_from_rotation(self.rotation)[0]

    @property
    def pitch(self) -> float:
        """Degrees; > 0 looking up."""
        return angles_from_rotation(self.rotation)[1]

    @property
    def roll(self) -> float:
        """Degrees; > 0 rotated counter-clockwise as seen in the image."""
        return angles_from_rotation(self.rotation)[2]

    @classmethod
    def from_angles(cls, yaw=0.0, pitch=0.0, roll=0.0, scale=1.0, translation=(0.0, 0.0, 0.0)) -> "Pose":
        return cls(rotation_from_angles(yaw, pitch, roll), float(scale), np.asarray(translation, np.float64))

    def to_json(self) -> dict:
        return {"rotation": np.asarray(self.rotation).round(8).tolist(), "scale": float(self.scale),
                "translation": np.asarray(self.translation).round(6).tolist()}

    @classmethod
    def from_json(cls, data: dict) -> "Pose":
        return cls(np.asarray(data["rotation"], np.float64), float(data["scale"]),
                   np.asarray(data["translation"], np.float64))


def _check(landmarks: np.ndarray) -> np.ndarray:
    arr = np.asarray(landmarks, dtype=np.float64)
    if arr.shape[-2:] != (N_LANDMARKS, 3):
        raise ValidationError(f"expected landmarks of shape [..., {N_LANDMARKS}, 3], got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValidationError("landmarks contain NaN or infinite values")
    return arr


def estimate_pose(landmarks: np.ndarray) -> Pose:
    """The similarity that carries the canonical face's stable points onto ``landmarks`` [478, 3]."""
    arr = _check(landmarks)
    canon = canonical_face().astype(np.float64)
    rot, scale, trans = fit_similarity(canon[STABLE_POINTS], arr[STABLE_POINTS])
    if scale <= 0:
        raise ValidationError("landmarks are degenerate (zero size)")
    return Pose(rot, scale, trans)


def normalize(landmarks: np.ndarray) -> tuple[np.ndarray, Pose]:
    """Image-space landmarks [478, 3] -> (normalized float64 [478, 3], Pose).

    float64 so that ``denormalize(*normalize(x))`` reproduces ``x`` to rounding; cast as needed."""
    arr = _check(landmarks)
    pose = estimate_pose(arr)
    normalized = ((arr - pose.translation) @ pose.rotation) / pose.scale  # row form of R^T (p - t)
    return normalized, pose


def denormalize(normalized: np.ndarray, pose: Pose) -> np.ndarray:
    """Normalized landmarks [..., 478, 3] -> image space with ``pose`` (float64, same shape)."""
    arr = _check(normalized)
    return pose.scale * arr @ np.asarray(pose.rotation).T + pose.translation
