"""Rig-ready curves: ARKit-52 solve, Live Link CSV, USD and OTIO writing on a 60 s take at 30 fps.

Prints medians over repeats and the ratio to a floor measured in the same run: projecting the same
frames' landmark displacements onto the 43 shape fields once (one matrix product, the least any
least-squares fit does). The procedural performer's compose() builds the take's landmarks from
random mouth and emotion curves. Target: solving stays well under the performer's own generation
time for the take (seconds, not minutes, for an hour-long take).

    .venv/bin/python benchmarks/bench_rig_curves.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from talkface_studio.core.emotion_track import Segment
from talkface_studio.core.timebase import FrameRate
from talkface_studio.face.topology import N_MESH_POINTS, canonical_face
from talkface_studio.perform.arkit.inverse import capture_channels
from talkface_studio.perform.arkit.solver import _system, solve
from talkface_studio.perform.blendshapes import SHAPE_CHANNELS, compose
from talkface_studio.pipeline.export.editorial import EditorialTake, build_timeline, write_editorial
from talkface_studio.pipeline.export.livelink import livelink_values, write_livelink_csv
from talkface_studio.pipeline.export.usd_skel import write_usd

from timing import median_seconds

RATE = FrameRate(30)
SECONDS = 60


def main() -> None:
    n = RATE.nominal * SECONDS
    rng = np.random.default_rng(0)
    t = np.arange(n)
    channels = {c: np.clip(np.sin(t / (5 + 3 * i) + rng.random()) * 0.5, 0, 1).astype(np.float32)
                for i, c in enumerate(SHAPE_CHANNELS)}
    channels.update({k: rng.normal(0, 6, n).astype(np.float32) for k in ("head_yaw", "head_pitch", "gaze_yaw")})
    expression = compose(channels, n)
    basis = _system()[0]
    deltas = (expression[:, :N_MESH_POINTS] - canonical_face()[:N_MESH_POINTS]).reshape(n, -1).astype(np.float64)
    floor = median_seconds(lambda: deltas @ basis.T)
    curves = solve(expression, channels)
    values = livelink_values(curves)
    rows = [("ARKit solve", median_seconds(lambda: solve(expression, channels)))]
    rows.append(("inverse (import)", median_seconds(lambda: capture_channels(values[:, :52], values[:, 52:]))))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        rows.append(("Live Link CSV", median_seconds(lambda: write_livelink_csv(out / "t.csv", curves, RATE))))
        rows.append(("USD .usdc", median_seconds(lambda: write_usd(out / "t.usdc", curves, RATE))))
        rows.append(("USD .usda", median_seconds(lambda: write_usd(out / "t.usda", curves, RATE))))
        segments = tuple(Segment(s, s + 60, "happy", 2) for s in range(0, n - 60, 120))
        take = EditorialTake("take", RATE, n, 108000, out / "t.mov", segments)
        rows.append(("OTIO", median_seconds(lambda: write_editorial(out / "e.otio", build_timeline("s", [take])))))
    print(f"{SECONDS} s take at {RATE} fps ({n} frames); floor = one projection onto the shape fields "
          f"{floor * 1000:.1f} ms")
    print(f"{'step':<18} {'median s':>9} {'ms/1000 fr':>11} {'x floor':>8}")
    for name, took in rows:
        print(f"{name:<18} {took:>9.3f} {1000 * took / n * 1000:>11.1f} {took / floor:>8.1f}")


if __name__ == "__main__":
    main()
