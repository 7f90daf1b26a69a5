"""Relocation speed: frames of landmarks per second on a long take.

Prints medians over repeats and the ratio to a floor measured in the same run: one float32 copy of
the same [T, 478, 3] array plus a batched rotation (the least any relocation must do).
Target: well under 1 s per 1000 frames (a 36000-frame take in seconds, not minutes).

    .venv/bin/python benchmarks/bench_relocate.py
"""

from __future__ import annotations


import numpy as np

from talkface_studio.face.normalize import Pose, denormalize
from talkface_studio.face.relocate import relocate
from talkface_studio.face.topology import canonical_face

from timing import median_seconds


def main() -> None:
    rng = np.random.default_rng(0)
    identity = denormalize(canonical_face(), Pose.from_angles(5, -3, 2, 130.0, (256, 240, 0)))
    print(f"{'frames':>8} {'relocate s':>11} {'ms/1000 fr':>11} {'floor s':>9} {'ratio':>6}")
    for n in (1000, 10000):
        expr = np.repeat(canonical_face()[None], n, axis=0)
        ch = {k: rng.normal(0, 8, n) for k in ("head_yaw", "head_pitch", "head_roll", "gaze_yaw", "gaze_pitch")}
        ch["blink"] = rng.random(n)
        rot = np.repeat(np.eye(3)[None], n, axis=0)
        floor = median_seconds(lambda: np.einsum("tij,tnj->tni", rot, expr.astype(np.float64)).astype(np.float32))
        took = median_seconds(lambda: relocate(identity, expr, ch))
        print(f"{n:>8} {took:>11.3f} {1000 * took / n * 1000:>11.1f} {floor:>9.3f} {took / floor:>6.1f}")


if __name__ == "__main__":
    main()
