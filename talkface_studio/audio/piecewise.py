"""English script alignment that keeps what aligned and says where it could not.

1. The whole script is aligned in one pass and the result is checked against the audio's energy
   (silence over speech, words over silence, words squeezed into 30 ms phones). A clean result is
   the `aligned` path for the whole take.
2. Otherwise the take is cut at its pauses (speech_regions). Each piece gets its words: from the
   first pass where it reached the end (a word belongs to the piece its middle falls in), else
   from their expected durations (script_split, as aeneas splits text by timing). Only the pieces
   that are wrong are aligned again, alone and with no silence allowed inside them (the aligner
   can then not park loud words under a pause). A piece that still fails grows into the next one
   (the split was off by a word), then sheds a clause at either end (a sentence in the script that
   is not in the audio), and only then falls back, for that piece alone (phone_fallback).

Every stretch of the take is reported with its path and, where it fell back, the reason.
Similar in spirit to the Montreal Forced Aligner's retry with wider beams and aeneas' split of
the text by timing; no code from either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .alignment_report import TimedStretch
from .phone_fallback import fallback_piece
from .phones import PhoneError, TimedPhone, transcript_words
from .script_split import punctuation_after, split_words
from .speech_regions import Region, frame_levels, regions_from_mask, speech_mask
from .sphinx_align import MIN_PHONE_FRAMES, Alignment, align_words, phone_count

SR = 16_000
PAD_S = 0.06  # audio kept around a piece's speech (never past the middle of the pause)
SILENCE_OVER_SPEECH_S = 0.07
WORD_OVER_SILENCE_S = 0.3
SQUEEZED_RUN = 4  # this many phones in a row at the minimum duration: words with no audio
MAX_GROW = 2  # a failing piece may take in this many following pieces


@dataclass
class Piece:
    start: float  # audio span of the piece (seconds)
    end: float
    lo: int  # its words [lo, hi)
    hi: int
    todo: bool = True


@dataclass
class PhonePass:
    phones: list[TimedPhone]
    stretches: list[TimedStretch]


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


def align_script(x16: np.ndarray, transcript: str, fallback=fallback_piece) -> PhonePass:
    """Phones and reported stretches (seconds) of an English take with its script."""
    duration = len(x16) / SR
    words = transcript_words(transcript)
    speech = speech_mask(frame_levels(x16))
    if not words:
        fb = fallback(x16, 0.0, speech)
        return PhonePass(fb.phones, [TimedStretch(0.0, duration, fb.path, _join("the script has no words", fb.reason))])
    whole, problem = None, None
    try:
        whole = align_words(x16, words, filler=True)
        problem = check(whole, speech)
    except PhoneError as exc:
        problem = str(exc)
    if whole is not None and problem is None:
        return PhonePass(whole.phones, [TimedStretch(0.0, duration, "aligned", "", "")])

    regions = regions_from_mask(speech) or [Region(0.0, duration)]
    pieces = _plan(regions, words, transcript, whole, speech, duration)
    return _align_pieces(x16, words, transcript, pieces, whole, speech, duration, fallback)


def _plan(regions, words, transcript, whole, speech, duration) -> list[Piece]:
    bounds = [0.0] + [(a.end + b.start) / 2 for a, b in zip(regions, regions[1:])] + [duration]
    spans = [(max(bounds[i], r.start - PAD_S), min(bounds[i + 1], r.end + PAD_S)) for i, r in enumerate(regions)]
    if whole is not None:  # words stay where the first pass put them; only wrong pieces are redone
        mids = np.array([(w.start + w.end) / 2 for w in whole.words])
        owner = np.clip(np.searchsorted(bounds, mids, side="right") - 1, 0, len(regions) - 1)
        ranges = [(int(np.searchsorted(owner, i, "left")), int(np.searchsorted(owner, i, "right")))
                  for i in range(len(regions))]
        pieces = [Piece(s, e, lo, hi) for (s, e), (lo, hi) in zip(spans, ranges)]
        for p in pieces:
            sub = Alignment([q for q in whole.phones if p.start <= (q.start + q.end) / 2 < p.end],
                            whole.words[p.lo:p.hi], 0.0)
            p.todo = check(sub, speech) is not None or (p.hi == p.lo and _has_speech(speech, p))
        return pieces
    counts = [phone_count(w) for w in words]
    durations = [r.end - r.start for r in regions]
    ranges = split_words(counts, durations, punctuation_after(transcript, len(words)))
    return [Piece(s, e, lo, hi) for (s, e), (lo, hi) in zip(spans, ranges)]


def _align_pieces(x16, words, transcript, pieces, whole, speech, duration, fallback) -> PhonePass:
    punct = punctuation_after(transcript, len(words))
    bounds = [0.0] + [(a.end + b.start) / 2 for a, b in zip(pieces, pieces[1:])] + [duration]
    phones: list[TimedPhone] = []
    stretches: list[TimedStretch] = []
    i = 0
    while i < len(pieces):
        p = pieces[i]
        lo_t, hi_t = bounds[i], bounds[i + 1]
        text = " ".join(words[p.lo:p.hi])
        if not p.todo:
            phones += [q for q in whole.phones if lo_t <= (q.start + q.end) / 2 < hi_t]
            _add(stretches, TimedStretch(lo_t, hi_t, "aligned", "", text))
            i += 1
            continue
        if p.hi == p.lo:  # speech with no script words: noise, or words missing from the script
            _add(stretches, TimedStretch(lo_t, hi_t, "acoustic", "sound here matches no words of the script"))
            i += 1
            continue
        result, why = _try_both(x16, words, p, speech, inner_pause=False)
        last, note = i, ""
        for j in range(i + 1, min(len(pieces), i + 1 + MAX_GROW)):
            if result is not None:
                break
            if pieces[j].hi == pieces[j].lo:
                continue
            grown = Piece(p.start, pieces[j].end, p.lo, pieces[j].hi)
            (result, _), last = _try_both(x16, words, grown, speech, inner_pause=True), j
        kept = (p.lo, pieces[last].hi)
        if result is None:
            last = i
            result, note, kept = _shed_clause(x16, words, punct, p, speech)
        hi_t = bounds[last + 1]
        text = " ".join(words[kept[0]:kept[1]])
        if result is not None:
            phones += result.phones
            _add(stretches, TimedStretch(lo_t, hi_t, "piecewise", note, text))
        elif whole is not None:
            # The first pass placed these words here and nothing placed them better: keep it (its
            # silences over speech are relabelled and reported by analysis, loud_frames).
            phones += [q for q in whole.phones if lo_t <= (q.start + q.end) / 2 < hi_t]
            _add(stretches, TimedStretch(lo_t, hi_t, "aligned", "", text))
        else:
            s, e = _sample(p.start), _sample(p.end)
            fb = fallback(x16[s:e], p.start, speech)
            phones += fb.phones
            _add(stretches, TimedStretch(lo_t, hi_t, fb.path, _join(why, fb.reason), text))
        i = last + 1
    return PhonePass(sorted(phones, key=lambda q: q.start), stretches)


def _try(x16, words, p: Piece, speech, filler: bool) -> tuple[Alignment | None, str]:
    """(alignment, "") when the piece's words align and pass the checks, else (None, why not)."""
    try:
        al = align_words(x16[_sample(p.start):_sample(p.end)], words[p.lo:p.hi], filler=filler, offset=p.start)
    except PhoneError as exc:
        return None, str(exc)
    problem = check(al, speech)
    return (al, "") if problem is None else (None, problem)


