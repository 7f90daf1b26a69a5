"""Audio analysis speed on a 60 s take at 30 fps (issue target: analysis + generation < 2 s).

Prints medians of N runs and each one's ratio to merely decoding the same file, measured in the
same run. The phone pass (pocketsphinx) is reported apart: it is cached per file and transcript.

    .venv/bin/python benchmarks/bench_analysis.py [--runs 5] [--no-phones]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from talkface_studio.audio.analysis import analyze  # noqa: E402
from talkface_studio.audio.loading import load_audio  # noqa: E402
from talkface_studio.core.timebase import FrameRate  # noqa: E402

SENTENCE = "The quick brown fox jumps over the lazy dog while my baby plays with a purple ball."


def make_take(folder: Path, seconds: float = 60.0, sr: int = 44100) -> tuple[Path, str]:
    """60 s of espeak speech (a vowel-like buzz when espeak-ng is missing), 44.1 kHz stereo WAV."""
    if shutil.which("espeak-ng"):
        tmp = folder / "s.wav"
        subprocess.run(["espeak-ng", "-w", str(tmp), SENTENCE], check=True, capture_output=True)
        x, file_sr = sf.read(str(tmp), dtype="float32")
        import soxr

        x = soxr.resample(x, file_sr, sr)
        reps = int(np.ceil(seconds * sr / len(x)))
        text = " ".join([SENTENCE] * reps)
        x = np.tile(x, reps)[: int(seconds * sr)]
    else:
        t = np.arange(int(seconds * sr)) / sr
        x = 0.3 * np.sin(2 * np.pi * 140 * t) * (np.sin(2 * np.pi * 3 * t) > 0)
        text = ""
    path = folder / "take.wav"
    sf.write(str(path), np.stack([x, 0.9 * x], axis=1), sr, subtype="PCM_16")
    return path, text


def timed(fn, runs: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return float(np.median(walls)), float(np.median(cpus))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-phones", action="store_true")
    args = parser.parse_args()
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    rate = FrameRate(30)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TALKFACE_CACHE_DIR"] = tmp  # never touch the user's cache
        path, text = make_take(Path(tmp))
        analyze(path, rate, phones=False, use_cache=False)  # first-call imports, not steady state

        rows = [("decode only (floor)", *timed(lambda: load_audio(path), args.runs))]
        rows.append(("decode + acoustic analysis", *timed(
            lambda: analyze(path, rate, phones=False, use_cache=False), args.runs)))
        analyze(path, rate, phones=False)
        rows.append(("cached analysis (hit)", *timed(lambda: analyze(path, rate, phones=False), args.runs)))
        if not args.no_phones:
            phone_runs = max(1, min(args.runs, 2))
            if text:
                rows.append(("+ phones, aligned to transcript", *timed(
                    lambda: analyze(path, rate, transcript=text, use_cache=False), phone_runs)))
            rows.append(("+ phones, recognised", *timed(lambda: analyze(path, rate, use_cache=False), phone_runs)))

    floor = rows[0][1]
    print(f"60 s take at {rate} fps, median of {args.runs} runs (phones: fewer)")
    print(f"{'step':36s} {'wall s':>8s} {'cpu s':>8s} {'x floor':>8s}")
    for name, wall, cpu in rows:
        print(f"{name:36s} {wall:8.3f} {cpu:8.3f} {wall / floor:8.1f}")


if __name__ == "__main__":
    main()
