"""What a piece of speech gets when its script words cannot be aligned to it: the fallback chain.

One small function on purpose, so another front end can be plugged in at the top (a viseme
aligner or recognizer for any language, then pocketsphinx, then the acoustic guess). Each step
returns phones in seconds (take time) or None to pass to the next; the last step, `acoustic`,
returns no phones: analysis labels those frames from loudness and spectrum.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .phones import PhoneError, TimedPhone, recognise

# Recognition is unusable where it leaves most of the piece's speech unlabelled.
MIN_SPEECH_COVERAGE = 0.5


class Fallback(NamedTuple):
    phones: list[TimedPhone]
    path: str  # "piecewise" | "recognized" | "acoustic"
    reason: str  # why this step was taken (appended to the piece's own reason)
    words: list | tuple = ()  # the script's words where the viseme aligner placed them (sphinx_align.TimedWord)


def fallback_piece(x16: np.ndarray, offset: float, speech: np.ndarray, words: str = "",
                   language: str = "en", closure_bias: float | None = None, script_fallback: float = 1.0) -> Fallback:
    """Phones for audio `x16` starting at `offset` s in the take; `speech` [frames of 10 ms] of the take.

    The chain: the piece's script `words` aligned by the viseme aligner (language-neutral; path
    "piecewise" when it holds), else the viseme recognizer ("recognized"), else pocketsphinx's
    English phone loop, else the acoustic guess. `closure_bias` (viseme_decode.closure_bias_for;
    None: the shipped one) is how readily the viseme recognizer hears lip closures; `script_fallback`
    (1 as shipped, 0 never) how readily the viseme aligner gives the words up.
    """
    from .viseme_decode import CLOSURE_BIAS
    from .viseme_phones import viseme_fallback

    step = viseme_fallback(x16, offset, words, language, CLOSURE_BIAS if closure_bias is None else closure_bias,
                           script_fallback)
    if step is not None:
        return Fallback(*step)
    try:
        phones = [TimedPhone(p.start + offset, p.end + offset, p.phone) for p in recognise(x16)]
    except PhoneError as exc:
        return Fallback([], "acoustic", f"phone recognition failed: {exc}")
    coverage = speech_coverage(phones, speech, offset, offset + len(x16) / 16000)
    if coverage < MIN_SPEECH_COVERAGE:
        return Fallback([], "acoustic", f"phone recognition heard speech in only {coverage:.0%} of it")
    return Fallback(phones, "recognized", "")


def speech_coverage(phones: list[TimedPhone], speech: np.ndarray, start: float, end: float) -> float:
    """Share of the speech frames in [start, end) s that lie under a phone other than SIL."""
    a, b = int(round(start * 100)), int(round(end * 100))
    window = speech[a:b]
    if not window.any():
        return 1.0
    labelled = np.zeros(len(window), dtype=bool)
    for p in phones:
        if p.phone != "SIL":
            labelled[max(0, int(round(p.start * 100)) - a):max(0, int(round(p.end * 100)) - a)] = True
    return float((labelled & window).sum() / window.sum())
