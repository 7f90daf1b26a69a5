"""Loud speech always moves the jaw: the last safety net of the lip sync.

Whatever the phones say (a recognizer that heard a long /m/, an aligner that put a word in the
wrong place), a stretch of loud voiced sound longer than STILL_MAX_S with the jaw nearly shut is
not how anybody speaks. There the jaw follows the loudness (the acoustic jaw) and the lips part.
Real closures are kept: frames labelled P/B/M/F/V count as still only past CLOSURE_MAX_S (a long
hummed /m/ is fine, a sealed mouth through a whole word is not). A lip closure and a lower-lip
tuck are two articulations, each judged on its own: "from fairest" said slowly is an /m/ and an
/f/ of 0.12 s each, not one 0.24 s closure. Frames the artist set to a mouth shape by hand are
theirs: the net never opens them.
"""

from __future__ import annotations

import numpy as np

from talkface_studio.audio.runs import true_runs

STILL_MAX_S = 0.12  # a still mouth during loud voiced sound may last this long
CLOSURE_MAX_S = 0.2  # a labelled lip closure may last this long
STILL_JAW = 0.12  # jaw_open below this (inner lips < ~2 mm apart) is "barely moving"
STILL_PRESS = 0.5  # lip_press above this keeps the lips together whatever the jaw does
MIN_JAW = 0.18  # the net opens the jaw at least this far


def still_runs(still: np.ndarray, min_frames: int) -> list[tuple[int, int]]:
    return [(a, b) for a, b in true_runs(still) if b - a > min_frames]


def keep_jaw_moving(mouth: np.ndarray, loud_voiced: np.ndarray, labels: np.ndarray, acoustic_jaw: np.ndarray,
                    fps: float, kept: np.ndarray | None = None) -> np.ndarray:
    """Fix `mouth` [T, 5] (jaw, wide, round, press, tuck) in place, never on `kept` frames (bool [T]);
    returns the frames it opened (bool [T])."""
    n = len(mouth)
    still = loud_voiced[:n] & ((mouth[:, 0] < STILL_JAW) | (mouth[:, 3] > STILL_PRESS))
    closure = np.zeros(n, dtype=bool)
    for kind in (("P", "B", "M"), ("F", "V")):
        labelled = np.isin(labels[:n], kind)
        for a, b in still_runs(labelled, int(CLOSURE_MAX_S * fps)):
            labelled[a:b] = False  # a "closure" this long is a mislabelled vowel
        closure |= labelled
    candidates = still & ~closure
    if kept is not None:
        candidates &= ~np.asarray(kept, dtype=bool)[:n]
    opened = np.zeros(n, dtype=bool)
    for a, b in still_runs(candidates, int(STILL_MAX_S * fps)):
        opened[a:b] = True
    if opened.any():
        mouth[opened, 0] = np.maximum(mouth[opened, 0], np.maximum(acoustic_jaw[:n][opened], MIN_JAW))
        mouth[opened, 3] = np.minimum(mouth[opened, 3], 0.2)
        mouth[opened, 4] = np.minimum(mouth[opened, 4], 0.2)
    return opened
