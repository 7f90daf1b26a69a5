"""Time to the first frame of a render in a new process, and `--version`.

`render` and each farm task are new processes. A render builds the take's snapshot
(pipeline.renderable: the generation stamp says whether the take is stale, the stored fit and
curves give the rest) and draws its first frame. Rows, each in fresh processes, medians of N runs,
each with the ratio to its floor measured in the same run:

- in-process rows (numpy, OpenCV and the renderer imported before the clock): the renderer's first frame
  from a ready snapshot (floor); a stale take's snapshot + first frame; a stage 1 run to compare
  (what renders used to add before their first frame);
- whole commands: `talkface-studio --version` (target <= 1 s; floor: a bare Python start) and
  `talkface-studio render` of one frame of the stale demo (target: first frame <= 2 s; the whole
  command, writing the frame included, bounds it from above; floor: a process that only imports
  numpy and OpenCV, what the CPU render path is drawn with: it never imports torch), with the
  portrait's preparation stored by an earlier render and, for comparison, without (a first
  render of a new portrait); a process that only imports torch and numpy is shown for scale.

`--short` (CI) runs each whole-command row once and skips the stage 1 row: it checks that they run.

    .venv/bin/python benchmarks/bench_render_start.py [--runs 5] [--short]
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
    import cv2  # noqa: F401 - start-up every row shares, outside the clock
    import numpy  # noqa: F401

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


COMMANDS = {  # row -> (what it measures, its floor row, target seconds or None)
    "version": ("talkface-studio --version, new process", "python", 1.0),
    "python": ("  floor: bare python start", None, None),
    "cli": ("render 1 frame of the stale take (whole command)", "imports", 2.0),
    "cli_cold": ("  the same, portrait preparation not stored", "imports", None),
    "imports": ("  floor: python importing numpy and OpenCV", None, None),
    "torch": ("  for scale: python importing torch and numpy", "imports", None),
}


def command(row: str, project: Path, out: Path) -> float:
    """Wall seconds of one whole command in a new process."""
    import os
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if row == "cli_cold":
        env["TALKFACE_PORTRAIT_CACHE"] = "0"
    cli = [sys.executable, "-m", "talkface_studio"]
    args = {"version": cli + ["--version"], "python": [sys.executable, "-c", "pass"],
            "cli": cli + ["render", str(project), "-o", f"{out}/", "--frames", f"{FRAME}-{FRAME}", "--no-cache",
                          "--device", "cpu", "--size", str(SIZE)],
            "imports": [sys.executable, "-c", "import numpy, cv2"],
            "torch": [sys.executable, "-c", "import numpy, torch"]}
    args["cli_cold"] = args["cli"]
    start = time.perf_counter()
    subprocess.run(args[row], check=True, cwd=ROOT, env=env, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--short", action="store_true", help="CI: each whole-command row once (checks that it runs)")
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
        rows = {} if args.short else dict(ROWS)
        runs = 1 if args.short else args.runs
        times = {row: [] for row in list(rows) + list(COMMANDS)}
        import os
        load = os.getloadavg()[0]
        command("cli", path, Path(tmp) / "warm")  # stores the portrait's preparation, as a first render does
        for i in range(runs):  # rows interleaved, so a burst of load on the box hits them alike
            for row in rows:
                out = subprocess.run([sys.executable, __file__, "--child", row, str(path)], capture_output=True,
                                     text=True, check=True, cwd=ROOT)
                times[row].append(float(out.stdout.strip().splitlines()[-1]))
            for row in COMMANDS:
                times[row].append(command(row, path, Path(tmp) / f"{row}{i}"))
        load = f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, {os.cpu_count()} cores"
    print(f"{load}; medians of {runs} fresh processes per row")
    if rows:
        floor = statistics.median(times["floor"])
        print(f"{'':58} {'median s':>9} {'x floor':>8}")
        for row, name in rows.items():
            seconds = statistics.median(times[row])
            print(f"{name:58} {seconds:9.3f} {seconds / floor:8.2f}")
    print(f"\n{'whole commands':58} {'median s':>9} {'x floor':>8}  target")
    for row, (name, floor_row, target) in COMMANDS.items():
        seconds = statistics.median(times[row])
        ratio = f"{seconds / statistics.median(times[floor_row]):8.2f}" if floor_row else f"{'':8}"
        aim = f"<= {target:g} s: {'OK' if seconds <= target else 'MISSED'}" if target else ""
        print(f"{name:58} {seconds:9.3f} {ratio}  {aim}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
