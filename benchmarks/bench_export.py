"""Export throughput and memory: is the pipeline (job + cache + pipe + mux) cheap next to its parts?

1. A 60 s take (25 fps, 512 px) exported end to end to MP4 with audio, versus, in the same run, the
   render alone (frames drawn, nothing written) plus a bare ffmpeg encode of the same number of
   frames. Target: end to end <= 1.5 x (render + bare encode).
2. Peak memory of a 10 s take vs a 10 min take (500 frames rendered from its end): the job streams,
   so the increase while rendering must be flat; the take's stage-1 arrays grow with its length.

By default the real mesh-warp renderer runs (~15 ms a 512 px frame on 2 CPU cores);
`--renderer shift` swaps in a cheap stand-in (the portrait shifted by the head landmarks) to time
the pipeline alone. Landmarks always come from the real relocation.

    .venv/bin/python benchmarks/bench_export.py [--seconds 60] [--repeats 3] [--renderer NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from talkface_studio.core.timebase import FrameRate  # noqa: E402
from talkface_studio.face.topology import canonical_face  # noqa: E402
from talkface_studio.pipeline.ffmpeg import ffmpeg_exe  # noqa: E402
from talkface_studio.pipeline.job import RenderJob  # noqa: E402
from talkface_studio.pipeline.render_output import render_to  # noqa: E402
from talkface_studio.pipeline.snapshot import TakeSnapshot  # noqa: E402

RATE = FrameRate(25)
DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"


class ShiftRenderer:
    """Stand-in renderer: the portrait moved with the face centre (about a millisecond a frame)."""

    name, version = "bench_shift", "1"

    def render(self, portrait, landmarks_px, size):
        image = portrait.image if portrait.image.shape[0] == size else np.resize(portrait.image, (size, size, 3))
        rest = portrait.landmarks[:, :2].mean(axis=0) * size / portrait.image.shape[0]
        for lm in landmarks_px:
            dx, dy = np.round(lm[:, :2].mean(axis=0) - rest).astype(int)
            yield np.roll(image, (int(dy), int(dx)), axis=(0, 1))


def synthetic_take(seconds: float, audio: Path | None) -> TakeSnapshot:
    """A take of any length: the demo portrait's fit, speech-like jaw motion, slow head sway."""
    from talkface_studio.face.portrait import fit_portrait

    n = RATE.frames_in(seconds)
    t = np.arange(n) / RATE.fps
    fit = _cached_fit(fit_portrait)
    expression = np.repeat(canonical_face()[None], n, axis=0)
    expression[:, 17, 1] += 0.08 * np.abs(np.sin(t * 9.0))  # lower lip
    channels = {"head_yaw": 6 * np.sin(t * 0.7), "head_pitch": 3 * np.sin(t * 0.45),
                "head_roll": 2 * np.sin(t * 0.3), "blink": (np.sin(t * 1.3) > 0.97).astype(np.float32)}
    return TakeSnapshot("bench", RATE, fit, expression, channels, audio_path=audio)


_FIT = {}


def _cached_fit(fit_portrait):
    if "fit" not in _FIT:
        _FIT["fit"] = fit_portrait(DEMO / "portrait.png", size=512)
    return _FIT["fit"]


def long_audio(folder: Path, seconds: float) -> Path:
    """The demo line looped to `seconds` (ffmpeg, so the audio input is a real file)."""
    out = folder / f"audio_{seconds:g}.wav"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-stream_loop", "-1", "-i", str(DEMO / "line.wav"),
                    "-t", f"{seconds}", str(out)], check=True)
    return out


def make_renderer(name: str):
    if name == "shift":
        return ShiftRenderer()
    from talkface_studio.render.registry import get_renderer

    return get_renderer(name, device="cpu")


def capture(job: RenderJob, renderer_name: str, raw: Path) -> None:
    """Untimed: the job's frames to a raw file, so the bare encode gets exactly the same pictures."""
    with open(raw, "wb") as fh:
        for _, rgb in job.run(renderer=make_renderer(renderer_name)):
            fh.write(rgb.data)


