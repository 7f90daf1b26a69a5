"""Choosing the torch device a renderer runs on."""

from __future__ import annotations

import torch

from talkface_studio.core.errors import ValidationError


def pick_device(device: str | torch.device = "auto") -> torch.device:
    """"auto" -> cuda when available, else cpu; an explicit name is checked, not silently replaced."""
    if isinstance(device, torch.device):
        name = device.type
    else:
        name = str(device).strip().lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        chosen = torch.device(name)
    except RuntimeError as exc:
        raise ValidationError(f"unknown render device {device!r} (use auto, cpu or cuda)") from exc
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise ValidationError(f"render device {device!r} was asked for but no CUDA GPU is available")
    if chosen.type not in ("cpu", "cuda"):
        raise ValidationError(f"render device {device!r} is not supported (use auto, cpu or cuda)")
    return chosen
