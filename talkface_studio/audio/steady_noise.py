"""A steady background taken out before the analysis listens: hiss, wind, traffic or a busy
room recorded under the voice on location. The take's own audio is never changed.

Under noise about 10 dB below the voice every English word scores worse in pocketsphinx, so
correct words pass the wrong-word limit and fall back, and the recognizer, which hears a
spectrum, loses the darkening of a closure under the noise. Where a recording's pauses hold one
steady sound close to the voice in the voice's band (above BAND_HZ: its quietest fifth of frames
within BED_FLAT_DB, its quietest tenth within NEAR_VOICE_DB of its loud level but not within
BED_FLAT_DB, where the whole recording is one steady sound: a held vowel or note), that sound's
spectrum, the mean of the quietest tenth of its frames, is taken out of every frame by a Wiener
gain whose a-priori signal-to-noise ratio is estimated decision-directed (Ephraim and Malah,
1984: smoothed over time, so what is left does not chirp), never cutting a bin by more than
GAIN_FLOOR_DB (a quiet consonant under the noise stays, muffled). Anything else is returned as it
is: a background 20 dB or more under the voice (there the filter lost closures without a script
rather than found them), and a hum below the voice's band (a fan, the mains), which leaves the
words alone.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import istft, stft

from .acoustic import BED_FLAT_DB
from .speech_regions import HOP, SR, frame_levels

BAND_HZ = 300.0  # the background is judged above this
NEAR_VOICE_DB = 20.0  # the pauses' level within this of the loud level: noise the analysis hears as sound
GAIN_FLOOR_DB = -15.0  # a bin is cut by at most this
SMOOTHING = 0.98  # decision-directed weight of the last frame's clean estimate
WINDOW = 512  # 32 ms (hop: speech_regions.HOP, 10 ms)


def noisy(x16: np.ndarray) -> bool:
    """Whether the recording's pauses hold a steady sound within NEAR_VOICE_DB of its loud level,
    above BAND_HZ, and its loud level stands out of it (a held vowel or note is steady throughout)."""
    live = frame_levels(x16, BAND_HZ)
    live = live[live > -110]
    if live.size < 100:  # under a second of sound: too little to tell a background from a voice
        return False
    p5, p10, p20, p95 = np.percentile(live, [5, 10, 20, 95])
    # the loud frames as steady as the quiet ones: one sound (a held vowel or note, a tone), no voice over it
    return p20 - p5 <= BED_FLAT_DB < p95 - p10 <= NEAR_VOICE_DB


def without_steady_noise(x16: np.ndarray) -> np.ndarray:
    """`x16` (16 kHz mono) with a steady background close to the voice taken out (see the module);
    `x16` itself where there is none."""
    if not noisy(x16):
        return x16
    _, _, spec = stft(x16, SR, nperseg=WINDOW, noverlap=WINDOW - HOP, boundary="even")
    power = np.abs(spec) ** 2
    energy = power.sum(axis=0)
    background = power[:, energy <= np.percentile(energy, 10)].mean(axis=1) + 1e-12
    heard = power / background[:, None]  # a-posteriori SNR per bin and frame
    floor = 10 ** (GAIN_FLOOR_DB / 20)
    gains = np.empty_like(heard)
    clean = np.ones(len(background))  # the last frame's clean power over the background
    for j in range(heard.shape[1]):  # the recursion runs frame by frame: ~10 µs a frame
        prior = SMOOTHING * clean + (1 - SMOOTHING) * np.maximum(heard[:, j] - 1, 0)
        gain = np.maximum(prior / (1 + prior), floor)
        gains[:, j] = gain
        clean = gain ** 2 * heard[:, j]
    _, out = istft(spec * gains, SR, nperseg=WINDOW, noverlap=WINDOW - HOP, boundary=True)
    return out[:len(x16)].astype(x16.dtype, copy=False)
