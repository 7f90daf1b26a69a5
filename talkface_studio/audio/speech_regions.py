"""Where the speech is: runs of audible sound between pauses, from frame energy alone.

Used to cut a take into pieces that can be aligned one by one (a pause is where a script can be
split without cutting a word) and to check an alignment against the audio (words placed over a
long silence, or silence placed over loud speech, mean the aligner lost its place). Frames are
10 ms, pocketsphinx's own frame, so the two line up without rounding.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy.signal import butter, sosfilt

from .runs import true_runs

SR = 16_000
HOP = 160  # 10 ms
MIN_PAUSE_S = 0.2  # shorter gaps are stop closures inside words (a /p/ can be 150 ms of silence)
MIN_SPEECH_S = 0.06  # a click or a breath shorter than this is not a piece of speech
SPEECH_BELOW_LOUD_DB = 32.0  # frames within this many dB of the loud level can be speech
ABOVE_NOISE_DB = 8.0
RUMBLE_HZ = 60.0  # levels are measured above this (4th order): below a voice's lowest pitch, where a
# microphone bump, a stand knock or traffic can be loud


class Region(NamedTuple):
    start: float  # seconds
    end: float


def frame_levels(x16: np.ndarray, above_hz: float = RUMBLE_HZ) -> np.ndarray:
    """Mean-square level in dB per 10 ms frame [ceil(N / 160)] above `above_hz` (4th order)."""
    x = sosfilt(_highpass(above_hz), np.asarray(x16, dtype=np.float64))
    n = -(-len(x) // HOP)
    padded = np.zeros(n * HOP)
    padded[: len(x)] = x
    power = (padded.reshape(n, HOP) ** 2).mean(axis=1)
    return 10 * np.log10(power + 1e-12)


@lru_cache(maxsize=4)
def _highpass(above_hz: float):
    return butter(4, above_hz, btype="highpass", fs=SR, output="sos")


def speech_mask(levels_db: np.ndarray) -> np.ndarray:
    """bool per frame: audible speech (relative to this clip's loud level and noise floor)."""
    live = levels_db[levels_db > -110]
    if not live.size:
        return np.zeros(len(levels_db), dtype=bool)
    loud = float(np.percentile(live, 95))
    floor = float(np.percentile(live, 10))
    threshold = max(loud - SPEECH_BELOW_LOUD_DB, min(floor + ABOVE_NOISE_DB, loud - 15.0))
    # a 30 ms median keeps single frames (clicks, one quiet frame in a vowel) from flipping the mask
    raw = levels_db > threshold
    padded = np.pad(raw, 1, mode="edge")
    return (padded[:-2].astype(int) + padded[1:-1] + padded[2:]) >= 2


def regions_from_mask(mask: np.ndarray, min_pause_s: float = MIN_PAUSE_S,
                      min_speech_s: float = MIN_SPEECH_S, hop_s: float = HOP / SR) -> list[Region]:
    """Runs of True, with gaps shorter than `min_pause_s` bridged and specks dropped."""
    merged: list[list[int]] = []
    for a, b in true_runs(mask):
        if merged and (a - merged[-1][1]) * hop_s < min_pause_s:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [Region(a * hop_s, b * hop_s) for a, b in merged if (b - a) * hop_s >= min_speech_s]


def speech_regions(x16: np.ndarray, min_pause_s: float = MIN_PAUSE_S) -> list[Region]:
    """Speech between pauses of at least `min_pause_s`, in seconds."""
    return regions_from_mask(speech_mask(frame_levels(x16)), min_pause_s)
