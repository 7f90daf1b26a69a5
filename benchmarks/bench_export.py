"""Export throughput and memory: is the pipeline (job + cache + pipe + mux) cheap next to its parts?

1. A 60 s take (25 fps, 512 px) exported end to end to MP4 with audio and an empty frame cache (as
   `render` does), versus, in the same run, the render alone (frames drawn, nothing written) plus a
   bare ffmpeg encode of the same frames. Targets: >= 25 fps end to end on 2 cores, end to end
   <= 1.5 x (render + bare encode).
2. Other formats on the first frames of the take: a PNG sequence written while rendering (ms per
   frame beyond the render alone), a PNG sequence and a ProRes MOV written from cached frames
   (against reading the cache alone, and a bare ProRes encode of the same frames). Target: PNG
   <= 15 ms per 512 px frame beyond rendering; ProRes at the encoder's own speed.
3. Peak memory of a 10 s take vs a 10 min take (500 frames rendered from its end): the job streams,
   so the increase while rendering must be flat; the take's stage-1 arrays grow with its length.
4. The top lines of a cProfile run of one end-to-end export (this process; ffmpeg is its own).

Every row is the median of --repeats runs; the table prints the load average, since the box is
shared. `--short` (CI) runs a tiny take once: it checks that every path runs, never a time.
`--renderer shift` swaps in a cheap stand-in (the portrait shifted by the head landmarks) to time
the pipeline alone. Landmarks always come from the real relocation.

    .venv/bin/python benchmarks/bench_export.py [--seconds 60] [--repeats 3] [--renderer NAME] [--short]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_table import load_line, median, print_table, profile_top  # noqa: E402

from talkface_studio.core.timebase import FrameRate  # noqa: E402
from talkface_studio.face.topology import canonical_face  # noqa: E402
from talkface_studio.pipeline.ffmpeg import ffmpeg_exe  # noqa: E402
from talkface_studio.pipeline.frame_cache import FrameCache  # noqa: E402
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


def bare_encode(raw: Path, size: int, out: Path, codec: str = "h264") -> float:
    """ffmpeg alone reading the raw frames from disk, same codec settings as the movie writer."""
    video = (["-c:v", "libx264", "-preset", "medium", "-crf", "18", "-pix_fmt", "yuv420p"] if codec == "h264"
             else ["-c:v", "prores_ks", "-profile:v", "3", "-vendor", "apl0", "-pix_fmt", "yuv422p10le"])
    cmd = [ffmpeg_exe(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{size}x{size}",
           "-framerate", "25", "-i", str(raw),
           "-vf", "scale=out_color_matrix=bt709:out_range=tv:flags=bicubic+accurate_rnd+full_chroma_int", *video,
           str(out)]
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - start


def timed(fn) -> tuple[float, float]:
    """(wall s, CPU s of this process and of the children it waited for: ffmpeg)."""
    r0, c0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    fn()
    wall = time.perf_counter() - start
    r1, c1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(getattr(b, k) - getattr(a, k) for a, b in ((r0, r1), (c0, c1)) for k in ("ru_utime", "ru_stime"))
    return wall, cpu


def throughput(args, folder: Path) -> dict:
    take = synthetic_take(args.seconds, long_audio(folder, args.seconds))
    job = RenderJob.whole_take(take, size=args.size)
    raw = folder / "frames.rgb"
    capture(job, args.renderer, raw)
    rows = {k: [] for k in ("render only", "bare ffmpeg encode", "render + bare encode", "end to end (mp4)",
                            "end to end cpu", "render cpu")}
    for i in range(args.repeats):
        renderer = make_renderer(args.renderer)
        render, render_cpu = timed(lambda: [None for _ in job.run(renderer=renderer)])
        encode = bare_encode(raw, args.size, folder / "bare.mp4")
        cache = FrameCache(folder / f"cache{i}")  # empty, as for a first render
        full, cpu = timed(lambda: render_to(job, folder / "full.mp4", cache=cache,
                                            renderer=make_renderer(args.renderer)))
        shutil.rmtree(folder / f"cache{i}", ignore_errors=True)
        for k, v in (("render only", render), ("bare ffmpeg encode", encode), ("render + bare encode", render + encode),
                     ("end to end (mp4)", full), ("end to end cpu", cpu), ("render cpu", render_cpu)):
            rows[k].append(v)
    raw.unlink()
    return {k: median(v) for k, v in rows.items()} | {"frames": len(job)}


def formats(args, folder: Path) -> dict:
    """PNG while rendering; PNG and ProRes from cached frames; their floors (medians)."""
    take = synthetic_take(args.seconds, long_audio(folder, args.seconds))
    job = RenderJob(take, 0, min(args.format_frames, take.n_frames), size=args.size)
    raw = folder / "first.rgb"
    capture(job, args.renderer, raw)
    warm = FrameCache(folder / "warm")
    for _ in job.run(renderer=make_renderer(args.renderer), cache=warm):
        pass
    rows = {k: [] for k in ("render only", "png while rendering", "read cached frames", "png from cache",
                            "bare prores encode", "mov from cache")}
    for i in range(args.repeats):
        renderer = make_renderer(args.renderer)
        rows["render only"].append(timed(lambda: [None for _ in job.run(renderer=renderer)])[0])
        rows["png while rendering"].append(timed(lambda: render_to(
            job, folder / f"png{i}", renderer=make_renderer(args.renderer), cache=None))[0])
        rows["read cached frames"].append(timed(lambda: [None for _ in job.run(renderer=renderer, cache=warm)])[0])
        rows["png from cache"].append(timed(lambda: render_to(job, folder / f"pngc{i}", renderer=renderer,
                                                              cache=warm))[0])
        rows["bare prores encode"].append(bare_encode(raw, args.size, folder / "bare.mov", "prores"))
        rows["mov from cache"].append(timed(lambda: render_to(job, folder / "c.mov", renderer=renderer, cache=warm,
                                                              with_audio=False))[0])
        shutil.rmtree(folder / f"png{i}", ignore_errors=True)
        shutil.rmtree(folder / f"pngc{i}", ignore_errors=True)
    raw.unlink()
    return {k: median(v) for k, v in rows.items()} | {"frames": len(job)}


def profiled(args, folder: Path) -> str:
    take = synthetic_take(args.seconds, long_audio(folder, args.seconds))
    job = RenderJob(take, 0, min(args.format_frames, take.n_frames), size=args.size)
    renderer = make_renderer(args.renderer)
    _, text = profile_top(lambda: render_to(job, folder / "prof.mp4", renderer=renderer,
                                            cache=FrameCache(folder / "prof-cache")))
    return f"cProfile of one end-to-end MP4 export of {len(job)} frames (this process, top lines by own time):\n{text}"


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
    cases = ((("10 s take, all 250 frames", 10, 250), ("10 min take, last 500 frames", 600, 500)) if not args.short
             else (("1 s take, all 25 frames", 1, 25),))
    for label, seconds, frames in cases:
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


def print_formats(f: dict) -> None:
    m = f["frames"]
    print_table(f"other formats, first {m} frames", [
        ("render only", f["render only"], ""),
        ("png while rendering", f["png while rendering"],
         f"{(f['png while rendering'] - f['render only']) / m * 1e3:+.1f} ms a frame beyond rendering (target <= 15)"),
        ("read cached frames (floor)", f["read cached frames"], ""),
        ("png from cache", f["png from cache"], f"{(f['png from cache'] - f['read cached frames']) / m * 1e3:.1f} ms a "
         "frame beyond reading"),
        ("bare prores encode", f["bare prores encode"], ""),
        ("mov from cache", f["mov from cache"], f"{f['mov from cache'] / f['bare prores encode']:.2f} x the bare encode"),
    ], f["read cached frames"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--format-frames", type=int, default=250, help="frames for the PNG / MOV rows")
    parser.add_argument("--renderer", default="mesh_warp", help="a registry name (default mesh_warp) or shift (stand-in)")
    parser.add_argument("--short", action="store_true", help="CI: a 1 s take at 256 px, once (checks that it runs)")
    parser.add_argument("--part", choices=("all", "formats"), default="all", help="formats: only the PNG / MOV rows")
    parser.add_argument("--memory-child", nargs=2, type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    if args.memory_child:
        memory_child(args.memory_child[0], int(args.memory_child[1]), args.size, args.renderer)
        return
    if args.short:
        args.seconds, args.repeats, args.format_frames, args.size = 1.0, 1, 6, 256
    import torch

    torch.set_num_threads(2)
    print(f"machine: {machine()}")
    print(f"{load_line()} (at the start)")
    print(f"renderer: {args.renderer}; {args.seconds:g} s take at 25 fps, {args.size} px; median of {args.repeats}")
    with tempfile.TemporaryDirectory() as tmp:
        if args.part == "formats":
            print_formats(formats(args, Path(tmp)))
            print(f"\n{load_line()} (at the end)")
            return
        t = throughput(args, Path(tmp))
        f = formats(args, Path(tmp))
        profile = profiled(args, Path(tmp))
    n = t["frames"]
    floor = t["render + bare encode"]
    print_table(f"export of {n} frames (empty frame cache)", [
        ("render only", t["render only"], f"{n / t['render only']:.1f} fps, {t['render cpu']:.1f} CPU s"),
        ("bare ffmpeg encode (H.264)", t["bare ffmpeg encode"], f"{n / t['bare ffmpeg encode']:.1f} fps"),
        ("render + bare encode (floor)", floor, ""),
        ("end to end (mp4)", t["end to end (mp4)"], f"{n / t['end to end (mp4)']:.1f} fps, "
         f"{t['end to end cpu']:.1f} CPU s (this process + ffmpeg)"),
    ], floor)
    ratio = t["end to end (mp4)"] / floor
    fps = n / t["end to end (mp4)"]
    print(f"end to end / (render + bare encode) = {ratio:.2f}  (target <= 1.5: {'OK' if ratio <= 1.5 else 'MISSED'})")
    print(f"end to end fps = {fps:.1f}  (target >= 25: {'OK' if fps >= 25 else 'MISSED'}; "
          f"with the 2 cores to ourselves: ~{n / max(t['end to end cpu'] / 2, t['render cpu']):.1f} fps, "
          "from the CPU seconds of the render alone and of the whole export)")
    print_formats(f)
    print(f"\n{'memory':<32}{'take MB':>10}{'job peak +MB':>14}{'max RSS MB':>12}")
    rows = memory(args)
    for row in rows:
        print(f"{row['case']:<32}{row['take_arrays_mb']:>10.1f}{row['job_peak_increase_mb']:>14.1f}"
              f"{row['max_rss_mb']:>12.0f}")
    grow = rows[-1]["max_rss_mb"] - rows[0]["max_rss_mb"]
    print(f"long take - short take max RSS: {grow:+.0f} MB (target <= 200: {'OK' if grow <= 200 else 'MISSED'})")
    print(f"\n{profile}")
    print(f"\n{load_line()} (at the end)")


if __name__ == "__main__":
    main()
