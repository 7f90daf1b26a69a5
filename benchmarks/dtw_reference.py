"""Reference phone timings for a recording with a script but no timings, derived the way aeneas does it.

The script is spoken by espeak-ng in the clip's language (`training/espeak_synth.py`, which reports
the exact time of every phone it synthesizes), then the synthetic and the real recording are aligned
by dynamic time warping on speaker-robust features (MFCCs without c0, per-clip mean and variance
normalised, plus their deltas; 25 ms windows every 10 ms; cosine distance plus a level term), and
each synthetic phone's start and end are carried through the warping path onto the real recording.
espeak-ng runs in a process of its own per reference (espeak_once.py: it carries state between
utterances, which would make a reference depend on what the process spoke before).

It never touches the product's aligner or recognizer (audio/): the only shared pieces are espeak-ng
(the synthesizer, not a recognizer) and librosa's MFCC and DTW. Its accuracy is measured against
clips that have independent timings by benchmarks/bench_dtw_reference.py; trust it no further.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import librosa
import numpy as np
import soundfile as sf

from espeak_once import speak_fresh, speech_seconds
from talkface_studio.training import espeak_synth

SR = espeak_synth.SR  # 16 kHz, the synthesizer's rate; real clips are resampled to it
HOP_S = 0.01
_HOP, _WIN = int(SR * HOP_S), int(SR * 0.025)
BAND = 0.15  # Sakoe-Chiba band: the path stays within this fraction of the longer clip of the diagonal
LEVEL_WEIGHT = 2.0  # cost of a 30 dB level mismatch, next to the cosine distance (0..2): keeps pauses on pauses
VOICES = {"en": "en-us", "fr": "fr-fr", "it": "it", "es": "es", "de": "de", "ja": "ja"}
_PAUSES = ("", "_", "_:", "_!", "|", "||")


@dataclass(frozen=True)
class Phone:
    start: float  # seconds in the real recording
    end: float
    ipa: str  # as espeak-ng names it


@dataclass
class DtwReference:
    phones: list[Phone]  # pauses left out
    voice: str  # espeak-ng voice
    rate: int  # espeak-ng words per minute used (matched to the recording's speech duration)
    cost: float  # mean frame cost along the path (cosine distance + level term): high means a poor match


def load_16k(path: Path) -> np.ndarray:
    x, sr = sf.read(str(path), dtype="float32", always_2d=True)
    return espeak_synth.at_sr(x.mean(axis=1), sr)


def speech_span(x: np.ndarray) -> tuple[int, int]:
    """(first, last + 1) 10 ms frame of speech (espeak_once.speech_seconds): the warp is pinned at the
    two ends of the speech, not of the file (leading and trailing silence differ between clips)."""
    a, b = speech_seconds(x, SR)
    return int(round(a / HOP_S)), int(round(b / HOP_S))


def features(x: np.ndarray) -> np.ndarray:
    """[frames, 24]: MFCC 1-12 (c0, the level, left out) with per-clip mean/variance normalisation
    (removes the channel and much of the speaker), and their deltas. One frame per 10 ms."""
    mfcc = librosa.feature.mfcc(y=x, sr=SR, n_mfcc=13, n_fft=512, win_length=_WIN, hop_length=_HOP, n_mels=40,
                                fmin=130.0, fmax=6800.0, center=True)[1:]
    mfcc = (mfcc - mfcc.mean(axis=1, keepdims=True)) / (mfcc.std(axis=1, keepdims=True) + 1e-8)
    delta = librosa.feature.delta(mfcc, width=5, mode="nearest")
    return np.vstack([mfcc, delta]).T.astype(np.float64)


def level_db(x: np.ndarray) -> np.ndarray:
    """Per 10 ms frame (centred like the MFCC frames), dB below the clip's loudest frame, floored at -60."""
    rms = librosa.feature.rms(y=x, frame_length=_WIN, hop_length=_HOP, center=True)[0]
    db = 20 * np.log10(rms + 1e-9)
    return np.maximum(db - db.max(), -60.0)


def warp(a: np.ndarray, b: np.ndarray, level_a: np.ndarray, level_b: np.ndarray) -> tuple[np.ndarray, float]:
    """DTW path between feature sequences a [n, d] and b [m, d] with their levels [n], [m] (dB), as an
    increasing [k, 2] array of (i, j), and the mean frame cost along it. Cost: cosine distance of the
    features (as aeneas) plus LEVEL_WEIGHT per 30 dB of level difference."""
    cost = 1.0 - (a / np.linalg.norm(a, axis=1, keepdims=True)) @ (b / np.linalg.norm(b, axis=1, keepdims=True)).T
    cost += LEVEL_WEIGHT * np.abs(level_a[:, None] - level_b[None, :]) / 30.0
    # A band relative to each clip's length keeps the path near the diagonal of the speech spans.
    _, path = librosa.sequence.dtw(C=cost, global_constraints=True, band_rad=BAND, backtrack=True)
    path = path[::-1]
    return path, float(cost[path[:, 0], path[:, 1]].mean())


def time_map(path: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knots (synthetic frame, real frame) of a monotone map: each synthetic frame goes to the mean of
    the real frames the path pairs with it (a horizontal run - the real clip lingers - maps to its middle)."""
    i, j = path[:, 0], path[:, 1]
    frames = np.unique(i)
    mean_j = np.array([j[i == f].mean() for f in frames])
    return frames.astype(np.float64), np.maximum.accumulate(mean_j)


def map_times(times: np.ndarray, knots: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    return np.interp(np.asarray(times) / HOP_S, *knots) * HOP_S


def reference_phones(x: np.ndarray, text: str, language: str) -> DtwReference:
    """Phones of `text` timed on the recording `x` (float32 at 16 kHz) by DTW against espeak-ng."""
    voice = VOICES.get(language[:2].lower(), language)
    r0, r1 = speech_span(x)
    y, phones, rate = speak_fresh(re.sub(r"\s+", " ", text).strip(), voice, (r1 - r0) * HOP_S)
    s0, s1 = speech_span(y)
    ya, xb = y[s0 * _HOP : s1 * _HOP], x[r0 * _HOP : r1 * _HOP]
    fa, fb = features(ya), features(xb)
    path, cost = warp(fa, fb, level_db(ya)[: len(fa)], level_db(xb)[: len(fb)])
    knots = time_map(path)
    out = []
    for start, end, name in phones:
        if name.strip() in _PAUSES:
            continue
        a, b = map_times(np.array([start, end]) - s0 * HOP_S, knots) + r0 * HOP_S
        if b > a:
            out.append(Phone(float(a), float(b), name))
    return DtwReference(out, voice, rate, cost)
