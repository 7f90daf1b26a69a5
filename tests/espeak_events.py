"""espeak-ng speech with the synthesizer's own phoneme timings (reference timings for tests and the
lip-sync benchmark).

A thin view of `talkface_studio.training.espeak_synth` (the one place that drives libespeak-ng: the
library keeps one global callback, so a second ctypes loader in the same process would leave it
pointing at freed memory). Names come back in IPA; pauses are gaps, not phonemes.

libespeak-ng carries state from one utterance to the next (the same text comes out a few samples
longer or shorter, and different, after other speech), so a test's audio would depend on which
tests spoke before it. With `FRESH` set (tests/conftest.py sets it) every distinct utterance is
synthesized once, in a process forked from a server that has imported the synthesizer but never
spoken. Benchmarks leave it off: each speaks a fixed sequence in a process of its own.
"""

from __future__ import annotations

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from talkface_studio.training import espeak_synth


SAMPLE_RATE = espeak_synth.SR  # what speak() returns
FRESH = False  # synthesize each utterance in a process that never spoke before (see above)


class Phoneme(NamedTuple):
    start: float  # seconds
    end: float
    ipa: str


class Spoken(NamedTuple):
    samples: np.ndarray  # float32 [N]
    sample_rate: int
    phonemes: list[Phoneme]  # pauses between words are gaps, not phonemes
    words: list[tuple[float, float]]  # word starts/ends (end = next word's start or the audio's end)


@lru_cache(maxsize=1)
def available() -> bool:
    try:
        _synthesize("a", "en-us", 170, 50)
    except espeak_synth.SynthError:
        return False
    return True


def speak(text: str, voice: str = "en-us", rate: int = 170, pitch: int = 50) -> Spoken:
    """Synthesize `text`; raises RuntimeError when libespeak-ng is missing or the voice is unknown."""
    try:
        spoken = _synthesize(text, voice, rate, pitch)
    except espeak_synth.SynthError as exc:
        raise RuntimeError(str(exc)) from None
    phonemes = [Phoneme(p.start, p.end, p.phone) for p in spoken.phones
                if p.phone.strip() not in ("", "_", "_:", "_!", "||", "|")]
    starts = [t for t, _, _ in spoken.words]
    words = list(zip(starts, starts[1:] + [spoken.duration]))
    return Spoken(spoken.samples, espeak_synth.SR, phonemes, words)


def _synthesize(text: str, voice: str, rate: int, pitch: int) -> espeak_synth.Synthesis:
    if not FRESH:
        return espeak_synth.synthesize(text, voice=voice, rate=rate, pitch=pitch)
    return _fresh(text, voice, rate, pitch)


@lru_cache(maxsize=None)
def _fresh(text: str, voice: str, rate: int, pitch: int) -> espeak_synth.Synthesis:
    return _pool().submit(espeak_synth.synthesize, text, voice, rate, pitch).result()


@lru_cache(maxsize=1)
def _pool() -> ProcessPoolExecutor:
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["talkface_studio.training.espeak_synth"])
    return ProcessPoolExecutor(1, mp_context=ctx, max_tasks_per_child=1)  # one utterance per process
