"""Build a stage 1 model from its checkpoint once, on the device asked for."""

from __future__ import annotations

from pathlib import Path

import torch

from talkface_studio.torch_support.checkpoints import load_checkpoint, load_matching_state, save_checkpoint
from talkface_studio.torch_support.device import pick_device
from talkface_studio.perform.neural.config import SpeechToCuesConfig
from talkface_studio.perform.neural.speech_to_cues import SpeechToCues


def save_speech_to_cues(model: SpeechToCues, path: str | Path) -> Path:
    return save_checkpoint(path, model.state_dict(), model.cfg.to_json())


def load_speech_to_cues(path: str | Path, device: str | torch.device = "auto") -> SpeechToCues:
    state, config = load_checkpoint(path, "speech-to-landmarks")
    cfg = SpeechToCuesConfig.from_json(config, path)
    model = SpeechToCues(cfg)
    load_matching_state(model, state, path)
    device = device if isinstance(device, torch.device) else pick_device(device)
    return model.to(device).eval()
