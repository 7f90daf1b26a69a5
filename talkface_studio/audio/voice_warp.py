"""An English voice far from pocketsphinx's training, read through a vocal-tract-length warp.

pocketsphinx's US-English acoustic model is trained on adults. A shorter vocal tract (a child's, a
very high voice) puts every formant 15-35 % higher, every word of the script scores worse, and
correct words pass the wrong-word limit and fall back: a LibriVox reader re-made with her
frequencies x1.25 (a plain resample, so 1.25x faster too) scored a median -4.1 nats a frame
instead of -1.4, had 2 stretches fall back and closed 10 of 12 p/b/m. Speaker normalisation by a
frequency warp is the standard cure (vocal-tract-length normalisation, the warp chosen by the
likelihood it gives). Here the warp is a resample of the audio: read `warp` times longer, every
frequency falls by that factor, and the phones found are scaled back to the take's time.

Only a take whose words score poorly as recorded (median under POOR_SCORE) is aligned again at
each of WARPS (three alignments in all), and the warp whose words score best, by at least
MIN_GAIN, is kept, unless more of the take falls back under it: a better median can come with a
worse word (espeak-ng's high female voice read 1.3x lower scores better overall, but "empty" then
fails the wrong-word limit, which it passes as recorded). The adult recordings here score -0.6 to
-1.6, espeak-ng's English -2.65 and the phone call -2.8, none of which a warp helps: they cost
nothing more.
"""

from __future__ import annotations

import numpy as np

from .alignment_report import FALLBACK_PATHS
from .piecewise import SLID_WEAK_S, SR, PhonePass, words_fallen_back_s

POOR_SCORE = -3.0  # nats a frame, median over the script's aligned words
WARPS = (1.15, 1.3)  # read the voice this much lower (a child's formants are 15-35 % higher)
MIN_GAIN = 0.3  # nats a frame a warp must gain over the recording as it is


def median_score(result: PhonePass) -> float | None:
    scores = [w.score for w in result.words if w.score]
    return float(np.median(scores)) if scores else None


def fallen_back_s(result: PhonePass) -> float:
    """Seconds of the take whose phones are not the script's (recognized or loudness only)."""
    return sum(s.end - s.start for s in result.stretches if s.path in FALLBACK_PATHS)


def warped(x16: np.ndarray, warp: float) -> np.ndarray:
    """The take read `warp` times longer at the same rate: every frequency divided by `warp`."""
    from scipy.signal import resample_poly

    return resample_poly(np.asarray(x16, np.float32), int(round(100 * warp)), 100).astype(np.float32)


def unwarped(result: PhonePass, warp: float, duration: float) -> PhonePass:
    """`result`, timed on the warped take, in the take's own seconds."""
    def back(t: float) -> float:
        return min(duration, t / warp)

    phones = [p._replace(start=back(p.start), end=back(p.end)) for p in result.phones]
    stretches = [s._replace(start=back(s.start), end=back(s.end)) for s in result.stretches]
    if stretches:
        stretches[-1] = stretches[-1]._replace(end=duration)
    words = [w._replace(start=back(w.start), end=back(w.end)) for w in result.words]
    return PhonePass(phones, stretches, words)


def best_heard(align, x16: np.ndarray, trial=None) -> tuple[PhonePass, float]:
    """(`align(x16)`, 1.0), or, for a take whose words score poorly, the alignment at the warp of
    WARPS whose words score best (by MIN_GAIN or more) without falling back longer, in the take's
    time, and that warp. `trial` (default `align`) aligns the warped takes, a cheaper pass where
    most are thrown away; the warp kept is aligned again by `align` where SLID_WEAK_S or more of
    its script words fell back (the search for words that slid, which `trial` leaves out)."""
    trial = trial or align
    result = align(x16)
    as_recorded = median_score(result)
    if as_recorded is None or as_recorded >= POOR_SCORE:
        return result, 1.0
    chosen, best, duration = (result, 1.0), as_recorded + MIN_GAIN, len(x16) / SR
    for warp in WARPS:
        attempt = unwarped(trial(warped(x16, warp)), warp, duration)
        score = median_score(attempt)
        if score is not None and score >= best and fallen_back_s(attempt) <= fallen_back_s(chosen[0]) + 1e-6:
            chosen, best = (attempt, warp), score
    attempt, warp = chosen
    if warp != 1.0 and trial is not align and words_fallen_back_s(attempt.stretches) >= SLID_WEAK_S:
        chosen = (unwarped(align(warped(x16, warp)), warp, duration), warp)
    return chosen
