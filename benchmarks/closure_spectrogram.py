"""Hand check of lip-closure timing: a spectrogram of a clip's stretches with the DTW reference's
phones (cyan, top) and the script aligner's visemes (green, bottom) marked.

    .venv/bin/python benchmarks/closure_spectrogram.py it_m_asterisk_demo_congrats 2.85:4.35 12.7:13.95 \
        -o closures.png

What to look for: a bilabial stop is a gap (silent for p, a low voice bar for a voiced b, a murmur
for m) whose release is a vertical burst line, with the neighbouring vowels' second formant bending
down into it. A pause before a vowel-initial word is a gap too, but no burst ends it. Neither marking
is the truth: this is how a person judges which one the spectrum supports.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_lipsync import speech_dir  # noqa: E402
from dtw_reference import load_16k, reference_phones  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clip", help="a clip name in ../shared/speech (without .wav)")
    ap.add_argument("windows", nargs="+", help="START:END in seconds, one panel each")
    ap.add_argument("-o", "--output", type=Path, default=Path("closure-spectrogram.png"))
    args = ap.parse_args()
    import librosa
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from talkface_studio.audio.viseme_phones import viseme_phone_pass

    wav = speech_dir() / f"{args.clip}.wav"
    meta = json.loads(wav.with_suffix(".json").read_text(encoding="utf-8"))
    x = load_16k(wav)
    ref = reference_phones(x, meta["text"], meta["language"])
    aligned = viseme_phone_pass(x, meta["text"], meta["language"])
    hop = 80  # 5 ms
    spec = librosa.amplitude_to_db(np.abs(librosa.stft(x, n_fft=512, hop_length=hop, win_length=200)), ref=np.max)
    windows = [tuple(float(v) for v in w.split(":")) for w in args.windows]
    fig, axes = plt.subplots(len(windows), 1, figsize=(16, 4.5 * len(windows)), squeeze=False)
    for ax, (lo, hi) in zip(axes[:, 0], windows):
        a, b = int(lo * 16000 / hop), int(hi * 16000 / hop)
        ax.imshow(spec[:200, a:b], origin="lower", aspect="auto", extent=[lo, hi, 0, 6250], vmin=-70, cmap="magma")
        for p in ref.phones:
            if lo <= p.start < hi:
                ax.axvline(p.start, color="cyan", lw=0.8)
                ax.text(p.start + 0.003, 5800, p.ipa, color="cyan", fontsize=11)
        for p in aligned.phones:
            if lo <= p.start < hi:
                ax.axvline(p.start, color="lime", lw=0.8, ls="--")
                ax.text(p.start + 0.003, 300, p.phone, color="lime", fontsize=10)
        ax.set_xticks(np.arange(np.ceil(lo * 20) / 20, hi, 0.05))
        ax.tick_params(axis="x", labelsize=7)
        ax.set_ylabel("Hz")
    axes[0, 0].set_title(f"{args.clip}: DTW reference (cyan, espeak-ng IPA) and script aligner (green, visemes)")
    fig.tight_layout()
    fig.savefig(args.output, dpi=70)
    print(args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
