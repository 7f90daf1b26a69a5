"""English script alignment that keeps what aligned and says where it could not.

1. The take is cut at its pauses (speech_regions) into pieces. Each piece gets its words from a
   cheap word-level pass over the whole take (a word belongs to the piece its middle falls in);
   when that pass cannot place the script, from a pass in which any clause may be left out (lines
   of a scene's script that this recording does not have: reported, not aligned); failing that,
   from the words' expected durations (script_split, as aeneas splits text by timing).
2. Each piece is aligned alone (two at a time; while the word pass runs, the pieces of the split by
   expected durations are aligned on the other core, and every piece the word pass puts in the same
   place keeps that result), first with no silence allowed between its words
   (a piece cut between pauses has none, and the aligner can then not park loud words under a
   silence), then with silences. The result is checked against the audio's energy: silence over
   speech, words over silence, words squeezed into minimum-length phones all mean it lost its place.
3. A piece that fails grows into the next one (the split was off by a word), then sheds a clause at
   either end (a sentence in the script that is not in the audio). Where the word pass had placed
   its words, the piece then keeps its best alignment anyway (its silences over speech are relabelled
   and reported by loud_frames); otherwise it falls back alone (phone_fallback).
   The word pass scores every other frame and sometimes squeezes a short word said after a pause
   into the tail of its neighbour (KLettres' British "KEY. ME."), leaving the word's own speech a
   piece with no words. Such a piece is joined to a neighbour with two or more words when the
   neighbour's words, aligned over both with pauses allowed, put the nearest one in it; over an
   ad-lib or a noise that alignment puts silence on speech, fails the piece check, and the piece
   keeps no script word. A wordless piece whose sound is only a breath or a click is a pause
   (breath_or_click); any other is recognized without the script, as speech the script does not
   have (an ad-lib, most often), and reported. An inhale closer
   to its line than a pause is cut off the line's piece before alignment (after_breath).
4. A word the aligner placed but scored far below what the audio holds there (an ad-libbed or
   mistyped word inside matching speech), or one holding a consonant over a stretch of speech (an
   ad-lib it was stretched over), is recognized without the script and reported like a piece that
   fell back (wrong_words).
5. Where that leaves 3 s or more of the script's words falling back, a whole line said but missing
   from the script may have taken the next lines' words: the lines the viseme aligner finds there
   are left out and the script aligned again (with_lines_unscripted).

Paths: `aligned` where the word pass placed the piece's words and they aligned as placed (a
take with one piece is aligned whole), `piecewise` where they had to be placed piece by piece.
Similar in spirit to the Montreal Forced Aligner's retry with wider beams and aeneas' split of the
text by timing; no code from either.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from .alignment_report import (FALLBACK_PATHS, NO_SCRIPT_WORDS, TimedStretch, join_reasons, unheard_note,
                               unheard_words)
from .phone_fallback import fallback_piece
from .phones import NOISY_ONSETS, STOPS, PhoneError, TimedPhone, transcript_words
from .retakes import with_retakes
from .runs import true_runs
from .script_split import clauses, punctuation_after, split_words
from .speech_regions import Region, frame_levels, regions_from_mask, speech_mask
from .sphinx_align import (MIN_PHONE_FRAMES, Alignment, TimedWord, align_words, phone_count, place_heard_words,
                           place_words, prefetch_pronunciations, pronunciation)
from .viseme_decode import BREATH_MAX_S, BREATH_MIN_S, BREATH_SHARE, LINE_BREATHY, pause_noises
from .viseme_features import breathy, log_mel
from .wrong_words import WRONG_WORD_COST, mark_held_words, mark_wrong_words, recognized_over

SR = 16_000
PAD_S = 0.06  # audio kept around a piece's speech (never past the middle of the pause)
SILENCE_OVER_SPEECH_S = 0.07
WORD_OVER_SILENCE_S = 0.3
SQUEEZED_RUN = 4  # this many phones in a row at the minimum duration: words with no audio
BREATH_GAP_S = 0.05  # quiet that parts an inhale from the line it opens (shorter: one sound)
UNSAID_SPEECH_S = 0.3  # speech where a clause was left out beyond this: the clause was said after all
CUT_S = 0.05  # speech this near an end of the take: it was cut there (a recording starts with room tone)
MAX_GROW = 2  # a failing piece may take in this many following pieces
# Repairs may decode this much audio again (seconds + seconds per second of the take), then fall
# back. Counted in audio, not wall time, so the same input gives the same phones on any machine load.
REPAIR_BUDGET = (10.0, 1.0)
UNSCRIPTED_WEAK_S = 3.0  # seconds falling back before lines said that the script lacks are looked for
SLID_WEAK_S = 1.0  # seconds of script words falling back before a piece they slid onto is left out
SLID_TRIES = 8  # pieces left out one at a time, at most, where a line the script lacks made words slide
UNSCRIPTED_SHARE = 0.7  # a piece of speech is such a line where this share of it lies in one found


@dataclass
class Piece:
    start: float  # audio span of the piece (seconds)
    end: float
    lo: int  # its words [lo, hi)
    hi: int
    joined: bool = False  # two pieces joined by claim_wordless: not where the word pass placed them


@dataclass
class PhonePass:
    phones: list[TimedPhone]
    stretches: list[TimedStretch]
    words: list[TimedWord] = field(default_factory=list)  # script words where aligned (not cached)


def check(al: Alignment, speech: np.ndarray) -> str | None:
    """Why the alignment contradicts the audio (`speech`: bool per 10 ms of the take), or None."""
    for p in al.phones:
        a, b = _frame(p.start), _frame(p.end)
        if p.phone == "SIL" and _longest_run(speech[a:b]) >= SILENCE_OVER_SPEECH_S * 100:
            return f"the aligner heard silence over speech at {p.start:.2f}-{p.end:.2f} s"
    for w in al.words:
        a, b = _frame(w.start), _frame(w.end)
        if b - a >= WORD_OVER_SILENCE_S * 100 and speech[a:b].mean() < 0.2:
            return f'"{w.word}" was placed over silence'
    run = 0
    for p in al.phones:
        run = run + 1 if p.phone != "SIL" and _frame(p.end) - _frame(p.start) <= MIN_PHONE_FRAMES else 0
        if run >= SQUEEZED_RUN:
            return f"words squeezed into {p.end:.2f} s (not in the audio?)"
    return None


def align_script(x16: np.ndarray, transcript: str, fallback=fallback_piece,
                 wrong_word_limit: float = WRONG_WORD_COST, slid: bool = True) -> PhonePass:
    """Phones and reported stretches (seconds) of an English take with its script; a word whose
    acoustic cost is above `wrong_word_limit` (wrong_words; inf: none) is recognized and reported.
    Where `SLID_WEAK_S` or more falls back, lines said that the script lacks are looked for
    (with_lines_unscripted); speech with no script words that is a second reading of a line is
    aligned with that line's words (retakes). `slid` False: no piece is left out where words slid
    (only the viseme aligner's lines, from UNSCRIPTED_WEAK_S): a trial that may be thrown away."""
    result = _align_script(x16, transcript, fallback, wrong_word_limit)
    weak = SLID_WEAK_S if slid else UNSCRIPTED_WEAK_S
    if np.isfinite(wrong_word_limit) and words_fallen_back_s(result.stretches) >= weak:
        result = with_lines_unscripted(x16, transcript, result, fallback, wrong_word_limit, slid)
    judge = wrong_word_limit if np.isfinite(wrong_word_limit) else WRONG_WORD_COST
    phones, stretches = with_retakes(x16, transcript, result.phones, result.stretches, result.words, judge, check)
    return PhonePass(phones, stretches, result.words)


def words_fallen_back_s(stretches: list[TimedStretch]) -> float:
    """Seconds of the script's words that fell back. Unlike voice_warp.fallen_back_s, speech with no
    words of the script is not counted: it was found."""
    return sum(s.end - s.start for s in stretches if s.path in FALLBACK_PATHS and s.words)


def with_lines_unscripted(x16: np.ndarray, transcript: str, result: PhonePass, fallback,
                          wrong_word_limit: float, slid: bool = True) -> PhonePass:
    """`result` realigned around lines said that the script lacks, if that leaves fewer seconds
    falling back. The word pass has no pause that may hold speech, so such a line took the next
    lines' words and they slid; the viseme aligner has one (viseme_phones.unscripted_spans). Each
    piece of speech (between pauses) that lies mostly in a line it finds is left out of the script's
    alignment (its audio silenced), then recognized and reported as sound the script has no words for;
    first with each piece between two of those (inside a long line, the aligner may give one the
    words that slid), then without. It is asked only where UNSCRIPTED_WEAK_S or more falls back, and
    can miss a line or put it a piece early (a real reader's line that shares words with the next).
    So where SLID_WEAK_S or more still falls back, the piece where the first of those words lie is
    left out too, one piece at a time, while fewer seconds fall back with no more words falling back
    and none going unheard (a line said in other words keeps its words, reported where it was said)."""
    from .viseme_phones import unscripted_spans

    speech = speech_mask(frame_levels(x16))
    regions = regions_from_mask(speech)
    found = np.zeros(len(speech), bool)
    if words_fallen_back_s(result.stretches) >= UNSCRIPTED_WEAK_S:
        for a, b in unscripted_spans(x16, transcript, "en"):
            found[_frame(a):_frame(b)] = True
    lines = [r for r in regions
             if found[_frame(r.start):_frame(r.end)][speech[_frame(r.start):_frame(r.end)]].mean() >= UNSCRIPTED_SHARE]
    best, left_out = result, []
    between = _between(lines, regions)
    for pieces in ([lines + between] if between else []) + ([lines] if lines else []):
        other = _align_script(_muted(x16, pieces), transcript, fallback, wrong_word_limit)
        if words_fallen_back_s(other.stretches) < words_fallen_back_s(result.stretches):
            best, left_out = other, pieces
            break
    for _ in range(SLID_TRIES if slid else 0):
        if words_fallen_back_s(best.stretches) < SLID_WEAK_S:
            break
        piece = _first_slid_piece(best.stretches, regions, left_out)
        if piece is None:
            break
        other = _align_script(_muted(x16, left_out + [piece]), transcript, fallback, wrong_word_limit)
        if words_fallen_back_s(other.stretches) >= words_fallen_back_s(best.stretches) or \
                _words_fallen_back(other) > _words_fallen_back(best) or _words_unheard(other) > _words_unheard(best):
            break  # the words were said there: more of them fall back elsewhere, or are not heard at all
        best, left_out = other, left_out + [piece]
    if not left_out:
        return result
    phones, stretches = best.phones, best.stretches
    for r in sorted(left_out, key=lambda r: r.start):
        phones, stretches = recognized_over(x16, phones, stretches, best.words, speech, fallback, r.start, r.end,
                                            NO_SCRIPT_WORDS, context=0.0)
    return PhonePass(sorted(phones, key=lambda p: p.start), stretches, best.words)


def _words_fallen_back(result: PhonePass) -> int:
    """How many of the script's words lie in stretches that fell back (words_fallen_back_s: seconds)."""
    return sum(len(s.words.split()) for s in result.stretches if s.path in FALLBACK_PATHS)


def _words_unheard(result: PhonePass) -> int:
    """The script's words reported as not heard (alignment_report.unheard_note)."""
    return sum(len(words.split()) for s in result.stretches for words in unheard_words(s.reason))


def _muted(x16: np.ndarray, pieces: list[Region]) -> np.ndarray:
    out = x16.copy()
    for r in pieces:
        out[_sample(r.start):_sample(r.end)] = 0.0
    return out


def _between(found: list[Region], regions: list[Region]) -> list[Region]:
    """The pieces of speech whose neighbours on both sides were found to be lines the script lacks:
    the viseme aligner may give such a piece, inside a long line, the script's words that slid."""
    return [r for prev, r, nxt in zip(regions, regions[1:], regions[2:])
            if r not in found and prev in found and nxt in found]


def _first_slid_piece(stretches: list[TimedStretch], regions: list[Region], left_out: list[Region]
                      ) -> Region | None:
    """The piece of speech where the first script words fell back start, unless already left out."""
    first = min((s for s in stretches if s.path in FALLBACK_PATHS and s.words), key=lambda s: s.start, default=None)
    if first is None:
        return None
    piece = next((r for r in regions if r.end > first.start), None)
    return None if piece is None or piece in left_out else piece


def _align_script(x16: np.ndarray, transcript: str, fallback, wrong_word_limit: float) -> PhonePass:
    duration = len(x16) / SR
    words = transcript_words(transcript)
    prefetch_pronunciations(words)
    speech = speech_mask(frame_levels(x16))
    if not words:
        fb = fallback(x16, 0.0, speech)
        reason = join_reasons("the script has no words", fb.reason)
        return PhonePass(fb.phones, [TimedStretch(0.0, duration, fb.path, reason)])
    regions = regions_from_mask(speech) or [Region(0.0, duration)]
    aligner = _Aligner(x16, words, punctuation_after(transcript, len(words)), speech, duration, fallback)
    with ThreadPoolExecutor(max_workers=2) as pool:  # pocketsphinx decodes outside the GIL (sphinx_native)
        placed = None
        if len(regions) > 1:
            # While the word pass runs, the other core aligns the pieces of the split by expected
            # durations: most come out the same as the word pass's, and those are not aligned again.
            stop = threading.Event()
            pool.submit(lambda: aligner.speculate(
                _likely_first(aligner.plan(regions, None), aligner.punct), stop))
            cut = cut_in_speech(speech)
            if any(cut):  # the words before or after the cut are not in the take
                placed, aligner = _without_unsaid(aligner, transcript, *cut)
            if placed is None:
                try:
                    placed = place_words(x16, words)
                except PhoneError:
                    placed = None
            stop.set()
            if placed is None:  # perhaps lines of the script that were not said: find those that were
                placed, aligner = _without_unsaid(aligner, transcript)
        pieces = aligner.plan(regions, placed)
        aligner.placed = placed is not None or len(pieces) == 1
        first = list(pool.map(aligner.first_attempt, pieces))
    if aligner.placed:
        pieces, first = aligner.claim_wordless(pieces, first)
    result = aligner.run(pieces, first)
    phones, stretches = mark_wrong_words(x16, result.phones, result.stretches, result.words, speech, fallback,
                                         wrong_word_limit)
    if np.isfinite(wrong_word_limit):  # script fallback 0: the script is never given up
        phones, stretches = mark_held_words(x16, phones, stretches, result.words, speech, fallback)
    return PhonePass(phones, stretches, result.words)


def cut_in_speech(speech: np.ndarray) -> tuple[bool, bool]:
    """Whether the take opens, and whether it stops, in speech (within CUT_S of its first or last
    frame): cut from a longer recording inside a line, whose words before the cut or after it are
    not in it. The linear word pass would squeeze them into the take's first or last second and
    every piece after them would get the wrong words; the pass that may leave them out is used
    first, allowed to cut a line only at such an end (then, where it lost its way, the linear pass
    and the pass without cuts, as for a take that was not cut)."""
    said = np.flatnonzero(speech)
    if said.size == 0:
        return False, False
    edge = round(CUT_S * 100)
    return bool(said[0] < edge), bool(said[-1] >= len(speech) - edge)


def _without_unsaid(aligner: _Aligner, transcript: str, opens_cut: bool = False, stops_cut: bool = False
                    ) -> tuple[list[TimedWord] | None, _Aligner]:
    """Where the word pass could not place the whole script, or the take was cut inside a line
    (cut_in_speech): the words of the clauses that were said (sphinx_align.place_heard_words) and
    an aligner of those words alone, which reports the clauses, or the words of a cut line, left
    out where they would have been. Every clause said: (their times, the same aligner);
    nothing placed, or speech where clauses were left out: (None, the same aligner)."""
    words = aligner.words
    try:
        heard = place_heard_words(aligner.x16, words, clauses(transcript, len(words)), opens_cut, stops_cut)
    except PhoneError:
        return None, aligner
    left_out = true_runs(np.array([w is None for w in heard]))  # [i, j) runs of words not heard
    if not left_out:
        return heard, aligner
    if any(_speech_left_out(heard, i, j, aligner.speech, aligner.duration) for i, j in left_out):
        return None, aligner  # the pass lost its way rather than heard a line left out
    said = [i for i, w in enumerate(heard) if w is not None]
    kept = _Aligner(aligner.x16, [words[i] for i in said], aligner.punct[said], aligner.speech, aligner.duration,
                    aligner.fallback)
    kept.unsaid = {bisect_left(said, i): " ".join(words[i:j]) for i, j in left_out}  # by the next said word
    return [heard[i] for i in said], kept


def _speech_left_out(heard: list[TimedWord | None], i: int, j: int, speech: np.ndarray, duration: float) -> bool:
    """Whether speech where words [i, j) were left out (between the said words around them) lasts
    longer than UNSAID_SPEECH_S: a line not said leaves a pause, not speech. Where the word pass could
    not place a script that was all said (an espeak-ng voice in tests/test_audio_piecewise.py), the
    pass with clauses left out may drop the last clause and leave its speech to the silence model."""
    start = heard[i - 1].end if i > 0 else 0.0
    end = heard[j].start if j < len(heard) else duration
    return bool(speech[_frame(start):_frame(end)].sum() > UNSAID_SPEECH_S * 100)


def _plan(regions, words, punct, placed, duration) -> list[Piece]:
    bounds = [0.0] + [(a.end + b.start) / 2 for a, b in zip(regions, regions[1:])] + [duration]
    spans = [(max(bounds[i], r.start - PAD_S), min(bounds[i + 1], r.end + PAD_S)) for i, r in enumerate(regions)]
    if len(regions) == 1:
        return [Piece(*spans[0], 0, len(words))]
    if placed is not None:  # words stay where the word pass put them
        mids = np.array([(w.start + w.end) / 2 for w in placed])
        owner = np.clip(np.searchsorted(bounds, mids, side="right") - 1, 0, len(regions) - 1)
        ranges = [(int(np.searchsorted(owner, i, "left")), int(np.searchsorted(owner, i, "right")))
                  for i in range(len(regions))]
    else:
        counts = [phone_count(w) for w in words]
        ranges = split_words(counts, [r.end - r.start for r in regions], punct)
    return [Piece(s, e, lo, hi) for (s, e), (lo, hi) in zip(spans, ranges)]


class _Aligner:
    def __init__(self, x16, words, punct, speech, duration, fallback):
        self.x16, self.words, self.speech, self.duration = x16, words, speech, duration
        self.punct = punct  # bool per word: punctuation after it
        self.fallback, self.placed = fallback, True
        # script words not said (not heard), by the index of the next word said (len(words): after the last)
        self.unsaid: dict[int, str] = {}
        self._breath: np.ndarray | None = None  # breath-like frames of the take, found when first asked
        self._breath_lock = threading.Lock()  # after_breath asks from both cores
        self._noises: np.ndarray | None = None  # breaths and clicks alone in a pause, found when first asked
        self.repair_left = REPAIR_BUDGET[0] + REPAIR_BUDGET[1] * duration  # seconds of audio to re-decode
        self._firsts: dict[tuple, Future] = {}  # first attempts by (start, end, lo, hi), each run once
        self._lock = threading.Lock()

    def plan(self, regions: list[Region], placed) -> list[Piece]:
        """_plan's pieces, each from after an inhale that opens it (after_breath)."""
        return [self.after_breath(p) for p in _plan(regions, self.words, self.punct, placed, self.duration)]

    def after_breath(self, p: Piece) -> Piece:
        """`p` from after a breath that opens it, an inhale closer to the line than a pause: aligned
        with it, pocketsphinx stretched the line's first phone over the breath or pulled the whole line
        early into it. Kept whole before a word whose first sound is noise before a stop ("Stop",
        "Sky"): parted from the rest by the stop's silence, that sound is breath-like and alone too;
        where the run is shorter than BREATH_MIN_S (a stop's burst before its quiet aspiration); and
        where the line after it is breath-like too (whispered: LINE_BREATHY)."""
        if p.hi == p.lo or _noise_then_stop(pronunciation(self.words[p.lo]).split()):
            return p
        a = _frame(p.start)
        parts = regions_from_mask(self.speech[a:_frame(p.end)], BREATH_GAP_S, 0.0)
        if len(parts) < 2 or not BREATH_MIN_S <= parts[0].end - parts[0].start <= BREATH_MAX_S:
            return p
        s0, e0, s1 = a + _frame(parts[0].start), a + _frame(parts[0].end), a + _frame(parts[1].start)
        breath, speech = self.breath(), self.speech
        first, line = slice(s0, e0), slice(s1, _frame(p.end))
        if breath[first][speech[first]].mean() < BREATH_SHARE or not breath[line][speech[line]].mean() < LINE_BREATHY:
            return p  # not a breath, or a whispered line
        return replace(p, start=max(e0 / 100, p.start + parts[1].start - PAD_S))

    def first_attempt(self, p: Piece):
        """attempt(p, inner_pause=False), computed once per piece even when asked for twice."""
        if p.hi == p.lo:
            return None, ""
        key = (p.start, p.end, p.lo, p.hi)
        with self._lock:
            future, mine = self._firsts.get(key), key not in self._firsts
            if mine:
                future = self._firsts[key] = Future()
        if mine:
            try:
                future.set_result(self.attempt(p, inner_pause=False))
            except BaseException as exc:
                future.set_exception(exc)
        return future.result()

    def speculate(self, pieces: list[Piece], stop: threading.Event) -> None:
        """First attempts of `pieces` in order until `stop` (alignment is a pure function of the
        audio and the words, so a result is the same whichever plan asked for it first)."""
        for p in pieces:
            if stop.is_set():
                return
            self.first_attempt(p)

    def claim_wordless(self, pieces: list[Piece], first: list) -> tuple[list[Piece], list]:
        """Each piece with speech but no words, joined to a neighbour with two or more words where
        the neighbour's words aligned over both (with pauses allowed) put the nearest one in it."""
        pieces, first = list(pieces), list(first)
        i = 0
        while i < len(pieces):
            p = pieces[i]
            if p.hi != p.lo or not _has_speech(self.speech, p) or self.breath_or_click(p):
                i += 1
                continue
            for j in (i - 1, i + 1):
                if not 0 <= j < len(pieces) or pieces[j].hi - pieces[j].lo < 2 or first[j][0] is None:
                    continue
                donor = pieces[j]
                joined = Piece(min(p.start, donor.start), max(p.end, donor.end), donor.lo, donor.hi, joined=True)
                if not self.spend(joined):
                    return pieces, first
                # pauses allowed, and only so: without them any word can be stretched over an ad-lib
                result = self.best_effort(joined)
                if result is None or check(result, self.speech) is not None:
                    continue
                nearest = result.words[-1 if j < i else 0]
                if p.start <= (nearest.start + nearest.end) / 2 <= p.end:
                    a = min(i, j)
                    pieces[a:a + 2], first[a:a + 2] = [joined], [(result, "")]
                    i = a
                    break
            i += 1
        return pieces, first

    def breath(self) -> np.ndarray:
        """[frames of `speech`] bool: breath-like frames of the take (viseme_features.breathy),
        computed once, when a piece first needs them."""
        with self._breath_lock:
            if self._breath is None:
                found = breathy(self.x16, log_mel(self.x16))[:len(self.speech)]
                self._breath = np.zeros(len(self.speech), bool)
                self._breath[:len(found)] = found
        return self._breath

    def breath_or_click(self, p: Piece) -> bool:
        """Whether the sound of a piece with no words is only a breath or a click alone in its pause
        (viseme_decode.pause_noises): a pause, not words missing from the script."""
        if self._noises is None:
            self._noises = pause_noises(self.speech, self.breath())
        a, b = _frame(p.start), _frame(p.end)
        speech = self.speech[a:b]
        return bool(speech.any() and self._noises[a:b][speech].all())

    def run(self, pieces: list[Piece], first: list) -> PhonePass:
        bounds = [0.0] + [(a.end + b.start) / 2 for a, b in zip(pieces, pieces[1:])] + [self.duration]
        phones: list[TimedPhone] = []
        stretches: list[TimedStretch] = []
        words: list[TimedWord] = []
        i = 0
        while i < len(pieces):
            p, (result, why) = pieces[i], first[i]
            lo_t = bounds[i]
            if p.hi == p.lo:
                if _has_speech(self.speech, p) and not self.breath_or_click(p):  # noise, or words not in the script
                    # an ad-lib is speech: recognized, so its p/b/m close as in any other language
                    fb = self.fallback(self.x16[_sample(p.start):_sample(p.end)], p.start, self.speech, "")
                    phones += fb.phones
                    stretches.append(TimedStretch(lo_t, bounds[i + 1], fb.path, join_reasons(NO_SCRIPT_WORDS,
                                                                                              fb.reason)))
                else:
                    _add(stretches, TimedStretch(lo_t, bounds[i + 1], "aligned" if self.placed else "piecewise"))
                i += 1
                continue
            path, note, last, kept = ("aligned" if self.placed and not p.joined else "piecewise"), "", i, (p.lo, p.hi)
            if result is None:
                path = "piecewise"
                result, note, last, kept = self.repair(pieces, i)
            if result is None and self.placed:
                result, path = self.best_effort(p), "aligned"  # keep what the word pass placed
            text = " ".join(self.words[kept[0]:kept[1]])
            unsaid = self.unsaid_in(pieces, i, last)
            if result is not None:
                phones += result.phones
                words += result.words
                _add(stretches, TimedStretch(lo_t, bounds[last + 1], path, join_reasons(unsaid, note), text))
            else:
                fb = self.fallback(self.x16[_sample(p.start):_sample(p.end)], p.start, self.speech, text)
                phones += fb.phones
                words += fb.words
                stretches.append(TimedStretch(lo_t, bounds[last + 1], fb.path, join_reasons(unsaid, why, fb.reason),
                                              text))
            i = last + 1
        return PhonePass(sorted(phones, key=lambda q: q.start), stretches, sorted(words))

    def unsaid_in(self, pieces: list[Piece], i: int, last: int) -> str:
        """The note for pieces i..last of the script's words left out before (or, at the end, after)
        their words."""
        if not self.unsaid:
            return ""
        lo, hi = pieces[i].lo, pieces[last].hi
        at_end = all(q.hi == q.lo for q in pieces[last + 1:])
        left = [text for k, text in sorted(self.unsaid.items()) if lo <= k < hi or at_end and k == hi]
        return unheard_note(" ... ".join(left)) if left else ""

    def attempt(self, p: Piece, inner_pause: bool, lo: int | None = None, hi: int | None = None):
        """Without silences between words first (a piece cut between pauses has none), then with;
        a piece grown over a pause tries the other order. -> (alignment or None, why not)."""
        words = self.words[p.lo if lo is None else lo:p.hi if hi is None else hi]
        why = ""
        for filler in (inner_pause, not inner_pause):
            try:
                al = align_words(self.x16[_sample(p.start):_sample(p.end)], words, filler=filler, offset=p.start)
            except PhoneError as exc:
                why = why or str(exc)
                continue
            problem = check(al, self.speech)
            if problem is None:
                return al, ""
            why = why or problem
        return None, why

    def repair(self, pieces: list[Piece], i: int):
        """Grow into the next pieces, then shed a clause: -> (alignment, note, last piece, kept words)."""
        p = pieces[i]
        for j in range(i + 1, min(len(pieces), i + 1 + MAX_GROW)):
            if pieces[j].hi == pieces[j].lo:
                continue
            grown = Piece(p.start, pieces[j].end, p.lo, pieces[j].hi)
            if not self.spend(grown):
                return None, "", i, (p.lo, p.hi)
            result, _ = self.attempt(grown, inner_pause=True)
            if result is not None:
                return result, "", j, (p.lo, pieces[j].hi)
        cuts = [k + 1 for k in range(p.lo, p.hi - 1) if self.punct[k]]
        best = None
        for lo, hi in [(c, p.hi) for c in cuts[:1]] + [(p.lo, c) for c in cuts[-1:]]:
            if not self.spend(p):
                break
            result, _ = self.attempt(p, inner_pause=False, lo=lo, hi=hi)
            if result is not None and (best is None or result.score > best[0].score):
                dropped = " ".join(self.words[p.lo:lo] + self.words[hi:p.hi])
                best = (result, unheard_note(dropped), i, (lo, hi))
        return best or (None, "", i, (p.lo, p.hi))

    def spend(self, p: Piece) -> bool:
        """Take a repair attempt of `p` out of the budget; False when none is left."""
        cost = p.end - p.start  # what one decode of the piece costs (pocketsphinx: ~0.05 s per second)
        if cost > self.repair_left:
            return False
        self.repair_left -= cost
        return True

    def best_effort(self, p: Piece) -> Alignment | None:
        try:
            return align_words(self.x16[_sample(p.start):_sample(p.end)], self.words[p.lo:p.hi], filler=True,
                               offset=p.start)
        except PhoneError:
            return None


def _likely_first(guess: list[Piece], punct: np.ndarray) -> list[Piece]:
    """The guessed pieces most likely to be right first: those that start and end at punctuation
    (where readers pause, so text and audio agree there), then the others; each group from both
    ends of the take inwards (the split is anchored at both ends of the script and drifts between)."""
    def at_pause(i: int) -> bool:
        return i in (0, len(punct)) or bool(punct[i - 1])

    order = [k for pair in zip(range(len(guess)), range(len(guess) - 1, -1, -1)) for k in pair]
    order = list(dict.fromkeys(order))
    return sorted((guess[k] for k in order), key=lambda p: not (at_pause(p.lo) and at_pause(p.hi)))


def _noise_then_stop(phones: list[str]) -> bool:
    return len(phones) > 1 and phones[0] in NOISY_ONSETS and phones[1] in STOPS


def _has_speech(speech: np.ndarray, p: Piece) -> bool:
    return bool(speech[_frame(p.start):_frame(p.end)].sum() >= SILENCE_OVER_SPEECH_S * 100)


def _add(stretches: list[TimedStretch], s: TimedStretch) -> None:
    """Neighbouring pieces the word pass placed are one `aligned` stretch."""
    prev = stretches[-1] if stretches else None
    if prev is not None and s.path == "aligned" and prev.path == "aligned" and not (prev.reason or s.reason):
        stretches[-1] = prev._replace(end=s.end, words=" ".join(filter(None, (prev.words, s.words))))
    else:
        stretches.append(s)


def _frame(t: float) -> int:
    return int(round(t * 100))


def _sample(t: float) -> int:
    return int(round(t * SR))


def _longest_run(mask: np.ndarray) -> int:
    return max((b - a for a, b in true_runs(mask)), default=0)
