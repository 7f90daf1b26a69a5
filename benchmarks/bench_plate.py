"""Plate mode speed: a take rendered into a 1920x1080 photo and encoded to H.264, on this machine.

Target: >= 8 fps end to end (render + composite + encode + mux of every frame, the renderer's
per-portrait preparation included) at 1920x1080, H.264. Measured in the same run, medians of
`--repeats`, interleaved so every figure sees the same load:

- render only: the head region's frames (mesh warp at the photo's density), nothing composited;
- composite only: those frames written into the photo (``PlateCanvas``), nothing encoded;
- encode floor: the writer (ffmpeg, H.264 CRF 18, the plate preset, AAC) fed the finished frames
  from memory: what encoding alone costs; also with x264's "medium", to show why plates use a faster one;
- end to end: ``render_to`` of a ``RenderJob`` with plate framing (what `render --plate -o OUT.mp4`
  runs), and its ratio to the floor.

Three framings of 1920x1080 photos over a grainy background: waist up (a real portrait,
tests/data/portraits/smiling_man.jpg, scaled to the frame's height: the head region ~550 px), a
close-up (the same twice as large: the head region ~1000 px) and full body (the demo portrait
small in the frame: the head region ~200 px).

    .venv/bin/python benchmarks/bench_plate.py [--seconds 4] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from talkface_studio.core.timebase import FrameRate  # noqa: E402
from talkface_studio.face.portrait import fit_portrait  # noqa: E402
from talkface_studio.face.topology import canonical_face  # noqa: E402
from talkface_studio.pipeline.export.video import VideoWriter  # noqa: E402
from talkface_studio.pipeline.plate.compose import PlateCanvas  # noqa: E402
from talkface_studio.pipeline.job import RenderJob  # noqa: E402
from talkface_studio.pipeline.plate.framing import PlateFraming  # noqa: E402
from talkface_studio.pipeline.plate.output import PLATE_PRESET  # noqa: E402
from talkface_studio.pipeline.render_output import render_to  # noqa: E402
from talkface_studio.pipeline.snapshot import TakeSnapshot  # noqa: E402
from talkface_studio.render.registry import get_renderer  # noqa: E402

RATE = FrameRate(25)
W, H = 1920, 1080
AUDIO = ROOT / "resources" / "demo" / "line.wav"


def background() -> np.ndarray:
    """A grainy out-of-focus room: scikit-image's coffee photo scaled up, with sensor-like grain."""
    from skimage import data

    bg = cv2.resize(data.coffee(), (W, H), interpolation=cv2.INTER_CUBIC).astype(np.int16)
    bg += np.random.default_rng(1).integers(-4, 5, bg.shape, dtype=np.int16)
    return np.clip(bg, 0, 255).astype(np.uint8)


def headshot() -> np.ndarray:
    photo = background()
    man = cv2.imread(str(ROOT / "tests" / "data" / "portraits" / "smiling_man.jpg"))[..., ::-1]
    man = cv2.resize(man, (round(man.shape[1] * H / man.shape[0]), H), interpolation=cv2.INTER_CUBIC)
    x0 = (W - man.shape[1]) // 2
    photo[:, x0:x0 + man.shape[1]] = man
    return photo


def close_up() -> np.ndarray:
    """The same portrait twice as large, cropped to the frame around the face: a head region ~1000 px."""
    man = cv2.imread(str(ROOT / "tests" / "data" / "portraits" / "smiling_man.jpg"))[..., ::-1]
    man = cv2.resize(man, (round(man.shape[1] * 2 * H / man.shape[0]), 2 * H), interpolation=cv2.INTER_CUBIC)
    photo = background()
    x0 = (W - man.shape[1]) // 2
    photo[:, x0:x0 + man.shape[1]] = man[:H]
    return photo


def full_body() -> np.ndarray:
    photo = background()
    p = cv2.resize(cv2.imread(str(ROOT / "resources" / "demo" / "portrait.png"))[..., ::-1], (460, 460),
                   interpolation=cv2.INTER_AREA)
    photo[H - 460:, 1100:1560] = p
    return photo


