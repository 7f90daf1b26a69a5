"""What keeping an expression from folding edge-on surfaces costs and does (``unfold_expression``).

For each portrait a take held in an emotion at level 3 (a human clip) is rendered on the CPU path
at 512 px, frame by frame, with the guard (the renderer as shipped) and without it (the same
renderer with ``prep.guard`` cleared: the old frames, with neither the unfolding nor the brow
hold), and the table gives

- frame ms:   median of 30 frames' render time, without and with, and their ratio;
- unfold ms:  median time of ``unfold_expression`` alone over those frames;
- brow ms:    median time of ``brow_rest.rest_brows`` alone (the brows resting on the eyes);
- folded:     face triangles the photo sees edge-on and from the front that the frame turns away
              (dropped by the raster), mean per frame over the whole take, without -> with;
- unfolded:   px^2 of the triangles the photo shows turned away (beyond a far cheek's outline,
              lips and lids aside: ``keep_hidden``) that the frame turns to face the camera, mean
              per frame over the whole take, without -> with;
- twitch px:  over the whole take, the most a landmark steps from one frame to the next beyond
              what the landmarks driving it step (all but the unfolding), and in brackets the
              number of frame pairs where that is over 2 px.

    .venv/bin/python benchmarks/bench_unfold.py [--portrait NAME ...] [--emotion NAME ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from expression_takes import take_snapshot  # noqa: E402
from gallery import portrait_path  # noqa: E402

from talkface_studio.render.mesh_warp.lip_contact import uncross_lips  # noqa: E402
from talkface_studio.render.mesh_warp.raster import visible_triangles  # noqa: E402
from talkface_studio.render.mesh_warp.renderer import MeshWarpRenderer  # noqa: E402
from talkface_studio.render.mesh_warp.brow_rest import rest_brows  # noqa: E402
from talkface_studio.render.mesh_warp.triangle_area import signed_areas  # noqa: E402
from talkface_studio.render.mesh_warp.unfold_expression import (  # noqa: E402
    driving_landmarks, facing_triangles, frame_zoom, unfold_expression)

SIZE = 512
TIMED = 30


def edge_on_front(prep) -> np.ndarray:
    """[F] bool: face triangles the photo shows from the front, nearly edge-on (the guarded kind)."""
    mesh = prep.mesh
    front, edge_on, _ = facing_triangles(prep.guard.src, mesh.triangles[:mesh.n_face_tris - mesh.n_holes])
    return front & edge_on


def measure(name: str, emotion: str, clip: str, workdir: Path) -> list[str]:
    snap = take_snapshot(portrait_path(name, workdir), clip, emotion, workdir)
    n = len(snap.channels["jaw_open"])
    lms = np.asarray(snap.landmarks(0, n, SIZE), np.float64)
    renderer = MeshWarpRenderer("cpu")
    prep = renderer.prepare(snap.portrait, SIZE)
    guard, edge = prep.guard, edge_on_front(prep)
    folded, unfolded, times = {}, {}, {False: [], True: []}
    hidden = getattr(guard, "hidden", None)
    for on in (False, True):
        count, area = [], []
        for lm in lms:
            lm = uncross_lips(lm)
            if on:
                lm = unfold_expression(lm, guard)
            keep = visible_triangles(prep.mesh, renderer._mesh_points(prep, lm)[0])[:len(edge)]
            count.append(np.count_nonzero(edge & ~keep))
            if hidden is not None:
                area.append(np.clip(guard.facing * signed_areas(lm[:, :2], hidden), 0.0, None).sum())
        folded[on] = float(np.mean(count))
        unfolded[on] = float(np.mean(area)) if area else float("nan")
    for f in np.linspace(0, n - 1, TIMED).astype(int):
        for on in (False, True):         # interleaved: a busy shared CPU slows both alike
            prep.guard = guard if on else None
            t0 = time.perf_counter()
            renderer.render_frame(prep, lms[f])
            times[on].append(time.perf_counter() - t0)
    frame_ms = {on: 1e3 * float(np.median(t)) for on, t in times.items()}
    step = twitch(lms, guard)
    prep.guard = guard
    unfold, brows = [], []
    for lm in lms[np.linspace(0, n - 1, TIMED).astype(int)]:
        lm = uncross_lips(lm)
        t0 = time.perf_counter()
        unfold_expression(lm, guard)
        t1 = time.perf_counter()
        rest_brows(lm, guard.src, frame_zoom(lm, guard))
        brows.append(time.perf_counter() - t1)
        unfold.append(t1 - t0)
    return [name[:26], emotion, f"{frame_ms[False]:.1f}", f"{frame_ms[True]:.1f}",
            f"{frame_ms[True] / frame_ms[False]:.3f}", f"{1e3 * np.median(unfold):.2f}",
            f"{1e3 * np.median(brows):.2f}",
            f"{folded[False]:.1f} -> {folded[True]:.1f}", f"{unfolded[False]:.0f} -> {unfolded[True]:.0f}",
            f"{step.max():.1f} ({np.count_nonzero(step > 2)})"]


def twitch(lms: np.ndarray, guard) -> np.ndarray:
    """[T-1] per pair of frames: the largest amount (px) by which a landmark of the frame's
    (``frame_landmarks``) steps further than the same landmark driving it (lips uncrossed, brows
    rested: all but the unfolding) -- a twitch the unfolding adds."""
    driving = [driving_landmarks(lm, guard) for lm in lms]
    framed = np.array([unfold_expression(lm, guard)[:, :2] for lm in driving])
    driving = np.array(driving)[:, :, :2]
    moved = np.linalg.norm(np.diff(framed, axis=0), axis=2) - np.linalg.norm(np.diff(driving, axis=0), axis=2)
    return moved.max(axis=1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--portrait", nargs="*", default=["full_body_greyscale", "astronaut", "smiling_man"])
    ap.add_argument("--emotion", nargs="*", default=["disgusted", "angry", "happy"])
    ap.add_argument("--clip", default="en_m_goforward")
    args = ap.parse_args(argv)
    head = ["portrait", "emotion", "frame ms off", "frame ms on", "ratio", "unfold ms", "brow ms", "folded/frame",
            "unfolded px2", "twitch px (>2)"]
    rows = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.portrait:
            for emotion in args.emotion:
                rows.append(measure(name, emotion, args.clip, Path(tmp)))
                print("  ".join(rows[-1]), flush=True)
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    print()
    for r in [head] + rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    print(f"\n{SIZE} px, CPU path, median of {TIMED} frames; {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
