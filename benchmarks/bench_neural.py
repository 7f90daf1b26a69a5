"""Neural backends' speed with the default (untrained, random-weight) architectures on this machine.

Stage 1: auto-regressive generation of a 10 s take at 25 fps, against a floor measured in the same run:
one teacher-forced (parallel) pass over the same take, which is the least any exact decoder can cost.
Stage 2: per-frame rendering at the model's 256x256, against a floor of the appearance extractor
alone on the same portrait (the per-portrait work every frame must at least match).

    .venv/bin/python benchmarks/bench_neural.py [--runs 3] [--frames 2] [--threads 2]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from talkface_studio.perform.neural import SpeechToCues, SpeechToCuesConfig  # noqa: E402
from talkface_studio.perform.neural.mel_context import normalize_mel, padded_window  # noqa: E402
from talkface_studio.render.neural import KeypointGenerator, KeypointGeneratorConfig  # noqa: E402

from timing import median_seconds


def stage1(runs: int) -> tuple[float, float]:
    cfg = SpeechToCuesConfig.load()
    torch.manual_seed(0)
    model = SpeechToCues(cfg).eval()
    t, m = 250, cfg.audio_margin
    mel = np.random.default_rng(0).normal(size=(t, 80)).astype(np.float32)
    emo = np.zeros((t, 8), np.float32)
    emo[:, 5] = 1
    norm, silence = normalize_mel(mel)
    batch = {"mel": torch.from_numpy(padded_window(norm, silence, 0, t, m))[None],
             "emotion": torch.from_numpy(np.repeat(emo[:1], t + 2 * m, 0))[None],
             "coeffs": torch.zeros(1, t, cfg.n_pca), "gaze": torch.zeros(1, t, 2), "pose": torch.zeros(1, t, 3),
             "prev_coeffs": torch.zeros(1, cfg.n_pca), "prev_gaze": torch.zeros(1, 2), "prev_pose": torch.zeros(1, 3),
             "has_prev": torch.tensor([False])}

    def parallel():
        with torch.no_grad():
            model(batch)

    return median_seconds(lambda: model.generate(mel, emo, seed=0), runs), median_seconds(parallel, runs)


def stage2(runs: int, frames: int) -> tuple[float, float]:
    from talkface_studio.render.neural.renderer import NeuralRenderer

    cfg = KeypointGeneratorConfig.load()
    torch.manual_seed(0)
    renderer = NeuralRenderer.__new__(NeuralRenderer)  # random weights: skip checkpoint loading
    renderer.device, renderer.batch_size = torch.device("cpu"), 1
    renderer.model = KeypointGenerator(cfg).eval()
    image = np.random.default_rng(0).integers(0, 255, (512, 512, 3), dtype=np.uint8)
    lm = np.random.default_rng(1).uniform(100, 400, (frames, 478, 3)).astype(np.float32)
    portrait = SimpleNamespace(image=image)

    def floor():
        with torch.no_grad():
            renderer.model.appearance(renderer._to_tensor(image))

    total = median_seconds(lambda: list(renderer.render(portrait, lm, 512)), runs)
    return total / frames, median_seconds(floor, runs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--frames", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    gen, par = stage1(args.runs)
    per_frame, floor = stage2(max(1, args.runs - 1), args.frames)
    print(f"{'measure':<44}{'median s':>10}{'floor s':>10}{'ratio':>8}")
    print(f"{'stage 1: 10 s take (250 frames), generate':<44}{gen:>10.3f}{par:>10.3f}{gen / par:>8.1f}")
    print(f"{'stage 2: one 512px frame (model 256px)':<44}{per_frame:>10.3f}{floor:>10.3f}{per_frame / floor:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