def _try_both(x16, words, p: Piece, speech, inner_pause: bool) -> tuple[Alignment | None, str]:
    """Without silences between words first (a piece cut between pauses has none), then with them;
    a piece grown over a pause tries the other order."""
    first, why = _try(x16, words, p, speech, filler=inner_pause)
    if first is not None:
        return first, ""
    second, _ = _try(x16, words, p, speech, filler=not inner_pause)
    return second, ("" if second is not None else why)


def _shed_clause(x16, words, punct, p: Piece, speech) -> tuple[Alignment | None, str, tuple[int, int]]:
    """Drop the piece's first or last clause (up to / from a punctuation mark inside it), keep the
    better-scoring alignment that passes: a sentence of the script that was never spoken."""
    cuts = [k + 1 for k in range(p.lo, p.hi - 1) if punct[k]]
    best, note, kept = None, "", (p.lo, p.hi)
    for lo, hi in [(c, p.hi) for c in cuts[:1]] + [(p.lo, c) for c in cuts[-1:]]:
        al, _ = _try_both(x16, words, Piece(p.start, p.end, lo, hi), speech, inner_pause=False)
        if al is not None and (best is None or al.score > best.score):
            dropped = words[p.lo:lo] + words[hi:p.hi]
            best, note, kept = al, f'script words not heard: "{" ".join(dropped)}"', (lo, hi)
    return best, note, kept


def _has_speech(speech: np.ndarray, p: Piece) -> bool:
    return bool(speech[_frame(p.start):_frame(p.end)].sum() >= SILENCE_OVER_SPEECH_S * 100)


def _add(stretches: list[TimedStretch], s: TimedStretch) -> None:
    """Neighbouring stretches of the whole-take alignment are one stretch."""
    if stretches and s.path == "aligned" and stretches[-1].path == "aligned":
        prev = stretches[-1]
        stretches[-1] = prev._replace(end=s.end, words=" ".join(filter(None, (prev.words, s.words))))
    else:
        stretches.append(s)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _frame(t: float) -> int:
    return int(round(t * 100))


def _sample(t: float) -> int:
    return int(round(t * SR))


def _longest_run(mask: np.ndarray) -> int:
    if not mask.any():
        return 0
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
    return int((edges[1::2] - edges[::2]).max())
