"""CI runs the speed benchmarks in their short mode: every path they time must run (render, export
to MP4 / PNG / MOV, memory children, start-up commands, profiles). A slow box never fails this; a
crash does. Figures come from full runs (README, Performance)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmarks_run_in_short_mode(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), TALKFACE_CACHE_DIR=str(tmp_path / "cache"))
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run_all.py"), "--short"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    out = run.stdout
    for name in ("bench_export.py", "bench_plate.py", "bench_playback.py", "bench_render.py", "bench_render_start.py"):
        assert f"--- {name}: exit 0" in out
    # each printed its table with ratios to a floor and its profile
    assert "end to end / (render + bare encode) =" in out
    assert "png while rendering" in out and "mov from cache" in out
    assert "ncalls  tottime" in out
    assert "talkface-studio --version, new process" in out
    assert "load average" in out
    assert "close-up: head region rendered at 1080 px" in out  # plate: all three framings ran
    assert "emotion painted over the playhead" in out         # playback: the edit-latency rows ran
