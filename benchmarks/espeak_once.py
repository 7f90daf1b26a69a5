"""espeak-ng speech of a script at a given pace, made in a process of its own (for dtw_reference.py).

libespeak-ng carries state from one utterance to the next: the same text comes out some ms longer
or shorter after other speech (up to ~30 ms over 20 s), so a reference synthesized in a process
that had spoken before would depend on what it spoke. A new process per reference keeps it a
function of the clip and its script alone.

    python benchmarks/espeak_once.py VOICE SPEECH_SECONDS OUT.npz < script.txt
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

BASE_RATE = 165  # espeak-ng words per minute before matching the recording's speaking rate
SILENCE_DB = 35.0  # speech starts/ends where the 10 ms level first/last rises within this of the loudest


def speech_seconds(x: np.ndarray, sr: int) -> tuple[float, float]:
    """(start, end) in seconds of the 10 ms frames whose level is within SILENCE_DB of the loudest."""
    hop = sr // 100
    n = max(len(x) // hop, 1)
    frames = np.pad(x, (0, max(n * hop - len(x), 0)))[: n * hop].reshape(n, hop).astype(np.float64)
    level = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    loud = np.flatnonzero(level > level.max() - SILENCE_DB)
    return (loud[0] / 100, (loud[-1] + 1) / 100) if len(loud) else (0.0, n / 100)


def speak_at_pace(text: str, voice: str, speech_s: float):
    """The script spoken to last about `speech_s` seconds of speech: (Synthesis, words per minute)."""
    from talkface_studio.training import espeak_synth

    syn = espeak_synth.synthesize(text, voice=voice, rate=BASE_RATE)
    a, b = speech_seconds(syn.samples, espeak_synth.SR)
    # Speak at the recording's pace so the warp stays near the diagonal (espeak-ng: 80-450 wpm).
    rate = int(np.clip(round(BASE_RATE * (b - a) / max(speech_s, 0.01)), 80, 450))
    if abs(rate - BASE_RATE) > 5:
        syn = espeak_synth.synthesize(text, voice=voice, rate=rate)
    return syn, rate


def speak_fresh(text: str, voice: str, speech_s: float) -> tuple[np.ndarray, list[tuple[float, float, str]], int]:
    """speak_at_pace in a new Python process: (samples at 16 kHz, [(start, end, phone)], rate)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.npz"
        subprocess.run([sys.executable, __file__, voice, repr(speech_s), str(out)], input=text.encode("utf-8"),
                       check=True)
        with np.load(out) as z:
            return z["samples"], [tuple(p) for p in json.loads(str(z["phones"]))], int(z["rate"])


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the worktree's package, with or without PYTHONPATH
    voice, speech_s, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    syn, rate = speak_at_pace(sys.stdin.buffer.read().decode("utf-8"), voice, speech_s)
    phones = json.dumps([(p.start, p.end, p.phone) for p in syn.phones], ensure_ascii=False)
    np.savez(out, samples=syn.samples, phones=np.array(phones), rate=np.array(rate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
