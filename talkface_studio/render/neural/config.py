"""Stage 2 architecture sizes (a JSON file, apart from code; a checkpoint carries its own copy).

The defaults mirror face-vid2vid's published 256x256 setting (15 keypoints, 32x16 3D feature
volume, 66 pose bins, 6 SPADE blocks) so user-supplied weights of that shape can be mapped in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.model_config import config_fields, config_to_json, read_config_file

DEFAULT_CONFIG_PATH = Path(__file__).with_name("keypoint_generator.json")
CONFIG_KIND = "talkface.keypoint_generator"
# Sizes a real model of this kind could have; anything beyond is a damaged or hostile config.
LIMITS = {"image_size": (16, 1024), "num_kp": (1, 64), "block_expansion": (1, 512), "max_features": (1, 4096),
          "reshape_channel": (1, 256), "reshape_depth": (1, 64), "num_resblocks": (0, 32), "kp_depth": (1, 64),
          "head_bins": (2, 360), "motion_channels": (1, 256), "motion_compress": (1, 64),
          "mapping_hidden": (1, 8192), "mapping_layers": (1, 32)}


@dataclass(frozen=True)
class KeypointGeneratorConfig:
    image_size: int = 256
    num_kp: int = 15
    block_expansion: int = 64
    max_features: int = 512
    reshape_channel: int = 32  # C of the 3D appearance volume f_s [C, D, H/4, W/4]
    reshape_depth: int = 16  # D
    num_resblocks: int = 6
    kp_depth: int = 16  # depth of the keypoint heatmap volume
    head_bins: int = 66  # yaw/pitch/roll classified in 3-degree bins over [-99, 99)
    motion_channels: int = 32
    motion_compress: int = 4
    mapping_hidden: int = 512
    mapping_layers: int = 3

    def to_json(self) -> dict:
        return config_to_json(self, CONFIG_KIND)

    @classmethod
    def from_json(cls, data: dict, path: str | Path | None = None) -> "KeypointGeneratorConfig":
        cfg = cls(**config_fields(cls, data, CONFIG_KIND, "keypoint-generator", path, LIMITS))
        if cfg.image_size % 4:
            raise ValidationError("image_size must be a multiple of 4", path)
        return cfg

    @classmethod
    def load(cls, path: str | Path = DEFAULT_CONFIG_PATH) -> "KeypointGeneratorConfig":
        return cls.from_json(read_config_file(path), path)