def take_for(photo_path: Path, n: int) -> TakeSnapshot:
    """Speech-like jaw motion and a slow head sway over the photo's fit."""
    fit = fit_portrait(photo_path, size=512)
    t = np.arange(n) / RATE.fps
    expression = np.repeat(canonical_face()[None], n, axis=0)
    expression[:, 17, 1] += 0.08 * np.abs(np.sin(t * 9.0))
    channels = {"head_yaw": 6 * np.sin(t * 0.7), "head_pitch": 3 * np.sin(t * 0.45),
                "head_roll": 2 * np.sin(t * 0.3), "blink": (np.sin(t * 1.3) > 0.97).astype(np.float32)}
    return TakeSnapshot("bench", RATE, fit, expression, channels, audio_path=AUDIO)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (ffmpeg): what a run costs whatever the load."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(name: str, photo: np.ndarray, seconds: float, repeats: int, folder: Path) -> dict:
    path = folder / f"{name}.png"
    cv2.imwrite(str(path), photo[..., ::-1])
    n = RATE.frames_in(seconds)
    take = take_for(path, n)
    job = RenderJob(take, 0, n, plate=PlateFraming.open(take.portrait, pad_even=True))
    source = job.plate.source
    side = source.render_side
    landmarks = take.landmarks(0, n, side)
    heads: list = []
    frames: list = []

    def render_only():
        heads.clear()
        renderer = get_renderer("mesh_warp", device="cpu")            # a fresh one: preparation counts
        heads.extend(renderer.render(source.portrait, landmarks, side))

    def composite_only():
        canvas = PlateCanvas(source, pad_even=True)
        for h in heads:
            canvas.place(h)          # one reused frame, as the job does

    def keep_frames():                # the floor's input, made outside any timing
        canvas = PlateCanvas(source, pad_even=True)
        frames.clear()
        frames.extend(canvas.place(h).copy() for h in heads)

    def encode(preset):
        def run():
            with VideoWriter(folder / "floor.mp4", width=job.width, height=job.height, rate=RATE, n_frames=n,
                             audio=AUDIO, preset=preset) as writer:
                for f in frames:
                    writer.write(f)
        return run

    def end_to_end():
        render_to(job, folder / "plate.mp4", renderer=get_renderer("mesh_warp", device="cpu"))

    times = {k: [] for k in ("render", "composite", "floor", "floor_medium", "end_to_end", "cpu")}
    for _ in range(repeats):   # interleaved: every figure sees the same load
        times["render"].append(timed(render_only))
        times["composite"].append(timed(composite_only))
        keep_frames()
        times["floor"].append(timed(encode(PLATE_PRESET)))
        times["floor_medium"].append(timed(encode("medium")))
        cpu = cpu_seconds()
        times["end_to_end"].append(timed(end_to_end))
        times["cpu"].append(cpu_seconds() - cpu)
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"name": name, "frames": n, "side": side, "note": source.density_note(), **med}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--short", action="store_true", help="CI: 0.2 s once (checks that every path runs)")
    args = ap.parse_args()
    if args.short:
        args.seconds, args.repeats = 0.2, 1
    import torch

    torch.set_num_threads(1)
    print(f"bench_plate {time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, {W}x{H}, {args.seconds:g} s at {RATE.fps:g} fps, medians of {args.repeats}, "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    with tempfile.TemporaryDirectory() as tmp:
        rows = [measure(name, make(), args.seconds, args.repeats, Path(tmp))
                for name, make in (("waist up", headshot), ("close-up", close_up), ("full body", full_body))]
    print(f"{'photo':10} {'region':>6} {'render':>8} {'compose':>8} {'floor':>8} {'medium':>8} "
          f"{'end2end':>8} {'fps':>6} {'/floor':>7} {'/sum':>6} {'cpu/fr':>7}")
    for r in rows:
        n = r["frames"]
        fps = n / r["end_to_end"]
        parts = r["render"] + r["composite"] + r["floor"]
        print(f"{r['name']:10} {r['side']:>5}px {r['render']:7.2f}s {r['composite']:7.2f}s {r['floor']:7.2f}s "
              f"{r['floor_medium']:7.2f}s {r['end_to_end']:7.2f}s {fps:6.1f} {r['end_to_end'] / r['floor']:6.2f}x "
              f"{r['end_to_end'] / parts:5.2f}x {1000 * r['cpu'] / n:5.0f}ms")
    print("render/compose/floor/end2end: seconds for all frames; medium: the floor with x264 preset medium; "
          "fps: frames / end-to-end wall (target >= 8 at 1920x1080); /floor: end to end over the encode "
          "floor; /sum: over render + composite + floor run one after another (< 1: they overlap); cpu/fr: "
          "CPU time of the end-to-end run (this process and ffmpeg) per frame, whatever the load")
    for r in rows:
        print(f"{r['name']}: {r['note']}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end (other jobs on the machine slow every figure alike)")


if __name__ == "__main__":
    main()