def bare_encode(raw: Path, size: int, out: Path) -> float:
    """ffmpeg alone reading the raw frames from disk, same codec settings as the MP4 writer."""
    cmd = [ffmpeg_exe(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{size}x{size}",
           "-framerate", "25", "-i", str(raw), "-c:v", "libx264", "-preset", "medium", "-crf", "18",
           "-vf", "scale=out_color_matrix=bt709:out_range=tv:flags=bicubic+accurate_rnd+full_chroma_int",
           "-pix_fmt", "yuv420p", str(out)]
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - start


def throughput(args, folder: Path) -> dict:
    take = synthetic_take(args.seconds, long_audio(folder, args.seconds))
    job = RenderJob.whole_take(take, size=args.size)
    raw = folder / "frames.rgb"
    capture(job, args.renderer, raw)
    rows = {"render only": [], "bare ffmpeg encode": [], "render + bare encode": [], "end to end (mp4)": []}
    for _ in range(args.repeats):
        renderer = make_renderer(args.renderer)
        start = time.perf_counter()
        for _ in job.run(renderer=renderer):
            pass
        render = time.perf_counter() - start
        encode = bare_encode(raw, args.size, folder / "bare.mp4")
        start = time.perf_counter()
        render_to(job, folder / "full.mp4", renderer=make_renderer(args.renderer))
        full = time.perf_counter() - start
        rows["render only"].append(render)
        rows["bare ffmpeg encode"].append(encode)
        rows["render + bare encode"].append(render + encode)
        rows["end to end (mp4)"].append(full)
    raw.unlink()
    return {k: statistics.median(v) for k, v in rows.items()} | {"frames": len(job)}


def memory_child(seconds: float, frames: int, size: int, renderer: str) -> None:
    """Run in a fresh process: print JSON with tracemalloc peaks and max RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        audio = long_audio(Path(tmp), seconds)
        _cached_fit(__import__("talkface_studio.face.portrait", fromlist=["fit_portrait"]).fit_portrait)
        tracemalloc.start()
        take = synthetic_take(seconds, audio)
        after_take, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        stop = take.n_frames
        job = RenderJob(take, max(0, stop - frames), stop, size=size)
        render_to(job, Path(tmp) / "m.mp4", renderer=make_renderer(renderer))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(json.dumps({"take_arrays_mb": after_take / 2**20, "job_peak_increase_mb": (peak - after_take) / 2**20,
                      "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def memory(args) -> list[dict]:
    out = []
    for label, seconds, frames in (("10 s take, all 250 frames", 10, 250),
                                   ("10 min take, last 500 frames", 600, 500)):
        res = subprocess.run([sys.executable, __file__, "--memory-child", str(seconds), str(frames),
                              "--size", str(args.size), "--renderer", args.renderer],
                             capture_output=True, text=True, check=True)
        out.append({"case": label} | json.loads(res.stdout.strip().splitlines()[-1]))
    return out


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ff = subprocess.run([ffmpeg_exe(), "-version"], capture_output=True, text=True).stdout.split("\n")[0]
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {ff}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--renderer", default="mesh_warp", help="a registry name (default mesh_warp) or shift (stand-in)")
    parser.add_argument("--memory-child", nargs=2, type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    if args.memory_child:
        memory_child(args.memory_child[0], int(args.memory_child[1]), args.size, args.renderer)
        return
    import torch

    torch.set_num_threads(2)
    print(f"machine: {machine()}")
    print(f"renderer: {args.renderer}; {args.seconds:g} s take at 25 fps, {args.size} px; median of {args.repeats}")
    with tempfile.TemporaryDirectory() as tmp:
        t = throughput(args, Path(tmp))
    floor = t["render + bare encode"]
    print(f"\n{'export of ' + str(t['frames']) + ' frames':<32}{'median s':>10}{'x floor':>10}")
    for k in ("render only", "bare ffmpeg encode", "render + bare encode", "end to end (mp4)"):
        print(f"{k:<32}{t[k]:>10.2f}{t[k] / floor:>10.2f}")
    ratio = t["end to end (mp4)"] / floor
    print(f"end to end / (render + bare encode) = {ratio:.2f}  (target <= 1.5: {'OK' if ratio <= 1.5 else 'MISSED'})")
    print(f"\n{'memory':<32}{'take MB':>10}{'job peak +MB':>14}{'max RSS MB':>12}")
    for row in memory(args):
        print(f"{row['case']:<32}{row['take_arrays_mb']:>10.1f}{row['job_peak_increase_mb']:>14.1f}"
              f"{row['max_rss_mb']:>12.0f}")


if __name__ == "__main__":
    main()
