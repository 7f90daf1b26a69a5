"""Train the viseme recognizer on speech synthesized here (no downloaded data or weights).

    talkface-studio train --stage visemes --out runs/visemes --hours 4 --seed 0 [--recipe 3]
    talkface-studio train --stage visemes --out runs/visemes4 --recipe 4   # fine-tunes recipe 2's weights
    talkface-studio train --stage visemes --out runs/more --init runs/visemes/viseme_recognizer.safetensors

1. Synthesize `hours` of augmented speech in two worker processes (viseme_data; recipe 2, the
   packaged weights': espeak-ng alone; recipe 3 adds Festival's voices of real speakers).
2. Train VisemeNet (from `init`'s weights when given; recipe 4: from the packaged recipe-2
   weights, FINE_TUNE's defaults)
   on random 3 s windows: cross-entropy on viseme classes (class-balanced,
   label smoothing) + L1 on the jaw opening, with mel-axis warping (vocal tract length) and
   SpecAugment-style masks drawn fresh every step.
3. Write `viseme_recognizer.safetensors` (float16) + `viseme_recognizer.json` (sizes, class
   names, version) + `training_log.json` (losses, held-out synthetic accuracy, timings).
Deterministic for a seed on one machine (torch CPU kernels are deterministic here).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from talkface_studio.audio.viseme_model import VisemeNetConfig, build
from talkface_studio.audio.viseme_set import CLASS_INDEX, VISEME_CLASSES

from .viseme_data import DEFAULT_RECIPE, make_clips, require_recipe

WINDOW = 300  # frames (3 s)
# Recipes 4 and 5 fine-tune the packaged recipe-2 network (committed, so the start is reproducible):
# fewer hours and steps and a lower peak rate than training from scratch.
FINE_TUNE = {"hours": 1.0, "steps": 600, "lr": 5e-4}
FINE_TUNED_RECIPES = (4, 5)
RANDOM_START = "random"  # `init` value: start these recipes from a random network instead


@dataclass
class VisemeTrainOptions:
    hours: float = 4.0
    seed: int = 0
    steps: int = 2400
    batch_size: int = 24
    lr: float = 2e-3
    jaw_weight: float = 2.0
    workers: int = 2
    device: str = "auto"
    validation_minutes: float = 10.0
    recipe: int = DEFAULT_RECIPE  # viseme_data's training-data recipe
    init: str | None = None  # weights (.safetensors) to start from; RANDOM_START: a random network


def _generate(seed: int, seconds: float, workers: int, recipe: int = DEFAULT_RECIPE):
    """Clips from `workers` processes, each with its own seed stream (order fixed: reproducible)."""
    shares = [(seed * 1000 + i, seconds / workers, recipe) for i in range(workers)]
    if workers <= 1:
        return [c for s in shares for c in make_clips(*s)]
    with mp.get_context("spawn").Pool(workers, initializer=_nice) as pool:
        return [c for part in pool.starmap(make_clips, shares) for c in part]


def _nice() -> None:
    try:
        os.nice(5)
    except OSError:
        pass


def _stack(clips):
    feats = np.concatenate([c.feats for c in clips])
    labels = np.concatenate([c.labels for c in clips]).astype(np.int64)
    jaw = np.concatenate([c.jaw for c in clips]).astype(np.float32)
    return feats, labels, jaw


def _batch(rng, feats, labels, jaw, batch: int):
    starts = rng.integers(0, len(feats) - WINDOW, batch)
    idx = starts[:, None] + np.arange(WINDOW)[None, :]
    x = feats[idx].astype(np.float32)
    # vocal-tract-length warp: stretch the mel axis by 0.88-1.12 (another speaker's formants)
    n_mels = x.shape[2]
    for b in range(batch):
        alpha = rng.uniform(0.82, 1.18)
        src = np.clip(np.arange(n_mels) / alpha, 0, n_mels - 1)
        lo = np.floor(src).astype(int)
        hi = np.minimum(lo + 1, n_mels - 1)
        w = (src - lo).astype(np.float32)
        x[b] = x[b][:, lo] * (1 - w) + x[b][:, hi] * w
        for _ in range(2):  # SpecAugment: frequency and time masks
            f0, fw = rng.integers(0, n_mels), rng.integers(0, 15)
            x[b, :, f0 : f0 + fw] = 0.0
            t0, tw = rng.integers(0, WINDOW), rng.integers(0, 20)
            x[b, t0 : t0 + tw, :] = 0.0
    return x, labels[idx], jaw[idx]


def train_visemes(out: str | Path, options: VisemeTrainOptions | None = None, log=None) -> Path:
    import torch
    from safetensors.torch import save_file

    opt = options or VisemeTrainOptions()
    require_recipe(opt.recipe)
    log = log or (lambda line: print(line, flush=True))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(opt.seed)
    rng = np.random.default_rng(opt.seed)
    device = torch.device("cuda" if opt.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if opt.device == "auto" else opt.device))
    timings = {}
    config = VisemeNetConfig()
    net = build(config, dropout=0.1)
    if opt.init == RANDOM_START:
        start = None
    else:
        start = opt.init or (_packaged_recipe2() if opt.recipe in FINE_TUNED_RECIPES else None)
    if start is not None:  # checked before the minutes of synthesis
        start_version = load_initial_state(net, start)
        log(f"starting from {start} ({start_version or 'no version'})")

    t0 = time.perf_counter()
    train = _stack(_generate(opt.seed, opt.hours * 3600, opt.workers, opt.recipe))
    val = _stack(_generate(opt.seed + 7919, opt.validation_minutes * 60, 1, opt.recipe))
    timings["synthesis_s"] = round(time.perf_counter() - t0, 1)
    log(f"synthesized {len(train[0]) / 360000:.2f} h of training speech (+{len(val[0]) / 6000:.1f} min held out) "
        f"in {timings['synthesis_s']:.0f} s")

    counts = np.bincount(train[1], minlength=len(VISEME_CLASSES)).astype(np.float64)
    weights = (counts.sum() / np.maximum(counts, 1)) ** 0.5
    weights = torch.tensor(weights / weights.mean(), dtype=torch.float32, device=device)

    net = net.to(device)
    t1 = time.perf_counter()
    history = fit(net, lambda: _batch(rng, *train, opt.batch_size), opt.steps, opt.lr, weights, opt.jaw_weight,
                  device, log)
    timings["training_s"] = round(time.perf_counter() - t1, 1)

    net.eval()
    evaluation = _evaluate(net, val, device)
    log(f"held-out synthetic: frame accuracy {evaluation['accuracy']:.3f}, jaw L1 {evaluation['jaw_l1']:.3f}")
    config.version = f"seed{opt.seed}-h{opt.hours:g}-s{opt.steps}" + ("" if opt.recipe == 2 else f"-r{opt.recipe}")
    if start is not None and opt.init:
        config.version += f"-from-{start_version or Path(opt.init).stem}"
    state = {k: v.detach().to("cpu", torch.float16).contiguous() for k, v in net.state_dict().items()}
    weights_path = out / "viseme_recognizer.safetensors"
    save_file(state, str(weights_path), metadata={"version": config.version})
    config.save(out / "viseme_recognizer.json")
    from .festival_synth import available_voices

    voices = {"festival_voices": list(available_voices())} if opt.recipe == 3 else {}
    (out / "training_log.json").write_text(json.dumps({
        "options": asdict(opt), **voices, "timings": timings, "history": history, "held_out": evaluation,
        "parameters": int(sum(p.numel() for p in net.parameters())),
    }, indent=1) + "\n", encoding="utf-8")
    log(f"wrote {weights_path} ({weights_path.stat().st_size / 1e6:.2f} MB) and its config")
    return weights_path


def fit(net, next_batch, steps: int, lr: float, class_weights, jaw_weight: float, device, log) -> list[dict]:
    """Optimise ``net`` for ``steps`` batches from next_batch() -> (features, labels, jaw) numpy
    arrays: AdamW, one-cycle rate peaking at ``lr``, class-weighted cross-entropy with label
    smoothing + jaw_weight * L1 on the jaw, gradients clipped at 1. Returns the losses logged every
    100 steps and at the end."""
    import torch

    optimizer = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-2)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps, pct_start=0.1)
    ce = torch.nn.CrossEntropyLoss(weight=class_weights, label_smoothing=0.05)
    history = []
    t1 = time.perf_counter()
    net.train()
    for step in range(1, steps + 1):
        x, y, j = (torch.from_numpy(a).to(device) for a in next_batch())
        logits, jaw = net(x)
        loss_cls = ce(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        loss_jaw = torch.nn.functional.l1_loss(jaw, j)
        loss = loss_cls + jaw_weight * loss_jaw
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if step % 100 == 0 or step == steps:
            entry = {"step": step, "loss_class": round(loss_cls.item(), 4), "loss_jaw": round(loss_jaw.item(), 4),
                     "elapsed_s": round(time.perf_counter() - t1, 1)}
            history.append(entry)
            log(f"step {step}/{steps}: class {entry['loss_class']:.3f}, jaw {entry['loss_jaw']:.3f}, "
                f"{entry['elapsed_s']:.0f} s")
    return history


def _packaged_recipe2() -> Path:
    from talkface_studio.audio.viseme_model import DEFAULT_WEIGHTS

    return DEFAULT_WEIGHTS


def load_initial_state(net, path: str | Path) -> str | None:
    """Copy the weights in ``path`` (.safetensors, read as tensors only) into ``net``; one-line
    ValidationError when the file is missing or unreadable or its tensors do not fit ``net``.
    Returns the file's recorded version, if any."""
    from safetensors import safe_open

    from talkface_studio.core.errors import ValidationError

    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"--init: no weights file at {path}")
    try:
        with safe_open(str(path), framework="pt") as f:
            state = {k: f.get_tensor(k).float() for k in f.keys()}
            version = (f.metadata() or {}).get("version")
    except Exception as exc:  # safetensors raises its own error types for a damaged file
        raise ValidationError(f"--init: {path} is not a readable .safetensors file ({exc})") from exc
    expected = {k: tuple(v.shape) for k, v in net.state_dict().items()}
    got = {k: tuple(v.shape) for k, v in state.items()}
    if got != expected:
        wrong = sorted(set(expected) ^ set(got)) or [k for k in expected if expected[k] != got[k]]
        k = wrong[0]
        raise ValidationError(f"--init: {path} does not fit this network's config ({len(wrong)} tensors differ, "
                              f"first {k}: file {got.get(k, 'missing')}, network {expected.get(k, 'missing')})")
    net.load_state_dict(state)
    return version


def _evaluate(net, val, device) -> dict:
    import torch

    feats, labels, jaw = val
    with torch.inference_mode():
        logits, pred_jaw = net(torch.from_numpy(feats.astype(np.float32))[None].to(device))
    pred = logits[0].argmax(-1).cpu().numpy()
    recall = {VISEME_CLASSES[k]: round(float((pred[labels == k] == k).mean()), 3)
              for k in range(len(VISEME_CLASSES)) if (labels == k).any()}
    m = CLASS_INDEX["M"]
    return {"accuracy": round(float((pred == labels).mean()), 4),
            "jaw_l1": round(float(np.abs(pred_jaw[0].cpu().numpy() - jaw).mean()), 4),
            "recall": recall, "bilabial_precision": round(float((labels[pred == m] == m).mean()), 3)}
