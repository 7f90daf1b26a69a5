"""Audio analysis speed on a 60 s take at 30 fps (issue target: analysis + generation < 2 s), and
analysis with alignment of ~60 s of real English speech (issue 9's target: <= 3 s).

Part 1, a synthetic take (espeak-ng): medians of N runs and each one's ratio to merely decoding the
same file, measured in the same run. The phone pass (pocketsphinx) is reported apart: it is cached
per file and transcript. Three rows time what the analysis does to the take at 16 kHz before
listening: judging whether it is quiet enough to raise (audio.quiet_recording; it is not), whether
it has a background to take out (audio.steady_noise; it has none), and taking one out of a copy
with white noise 10 dB under its speech.

Part 2, five LibriVox clips of ../shared/speech joined (61.6 s) with their scripts, uncached: the
median of N analyses against a floor (decoding the file + the acoustic/mel pass) measured in the same
run, then one more run profiled in every thread (cProfile with each thread's CPU clock, summed over
threads, so on two busy cores it adds up to about twice the wall time): CPU seconds per stage and
the top functions by own time.

    .venv/bin/python benchmarks/bench_analysis.py [--runs 5] [--no-phones] [--only-aligned]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import threading
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # audio_fixtures: noise at a given level
from audio_fixtures import with_noise  # noqa: E402
from talkface_studio.audio.analysis import analyze  # noqa: E402
from talkface_studio.audio.loading import load_audio  # noqa: E402
from talkface_studio.audio.quiet_recording import at_working_level  # noqa: E402
from talkface_studio.audio.steady_noise import without_steady_noise  # noqa: E402
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


ENGLISH_MINUTE = ["en_f_librivox_sonnet1_part1", "en_f_librivox_sonnet1_part2", "en_f_librivox_sonnet1_part3",
                  "en_m_librivox_sense_0880", "en_m_librivox_sense_0890"]
# Where the time of an aligned analysis goes (functions whose cumulative time is the stage's).
STAGES = [
    ("decode the file", "loading.py", "load_audio"),
    ("content digest (cache key)", "cache.py", "file_digest"),
    ("acoustic pass (loudness, pitch, mel)", "acoustic.py", "analyze_acoustics"),
    ("speech mask (10 ms energy)", "speech_regions.py", "speech_mask"),
    ("word pass over the take (pocketsphinx)", "sphinx_align.py", "place_words"),
    ("piece alignment, 2 decodes each (pocketsphinx)", "sphinx_align.py", "align_words"),
    ("  of which inside pocketsphinx", "sphinx_native.py", "decode"),
    ("fallbacks (viseme aligner / recognizer)", "phone_fallback.py", "fallback_piece"),
    ("frame labels + loud-frame check", "loud_frames.py", "finish_phones"),
]


def speech_dir() -> Path:
    root = Path(__file__).resolve().parents[1]
    shared = root.parent / "shared" / "speech"
    return shared if shared.is_dir() else root / "tests" / "data" / "speech"


def aligned_minute(runs: int, rate: FrameRate = FrameRate(25), profile: bool = True) -> None:
    """~60 s of English speech with its script: analysis (no cache) vs decode + acoustic pass."""
    from talkface_studio.audio.acoustic import SR, analyze_acoustics

    folder = speech_dir()
    have = [n for n in ENGLISH_MINUTE if (folder / f"{n}.wav").is_file()]
    if not have:
        print("aligned minute: no English clips with scripts found")
        return
    xs = [load_audio(folder / f"{n}.wav").mono(16000) for n in have]
    text = " ".join(json.loads((folder / f"{n}.json").read_text())["text"] for n in have)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "minute.wav"
        sf.write(str(path), np.concatenate(xs), 16000)
        seconds = sum(len(x) for x in xs) / 16000

        def floor():
            clip = load_audio(path)
            analyze_acoustics(clip.mono(SR), rate, rate.frames_in(clip.duration))

        def full():
            return analyze(path, rate, transcript=text, use_cache=False)

        w0, c0 = time.perf_counter(), time.process_time()
        full()
        cold = (time.perf_counter() - w0, time.process_time() - c0)  # pocketsphinx decoders created, imports done
        t_floor = timed(floor, runs)[0]
        walls, cpus, report = [], [], None
        for _ in range(runs):
            w0, c0 = time.perf_counter(), time.process_time()
            report = full().report
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
        t_full = float(np.median(walls))
        stats = profiled(full) if profile else None
    load_after = os.getloadavg()[0]
    print(f"\naligned minute ({seconds:.1f} s of speech, {len(have)} clips joined, median of {runs}, "
          f"load average {load_before:.1f} -> {load_after:.1f}): analysis with alignment {t_full:.2f} s "
          f"(target <= 3 s; runs {', '.join(f'{w:.2f}' for w in walls)}; cpu {np.median(cpus):.2f} s), "
          f"floor (decode + mel/acoustic pass) {t_floor:.2f} s, ratio {t_full / t_floor:.1f}x; first analysis "
          f"in a new process {cold[0]:.2f} s; path: {report.summary()}")
    if stats is not None:
        print_profile(stats)


def profiled(fn) -> pstats.Stats:
    """Run fn() with cProfile in this thread and in every thread started meanwhile."""
    profiles: list[cProfile.Profile] = []

    def start(*_):  # the first event in a new thread: hand over to a profiler of its own
        prof = cProfile.Profile(time.thread_time)
        profiles.append(prof)
        prof.enable()

    main = cProfile.Profile(time.thread_time)  # CPU, not wall: waiting for another thread costs nothing
    threading.setprofile(start)
    try:
        main.enable()
        fn()
        main.disable()
    finally:
        threading.setprofile(None)
    time.sleep(0.2)  # worker threads of the analysis finish their last task and exit
    stats = pstats.Stats(main)
    for prof in profiles:
        stats.add(prof)
    return stats


def print_profile(stats: pstats.Stats) -> None:
    table = stats.stats  # {(file, line, name): (cc, nc, tottime, cumtime, callers)}
    print("profile of one more run, all threads (cProfile; CPU seconds summed over threads):")
    for label, file, name in STAGES:
        hits = [(v[1], v[3]) for k, v in table.items() if k[0].endswith(file) and k[2] == name]
        if hits:
            calls, cum = max(hits, key=lambda h: h[1])
            print(f"  {label:48s} {cum:6.2f} s  ({calls} calls)")
    print("top functions by own time:")
    rows = sorted(table.items(), key=lambda kv: -kv[1][2])[:12]
    for (file, line, name), (_, nc, tt, ct, _) in rows:
        where = f"{Path(file).name}:{line}({name})" if file != "~" else name
        print(f"  {tt:6.2f} s own {ct:6.2f} s cum {nc:6d} calls  {where}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-phones", action="store_true")
    parser.add_argument("--only-aligned", action="store_true", help="only part 2, the aligned minute")
    args = parser.parse_args()
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    if args.only_aligned:
        aligned_minute(args.runs)
        return
    rate = FrameRate(30)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TALKFACE_CACHE_DIR"] = tmp  # never touch the user's cache
        path, text = make_take(Path(tmp))
        analyze(path, rate, phones=False, use_cache=False)  # first-call imports, not steady state

        rows = [("decode only (floor)", *timed(lambda: load_audio(path), args.runs))]
        rows.append(("decode + acoustic analysis", *timed(
            lambda: analyze(path, rate, phones=False, use_cache=False), args.runs)))
        x16 = load_audio(path).mono(16000)
        hiss = with_noise(x16, 16000, 10.0)  # white noise 10 dB under the speech: cleaned before listening
        rows.append(("judge the level (ordinary take)", *timed(lambda: at_working_level(x16), args.runs)))
        rows.append(("judge the background (clean take)", *timed(lambda: without_steady_noise(x16), args.runs)))
        rows.append(("take out a background (10 dB hiss)", *timed(lambda: without_steady_noise(hiss), args.runs)))
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
    if not args.no_phones:
        aligned_minute(args.runs)


if __name__ == "__main__":
    main()
