"""Stage 1 settings: architecture sizes come from a JSON config next to the weights (never from code),
runtime choices from `PerformOptions`.

The default architecture lives in `speech_to_cues.json`; a checkpoint carries its own copy, so a model
always rebuilds with the sizes it was trained with.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.model_config import config_fields, config_to_json, read_config_file

DEFAULT_CONFIG_PATH = Path(__file__).with_name("speech_to_cues.json")
CONFIG_KIND = "talkface.speech_to_cues"
# Sizes a real model of this kind could have; anything beyond is a damaged or hostile config.
LIMITS = {"n_mels": (1, 512), "n_emotions": (8, 8), "dim": (8, 4096), "heads": (1, 64), "ff_mult": (1, 16),
          "encoder_layers": (1, 48), "decoder_layers": (1, 48), "dropout": (0.0, 0.9), "encoder_band": (0, 1024),
          "cross_band": (0, 1024), "history": (1, 1024), "audio_margin": (0, 4096), "n_pca": (1, 1434),
          "gaze_yaw_bins": (1, 64), "gaze_pitch_bins": (1, 64), "gaze_yaw_max": (1.0, 90.0),
          "gaze_pitch_max": (1.0, 90.0), "pose_scale": (1.0, 180.0), "classifier_dim": (1, 4096)}


@dataclass(frozen=True)
class SpeechToCuesConfig:
    """Sizes of `SpeechToCues` (see its docstring for what each part does)."""

    n_mels: int = 80
    n_emotions: int = 8
    dim: int = 256
    heads: int = 4
    ff_mult: int = 4
    encoder_layers: int = 3
    decoder_layers: int = 4
    dropout: float = 0.1
    encoder_band: int = 12  # audio self-attention sees +-12 frames (~0.5 s at 25 fps)
    cross_band: int = 6  # a frame's cues attend audio +-6 frames: coarticulation look-ahead
    history: int = 24  # decoder self-attention looks back 24 frames of its own cues
    audio_margin: int = 40  # silence padded around the audio so edges look like MEAD clip edges
    n_pca: int = 64
    gaze_yaw_bins: int = 9
    gaze_pitch_bins: int = 7
    gaze_yaw_max: float = 30.0
    gaze_pitch_max: float = 20.0
    pose_scale: float = 30.0  # degrees that map to 1.0 in the network
    classifier_dim: int = 128
    loss_weights: dict = field(default_factory=lambda: {
        "landmark": 1.0, "velocity": 0.5, "gaze_class": 0.2, "gaze_offset": 0.2,
        "pose": 0.5, "pose_velocity": 0.5, "emotion_real": 0.1, "emotion_generated": 0.1,
    })

    @property
    def n_gaze_classes(self) -> int:
        return self.gaze_yaw_bins * self.gaze_pitch_bins

    @property
    def cue_dim(self) -> int:
        """Per-frame cue vector fed back to the decoder: PCA coefficients, gaze (2), pose (3)."""
        return self.n_pca + 5

    def to_json(self) -> dict:
        return config_to_json(self, CONFIG_KIND)

    @classmethod
    def from_json(cls, data: dict, path: str | Path | None = None) -> "SpeechToCuesConfig":
        cfg = cls(**config_fields(cls, data, CONFIG_KIND, "speech-to-landmarks", path, LIMITS))
        if cfg.cross_band > cfg.audio_margin:
            raise ValidationError("cross_band must not exceed audio_margin", path)
        if cfg.dim % cfg.heads:
            raise ValidationError(f"dim ({cfg.dim}) must be a multiple of heads ({cfg.heads})", path)
        return cfg

    @classmethod
    def load(cls, path: str | Path = DEFAULT_CONFIG_PATH) -> "SpeechToCuesConfig":
        return cls.from_json(read_config_file(path), path)


@dataclass(frozen=True)
class PerformOptions:
    """Runtime choices for one generation (not part of the model).

    gaze_temperature: 0 picks the most likely gaze class each frame (greedy); above 0 samples from the
    softened class distribution, seeded, which gives saccades instead of a fixed stare.
    """

    gaze_temperature: float = 0.7
    device: str = "auto"

    @classmethod
    def from_settings(cls, settings: dict | None) -> "PerformOptions":
        settings = dict(settings or {})
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in settings.items() if k in names})
