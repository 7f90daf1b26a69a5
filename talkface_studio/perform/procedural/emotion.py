"""Expression intensity channels from the painted emotion track, with a little life.

The artist's intensities are the backbone; on top, intensity swells slightly on loud (stressed)
syllables and breathes slowly, so a held emotion does not look like a frozen mask.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter1d

from talkface_studio.core.emotion_track import EMOTIONS

EXPRESSION_CHANNELS = tuple(f"emo_{e}" for e in EMOTIONS[1:])


def expression_channels(
    emotion_weights: np.ndarray,
    loudness: np.ndarray,
    fps: float,
    rng: np.random.Generator,
    amount: float = 1.0,
    liveliness: float = 1.0,
) -> dict[str, np.ndarray]:
    """[T,8] intensities -> {emo_*: float32 [T]} in 0..1."""
    w = np.asarray(emotion_weights, dtype=float)
    n = len(w)
    if n == 0:
        return {c: np.zeros(0, np.float32) for c in EXPRESSION_CHANNELS}
    loud = gaussian_filter1d(np.asarray(loudness, dtype=float)[:n], sigma=max(1.0, 0.08 * fps))
    stress = np.clip(loud - np.median(loud), -0.3, 0.5)  # above-typical loudness = emphasis
    out = {}
    for k, name in enumerate(EXPRESSION_CHANNELS, start=1):
        col = w[:, k]
        breath = gaussian_filter1d(rng.standard_normal(n), sigma=max(1.0, 1.2 * fps), mode="wrap")
        breath /= max(1e-6, np.abs(breath).max())
        swell = 1.0 + liveliness * (0.25 * stress + 0.05 * breath)
        out[name] = np.clip(col * amount * swell, 0.0, 1.0).astype(np.float32)
    return out
