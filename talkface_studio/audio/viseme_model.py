"""The viseme recognizer network and its loader (weights ship with the package).

VisemeNet: normalised log-mel x [B, T, 80] (100 fps) -> viseme logits [B, T, 17] and jaw opening
[B, T] (0..1). A stack of dilated depthwise-separable 1-D convolutions (non-causal; the receptive
field is about +-0.8 s, enough for coarticulation), no recurrence, so 60 s of audio is one pass of
a few tens of milliseconds on a CPU. Sizes live in `models/viseme_recognizer.json`; weights in
`models/viseme_recognizer.safetensors` (`talkface-studio train --stage visemes` writes both).
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from talkface_studio.core.errors import MissingCheckpointError

from .viseme_set import VISEME_CLASSES

MODEL_DIR = Path(__file__).with_name("models")
DEFAULT_CONFIG = MODEL_DIR / "viseme_recognizer.json"
DEFAULT_WEIGHTS = MODEL_DIR / "viseme_recognizer.safetensors"


@dataclass
class VisemeNetConfig:
    n_mels: int = 80
    channels: int = 160
    kernel: int = 5
    dilations: list[int] = field(default_factory=lambda: [1, 2, 4, 8, 16, 1, 2, 4])
    classes: list[str] = field(default_factory=lambda: list(VISEME_CLASSES))
    version: str = "untrained"  # the training run's id: part of analysis cache keys

    @classmethod
    def load(cls, path: str | Path) -> VisemeNetConfig:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise MissingCheckpointError(f"cannot read the viseme recognizer config ({exc})", path) from None
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=1) + "\n", encoding="utf-8")


def build(config: VisemeNetConfig, dropout: float = 0.0):
    """The network; `dropout` (training only) acts after each block's activation."""
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self, c: int, k: int, d: int):
            super().__init__()
            self.depthwise = nn.Conv1d(c, c, k, padding=d * (k // 2), dilation=d, groups=c)
            self.norm = nn.LayerNorm(c)
            self.drop = nn.Dropout(dropout)
            self.pointwise = nn.Linear(c, c)

        def forward(self, x):  # [B, C, T]
            y = self.norm(self.depthwise(x).transpose(1, 2))
            return x + self.pointwise(self.drop(torch.nn.functional.gelu(y))).transpose(1, 2)

    class VisemeNet(nn.Module):
        """log-mel [B, T, M] -> (viseme logits [B, T, K], jaw opening [B, T])."""

        def __init__(self, cfg: VisemeNetConfig):
            super().__init__()
            c = cfg.channels
            self.stem = nn.Conv1d(cfg.n_mels, c, cfg.kernel, padding=cfg.kernel // 2)
            self.blocks = nn.ModuleList(Block(c, cfg.kernel, d) for d in cfg.dilations)
            self.head = nn.Conv1d(c, len(cfg.classes) + 1, 1)

        def forward(self, mel):
            x = torch.nn.functional.gelu(self.stem(mel.transpose(1, 2)))
            for block in self.blocks:
                x = block(x)
            out = self.head(x).transpose(1, 2)
            return out[..., :-1], torch.sigmoid(out[..., -1])

    return VisemeNet(config)


class VisemeRecognizer:
    """Loads the network once; `posteriors(features)` -> (log-posteriors [T, K], jaw [T]) as numpy."""

    def __init__(self, weights: str | Path = DEFAULT_WEIGHTS, config: str | Path | None = None, device: str = "auto"):
        import torch
        from safetensors.torch import load_file

        weights = Path(weights)
        config_path = Path(config) if config else weights.with_suffix(".json")
        if not weights.is_file():
            raise MissingCheckpointError("viseme recognizer weights are missing (reinstall, or train them with "
                                         "`talkface-studio train --stage visemes`)", weights)
        self.config = VisemeNetConfig.load(config_path)
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = torch.device(device)
        self.net = build(self.config)
        state = load_file(str(weights))  # safetensors: nothing in the file can execute code
        state = {k: v.float() for k, v in state.items()}
        try:
            self.net.load_state_dict(state)
        except RuntimeError as exc:
            raise MissingCheckpointError(f"weights do not match the config ({str(exc).splitlines()[0]})",
                                         weights) from None
        self.net.to(self.device).eval()
        self.classes = tuple(self.config.classes)
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        return self.config.version

    def posteriors(self, feats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Normalised log-mel [T, 80] -> (log-posteriors float32 [T, K], jaw float32 [T])."""
        import torch

        if len(feats) == 0:
            return np.zeros((0, len(self.classes)), np.float32), np.zeros(0, np.float32)
        with self._lock, torch.inference_mode():
            x = torch.from_numpy(np.ascontiguousarray(feats, dtype=np.float32))[None].to(self.device)
            logits, jaw = self.net(x)
            logp = torch.log_softmax(logits[0], dim=-1)
        return logp.cpu().numpy(), jaw[0].cpu().numpy()


_DEFAULT: VisemeRecognizer | None = None
_DEFAULT_LOCK = threading.Lock()


def default_recognizer():
    """The packaged recognizer, loaded once per process (cuda when available): the ensemble that
    `models/viseme_ensemble.json` names (viseme_ensemble), or the single network where it is absent."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = load_recognizer()
        return _DEFAULT


def load_recognizer(path: str | Path | None = None, device: str = "auto"):
    """A recognizer from a weights file (.safetensors) or an ensemble manifest (.json); by default
    the packaged one."""
    from .viseme_ensemble import DEFAULT_MANIFEST, VisemeEnsemble

    if path is None:
        path = DEFAULT_MANIFEST if DEFAULT_MANIFEST.is_file() else DEFAULT_WEIGHTS
    path = Path(path)
    return VisemeEnsemble(path, device) if path.suffix == ".json" else VisemeRecognizer(path, device=device)
