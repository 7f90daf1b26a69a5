"""Closed-mouth seam stability on the gallery portraits, speaking a human clip with many closures.

Every run of frames whose driving lips are closed (inner-lip gap below 1 mm: /p b m/, pauses) is
rendered and resampled in the mouth's own frame (u corner to corner, v in mm from the lips'
meeting line, so head motion cancels out), and compared:

- held:   mean |change| (0..255) between consecutive frames of one closure (a flicker of teeth
          through the lips, a seam that crawls);
- across: mean |change| between the middle frames of consecutive closures (the same closed mouth
          should look the same each time);
- sliver: share of pixels within 0.8 mm of the meeting line brighter by 30 levels than both lips
          2 mm above and below it (teeth showing through closed lips), in %.

    .venv/bin/python benchmarks/bench_mouth.py [--size 256] [--clip NAME] [--portrait NAME ...]
        [--emotion NAME ...]

Run it against another checkout with PYTHONPATH=that/checkout to compare renderers.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.ndimage import map_coordinates

from expression_takes import take_snapshot
from gallery import PORTRAITS, portrait_path

INNER_UPPER = [191, 80, 81, 82, 13, 312, 311, 310, 415]
INNER_LOWER = [95, 88, 178, 87, 14, 317, 402, 318, 324]
CORNERS = (78, 308)
LUMA = np.array([0.299, 0.587, 0.114])
U = np.linspace(-0.05, 1.05, 56)
V_MM = np.linspace(-4.0, 4.0, 33)
CLOSED_MM = 1.0


def mouth_patch(img: np.ndarray, lm: np.ndarray) -> np.ndarray:
    """The mouth resampled on a grid in its own frame: [len(V_MM), len(U), 3]."""
    a, b = lm[CORNERS[0], :2], lm[CORNERS[1], :2]
    ex = b - a
    ey = np.array([-ex[1], ex[0]]) / np.linalg.norm(ex)
    mm = np.linalg.norm(lm[263] - lm[33]) / 63.0
    seam = 0.5 * (lm[13, :2] + lm[14, :2])
    off = (seam - a) @ ey                                   # the meeting line's height on the axis
    uu, vv = np.meshgrid(U, V_MM)
    pts = a + uu[..., None] * ex + (off + vv[..., None] * mm) * ey
    return np.stack([map_coordinates(img[..., k].astype(np.float32), [pts[..., 1] - 0.5, pts[..., 0] - 0.5],
                                     order=1, mode="nearest") for k in range(3)], axis=-1)


def closure_runs(gap_mm: np.ndarray) -> list[list[int]]:
    """Runs of consecutive frames whose driving lips are closed."""
    runs, cur = [], []
    for f, closed in enumerate(gap_mm < CLOSED_MM):
        if closed:
            cur.append(f)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def gap_mm(lm: np.ndarray) -> np.ndarray:
    """Largest inner-lip gap per frame, mm (eye corners 63 mm apart): lm [T, 478, 3]."""
    gap = np.linalg.norm(lm[:, INNER_LOWER, :2] - lm[:, INNER_UPPER, :2], axis=2).max(1)
    return gap / np.linalg.norm(lm[:, 263] - lm[:, 33], axis=1) * 63.0


def sliver_share(patch: np.ndarray) -> float:
    """Share of the pixels on the meeting line brighter than both lips next to it."""
    lum = patch @ LUMA
    above = lum[np.argmin(np.abs(V_MM + 2.0))]
    below = lum[np.argmin(np.abs(V_MM - 2.0))]
    near = np.abs(V_MM) <= 0.8
    return float((lum[near] > np.maximum(above, below)[None] + 30).mean())


def measure(portrait: Path, emotion: str, clip: str, size: int, workdir: Path) -> dict:
    from talkface_studio.render.registry import get_renderer

    snap = take_snapshot(portrait, clip, emotion, workdir)
    lms_all = snap.landmarks(0, snap.n_frames, size)
    runs = closure_runs(gap_mm(np.asarray(lms_all)))
    renderer = get_renderer("mesh_warp", device="cpu")
    held, mids, slivers = [], [], []
    for run in runs:
        lms = lms_all[run[0]:run[-1] + 1]
        patches = []
        for lm, img in zip(lms, renderer.render(snap.portrait, lms, size)):
            p = mouth_patch(img, lm)
            patches.append(p)
            slivers.append(sliver_share(p))
        held += [float(np.abs(b - a).mean()) for a, b in zip(patches, patches[1:])]
        mids.append(patches[len(patches) // 2])
    across = [float(np.abs(b - a).mean()) for a, b in zip(mids, mids[1:])]
    return {"runs": len(runs), "frames": sum(len(r) for r in runs), "held": float(np.mean(held)) if held else float("nan"),
            "across": float(np.mean(across)) if across else float("nan"),
            "sliver_pct": 100.0 * float(np.mean(slivers)) if slivers else float("nan")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--clip", default="fr_f_asterisk_dir_intro")
    ap.add_argument("--portrait", nargs="*", default=list(PORTRAITS))
    ap.add_argument("--emotion", nargs="*", default=["neutral", "angry"])
    args = ap.parse_args(argv)
    start = time.perf_counter()
    print(f"{'portrait':<26} {'emotion':<9} {'closures':>8} {'frames':>6} {'held':>7} {'across':>7} {'sliver %':>9}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.portrait:
            for emotion in args.emotion:
                r = measure(portrait_path(name, Path(tmp)), emotion, args.clip, args.size, Path(tmp))
                rows.append(r)
                print(f"{name:<26} {emotion:<9} {r['runs']:>8} {r['frames']:>6} {r['held']:>7.2f} {r['across']:>7.2f} "
                      f"{r['sliver_pct']:>9.2f}", flush=True)
    mean = {k: np.nanmean([r[k] for r in rows]) for k in ("held", "across", "sliver_pct")}
    print(f"{'mean':<36} {'':>8} {'':>6} {mean['held']:>7.2f} {mean['across']:>7.2f} {mean['sliver_pct']:>9.2f}")
    print(f"({args.size} px, mouth resampled in its own frame; {time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
