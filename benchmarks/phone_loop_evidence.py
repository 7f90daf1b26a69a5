"""pocketsphinx's English phone loop as a second opinion on lip closures without a script: an
experiment, not shipped (README, "Tried after the ensemble and not shipped", item 2).

    .venv/bin/python benchmarks/phone_loop_evidence.py --hit 4 [--miss 0] [--beam 1e-20] [--only en_]
    .venv/bin/python benchmarks/phone_loop_evidence.py --speed      # seconds per minute of speech

The phone loop (the US-English acoustic model and phone language model that ship in the
pocketsphinx wheel, trained on real speech) labels every 10 ms frame with an English phone. Where it
hears P, B or M, `--hit` is added to the M class of the networks' log-posteriors before the
decoder; elsewhere `--miss` is taken off. Then bench_lipsync's `none` rows run on the patched
pipeline (its own code and references). The take is cut in two at its quietest 10 ms near the
middle and the halves are decoded at once, one per core (sphinx_native releases the GIL).
Scripts are aligned as before: only the recognition without a script sees the evidence.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from talkface_studio.audio.phones import PHONE_LOOP_SETTINGS, phone_lm_path  # noqa: E402
from talkface_studio.audio.sphinx_native import NativeDecoder, dithered_pcm16  # noqa: E402
from talkface_studio.audio.viseme_set import CLASS_INDEX  # noqa: E402

HOP = 160  # 10 ms at 16 kHz: pocketsphinx's frame and the recognizer's
BILABIAL = ("P", "B", "M")


def _cuts(x16: np.ndarray, pieces: int) -> list[int]:
    """Frame indices that split the take into `pieces` at the quietest frame within 1 s of each even cut."""
    n = int(np.ceil(len(x16) / HOP))
    energy = np.convolve(x16.astype(np.float64) ** 2, np.ones(HOP), "same")[::HOP]
    cuts = [0]
    for k in range(1, pieces):
        mid = k * n // pieces
        lo, hi = max(mid - 100, cuts[-1] + 1), min(mid + 100, n - 1)
        cuts.append(lo + int(np.argmin(energy[lo:hi])) if hi > lo else mid)
    return cuts + [n]


def phone_loop(x16: np.ndarray, beam: float = 1e-20, pieces: int = 2) -> list[tuple[str, int, int]]:
    """(phone, first frame, last frame inclusive) over the whole take, frames of 10 ms."""
    cuts = _cuts(x16, pieces)
    results: list = [[] for _ in range(pieces)]

    def work(i: int) -> None:
        try:
            dec = NativeDecoder(allphone=phone_lm_path(), **{**PHONE_LOOP_SETTINGS, "beam": beam, "pbeam": beam})
            dec.decode(dithered_pcm16(x16[cuts[i] * HOP: cuts[i + 1] * HOP]))
            results[i] = [(w, cuts[i] + a, cuts[i] + b) for w, a, b in dec.seg()]
        except RuntimeError as exc:  # a piece the loop cannot decode gives no evidence; say so
            print(f"phone loop: frames {cuts[i]}-{cuts[i + 1]} not decoded ({exc})", file=sys.stderr)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(pieces)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [seg for piece in results for seg in piece]


def bilabial_frames(x16: np.ndarray, n_frames: int, beam: float = 1e-20) -> np.ndarray:
    """[n_frames] bool: frames the phone loop labels P, B or M."""
    hit = np.zeros(n_frames, bool)
    for phone, a, b in phone_loop(x16, beam):
        if phone.upper() in BILABIAL:
            hit[a: b + 1] = True
    return hit


def install(hit_nats: float, miss_nats: float, beam: float) -> None:
    """Patch viseme_phones.posteriors so recognition without a script sees the phone loop."""
    from talkface_studio.audio import viseme_phones

    original = viseme_phones.posteriors
    m = CLASS_INDEX["M"]

    def with_phone_loop(x16, recognizer=None):
        post = original(x16, recognizer)
        if post.align_logp is None:  # the script aligner keeps the networks' own posteriors
            post.align_logp = post.logp.copy()
        heard = bilabial_frames(x16, len(post.logp), beam)
        logp = post.logp.copy()
        logp[heard, m] += hit_nats
        logp[~heard, m] -= miss_nats
        post.logp = logp
        return post

    viseme_phones.posteriors = with_phone_loop


def speed(beam: float, runs: int = 3) -> None:
    from bench_lipsync import speech_dir

    from talkface_studio.audio.loading import load_audio

    x = np.concatenate([load_audio(p).mono(16000) for p in sorted(speech_dir().glob("en_*.wav"))])
    while len(x) < 60 * 16000:
        x = np.concatenate([x, x])
    x = x[: 60 * 16000]
    for pieces in (1, 2):
        times, heard = [], 0
        for _ in range(runs):
            t = time.perf_counter()
            heard = sum(p.upper() in BILABIAL for p, _, _ in phone_loop(x, beam, pieces))
            times.append(time.perf_counter() - t)
        print(f"phone loop over 60 s of English, beam {beam:g}, {pieces} thread(s): "
              f"median {sorted(times)[runs // 2]:.2f} s, {heard} bilabial segments")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hit", type=float, default=4.0, help="nats added to M where the loop hears P/B/M")
    ap.add_argument("--miss", type=float, default=0.0, help="nats taken off M elsewhere")
    ap.add_argument("--beam", type=float, default=1e-20)
    ap.add_argument("--only", default="en_", help="bench_lipsync clips whose name contains this (English)")
    ap.add_argument("--speed", action="store_true", help="time the phone loop only")
    args = ap.parse_args()
    if args.speed:
        speed(args.beam)
        return 0
    install(args.hit, args.miss, args.beam)
    import bench_lipsync

    sys.argv = ["bench_lipsync.py", "--no-speed", "--modes", "none", "--only", args.only]
    return bench_lipsync.main()


if __name__ == "__main__":
    sys.exit(main())
