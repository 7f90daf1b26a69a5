"""How strongly each frame is spoken: loudness within its phrase, lifted on pitch peaks.

A speaker opens the jaw wider on stressed syllables, which are louder and higher than their
neighbours, and a quiet phrase in a loud take is still spoken with a moving mouth. So loudness is
read relative to the phrase it belongs to (speech between pauses) as well as to the whole take,
and the pitch relative to the phrase's median adds prominence. ~1 on a typical stressed vowel,
~0.5 on a weak one, up to ~1.3 on a shouted, high-pitched one. Works for any language and path,
because it uses the audio only.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter1d

from talkface_studio.audio.runs import true_runs

PAUSE_S = 0.25  # quieter gaps at least this long split phrases
PHRASE_SHARE = 0.5  # weight of the phrase-relative loudness against the take-relative one
DB_PER_UNIT = 60.0  # loudness is linear in dB over (at most) 60 dB: 0.1 = 6 dB
PITCH_GAIN = 1.5  # prominence per octave above the phrase median (10 % higher pitch: +0.2)


def phrases(loudness: np.ndarray, fps: float, threshold: float = 0.2) -> list[tuple[int, int]]:
    """[start, end) frame runs of speech with pauses shorter than PAUSE_S bridged."""
    speech = loudness >= threshold
    runs: list[list[int]] = []
    for a, b in true_runs(speech):
        if runs and a - runs[-1][1] < PAUSE_S * fps:
            runs[-1][1] = b
        else:
            runs.append([a, b])
    return [(a, b) for a, b in runs]


def emphasis(loudness: np.ndarray, voicing: np.ndarray, pitch_hz: np.ndarray, fps: float) -> np.ndarray:
    """float [T]: speaking strength per frame (0 in silence)."""
    loud = np.asarray(loudness, dtype=float)
    n = len(loud)
    out = np.zeros(n)
    voiced = (np.asarray(voicing) >= 0.5) & (np.asarray(pitch_hz) > 0)
    take_ref = _loud_level(loud, voiced)
    for a, b in phrases(loud, fps):
        seg = loud[a:b]
        ref = _loud_level(seg, voiced[a:b])
        rel = (1 - PHRASE_SHARE) * (seg - take_ref) + PHRASE_SHARE * (seg - ref)
        level = np.clip(1.0 + 2.5 * rel, 0.35, 1.15)  # 6 dB under the loud level -> 0.75
        f0 = np.asarray(pitch_hz[a:b], dtype=float)
        v = voiced[a:b]
        prominence = np.zeros(b - a)
        if v.sum() >= 3:
            octaves = np.log2(np.maximum(f0, 1.0) / np.median(f0[v]))
            prominence = np.where(v, np.clip(PITCH_GAIN * octaves, -0.15, 0.3), 0.0)
            prominence = uniform_filter1d(prominence, max(1, int(round(0.08 * fps))), mode="nearest")
        out[a:b] = level * (1 + prominence)
    return out


def _loud_level(loud: np.ndarray, voiced: np.ndarray) -> float:
    """The level of the loud voiced frames (vowels): their 90th percentile, or of all frames."""
    pool = loud[voiced] if voiced.sum() >= 3 else loud
    return float(np.percentile(pool, 90)) if pool.size else 1.0
