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
aligner placed a pause), so a tail is only ever let be silent, never made so.
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
