"""espeak-ng speech with the synthesizer's own phoneme timings (reference timings for tests and the
lip-sync benchmark).

A thin view of `talkface_studio.training.espeak_synth` (the one place that drives libespeak-ng: the
library keeps one global callback, so a second ctypes loader in the same process would leave it
pointing at freed memory). Names come back in IPA; pauses are gaps, not phonemes.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from talkface_studio.training import espeak_synth


SAMPLE_RATE = espeak_synth.SR  # what speak() returns


class Phoneme(NamedTuple):
    start: float  # seconds
    end: float
    ipa: str


class Spoken(NamedTuple):
    samples: np.ndarray  # float32 [N]
    sample_rate: int
    phonemes: list[Phoneme]  # pauses between words are gaps, not phonemes
    words: list[tuple[float, float]]  # word starts/ends (end = next word's start or the audio's end)


def available() -> bool:
    try:
        espeak_synth.synthesize("a")
    except espeak_synth.SynthError:
        return False
    return True


def speak(text: str, voice: str = "en-us", rate: int = 170, pitch: int = 50) -> Spoken:
    """Synthesize `text`; raises RuntimeError when libespeak-ng is missing or the voice is unknown."""
    try:
        spoken = espeak_synth.synthesize(text, voice=voice, rate=rate, pitch=pitch)
    except espeak_synth.SynthError as exc:
        raise RuntimeError(str(exc)) from None
    phonemes = [Phoneme(p.start, p.end, p.phone) for p in spoken.phones
                if p.phone.strip() not in ("", "_", "_:", "_!", "||", "|")]
    starts = [t for t, _, _ in spoken.words]
    words = list(zip(starts, starts[1:] + [spoken.duration]))
    return Spoken(spoken.samples, espeak_synth.SR, phonemes, words)
