"""Mesh-warp renderer speed and fidelity on the demo portrait.

Speed: median ms per frame at 256/512/1024 px vs. a floor measured in the same run (one bare
``grid_sample`` of the same size). Fidelity (``--quality``): MediaPipe re-detects landmarks on the
rendered frames; mean error vs. the driving landmarks, mouth opening and iris position.

    .venv/bin/python benchmarks/bench_render.py [--quality] [--frames 30] [--device cpu]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from talkface_studio.face.geometry import rotation_from_angles
from talkface_studio.face.portrait import fit_portrait
from talkface_studio.render.appearance import mouth_gap
from talkface_studio.render.face_loops import EYES, INNER_LOWER_LIP, INNER_UPPER_LIP, MOUTH_CORNERS
from talkface_studio.render.registry import get_renderer

PORTRAIT = Path(__file__).resolve().parents[1] / "resources" / "demo" / "portrait.png"


def driven_take(lm: np.ndarray, n: int) -> np.ndarray:
    """A synthetic take: jaw opening, head sway, gaze wander and one blink."""
    width = np.linalg.norm(lm[MOUTH_CORNERS[1], :2] - lm[MOUTH_CORNERS[0], :2])
    line = lm[list(INNER_UPPER_LIP) + list(MOUTH_CORNERS), 1].max()
    cx = lm[list(MOUTH_CORNERS), 0].mean()
    w = np.clip((lm[:, 1] - line) / 3.0, 0, 1) * np.exp(-((lm[:, 0] - cx) / (1.3 * width)) ** 2)
    w[INNER_LOWER_LIP], w[list(INNER_UPPER_LIP)] = 1.0, 0.0
    centre = lm[:468].mean(0)
    frames = []
    for i in range(n):
        t = i / max(n - 1, 1)
        f = lm.copy()
        f[:, 1] += 0.4 * width * max(0.0, np.sin(2 * np.pi * 3 * t)) * w
        for rim in EYES:
            r = np.linalg.norm(lm[rim.iris_ring, :2] - lm[rim.iris_centre, :2], axis=1).mean()
            f[[rim.iris_centre, *rim.iris_ring], 0] += 0.7 * r * np.sin(2 * np.pi * t)
            if 0.45 < t < 0.55:
                f[rim.upper, :2] += 0.9 * (lm[rim.lower, :2] - lm[rim.upper, :2])
        rot = rotation_from_angles(12 * np.sin(2 * np.pi * t), 6 * np.sin(4 * np.pi * t), 5 * np.cos(2 * np.pi * t))
        frames.append((f - centre) @ rot.T + centre)
    return np.stack(frames)


def bench_speed(portrait, device: str, frames: int) -> None:
    renderer = get_renderer("mesh_warp", device=device)
    print(f"{'size':>6} {'mesh_warp ms':>13} {'grid_sample ms':>15} {'ratio':>6}")
    for size in (256, 512, 1024):
        lms = driven_take(np.asarray(portrait.landmarks, float) * size / portrait.image.shape[0], frames)
        list(renderer.render(portrait, lms[:2], size))                       # warm the caches
        times = []
        for lm in lms:
            t0 = time.perf_counter()
            next(renderer.render(portrait, lm[None], size))
            times.append(time.perf_counter() - t0)
        tex = torch.rand(1, 3, size, size, device=renderer.device)
        grid = torch.rand(1, size, size, 2, device=renderer.device) * 2 - 1
        floor = []
        for _ in range(frames):
            t0 = time.perf_counter()
            F.grid_sample(tex, grid, align_corners=False).cpu()
            floor.append(time.perf_counter() - t0)
        m, f = statistics.median(times) * 1e3, statistics.median(floor) * 1e3
        print(f"{size:>6} {m:>13.1f} {f:>15.1f} {m / f:>6.1f}")


def bench_quality(portrait, frames: int) -> None:
    import mediapipe as mp
    size = 512
    lms = driven_take(np.asarray(portrait.landmarks, float) * size / portrait.image.shape[0], frames)
    renderer = get_renderer("mesh_warp", device="cpu")
    errs, gaps, iris = [], [], []
    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True) as mesh:
        for lm, frame in zip(lms, renderer.render(portrait, lms, size)):
            found = mesh.process(frame).multi_face_landmarks
            if not found:
                errs.append(np.nan)
                continue
            det = np.array([[p.x * size, p.y * size, p.z * size] for p in found[0].landmark])
            errs.append(np.linalg.norm(det[:468, :2] - lm[:468, :2], axis=1).mean())
            gaps.append((mouth_gap(lm), mouth_gap(det)))
            iris.append(np.mean([det[r.iris_centre, 0] - lm[r.iris_centre, 0] for r in EYES]))
    errs = np.array(errs)
    gaps = np.array(gaps)
    print(f"frames {len(errs)}, face found in {np.isfinite(errs).sum()}")
    print(f"mean landmark error (px @512): median {np.nanmedian(errs):.2f}, max {np.nanmax(errs):.2f}")
    print(f"mouth opening driving vs detected: corr {np.corrcoef(gaps.T)[0, 1]:.2f}")
    print(f"iris x error (px): mean |e| {np.mean(np.abs(iris)):.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=30)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--quality", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    portrait = fit_portrait(PORTRAIT, size=512)
    bench_speed(portrait, args.device, args.frames)
    if args.quality:
        bench_quality(portrait, args.frames)


if __name__ == "__main__":
    main()
