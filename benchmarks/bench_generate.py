"""Stage 1 speed: analysis + procedural generation of a 60 s take at 30 fps (target < 2 s wall).

The take is the demo line tiled to 60 s. Prints medians of N runs and each row's ratio to merely
decoding the audio file (the floor, measured in the same run). The phone pass (pocketsphinx) runs
once beforehand and is then read from the cache, as it is in the application.

    .venv/bin/python benchmarks/bench_generate.py [--runs 5] [--seconds 60]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from talkface_studio.audio.analysis import analyze  # noqa: E402
from talkface_studio.audio.loading import load_audio  # noqa: E402
from talkface_studio.core.timebase import FrameRate  # noqa: E402
from talkface_studio.perform.base import PerformRequest  # noqa: E402
from talkface_studio.perform.registry import get_performer  # noqa: E402

from timing import median_seconds


def make_take(folder: Path, seconds: float) -> Path:
    x, sr = sf.read(str(ROOT / "resources/demo/line.wav"), dtype="float32")
    x = np.tile(x, int(np.ceil(seconds * sr / len(x))) + 1)[: int(seconds * sr)]
    path = folder / "take.wav"
    sf.write(str(path), x, sr, subtype="PCM_16")
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()
    try:
        import torch

        torch.set_num_threads(1)  # nothing here uses torch; keep a stray import from grabbing cores
    except ImportError:
        pass
    rate = FrameRate.parse("30")
    with tempfile.TemporaryDirectory() as tmp:
        path = make_take(Path(tmp), args.seconds)
        recognised = analyze(path, rate)  # fills the phone cache (slow, once)
        acoustic = analyze(path, rate, phones=False, use_cache=False)
        n = recognised.n_frames
        weights = np.zeros((n, 8), np.float32)
        weights[:, 0] = 0.4
        weights[:, 5] = 0.6  # happy at level 2, a typical painted take
        performer = get_performer("procedural")

        rows = [
            ("decode audio (floor)", lambda: load_audio(path).mono(16000)),
            ("analysis, acoustic part (uncached)", lambda: analyze(path, rate, phones=False, use_cache=False)),
            ("analysis, all from cache", lambda: analyze(path, rate)),
            ("generate, recognised phones", lambda: performer.perform(PerformRequest(recognised, weights, rate, 1))),
            ("generate, acoustic phones", lambda: performer.perform(PerformRequest(acoustic, weights, rate, 1))),
        ]
        times = {name: median_seconds(fn, args.runs) for name, fn in rows}
    floor = times["decode audio (floor)"]
    total = times["analysis, acoustic part (uncached)"] + times["analysis, all from cache"]
    total += times["generate, recognised phones"]
    print(f"{args.seconds:.0f} s take at 30 fps ({n} frames, {recognised.phone_source} phones: "
          f"{len(recognised.phones)}), median of {args.runs} runs")
    print(f"{'step':40s} {'median s':>9s} {'x decode':>9s}")
    for name, t in times.items():
        print(f"{name:40s} {t:9.3f} {t / floor:9.1f}")
    print(f"{'total: acoustic + cached phones + generate':40s} {total:9.3f} {total / floor:9.1f}   target < 2 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
