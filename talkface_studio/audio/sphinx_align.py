"""Forced alignment of English words to audio with pocketsphinx, with the result's own evidence.

`align_words` returns phones, word times and the alignment's acoustic score, so callers can check
the result against the audio and compare alternatives on the same stretch (a word that is not
spoken, or one that is missing, lowers the score). `place_words` is the cheap first half (word
times only, ~0.015 s per second of audio) used to cut a long take into pieces.

Decoders take ~0.15 s to create (no language model is loaded: alignment needs none), so they are
pooled per configuration and reused. They are driven through pocketsphinx's C API
(sphinx_native), which decodes outside the GIL, so two pieces are aligned at once on two cores and
the acoustic pass runs beside them; the dither is added from a fixed seed, so the same audio and
script always give the same phones, whichever thread decodes them.

Beams are wide: the default ones drop the only path through a linear grammar on some voices and
the decoder then returns nothing at all. `filler=False` forbids silence between the words: used on
a piece cut between pauses, it keeps the aligner from parking loud words under a silence.
"""

from __future__ import annotations

import math
import queue
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .english_oov import prefetch as prefetch_unknown
from .phones import PS_FPS, PhoneError, TimedPhone, _clean, guess_pronunciation
from .sphinx_grammar import Grammar
from .sphinx_native import NativeDecoder, dithered_pcm16, new_decoder

WIDE_BEAMS = dict(beam=1e-80, wbeam=1e-60, pbeam=1e-80)
MIN_PHONE_FRAMES = 3  # pocketsphinx's 3-state HMMs: a phone lasts at least 30 ms
# The word pass only decides which piece (speech between pauses of >= 0.2 s) each word belongs to,
# by the word's middle: scoring every other frame puts every word of every English clip of
# ../shared/speech in the same piece as scoring all of them, for 30% less time.
WORD_PASS_STEP = 2
# The word pass that may leave out clauses the recording lacks (place_heard_words): the prior odds
# of leaving one out. Its audio would have to be covered by silence, so a clause that was said is
# kept; at 1e-3 a said clause at the end of a take went to the silence after it (tests: "by the 2nd pump").
SKIP_ODDS = 1_000_000
# pocketsphinx's alignment scores are log base 1.0001, shifted right by 10 bits (SENSCR_SHIFT): -> nats
SCORE_NATS = 1024 * 0.000099995


class TimedWord(NamedTuple):
    start: float  # seconds
    end: float
    word: str
    score: float = 0.0  # acoustic log-likelihood per 10 ms frame, nats (alignment only; see align_words)


@dataclass
class Alignment:
    phones: list[TimedPhone]
    words: list[TimedWord]  # the script's words only (no silences)
    score: float  # acoustic log-likelihood of the alignment (higher is better; same audio only)


_POOLS: dict[tuple[bool, bool, int], queue.SimpleQueue] = {}
_CREATE = threading.Lock()


def _new_decoder(filler: bool, wide: bool, step: int = 1):
    # dither (dithered_pcm16, not the library's: see sphinx_native): synthetic speech has runs of
    # exact zeros that break alignment. bestpath off: with it pocketsphinx 5 may stop the grammar
    # early and label the last words as silence.
    # step (pocketsphinx's `ds`): score the acoustic model on every step-th frame only.
    return new_decoder(samprate=16000, dither=False, bestpath=False, loglevel="FATAL", fsgusefiller=filler,
                       ds=step, **(WIDE_BEAMS if wide else {}))


@contextmanager
def _decoder(filler: bool, wide: bool = True, step: int = 1):
    """A decoder of this configuration for the caller alone (created when all are busy)."""
    with _CREATE:
        pool = _POOLS.setdefault((filler, wide, step), queue.SimpleQueue())
    try:
        decoder = pool.get_nowait()
    except queue.Empty:
        with _CREATE:
            decoder = _new_decoder(filler, wide, step)
    try:
        yield decoder
    finally:
        pool.put(decoder)


def pronunciation(word: str) -> str:
    """Dictionary pronunciation (ARPAbet with stress), or a letter-to-sound guess for unknown words."""
    with _decoder(True) as decoder:
        known = decoder.lookup_word(word)
    return known if known is not None else guess_pronunciation(word)


def prefetch_pronunciations(words) -> None:
    """Read every word the dictionary lacks in one espeak-ng call, before the passes and the split
    by phone counts ask for them one by one."""
    with _decoder(True) as decoder:
        prefetch_unknown(_unknown(decoder, words))


