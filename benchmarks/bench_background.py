"""The background behind a moving head: what the head uncovers, on the gallery portraits.

When the head moves, the still background behind it shows where the head was. It must look like
the background around it (no pale band, no hair colour, no hard line along the old outline). For
each gallery portrait a take with head motion is rendered (sad at level 3, which hangs the head
~7 degrees, speaking a human clip; plus held poses: pitch -10/+10, yaw -10/+10), and in every frame:

- uncovered: pixels inside the portrait's head layer that the moved layer no longer covers (its
  warped matte below 0.02, and 2 px clear of it), above the mouth (hair, temples, the background
  beside and above the head; lower down lie the jaw, neck and torso), in % of the frame;
- colour:    mean RGB distance (0..255) of the uncovered pixels from the local mean of the true
             background around them (the photo outside the head layer, beyond its fringe); for
             scale, the same distance of the true background's own pixels (its texture);
- bright:    mean luminance of the uncovered pixels minus that local mean (> 0: a pale band);
- edge:      mean gradient magnitude (Sobel, luminance) over the uncovered pixels, against the
             true background's own (a hard line along the old outline shows as a large ratio).

    .venv/bin/python benchmarks/bench_background.py [--size 512] [--clip NAME] [--portrait NAME ...]

Run it against another checkout with PYTHONPATH=that/checkout to compare renderers.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from gallery import PORTRAITS, portrait_path

LUMA = np.array([0.299, 0.587, 0.114], np.float32)
POSES = (("pitch-10", dict(pitch=-10.0)), ("pitch+10", dict(pitch=10.0)),
         ("yaw-10", dict(yaw=-10.0)), ("yaw+10", dict(yaw=10.0)))
TAKE_FRAMES = 10


def layer_alpha(renderer, fit, lm: np.ndarray, size: int) -> np.ndarray:
    """Where the moving layer lands in the frame (float32 [S, S]); older renderers have no
    ``layer_alpha``: the same from their internals."""
    if hasattr(renderer, "layer_alpha"):
        return renderer.layer_alpha(fit, lm, size)
    import torch

    from talkface_studio.render.mesh_warp import flow
    from talkface_studio.render.mesh_warp.raster import rasterize_displacement
    prep = renderer.prepare(fit, size)
    with torch.inference_mode():
        pts, depth = renderer._mesh_points(prep, np.asarray(lm, np.float64))
        coarse = rasterize_displacement(prep.mesh, pts, depth, prep.grid, prep.size)
        grid = renderer._grid(prep, coarse)
        return flow.sample_grid(prep.texture4[:, 3:4], grid)[0, 0].cpu().numpy()


def posed(fit, yaw=0.0, pitch=0.0):
    from talkface_studio.face.relocate import relocate
    from talkface_studio.face.topology import canonical_face
    from talkface_studio.perform.neutralize import neutralize_identity
    ident, _ = neutralize_identity(np.asarray(fit.landmarks, np.float32))
    ch = {"head_yaw": np.array([yaw], np.float32), "head_pitch": np.array([pitch], np.float32)}
    return relocate(ident, canonical_face()[None], ch)[0]


def uncovered_measures(frame: np.ndarray, matte: np.ndarray, moved_alpha: np.ndarray,
                       level_y: float) -> dict | None:
    """The measures above for one frame; None when nothing was uncovered."""
    size = frame.shape[0]
    k = max(1, round(2 * size / 512))
    near_new = cv2.dilate((moved_alpha > 0.02).astype(np.uint8), np.ones((2 * k + 1, 2 * k + 1), np.uint8)) > 0
    # the head and the background beside and above it (lower down lie the jaw, neck and torso)
    above = np.arange(size)[:, None] < level_y
    uncovered = (matte > 0.5) & ~near_new & above
    if uncovered.sum() < 20:
        return None
    # true background: outside the layer and its fringe (3 % of the frame), not under the moved head
    support = cv2.dilate((matte > 0).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    dist = cv2.distanceTransform((~support).astype(np.uint8), cv2.DIST_L2, 5)
    true_bg = (dist > 0.03 * size) & ~near_new & above
    sigma = 0.03 * size
    w = cv2.GaussianBlur(true_bg.astype(np.float32), (0, 0), sigma)
    f = frame.astype(np.float32)
    local = cv2.GaussianBlur(f * true_bg[..., None], (0, 0), sigma) / np.maximum(w, 1e-6)[..., None]
    reach = w > 0.05                                  # a local mean exists (background nearby)
    u = uncovered & reach
    if u.sum() < 20:
        return None
    ring = true_bg & (dist < 0.1 * size) & reach
    diff = np.linalg.norm(f - local, axis=2)
    lum = f @ LUMA
    grad = np.hypot(cv2.Sobel(lum, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(lum, cv2.CV_32F, 0, 1, ksize=3)) / 8
    return {"uncovered": 100.0 * u.mean(), "colour": float(diff[u].mean()), "colour_bg": float(diff[ring].mean()),
            "bright": float((lum - local @ LUMA)[u].mean()), "edge": float(grad[u].mean()),
            "edge_bg": float(grad[ring].mean())}


def measure_portrait(name: str, clip: str, size: int, workdir: Path) -> tuple[dict, float]:
    from expression_takes import take_snapshot
    from talkface_studio.face.person_matte import head_matte
    from talkface_studio.render.registry import get_renderer

    renderer = get_renderer("mesh_warp", device="cpu")
    snap = take_snapshot(portrait_path(name, workdir), clip, "sad", workdir)
    fit = snap.portrait
    start = time.perf_counter()
    prep = renderer.prepare(fit, size)
    prep_s = time.perf_counter() - start
    tex = prep.texture     # [S, S, 3] numpy on the CPU path, a [1, 3, S, S] tensor on the tensor one
    tex = tex if isinstance(tex, np.ndarray) else tex[0].permute(1, 2, 0).cpu().numpy()
    photo = np.floor(tex).clip(0, 255).astype(np.uint8)
    lm_fit = np.asarray(fit.landmarks, np.float64) * size / fit.image.shape[0]
    # the renderer's own matte (it knows where the crop is the photo's fill); the tensor path keeps none
    matte = prep.cpu["matte"] if prep.cpu is not None else head_matte(photo, lm_fit).matte
    frames = np.linspace(0, snap.n_frames - 1, TAKE_FRAMES + 2).astype(int)[1:-1]
    jobs = [("take", snap.landmarks(int(fr), int(fr) + 1, size)[0]) for fr in frames]
    jobs += [(label, posed(fit, **pose) * size / fit.image.shape[0]) for label, pose in POSES]
    rows = {}
    for label, lm in jobs:
        out = next(iter(renderer.render(fit, lm[None], size)))
        m = uncovered_measures(out, matte, layer_alpha(renderer, fit, lm, size), min(lm_fit[[61, 291], 1].mean(), lm[[61, 291], 1].mean()))
        if m is not None:
            rows.setdefault(label, []).append(m)
    return rows, prep_s


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--clip", default="en_m_librivox_sense_0890")
    ap.add_argument("--portrait", nargs="*", default=list(PORTRAITS))
    args = ap.parse_args(argv)
    print(f"Background uncovered by head motion, {args.size} px (colour / bright: 0..255; edge: grey levels"
          " per px; bg = the true background's own)")
    print(f"{'portrait':<24}{'frames':>10}{'n':>4}{'uncov %':>9}{'colour':>8}{'bg':>6}{'bright':>8}"
          f"{'edge':>7}{'bg':>6}{'ratio':>7}{'prepare s':>11}")
    totals = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.portrait:
            rows, prep_s = measure_portrait(name, args.clip, args.size, Path(tmp))
            for label in ("take", *[p for p, _ in POSES]):
                ms = rows.get(label)
                if not ms:
                    continue
                avg = {k: float(np.mean([m[k] for m in ms])) for k in ms[0]}
                totals.append(avg)
                print(f"{name[:24]:<24}{label:>10}{len(ms):>4}{avg['uncovered']:>9.2f}{avg['colour']:>8.1f}"
                      f"{avg['colour_bg']:>6.1f}{avg['bright']:>+8.1f}{avg['edge']:>7.2f}{avg['edge_bg']:>6.2f}"
                      f"{avg['edge'] / max(avg['edge_bg'], 1e-6):>7.2f}{prep_s:>11.2f}", flush=True)
    if totals:
        mean = {k: float(np.mean([t[k] for t in totals])) for k in totals[0]}
        print(f"{'all (mean of rows)':<24}{'':>10}{'':>4}{mean['uncovered']:>9.2f}{mean['colour']:>8.1f}"
              f"{mean['colour_bg']:>6.1f}{mean['bright']:>+8.1f}{mean['edge']:>7.2f}{mean['edge_bg']:>6.2f}"
              f"{mean['edge'] / max(mean['edge_bg'], 1e-6):>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
