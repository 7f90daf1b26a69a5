"""Stage 1 protocol: what every performer takes in and hands back (see docs/CONTRACTS.md).

A performer turns speech features + emotion intensities into a Performance: normalized expression
landmarks per frame plus the generated base value of every channel the artist can edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.timebase import FrameRate

if TYPE_CHECKING:  # the audio room may be imported lazily; only the attributes are used here
    from talkface_studio.audio.features import AudioFeatures


@dataclass(frozen=True)
class PerformRequest:
    """Everything a performer needs; immutable so it can be handed to a worker thread."""

    features: "AudioFeatures"
    emotion_weights: np.ndarray  # float32 [T, 8], columns in core.emotion_track.EMOTIONS order
    rate: FrameRate
    seed: int = 0
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        return int(self.features.n_frames)

    def validate(self) -> None:
        w = np.asarray(self.emotion_weights)
        if w.ndim != 2 or w.shape[1] != 8:
            raise ValidationError(f"emotion weights must be [T, 8], got shape {w.shape}")
        if w.shape[0] != self.n_frames:
            raise ValidationError(
                f"emotion weights have {w.shape[0]} frames but the audio features have {self.n_frames}"
            )


@dataclass
class Performance:
    """Stage 1 output: expression [T, 478, 3] in normalized space and base channels {name: [T]}."""

    rate: FrameRate
    expression: np.ndarray
    channels: dict[str, np.ndarray]

    @property
    def n_frames(self) -> int:
        return int(self.expression.shape[0])


@runtime_checkable
class Performer(Protocol):
    name: str

    def perform(self, request: PerformRequest) -> Performance: ...
