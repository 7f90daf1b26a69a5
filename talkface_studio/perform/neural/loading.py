"""Build a stage 1 model from its checkpoint once; pick the torch device."""

from __future__ import annotations

from pathlib import Path

import torch

from talkface_studio.core.errors import ValidationError
from talkface_studio.torch_support.checkpoints import load_checkpoint, load_matching_state, save_checkpoint
from talkface_studio.perform.neural.config import SpeechToCuesConfig
from talkface_studio.perform.neural.speech_to_cues import SpeechToCues


def choose_device(name: str = "auto") -> torch.device:
    """"auto" -> cuda when available, else cpu; an explicit cuda without a GPU is an error."""
    name = str(name).strip().lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name not in ("cpu", "cuda") and not name.startswith("cuda:"):
        raise ValidationError(f"unknown device {name!r} (use auto, cpu or cuda)")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValidationError(f"device {name!r} was asked for but no CUDA GPU is available")
    return torch.device(name)


def save_speech_to_cues(model: SpeechToCues, path: str | Path) -> Path:
    return save_checkpoint(path, model.state_dict(), model.cfg.to_json())


def load_speech_to_cues(path: str | Path, device: str | torch.device = "auto") -> SpeechToCues:
    state, config = load_checkpoint(path, "speech-to-landmarks")
    cfg = SpeechToCuesConfig.from_json(config, path)
    model = SpeechToCues(cfg)
    load_matching_state(model, state, path)
    device = device if isinstance(device, torch.device) else choose_device(device)
    return model.to(device).eval()
