"""Stage 1 training loop: MEAD-layout folder -> speech-to-landmarks checkpoint (safetensors + JSON)."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from talkface_studio.core.errors import ValidationError
from talkface_studio.perform.neural.config import SpeechToCuesConfig
from talkface_studio.perform.neural.expression_basis import fit_expression_basis
from talkface_studio.perform.neural.loading import save_speech_to_cues
from talkface_studio.torch_support.device import pick_device
from talkface_studio.perform.neural.losses import stage1_losses
from talkface_studio.perform.neural.speech_to_cues import SpeechToCues
from talkface_studio.training.clip_cache import load_or_extract
from talkface_studio.training.landmark_dataset import LandmarkWindows, build_items
from talkface_studio.training.mead import scan_mead

_BASIS_SAMPLES = 20_000  # frames used to fit the PCA basis (plenty for 64 components)


@dataclasses.dataclass(frozen=True)
class TrainOptions:
    epochs: int = 10
    batch_size: int = 16
    window: int = 64  # frames per training window (~2.5 s at 25 fps)
    lr: float = 3e-4
    seed: int = 0
    device: str = "auto"
    steps_per_epoch: int | None = None  # default: enough windows to cover the data once
    # Scheduled sampling (as EmoFace): feed the model's own predictions back for up to this share of
    # frames, ramped up over training, so inference-time feedback does not drift.
    scheduled_sampling: float = 0.3


def load_items(root: str | Path, cache_dir: str | Path, log: Callable[[str], None] = print):
    clips = scan_mead(root)
    arrays = []
    for i, clip in enumerate(clips):
        arrays.append(load_or_extract(clip, cache_dir))
        log(f"landmarks {i + 1}/{len(clips)}: {clip.key}{'' if arrays[-1] is not None else ' (no face: skipped)'}")
    items = build_items(clips, arrays)
    if not items:
        raise ValidationError("no usable clips (the face tracker found no face in any video)", root)
    return items


def _mix_predictions(model, batch: dict, share: float, rng: np.random.Generator) -> torch.Tensor:
    """True cues with a random `share` of frames replaced by the model's teacher-forced predictions."""
    with torch.no_grad():
        predicted = model(batch)["cues_generated"]
    true = model.cue_vector(batch["coeffs"], batch["gaze"], batch["pose"])
    pick = torch.from_numpy(rng.random(true.shape[:2]) < share).to(true.device)
    return torch.where(pick[..., None], predicted, true)


def train_landmarks(root: str | Path, out_dir: str | Path, options: TrainOptions = TrainOptions(),
                    config: SpeechToCuesConfig | None = None, log: Callable[[str], None] = print,
                    items=None) -> tuple[Path, list[float]]:
    """Train stage 1; returns (checkpoint path, mean loss per epoch). `items` skips extraction."""
    out_dir = Path(out_dir)
    cfg = config or SpeechToCuesConfig.load()
    torch.manual_seed(options.seed)
    rng = np.random.default_rng(options.seed)
    if items is None:
        items = load_items(root, out_dir / "cache", log)
    frames = np.concatenate([it.deltas for it in items])
    sample = frames[rng.permutation(len(frames))[:_BASIS_SAMPLES]]
    basis = fit_expression_basis(sample, cfg.n_pca, seed=options.seed)
    data = LandmarkWindows(items, basis, cfg.audio_margin, options.window)
    device = pick_device(options.device)
    model = SpeechToCues(cfg)
    model.set_basis(basis)
    model.to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=options.lr, weight_decay=0.01)
    steps = options.steps_per_epoch or max(1, data.n_frames // (options.batch_size * options.window))
    history = []
    for epoch in range(options.epochs):
        t0, total = time.perf_counter(), 0.0
        for _ in range(steps):
            batch = {k: v.to(device) for k, v in data.batch(rng, options.batch_size).items()}
            share = options.scheduled_sampling * epoch / max(options.epochs - 1, 1)
            if share > 0:
                batch["input_cues"] = _mix_predictions(model, batch, share, rng)
            loss, parts = stage1_losses(model, batch, model(batch))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            total += float(loss.detach())
        history.append(total / steps)
        log(f"epoch {epoch + 1}/{options.epochs}: loss {history[-1]:.4f} "
            f"({', '.join(f'{k} {v:.3f}' for k, v in parts.items())}) {time.perf_counter() - t0:.1f}s")
    path = save_speech_to_cues(model.eval(), out_dir / "landmarks.safetensors")
    log(f"wrote {path}")
    return path, history