def _unknown(decoder: NativeDecoder, words) -> list[str]:
    """The words (each once) the decoder's dictionary lacks."""
    return [w for w in set(words) if decoder.lookup_word(w) is None]


def phone_count(word: str) -> int:
    return len(pronunciation(word).split())


def _add_unknown(decoder: NativeDecoder, words: list[str]) -> None:
    """The words the decoder's dictionary lacks, added with their guessed pronunciations."""
    unknown = _unknown(decoder, words)
    prefetch_unknown(unknown)  # one espeak-ng call for all of them
    for word in unknown:
        decoder.add_word(word, guess_pronunciation(word), False)


def _first_pass(decoder: NativeDecoder, pcm: np.ndarray, words: list[str]) -> None:
    _add_unknown(decoder, words)
    decoder.set_align_text(" ".join(words))
    decoder.decode(pcm)
    hyp = decoder.hyp()
    if hyp is None or hyp.split() != words:
        raise PhoneError("speech does not match the script")


def _word_name(name: str) -> str | None:
    name = re.sub(r"\(\d+\)$", "", name.lower())  # "the(2)": an alternative pronunciation
    return None if name.startswith(("<", "[", "+", "(")) or name == "sil" else name  # "(null)": a grammar's empty step


def _check_input(x16: np.ndarray, words: list[str]) -> None:
    if not words:
        raise PhoneError("no words to align")
    if len(x16) < 2 * MIN_PHONE_FRAMES * 160:
        raise PhoneError("audio too short to align")


def place_words(x16: np.ndarray, words: list[str]) -> list[TimedWord]:
    """Word times of a one-pass alignment (no phones, every WORD_PASS_STEP-th frame scored), or
    PhoneError. Default beams first (a third faster on a long take), wide ones when they lose the path."""
    _check_input(x16, words)
    pcm = dithered_pcm16(x16)
    for wide in (False, True):
        with _decoder(True, wide, WORD_PASS_STEP) as decoder:
            try:
                _first_pass(decoder, pcm, words)
                segments = decoder.seg()
                break
            except (RuntimeError, PhoneError) as exc:
                if wide:
                    raise PhoneError(f"alignment failed: {exc}") from None
    return [TimedWord(a / PS_FPS, (b + 1) / PS_FPS, n) for w, a, b in segments if (n := _word_name(w))]


def place_heard_words(x16: np.ndarray, words: list[str], units: list[tuple[int, int]], opens_cut: bool = False,
                      stops_cut: bool = False) -> list[TimedWord | None]:
    """Word times of a one-pass alignment in which any of the script's `units` (word ranges covering
    it in order: clauses, script_split.clauses) may be missing from the audio: a line the actor did
    not say, or another speaker's. A take that `opens_cut` (cut from a longer recording inside a
    line) may open after the start of its first unit said, one that `stops_cut` stop before the end
    of its last. -> one entry per word, None for the words not heard; or PhoneError. Where a linear
    pass (place_words) must spread an unsaid line over the speech of the next ones and every later
    piece gets the wrong words, this keeps the rest where it was said.

    Every frame is scored (pocketsphinx's frame skipping, with the grammar's empty transitions,
    left out whole clauses that were spoken on takes over a minute long)."""
    _check_input(x16, words)
    pcm = dithered_pcm16(x16)
    grammar = _heard_grammar(words, units, opens_cut, stops_cut)
    for wide in (False, True):
        with _decoder(True, wide) as decoder:
            try:
                _add_unknown(decoder, words)
                decoder.set_fsg("heard", grammar)
                decoder.decode(pcm)
                segments = decoder.seg()
            except RuntimeError as exc:
                if wide:
                    raise PhoneError(f"alignment failed: {exc}") from None
                continue
        timed = [TimedWord(a / PS_FPS, (b + 1) / PS_FPS, n) for w, a, b in segments if (n := _word_name(w))]
        kept = _units_kept([t.word for t in timed], words, units, opens_cut, stops_cut)
        if kept:  # None (no such choice) or [] (nothing heard): try wider beams
            out: list[TimedWord | None] = [None] * len(words)
            said = iter(timed)
            for lo, hi in kept:
                for i in range(lo, hi):
                    out[i] = next(said)
            return out
    raise PhoneError("speech does not match the script")


