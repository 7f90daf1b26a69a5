"""A room's reverberation after a word is a pause, not speech.

Recorded far from the mouth in a live room (reverberation time 0.5-1 s, the reverberant sound as
loud as the direct one or louder), a word rings on after it ends: the level falls steadily at the
room's rate (60 dB per reverberation time, 60-120 dB/s) and through a short pause stays within
10-20 dB of the loud level. The silence guards, which read loud frames as speech
(viseme_decode.LOUD_DB, loud_frames.LOUD), then forbade the pause: the script aligner filled it
with phones (a 0.4 s lip closure in French "vous | naviguerez") and ran up to 0.3 s early, and
a pause an aligner did place was relabelled and reported as a stretch that fell back.

A tail is told from speech by its level alone: it falls from the sound just before it, never
rising `RISE_DB` over its lowest so far, falling at least `MIN_FALL_DB_S` on average and, over
the run, more than `RISE_DB` in all. A fading syllable in a dry recording falls far faster and
leaves the loud range within a frame or two; a held vowel does not fall; the next word's onset
rises. Callers choose which frames may be a tail (where the recognizer hears silence, or where an
aligner placed a pause), so a tail is only ever let be silent, never made so; release_word_ends
does the same for an English script's phones, whose aligner has no silence of its own for a ring.
"""

from __future__ import annotations

import numpy as np

from .runs import true_runs

RISE_DB = 3.0  # a tail never rises this far over its lowest level so far (frame-to-frame flutter)
MIN_FALL_DB_S = 40.0  # ... and falls at least this fast on average (a reverberation time up to 1.5 s)
PEAK_S = 0.03  # the level a tail falls from: the loudest of this much before its run


def decaying(level_db: np.ndarray, candidate: np.ndarray, fps: float) -> np.ndarray:
    """[T] bool: the frames of each run of `candidate` that are a tail of the sound just before the
    run, from the run's start until the level rises or stops falling fast enough, where the level
    fell more than the flutter over them."""
    level = np.asarray(level_db, np.float64)
    out = np.zeros(len(candidate), bool)
    before = max(1, int(round(PEAK_S * fps)))
    for a, b in true_runs(np.asarray(candidate, bool)[: len(level)]):
        if a == 0:
            continue
        peak = lowest = level[max(0, a - before):a].max()
        end = a
        for t in range(a, b):
            lowest = min(lowest, level[t])
            allowed = peak - MIN_FALL_DB_S * (t - a + 1) / fps + RISE_DB
            if level[t] > lowest + RISE_DB or level[t] > allowed:
                break
            end = t + 1
        if end > a and level[a:end].min() <= peak - RISE_DB:  # it fell: a level held within the flutter is no tail
            out[a:end] = True
    return out


MIN_PAUSE_S = 0.08  # a ring that would make a shorter pause stays in the word: a frame of rest is flicker
KEEP_S = 0.04  # a phone keeps at least this much of itself, on its word's side of the ring
HELD_AT_REST = frozenset({"P", "B", "M"})  # lips shut in a pause look at rest: a closure is never cut


def release_word_ends(phones, words, level_db: np.ndarray, silent: np.ndarray, fps: float) -> list:
    """`phones` (TimedPhone, seconds, in order) with a room's ring between words given back to the
    pause. pocketsphinx's English acoustic model, trained on close speech, has no silence for a
    ring: it holds a word's last vowel through it, or starts the next word early, so the lips hold a
    vowel through the pause. In a phone at either edge of a word, the first run of frames that
    `silent` marks (the recognizer hears silence) and that falls as a tail of the sound before it
    (decaying) is cut out of the phone, where it makes a pause (with any gap it touches) of
    MIN_PAUSE_S or more; the phone keeps KEEP_S on its word's side. A lip closure (HELD_AT_REST)
    is left whole."""
    starts = {round(w.start, 3) for w in words}
    ends = {round(w.end, 3) for w in words}
    n = min(len(level_db), len(silent))
    out = []
    for i, p in enumerate(phones):
        first, last = round(p.start, 3) in starts, round(p.end, 3) in ends
        ring = _ring_in(p, level_db, silent, n, fps) if (first or last) and p.phone not in HELD_AT_REST else None
        pieces = [p]
        if ring is not None:
            r0, r1 = ring
            if last and r1 >= p.end:  # rung on after the word: the phone keeps its own start
                pieces = [p._replace(end=max(r0, p.start + KEEP_S))]
            elif first and r0 <= p.start:  # the word started in the ring: it keeps its end
                pieces = [p._replace(start=min(r1, p.end - KEEP_S))]
            else:  # a ring inside: what is left either side, a sliver under KEEP_S going to the pause
                pieces = [q for q in (p._replace(end=r0), p._replace(start=r1)) if q.end - q.start >= KEEP_S - 1e-9]
            a = pieces[0].end if pieces and pieces[0].start == p.start else p.start
            b = pieces[-1].start if pieces and pieces[-1].end == p.end else p.end
            gap_before = p.start - phones[i - 1].end if i > 0 else p.start
            gap_after = phones[i + 1].start - p.end if i + 1 < len(phones) else 0.0
            pause = b - a + (gap_before if a <= p.start else 0.0) + (gap_after if b >= p.end else 0.0)
            if not pieces or b - a <= 0 or pause < MIN_PAUSE_S - 1e-9:
                pieces = [p]
        out += pieces
    return out


def _ring_in(p, level_db: np.ndarray, silent: np.ndarray, n: int, fps: float) -> tuple[float, float] | None:
    """(start, end) seconds of the first ring inside phone `p`, or None."""
    a, b = int(round(p.start * fps)), min(n, int(round(p.end * fps)))
    for ra, rb in true_runs(np.asarray(silent[a:b], bool)):
        candidate = np.zeros(n, bool)
        candidate[a + ra:a + rb] = True
        tail = decaying(level_db[:n], candidate, fps)[a + ra:a + rb]
        length = int(np.argmin(tail)) if not tail.all() else len(tail)
        if length:  # from the phone's own edges where the ring reaches them (no sliver of rounding)
            start = p.start if ra == 0 else (a + ra) / fps
            return start, p.end if a + ra + length >= b else (a + ra + length) / fps
    return None
