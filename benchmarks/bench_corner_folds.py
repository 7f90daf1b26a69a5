"""Mouth corners passed by the lips beside them: where the warp folds a photo's corner pit onto the cheek.

For every gallery portrait (``--more``: the extended gallery too) and each of the eight emotions
painted at level 3 over a neutral take of one human clip, the driving landmarks of every frame at
512 px: on each side, how far the outer-lip points next to the corner (61: 185, 146, 40, 91; 291:
409, 375, 270, 321) lie beyond the corner along the mouth (the axis from the other corner). A
point beyond its corner folds the mesh there: the photo's corner pit and lip edge are drawn on the
skin outside the frame's mouth. Printed per take: frames with a point more than 0.5 px beyond (both
sides counted, so up to twice the frames) / the largest overshoot in px. On a strongly turned head
the far corner lies behind the lips in 2-D whatever the shape, so its rows measure the turn.

    .venv/bin/python benchmarks/bench_corner_folds.py [--more] [--portrait NAME ...] [--clip CLIP]

Run it against another checkout with PYTHONPATH=that/checkout to compare.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from expression_takes import take_snapshot
from gallery import EMOTIONS, MORE, PORTRAITS, portrait_path

BESIDE = {61: (185, 146, 40, 91), 291: (409, 375, 270, 321)}
SIZE = 512


def frames_past(lm: np.ndarray, tolerance: float = 0.5) -> tuple[int, float]:
    """(sides x frames with a point more than ``tolerance`` px beyond its corner, largest px)."""
    count, largest = 0, 0.0
    for corner, beside in BESIDE.items():
        past = beyond_corner(lm, corner, beside)
        count += int((past > tolerance).sum())
        largest = max(largest, float(past.max()))
    return count, largest


def beyond_corner(lm: np.ndarray, corner: int, beside) -> np.ndarray:
    """[T] px: how far the furthest of ``beside`` lies past ``corner`` along the mouth."""
    other = 291 if corner == 61 else 61
    axis = lm[:, corner, :2] - lm[:, other, :2]
    axis /= np.linalg.norm(axis, axis=1, keepdims=True)
    return ((lm[:, list(beside), :2] - lm[:, corner, None, :2]) * axis[:, None]).sum(-1).max(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--portrait", nargs="*")
    ap.add_argument("--more", action="store_true", help="add the extended gallery")
    ap.add_argument("--clip", default="en_m_librivox_sense_0890")
    args = ap.parse_args()
    names = args.portrait or [*PORTRAITS, *(MORE if args.more else ())]
    t0 = time.perf_counter()
    total = 0
    print(f"{'portrait':18s}" + "".join(f"{e:>13s}" for e in EMOTIONS))
    with tempfile.TemporaryDirectory() as td:
        work = Path(td)
        for name in names:
            cells = []
            for emotion in EMOTIONS:
                snap = take_snapshot(portrait_path(name, work), args.clip, emotion, work)
                n = len(snap.channels["jaw_open"])
                count, largest = frames_past(snap.landmarks(0, n, SIZE))
                total += count
                cells.append(f"{count:>7d}/{largest:4.1f}")
            print(f"{name[:18]:18s}" + "".join(f"{c:>13s}" for c in cells), flush=True)
    print(f"sides x frames with a lip point > 0.5 px beyond its corner: {total}   ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