def _heard_grammar(words: list[str], units: list[tuple[int, int]], opens_cut: bool = False,
                   stops_cut: bool = False) -> Grammar:
    """The script's `units` in order, each said whole or, at 1 / SKIP_ODDS, left out; where the take
    `opens_cut`, the first one said may start after its first word, where it `stops_cut`, the last
    one said may stop before its last (at 1 / SKIP_ODDS each). Two chains of states, before the
    first word said and after it, built as a finite-state grammar: the same choices written as JSGF
    repeat the rest of the script once per unit and took seconds to set up on a scene's script.
    Only at a cut: pocketsphinx's noise and silence fillers cover speech cheaply, and a synthetic
    voice's take that was not cut stopped inside its first line, the other two covered by fillers."""
    n, skip = len(units), -math.log(SKIP_ODDS)
    before, after, end = range(n + 1), range(n + 1, 2 * n + 2), 2 * n + 2  # nothing said yet / something said
    arcs: list[tuple[int, int, float, str | None]] = [(after[n], end, 0.0, None)]
    state = end + 1
    for k, (lo, hi) in enumerate(units):
        chain = list(range(state, state + hi - lo + 1))  # before each word of the unit, and after its last
        state += len(chain)
        arcs += [(before[k], before[k + 1], skip, None), (after[k], after[k + 1], skip, None),
                 (before[k], chain[0], 0.0, None), (after[k], chain[0], 0.0, None),
                 (chain[-1], after[k + 1], 0.0, None)]
        arcs += [(chain[i], chain[i + 1], 0.0, words[lo + i]) for i in range(hi - lo)]
        for q in chain[1:-1]:  # the take opens, or stops, inside this unit
            arcs += [(before[k], q, skip, None)] if opens_cut else []
            arcs += [(q, end, skip, None)] if stops_cut else []
    return Grammar(state, before[0], end, arcs).closed()


def _units_kept(heard: list[str], words: list[str], units: list[tuple[int, int]], opens_cut: bool = False,
                stops_cut: bool = False) -> list[tuple[int, int]] | None:
    """The script's word ranges, in order, that make up the `heard` words exactly: whole units, the
    first one said perhaps only its last words (`opens_cut`) and the last one said perhaps only its
    first words (`stops_cut`); None: no such choice."""
    # words heard so far -> (the ranges kept to get there, whether the first one is a cut unit); a
    # choice of whole units is kept over one that opens inside a unit
    reach: dict[int, tuple[list[tuple[int, int]], bool]] = {0: ([], False)}
    ended = None  # the choice that ends inside a unit, where no whole-unit one covers `heard`
    for lo, hi in units:
        n = hi - lo
        for j, (kept, cut) in sorted(reach.items(), reverse=True):
            if heard[j:j + n] == words[lo:hi] and (j + n not in reach or reach[j + n][1] and not cut):
                reach[j + n] = (kept + [(lo, hi)], cut)
            rest = len(heard) - j
            if stops_cut and ended is None and 0 < rest < n and heard[j:] == words[lo:lo + rest]:
                ended = kept + [(lo, lo + rest)]
        for m in range(n - 1, 0, -1) if opens_cut else ():  # the take opens inside this unit: its last m words
            if m not in reach and heard[:m] == words[hi - m:hi]:
                reach[m] = ([(hi - m, hi)], True)
    return reach[len(heard)][0] if len(heard) in reach else ended


def align_words(x16: np.ndarray, words: list[str], filler: bool = True, offset: float = 0.0) -> Alignment:
    """Align `words` (lower case, as `phones.transcript_words` gives them) to 16 kHz mono audio.

    Times are shifted by `offset` seconds. Raises PhoneError when no alignment reaches the end.
    """
    _check_input(x16, words)
    pcm = dithered_pcm16(x16)
    with _decoder(filler) as decoder:
        try:
            _first_pass(decoder, pcm, words)
            decoder.set_alignment()
            decoder.decode(pcm, fresh=False)  # the noise estimate the first pass ended with, as before
            entries = decoder.alignment()  # read while the alignment is alive: it points into the decoder
        except RuntimeError as exc:
            raise PhoneError(f"alignment failed: {exc}") from None
    phones, timed_words, score = [], [], 0.0
    for word, w_start, w_dur, children in entries:
        name = _word_name(word)
        if name:
            word_score = sum(c[3] for c in children) * SCORE_NATS / max(w_dur, 1)
            timed_words.append(TimedWord(offset + w_start / PS_FPS, offset + (w_start + w_dur) / PS_FPS, name,
                                         word_score))
        for p_name, p_start, p_dur, p_score in children:
            score += p_score
            phones.append(TimedPhone(offset + p_start / PS_FPS, offset + (p_start + p_dur) / PS_FPS, _clean(p_name)))
    if not phones:
        raise PhoneError("alignment produced no phones")
    return Alignment(phones, timed_words, float(score))
