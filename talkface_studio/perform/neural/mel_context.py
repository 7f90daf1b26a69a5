"""Speech features as stage 1 sees them: the 80-bin log-mel of `AudioFeatures.mel` (one row per video
frame, as SadTalker/EAT use), normalized per utterance and padded with silence.

Per-utterance mean/variance normalization per band removes microphone and loudness differences
between the training corpus and a user's recording. The padding repeats the utterance's quietest
value per band: MEAD clips begin and end in silence, so a take's edges look like the training data.
"""

from __future__ import annotations

import numpy as np


def normalize_mel(mel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """mel [T, 80] log-mel -> (normalized [T, 80] float32, silence row [80])."""
    mel = np.asarray(mel, dtype=np.float32)
    norm = (mel - mel.mean(0)) / (mel.std(0) + 1e-3)
    return norm.astype(np.float32), norm.min(0)


def padded_window(norm: np.ndarray, silence: np.ndarray, start: int, stop: int, margin: int) -> np.ndarray:
    """Rows [start - margin, stop + margin) of `norm`, silence where they fall outside the utterance."""
    out = np.repeat(silence[None], stop - start + 2 * margin, 0)
    a, b = max(start - margin, 0), min(stop + margin, len(norm))
    if b > a:
        out[a - (start - margin): b - (start - margin)] = norm[a:b]
    return out
