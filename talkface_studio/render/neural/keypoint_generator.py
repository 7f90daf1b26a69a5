"""The stage 2 model: face-vid2vid's five networks plus the landmark-to-keypoint mapping, built
from one config, loaded from one checkpoint (sub-network names are the state-dict prefixes)."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from talkface_studio.core.errors import MissingCheckpointError
from talkface_studio.torch_support.checkpoints import load_checkpoint, load_matching_state, save_checkpoint
from talkface_studio.render.neural.appearance import AppearanceFeatureExtractor
from talkface_studio.render.neural.config import KeypointGeneratorConfig
from talkface_studio.render.neural.generator import SPADEGenerator
from talkface_studio.render.neural.head_estimator import HeadPoseExpressionEstimator
from talkface_studio.render.neural.keypoint_detector import CanonicalKeypointDetector
from talkface_studio.render.neural.keypoint_math import rotation_matrix, transform_keypoints
from talkface_studio.render.neural.mapping import LandmarkToKeypoints
from talkface_studio.render.neural.motion_field import DenseMotionNetwork

GENERATOR_PARTS = ("appearance", "keypoints", "head", "motion", "generator")


class KeypointGenerator(nn.Module):
    def __init__(self, cfg: KeypointGeneratorConfig):
        super().__init__()
        self.cfg = cfg
        self.appearance = AppearanceFeatureExtractor(cfg)  # F
        self.keypoints = CanonicalKeypointDetector(cfg)  # L
        self.head = HeadPoseExpressionEstimator(cfg)  # H
        self.motion = DenseMotionNetwork(cfg)  # M
        self.generator = SPADEGenerator(cfg)  # G
        self.mapping = LandmarkToKeypoints(cfg)

    def detect(self, image: torch.Tensor) -> torch.Tensor:
        """image [B, 3, S, S] -> the frame's keypoints x = R x_c + t + delta [B, K, 3]."""
        h = self.head(image)
        return transform_keypoints(self.keypoints(image), rotation_matrix(h["yaw"], h["pitch"], h["roll"]),
                                   h["t"], h["delta"])

    def source(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """image [1, 3, S, S] -> (f_s [1, C, D, S/4, S/4], kp_s [1, K, 3]); computed once per portrait."""
        return self.appearance(image), self.detect(image)

    def drive(self, f_s, kp_s, kp_d) -> torch.Tensor:
        """f_s [1, ...], kp_s [1, K, 3], kp_d [B, K, 3] -> images [B, 3, S, S] in 0..1."""
        b = kp_d.shape[0]
        f = f_s.expand(b, *f_s.shape[1:])
        deformation, occlusion = self.motion(f, kp_s.expand(b, -1, -1), kp_d)
        return self.generator(f, deformation, occlusion)


def save_keypoint_generator(model: KeypointGenerator, path: str | Path, include_mapping: bool = True) -> Path:
    state = {k: v for k, v in model.state_dict().items() if include_mapping or not k.startswith("mapping.")}
    return save_checkpoint(path, state, {**model.cfg.to_json(), "has_mapping": include_mapping})


def load_keypoint_generator(path: str | Path, device: torch.device | str = "cpu",
                            need_mapping: bool = True) -> KeypointGenerator:
    """A model in eval mode. Without mapping weights, `need_mapping` makes that an error."""
    state, config = load_checkpoint(path, "keypoint generator")
    has_mapping = bool(config.pop("has_mapping", any(k.startswith("mapping.") for k in state)))
    if need_mapping and not has_mapping:
        raise MissingCheckpointError("checkpoint has no landmark-to-keypoint mapping: train one with "
                                     "talkface-studio train --stage keypoints --generator FILE", path)
    model = KeypointGenerator(KeypointGeneratorConfig.from_json(config, path))
    load_matching_state(model, state, path, ignore=lambda k: not has_mapping and k.startswith("mapping."))
    return model.to(device).eval()
