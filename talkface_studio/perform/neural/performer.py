"""NeuralPerformer: the stage 1 backend that runs a trained speech-to-landmarks checkpoint.

Channels: head_* and gaze_* are the model's predictions; blink, jaw_open and mouth_wide are measured
on the generated landmarks (landmark_cues) so the curves an artist sees match the face; the other
mouth channels are zero (their edits still act through perform.blendshapes); emo_* are the
requested emotion intensities.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from talkface_studio.core.emotion_track import EMOTIONS
from talkface_studio.core.errors import MissingCheckpointError
from talkface_studio.face.topology import canonical_face
from talkface_studio.perform.base import Performance, PerformRequest
from talkface_studio.perform.neural.config import PerformOptions
from talkface_studio.perform.neural.landmark_cues import blink_from_landmarks, mouth_from_landmarks
from talkface_studio.perform.neural.loading import load_speech_to_cues
from talkface_studio.perform.registry import MISSING_CHECKPOINT

_ZERO_CHANNELS = ("mouth_round", "lip_press", "lip_tuck")


class NeuralPerformer:
    name = "neural"

    def __init__(self, checkpoint: str | Path | None = None, device: str = "auto", **settings):
        if not checkpoint:
            raise MissingCheckpointError(MISSING_CHECKPOINT)
        self.options = PerformOptions.from_settings({**settings, "device": device})
        self.model = load_speech_to_cues(checkpoint, self.options.device)  # loaded once, reused per take
        self.device = self.model.start.device

    def perform(self, request: PerformRequest) -> Performance:
        request.validate()
        opts = dataclasses.replace(self.options, **{
            k: v for k, v in request.settings.items() if k in {f.name for f in dataclasses.fields(PerformOptions)}
            and k != "device"})
        weights = np.asarray(request.emotion_weights, np.float32)
        out = self.model.generate(np.asarray(request.features.mel, np.float32), weights,
                                  gaze_temperature=opts.gaze_temperature, seed=request.seed)
        expression = (canonical_face()[None] + out["deltas"]).astype(np.float32)
        channels = {
            "head_yaw": out["pose"][:, 0], "head_pitch": out["pose"][:, 1], "head_roll": out["pose"][:, 2],
            "gaze_yaw": out["gaze"][:, 0], "gaze_pitch": out["gaze"][:, 1],
            "blink": blink_from_landmarks(expression),
            **mouth_from_landmarks(expression),
            **{name: np.zeros(len(expression), np.float32) for name in _ZERO_CHANNELS},
            **{f"emo_{e}": weights[:, i].copy() for i, e in enumerate(EMOTIONS) if e != "neutral"},
        }
        return Performance(rate=request.rate, expression=expression,
                           channels={k: np.asarray(v, np.float32) for k, v in channels.items()})
