"""Late reverberation taken out of the spectrum the viseme recognizer hears.

In a live room a vowel's sound rings on through the closure after it, so an /m/ or /p/ no longer
darkens the spectrum and the recognizer, trained on dry and lightly reverberant speech, hears a
vowel there. Without a script, in a room of 0.5 s (the direct sound 3 dB over the reverberation) the
survey's five recordings closed 49 of their 74 p/b/m instead of 65 dry. The late reverberation is
removed by spectral subtraction (Lebart, Boucher and Denbigh 2001): the power a frame still holds
from `DELAY_S` earlier decays by 60 dB per reverberation time, so that much of the earlier frame's
power is taken from each mel band, down to a floor (`FLOOR`) so no band is emptied.

The reverberation time is read from the recording itself: after a loud peak the level can fall no
faster than the room lets it, so the fastest falls of a recording (the median of the fastest fifth
of its falls of at least 10 dB, fitted from 3 to 20 dB under their peak) tell the room's decay.
Dry recordings fall at 250-600 dB/s; the fastest falls of a reverberant one are its room's rate,
plus the direct sound's own fall, so that reading is `UNDER_READ` short of the room's time. A
recording read under `DRY_S` (every dry recording here: 0.09-0.23 s) is left exactly as it is.
"""

from __future__ import annotations

import numpy as np

from .viseme_features import FPS

DRY_S = 0.25  # recordings whose fastest falls read under this are not touched
UNDER_READ = 1.5  # the room's time over what its fastest falls read
DELAY_S = 0.05  # late reverberation: what remains of the sound this long before
FLOOR = 0.03  # never take a band below this share of its power (-15 dB)
MIN_FALLS = 5  # fewer falls than this to read: too short a recording to tell, left as it is
PEAK_RANGE_DB = 15.0  # a fall starts at a peak within this of the loud level (95th percentile)
FALL_MIN_DB = 10.0  # ... falls at least this far
FIT_DB = (3.0, 20.0)  # ... and its rate is fitted this far under its peak


def reverberation_time(level_db: np.ndarray, fps: float = FPS) -> float | None:
    """Seconds for 60 dB of decay read from the falls of a frame level curve [T] (dB), or None
    when it has fewer than MIN_FALLS falls to read."""
    level = np.asarray(level_db, np.float64)
    live = level[level > -100]
    if len(level) < 3 or live.size == 0:
        return None
    smooth = np.convolve(level, np.ones(3) / 3, mode="same")
    top = np.percentile(live, 95) - PEAK_RANGE_DB
    rates = []
    t, n = 1, len(smooth)
    while t < n - 1:
        if not (smooth[t] >= smooth[t - 1] and smooth[t] > smooth[t + 1] and smooth[t] > top):
            t += 1
            continue
        end = t
        while end + 1 < n and smooth[end + 1] < smooth[end] + 0.5:  # falling, within a little flutter
            end += 1
        frames = np.arange(t, end + 1)
        below = smooth[t] - smooth[frames]
        fit = frames[(below >= FIT_DB[0]) & (below <= FIT_DB[1])]
        if len(fit) >= 3 and smooth[t] - smooth[end] >= FALL_MIN_DB:
            rates.append(-np.polyfit(fit / fps, smooth[fit], 1)[0])
        t = end + 1
    if len(rates) < MIN_FALLS:
        return None
    rates = np.sort(rates)
    fastest = rates[int(0.8 * len(rates)):]
    return float(60.0 / max(np.median(fastest), 1e-6))


def room_reading(level_db: np.ndarray, fps: float = FPS) -> float | None:
    """reverberation_time where the recording reads as a room, None where it reads dry (under
    DRY_S, or too short to read)."""
    read = reverberation_time(level_db, fps)
    return None if read is None or read < DRY_S else read


def dereverberate(mel: np.ndarray, level_db: np.ndarray, fps: float = FPS) -> np.ndarray:
    """Natural-log mel power [T, bands] with the late reverberation subtracted, or `mel` itself
    when the recording reads dry (room_reading)."""
    read = room_reading(level_db, fps)
    if read is None:
        return mel
    rt60 = read * UNDER_READ
    delay = max(1, int(round(DELAY_S * fps)))
    power = np.exp(np.asarray(mel, np.float64))
    late = np.zeros_like(power)
    late[delay:] = 10 ** (-6.0 * delay / fps / rt60) * power[:-delay]
    clean = np.maximum(power - late, FLOOR * power)
    return np.log(np.maximum(clean, 1e-10)).astype(np.float32)
