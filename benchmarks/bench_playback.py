"""Playback in the app (offscreen Qt, CPU): 512-px frames at the take's rate against the clock, and
the time from an edit to its frame on screen.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_playback.py [--seconds 8] [--slow-ms 80] [--edits 10]

Rows:
- render floor: one 512-px frame rendered alone (TakeCompute.preview_frame, the frames playback
  shows), median; every playback row says how long its renders took against it.
- playback, empty cache / second pass (what the first cached) / all frames cached / slow renderer:
  the demo take played from its first frame to its last by the real window (real QTimer, worker
  thread). The clock (column `clock`) is the audio device's position where Qt finds an output
  (`audio`; e.g. a PulseAudio null sink, see README), else the wall clock (`wall`): frames
  shown and dropped, how far into its slot a shown frame appeared (A/V offset: median, max; the
  sound leads the picture by that much), the renders' cost (request to result), and how long
  playback took against the take's length (the sound is never held up: ratio 1.00). The slow case
  adds `--slow-ms` of sleep to every frame render (a renderer well below real time).
- edit -> frame: a key added on a curve at the playhead, and an emotion painted over the playhead
  (each one undoable command), until the viewer shows the new frame (median of `--edits`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pump(app, seconds: float, until=lambda: False) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end and not until():
        app.processEvents()
        time.sleep(0.001)


def play_once(app, w, seconds: float) -> dict:
    """Play from frame 0 for `seconds` (or to the take's end); the figures of that playback."""
    pb = w.playback
    pb.loop = False
    w.session.set_in_out(0, min(w.session.n_frames, int(round(seconds * pb.fps))))
    w.session.set_playhead(0)
    pump(app, 2.0, until=lambda: w.slicer.applied == w.slicer.latest and not w.preview_timer.isActive())
    costs_before = len(w.render_ahead.costs)
    t0 = time.perf_counter()
    pb.play()
    pump(app, seconds + 5.0, until=lambda: not pb.playing)
    took = time.perf_counter() - t0
    w.render_ahead.wait()
    costs = w.render_ahead.costs[costs_before:]
    s = pb.stats
    clock = "audio" if pb.clock is not None and pb.clock.follows_audio else "wall"
    return {"clock": clock, "shown": s.shown, "dropped": s.dropped, "offset": s.max_offset_ms, "median": s.median_offset_ms,
            "took": took,
            "length": (w.session.play_range()[1] - 0) / pb.fps,
            "render": statistics.median(costs) * 1000 if costs else float("nan"), "renders": len(costs)}


def edit_to_frame(app, w, edit, n: int) -> tuple[list[float], list[float]]:
    """ms from `edit(i)` (one command pushed) to the viewer showing the new version's frame, and ms of
    that the worker spent computing the frame (TakeCompute.preview_frame: snapshot, landmarks, render)."""
    times, computing = [], []
    real = w.compute.preview_frame

    def timed(*a, **k):
        t0 = time.perf_counter()
        out = real(*a, **k)
        computing.append((time.perf_counter() - t0) * 1000)
        return out

    for i in range(n):
        w.session.set_playhead(20 + 15 * i)
        pump(app, 5.0, until=lambda: w.slicer.applied == w.slicer.latest and not w.preview_timer.isActive())
        pump(app, 0.2)
        shown = []

        def seen(*_a):
            shown.append(time.perf_counter())

        w.slicer.ready.connect(seen)
        version = w.slicer.version
        w.compute.preview_frame = timed
        t0 = time.perf_counter()
        edit(i)
        assert w.slicer.version > version
        pump(app, 5.0, until=lambda: shown and w.slicer.applied == w.slicer.latest
             and not w.preview_timer.isActive())
        w.compute.preview_frame = real
        w.slicer.ready.disconnect(seen)
        times.append((shown[-1] - t0) * 1000)
    return times, computing


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds played per case (the demo take is 8 s)")
    parser.add_argument("--slow-ms", type=float, default=80.0, help="sleep added to each render in the slow case")
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--short", action="store_true", help="CI: 1 s per case, 2 edits (checks that it runs)")
    args = parser.parse_args()
    if args.short:
        args.seconds, args.edits = 1.0, 2
    import shutil

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from talkface_studio.core.commands import PaintEmotion
    from talkface_studio.pipeline.demo_project import build_demo_project
    from talkface_studio.ui.theme import apply_theme
    from talkface_studio.ui.window.main_window import MainWindow

    app = QApplication([])
    apply_theme(app)
    work = Path(tempfile.mkdtemp(prefix="talkface-bench-playback-"))
    path = build_demo_project(work)
    w = MainWindow(settings=QSettings(str(work / "s.ini"), QSettings.IniFormat))
    w.resize(1600, 1000)
    w.show()
    w.files.open_project(path, ask_save=False)
    pump(app, 120.0, until=lambda: w.viewer.frame is not None and w.viewer.rgb is not None
         and w.viewer.rgb.shape[0] == 512 and w.slicer.pool.activeThreadCount() == 0
         and w.pool.activeThreadCount() == 0 and w.warm_pool.activeThreadCount() == 0)
    take = w.document.take

    floor: list[float] = []

    def measure_floor(start: int) -> None:
        """Single frames rendered alone, as playback asks for them (snapshot and renderer warm); measured
        before every case, so a shared machine's changing load weighs on floor and case alike."""
        for f in range(start, start + 12):
            t0 = time.perf_counter()
            w.compute.preview_frame(take.copy(), path, f, 512, version=w.slicer.version)
            floor.append((time.perf_counter() - t0) * 1000)

    rows = []
    measure_floor(40)
    w.slicer.invalidate()
    rows.append(("playback 512px, empty cache", play_once(app, w, args.seconds)))
    measure_floor(60)
    rows.append(("playback 512px, second pass", play_once(app, w, args.seconds)))
    for f in range(take.n_frames):  # every frame in the cache: what the display costs alone
        if w.slicer.cached(f) is None:
            w.slicer.store(w.slicer.version, f, 512, w.compute.preview_frame(take.copy(), path, f, 512,
                                                                              version=w.slicer.version))
    rows.append(("playback 512px, all frames cached", play_once(app, w, args.seconds)))
    real = w.compute.preview_frame

    def slow(*a, **k):
        time.sleep(args.slow_ms / 1000)
        return real(*a, **k)

    measure_floor(80)
    w.compute.preview_frame = slow
    w.slicer.invalidate()
    rows.append((f"playback 512px, renderer +{args.slow_ms:.0f} ms/frame", play_once(app, w, args.seconds)))
    w.compute.preview_frame = real
    w.session.set_in_out(None, None)
    floor_ms = statistics.median(floor)

    key_ms = edit_to_frame(app, w, lambda i: w.curve_editor.add_key_at(w.session.playhead, 0.2 + 0.05 * (i % 10),
                                                                        channel="jaw_open"), args.edits)
    emotions = ("surprised", "angry", "happy", "sad")
    paint_ms = edit_to_frame(app, w, lambda i: w.document.push(
        PaintEmotion(take.name, w.session.playhead - 10, w.session.playhead + 10, emotions[i % 4], 3)), args.edits)

    from PySide6.QtMultimedia import QMediaDevices

    device = (f"audio device: {QMediaDevices.defaultAudioOutput().description()}" if w.playback.audio_ok
              else "no audio device: the wall clock")
    print(f"\nTalkFace Studio playback benchmark: {take.name}, {take.n_frames} frames at {take.rate} fps, "
          f"512 px, Qt {os.environ['QT_QPA_PLATFORM']} ({device}), "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"render floor: one 512-px frame alone, median {floor_ms:.1f} ms (max {max(floor):.0f}) "
          f"= {1000 / floor_ms:.1f} fps")
    print("A/V: how far into its slot a shown frame appeared (median / max ms; the sound leads the picture)")
    print(f"{'case':42s} {'clock':>6s} {'shown':>6s} {'dropped':>8s} {'A/V med':>8s} {'A/V max':>8s} {'took/len':>9s} "
          f"{'render ms':>10s} {'x floor':>8s}")
    for name, r in rows:
        print(f"{name:42s} {r['clock']:>6s} {r['shown']:6d} {r['dropped']:8d} {r['median']:8.1f} {r['offset']:8.1f} "
              f"{r['took'] / r['length']:9.2f} {r['render']:10.1f} {r['render'] / floor_ms:8.2f}")
    print(f"{'edit -> new frame on screen':42s} {'median ms':>10s} {'max ms':>8s} {'target':>8s} "
          f"{'of which computing the frame (median ms)':>42s}")
    for name, (v, c) in (("key added on a curve (jaw_open)", key_ms), ("emotion painted over the playhead", paint_ms)):
        print(f"{name:42s} {statistics.median(v):10.1f} {max(v):8.1f} {'<= 100':>8s} {statistics.median(c):42.1f}")
    w.document.undo_stack.set_clean()
    w.close()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
