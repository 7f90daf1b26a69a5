"""Reading and writing neural checkpoints without executing anything from the file.

A checkpoint is `NAME.safetensors` (tensors; the model config JSON is also stored in its metadata
under "config") plus `NAME.json` beside it (the same config, for people and tools). PyTorch files
(`.pt`/`.pth`/`.ckpt`) are read with `torch.load(weights_only=True)` and must hold either
{"config": dict, "state_dict": {name: tensor}} or a bare state dict with `NAME.json` beside it.
Both stages (perform.neural, render.neural) and training use this module.
"""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from safetensors import safe_open

from talkface_studio.core.atomic_write import replacing, write_atomic
from talkface_studio.core.errors import MissingCheckpointError
from talkface_studio.core.file_access import check_regular
from talkface_studio.core.model_config import parse_config_text, read_config_file

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
    if not os.path.lexists(path):
        raise MissingCheckpointError(f"{what} checkpoint not found", path)
    check_regular(path, f"{what} checkpoint", MissingCheckpointError)
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
            config = parse_config_text(meta["config"], path, f"{what} config") if "config" in meta else None
    except pickle.UnpicklingError:
        # torch's message goes on to suggest weights_only=False, i.e. running the file's code: never
        raise MissingCheckpointError(f"refused: the {what} checkpoint holds pickled Python objects besides "
                                     "tensors, and loading those could run code; convert it to .safetensors",
                                     path) from None
    except (SafetensorError, RuntimeError, OSError, ValueError, EOFError, KeyError, TypeError) as exc:
        raise MissingCheckpointError(f"cannot read {what} checkpoint: {str(exc).splitlines()[0][:200]}",
                                     path) from None
    if config is None:
        sidecar = path.with_suffix(".json")
        if not sidecar.is_file():
            raise MissingCheckpointError(f"{what} checkpoint has no config (expected {sidecar.name} beside it)", path)
        config = read_config_file(sidecar)
    if not isinstance(config, dict):
        raise MissingCheckpointError(f"{what} checkpoint's config is not a JSON object", path)
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                              for k, v in state.items()):
        raise MissingCheckpointError(f"{what} checkpoint does not hold a dictionary of tensors", path)
    return state, dict(config)


def load_matching_state(model: torch.nn.Module, state: dict, path, ignore=lambda name: False) -> None:
    """Load `state` into `model`; a checkpoint whose tensors do not fit its config is one line."""
    expected = model.state_dict()
    for name, tensor in state.items():
        if name in expected and tuple(tensor.shape) != tuple(expected[name].shape):
            raise MissingCheckpointError(f"checkpoint does not match its config: {name} is "
                                         f"{list(tensor.shape)} in the file, {list(expected[name].shape)} "
                                         "expected", path)
    try:
        missing, unexpected = model.load_state_dict(state, strict=False)
    except RuntimeError as exc:
        raise MissingCheckpointError(f"checkpoint does not match its config ({str(exc).splitlines()[0][:200]})",
                                     path) from None
    missing = [k for k in missing if not ignore(k)]
    if missing or unexpected:
        raise MissingCheckpointError(f"checkpoint does not match its config (e.g. {', '.join((missing + unexpected)[:3])})",
                                     path)
