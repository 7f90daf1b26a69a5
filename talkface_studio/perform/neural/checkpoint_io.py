"""Reading and writing neural checkpoints without executing anything from the file.

A checkpoint is `NAME.safetensors` (tensors; the model config JSON is also stored in its metadata
under "config") plus `NAME.json` beside it (the same config, for people and tools). PyTorch files
(`.pt`/`.pth`/`.ckpt`) are read with `torch.load(weights_only=True)` and must hold either
{"config": dict, "state_dict": {name: tensor}} or a bare state dict with `NAME.json` beside it.
Both stages use this module.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from safetensors import safe_open

from talkface_studio.core.atomic_write import replacing, write_atomic
from talkface_studio.core.errors import MissingCheckpointError

_TORCH_SUFFIXES = {".pt", ".pth", ".ckpt", ".bin"}


def save_checkpoint(path: str | Path, state_dict: dict, config: dict) -> Path:
    """Write `path` (.safetensors) and its sidecar JSON; returns the safetensors path."""
    path = Path(path).with_suffix(".safetensors")
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().cpu().contiguous() for k, v in state_dict.items()}
    text = json.dumps(config, indent=2, sort_keys=True)
    with replacing(path, verb="cannot write the checkpoint") as tmp:
        save_file(tensors, str(tmp), metadata={"config": text})
    write_atomic(path.with_suffix(".json"), (text + "\n").encode("utf-8"), verb="cannot write the checkpoint")
    return path


def load_checkpoint(path: str | Path, what: str) -> tuple[dict[str, torch.Tensor], dict]:
    """-> (state dict on CPU, config dict). `what` names the model in error messages."""
    path = Path(path)
    if not path.is_file():
        raise MissingCheckpointError(f"{what} checkpoint not found", path)
    try:
        if path.suffix in _TORCH_SUFFIXES:
            data = torch.load(path, map_location="cpu", weights_only=True)
            if isinstance(data, dict) and "state_dict" in data:
                state, config = data["state_dict"], data.get("config")
            else:
                state, config = data, None
        else:
            state = load_file(str(path))
            with safe_open(str(path), framework="pt") as f:
                meta = f.metadata() or {}
            config = json.loads(meta["config"]) if "config" in meta else None
    except (SafetensorError, RuntimeError, OSError, ValueError, EOFError, pickle.UnpicklingError) as exc:
        raise MissingCheckpointError(f"cannot read {what} checkpoint: {str(exc).splitlines()[0]}", path) from exc
    if config is None:
        sidecar = path.with_suffix(".json")
        if not sidecar.is_file():
            raise MissingCheckpointError(f"{what} checkpoint has no config (expected {sidecar.name} beside it)", path)
        config = json.loads(sidecar.read_text(encoding="utf-8"))
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise MissingCheckpointError(f"{what} checkpoint does not hold a dictionary of tensors", path)
    return state, config
