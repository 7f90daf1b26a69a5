"""Stage 2 mapping training (paper: self-supervised): for each video frame, the frozen face-vid2vid
keypoint detector + head estimator give the target keypoints x = R x_c + t + delta; the mapping
learns to produce them from the same frame's MediaPipe landmarks. The generator's weights come from
`--generator`; the output checkpoint holds generator + mapping, ready for the neural renderer."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from talkface_studio.core.errors import MissingCheckpointError, ValidationError
from talkface_studio.torch_support.device import pick_device
from talkface_studio.render.neural.keypoint_generator import load_keypoint_generator, save_keypoint_generator
from talkface_studio.training.clip_cache import load_or_extract
from talkface_studio.training.mead import scan_mead
from talkface_studio.training.video_landmarks import read_video

MISSING_GENERATOR = ("the keypoints stage needs a face-vid2vid generator checkpoint: --generator FILE "
                     "(its keypoint detector supplies the training targets)")


@dataclasses.dataclass(frozen=True)
class KeypointTrainOptions:
    epochs: int = 10
    batch_size: int = 64
    lr: float = 1e-3
    seed: int = 0
    device: str = "auto"
    steps_per_epoch: int | None = None


@torch.no_grad()
def _targets(model, frames: np.ndarray, device, chunk: int = 16) -> torch.Tensor:
    """frames uint8 [T, S, S, 3] at the model's size -> detected keypoints [T, K, 3] (CPU)."""
    out = []
    for a in range(0, len(frames), chunk):
        x = torch.from_numpy(frames[a:a + chunk]).to(device).permute(0, 3, 1, 2).float() / 255
        out.append(model.detect(x).cpu())
    return torch.cat(out)


def train_keypoints(root: str | Path, out_dir: str | Path, generator: str | Path | None,
                    options: KeypointTrainOptions = KeypointTrainOptions(), mapping_config=None,
                    log: Callable[[str], None] = print) -> tuple[Path, list[float]]:
    """-> (checkpoint path, mean L1 per epoch). `mapping_config` is unused (sizes come with the generator)."""
    if not generator:
        raise MissingCheckpointError(MISSING_GENERATOR)
    out_dir = Path(out_dir)
    device = pick_device(options.device)
    torch.manual_seed(options.seed)
    model = load_keypoint_generator(generator, device, need_mapping=False)
    size = model.cfg.image_size
    inputs, targets = [], []
    for clip in scan_mead(root):
        arrays = load_or_extract(clip, out_dir / "cache")
        if arrays is None:
            continue
        frames, _ = read_video(clip.video, size=size)
        n = min(len(frames), len(arrays["landmarks_unit"]))
        inputs.append(torch.from_numpy(arrays["landmarks_unit"][:n]))
        targets.append(_targets(model, frames[:n], device))
        log(f"targets: {clip.key} ({n} frames)")
    if not inputs:
        raise ValidationError("no usable clips (the face tracker found no face in any video)", root)
    x, y = torch.cat(inputs).to(device), torch.cat(targets).to(device)
    model.mapping.train()
    opt = torch.optim.Adam(model.mapping.parameters(), lr=options.lr)
    steps = options.steps_per_epoch or max(1, len(x) // options.batch_size)
    gen = torch.Generator().manual_seed(options.seed)
    history = []
    for epoch in range(options.epochs):
        t0, total = time.perf_counter(), 0.0
        for _ in range(steps):
            idx = torch.randint(0, len(x), (min(options.batch_size, len(x)),), generator=gen).to(device)
            loss = F.l1_loss(model.mapping(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach())
        history.append(total / steps)
        log(f"epoch {epoch + 1}/{options.epochs}: keypoint L1 {history[-1]:.4f} {time.perf_counter() - t0:.1f}s")
    path = save_keypoint_generator(model.eval(), out_dir / "keypoints.safetensors")
    log(f"wrote {path}")
    return path, history
