"""Forced alignment of English words to audio with pocketsphinx, with the result's own evidence.

`align_words` returns phones, word times and the alignment's acoustic score, so callers can check
the result against the audio and compare alternatives on the same stretch (a word that is not
spoken, or one that is missing, lowers the score). Decoders take ~0.25 s to create, so one per
configuration is kept and reused (guarded by a lock: the app analyses in a worker thread).

Beams are wide: the default ones drop the only path through a linear grammar on some voices and
the decoder then returns nothing at all. `filler=False` forbids silence between the words: used on
a piece cut between pauses, it keeps the aligner from parking loud words under a silence.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .phones import PS_FPS, PhoneError, TimedPhone, _clean, _pcm16, guess_pronunciation

WIDE_BEAMS = dict(beam=1e-80, wbeam=1e-60, pbeam=1e-80)
MIN_PHONE_FRAMES = 3  # pocketsphinx's 3-state HMMs: a phone lasts at least 30 ms


class TimedWord(NamedTuple):
    start: float  # seconds
    end: float
    word: str


@dataclass
class Alignment:
    phones: list[TimedPhone]
    words: list[TimedWord]  # the script's words only (no silences)
    score: float  # acoustic log-likelihood of the alignment (higher is better; same audio only)


_LOCK = threading.Lock()


@lru_cache(maxsize=2)
def _decoder(filler: bool):
    from pocketsphinx import Decoder

    # dither: synthetic speech has runs of exact zeros that break alignment. bestpath off: with it
    # pocketsphinx 5 may stop the grammar early and label the last words as silence.
    return Decoder(samprate=16000, dither=True, bestpath=False, loglevel="FATAL", fsgusefiller=filler,
                   **WIDE_BEAMS)


def pronunciation(word: str) -> str:
    """Dictionary pronunciation (ARPAbet with stress), or a letter-to-sound guess for unknown words."""
    with _LOCK:
        known = _decoder(True).lookup_word(word)
    return known if known is not None else guess_pronunciation(word)


def phone_count(word: str) -> int:
    return len(pronunciation(word).split())


def align_words(x16: np.ndarray, words: list[str], filler: bool = True, offset: float = 0.0) -> Alignment:
    """Align `words` (lower case, as `phones.transcript_words` gives them) to 16 kHz mono audio.

    Times are shifted by `offset` seconds. Raises PhoneError when no alignment reaches the end.
    """
    if not words:
        raise PhoneError("no words to align")
    if len(x16) < 2 * MIN_PHONE_FRAMES * 160:
        raise PhoneError("audio too short to align")
    pcm = _pcm16(x16)
    with _LOCK:
        decoder = _decoder(filler)
        for word in set(words):
            if decoder.lookup_word(word) is None:
                decoder.add_word(word, guess_pronunciation(word), False)
        try:
            decoder.set_align_text(" ".join(words))
            decoder.start_utt()
            decoder.process_raw(pcm, full_utt=True)
            decoder.end_utt()
            hyp = decoder.hyp()
            if hyp is None or hyp.hypstr.split() != words:
                raise PhoneError("speech does not match the script")
            decoder.set_alignment()
            decoder.start_utt()
            decoder.process_raw(pcm, full_utt=True)
            decoder.end_utt()
            # read everything while the alignment is alive: its entries point into the decoder
            entries = [(w.name, w.start, w.duration, [(p.name, p.start, p.duration, p.score) for p in w])
                       for w in decoder.get_alignment()]
        except RuntimeError as exc:
            raise PhoneError(f"alignment failed: {exc}") from None
    phones, timed_words, score = [], [], 0.0
    for word, w_start, w_dur, children in entries:
        name = re.sub(r"\(\d+\)$", "", word.lower())  # "the(2)": an alternative pronunciation
        if not name.startswith(("<", "[", "+")) and name != "sil":
            timed_words.append(TimedWord(offset + w_start / PS_FPS, offset + (w_start + w_dur) / PS_FPS, name))
        for p_name, p_start, p_dur, p_score in children:
            score += p_score
            phones.append(TimedPhone(offset + p_start / PS_FPS, offset + (p_start + p_dur) / PS_FPS, _clean(p_name)))
    if not phones:
        raise PhoneError("alignment produced no phones")
    return Alignment(phones, timed_words, float(score))
