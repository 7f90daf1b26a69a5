"""Time to the first frame of a render of a stale take (the demo with an emotion painted, no Generate).

`render` and each farm task are new processes. A render builds the take's snapshot
(pipeline.renderable: the generation stamp says the take is stale, the stored fit and curves give
the rest) and draws its first frame. Renders used to run stage 1 first only to find out whether the
take was stale: the last row is that work in a new process (importing the analysis, reading its
cache, performing). Each row runs in a fresh process that has already imported torch and the
renderer; medians of N runs, and each row's ratio to the floor: the renderer's first frame from a
snapshot built before the clock (its one-time preparation of the portrait included).

    .venv/bin/python benchmarks/bench_render_start.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZE = 512
FRAME = 150
ROWS = {
    "floor": "renderer's first frame from a ready snapshot (floor)",
    "start": "stale take: snapshot + first frame (what a render waits)",
    "stage1": "stage 1 run to compare, new process (what renders added)",
}


def child(row: str, project: str) -> float:
    """One measurement in this (fresh) process; returns seconds."""
    import torch  # noqa: F401 - start-up every row shares, outside the clock

    from talkface_studio.core.project_file import load_project
    from talkface_studio.pipeline.job import RenderJob
    from talkface_studio.pipeline.take_cache import TakeCache
    from talkface_studio.render.registry import get_renderer

    renderer = get_renderer("mesh_warp", device="cpu")
    take = load_project(project).takes[0]

    def first_frame(snapshot):
        next(iter(RenderJob(snapshot, FRAME, FRAME + 1, size=SIZE, device="cpu").run(renderer=renderer)))

    if row == "floor":
        from talkface_studio.pipeline.renderable import build_snapshot

        snapshot = build_snapshot(TakeCache(), take, project)[0]
        start = time.perf_counter()
        first_frame(snapshot)
    elif row == "start":
        start = time.perf_counter()
        from talkface_studio.pipeline.renderable import build_snapshot

        first_frame(build_snapshot(TakeCache(), take, project)[0])
    else:
        start = time.perf_counter()
        TakeCache().performance(take, project)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--child", nargs=2, metavar=("ROW", "PROJECT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(child(*args.child))
        return 0
    from talkface_studio.core.commands import PaintEmotion, UndoStack
    from talkface_studio.core.project_file import load_project, save_project
    from talkface_studio.pipeline.demo_project import build_demo_project

    with tempfile.TemporaryDirectory() as tmp:
        path = build_demo_project(Path(tmp))  # generated once; its analysis is cached on disk
        project = load_project(path)
        UndoStack(project).edit(PaintEmotion(project.takes[0].name, 130, 199, "sad", 3))
        save_project(project, path)  # stale now: painted, not generated
        times = {row: [] for row in ROWS}
        for _ in range(args.runs):  # rows interleaved, so a burst of load on the box hits them alike
            for row in ROWS:
                out = subprocess.run([sys.executable, __file__, "--child", row, str(path)], capture_output=True,
                                     text=True, check=True, cwd=ROOT)
                times[row].append(float(out.stdout.strip().splitlines()[-1]))
    floor = statistics.median(times["floor"])
    print(f"{'':58} {'median s':>9} {'x floor':>8}")
    for row, name in ROWS.items():
        seconds = statistics.median(times[row])
        print(f"{name:58} {seconds:9.3f} {seconds / floor:8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
