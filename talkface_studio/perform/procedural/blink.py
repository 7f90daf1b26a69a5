"""Blinks: a renewal process at a natural rate, coupled to large saccades and phrase ends.

Spontaneous blinks come ~15-20 per minute at rest; the rate rises with arousal (anger, fear,
surprise) and a little while speaking. Large gaze shifts and the end of a phrase often trigger a
blink. No two blinks come closer than a physiological minimum. A blink closes fast (50-70 ms),
holds briefly and opens more slowly (90-150 ms); its peak is placed on a frame so it always shows
fully closed, even at 24 fps.
"""

from __future__ import annotations

import numpy as np

REST_RATE_PER_MIN = 16.0
AROUSAL = (1.0, 1.4, 1.0, 1.1, 1.5, 1.1, 0.9, 1.3)  # per EMOTIONS column: rate multiplier
SLOWNESS = (1.0, 0.9, 1.0, 1.0, 0.9, 1.0, 1.3, 1.0)  # per column: blink duration multiplier
MIN_INTERVAL_S = 0.4


def _speech_ends(loudness: np.ndarray, fps: float, min_pause_s: float = 0.25) -> list[float]:
    """Times where speech stops for at least `min_pause_s` (phrase boundaries)."""
    speaking = np.asarray(loudness) > 0.08
    ends = []
    n, k = len(speaking), max(1, int(min_pause_s * fps))
    for f in np.flatnonzero(speaking[:-1] & ~speaking[1:]) + 1:
        if not speaking[f : f + k].any() and f + k <= n:
            ends.append(f / fps)
    return ends


def blink_times(features, emotion_weights, fps: float, rng, saccades=(), rate_scale: float = 1.0):
    """-> list of (peak time s, duration multiplier)."""
    n = int(features.n_frames)
    duration = n / fps
    w = np.clip(np.asarray(emotion_weights, dtype=float), 0, None)
    w = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-6)
    loud = np.asarray(features.loudness, dtype=float)[:n]
    rate = REST_RATE_PER_MIN * (w @ np.array(AROUSAL)) * np.where(loud > 0.08, 1.1, 1.0) * rate_scale
    slow = w @ np.array(SLOWNESS)
    triggers = [(s.start, 0.6) for s in saccades if s.amplitude > 8.0]
    triggers += [(t + 0.1, 0.5) for t in _speech_ends(loud, fps)]
    triggers = sorted(tr for tr in triggers if rng.random() < tr[1])
    out: list[tuple[float, float]] = []
    last = -np.inf
    t = rng.uniform(0.3, 2.0)  # first spontaneous blink
    k = 0
    mean = 60.0 / max(1e-3, rate[0]) if n else 1.0
    while n and rate_scale > 0:
        # a trigger brings the next blink forward, but only once the eyes are "due" for one
        # (past ~70 % of the mean interval): coupling shifts blinks more than it adds them
        while k < len(triggers) and triggers[k][0] < last + max(MIN_INTERVAL_S, 0.7 * mean):
            k += 1
        nxt = min(t, triggers[k][0]) if k < len(triggers) else t
        if nxt >= duration:
            break
        f = min(n - 1, int(nxt * fps))
        out.append((nxt, float(slow[f])))
        last = nxt
        mean = 60.0 / max(1e-3, rate[f])
        t = last + max(MIN_INTERVAL_S, rng.gamma(3.0, mean / 3.0))
    return out


def blink_curve(times, n_frames: int, fps: float, rng) -> np.ndarray:
    """Blink events -> float32 [T] eyelid closure (0 open .. 1 closed)."""
    out = np.zeros(n_frames)
    tf = np.arange(n_frames) / fps
    for t, slow in times:
        peak = round(t * fps) / fps
        close = rng.uniform(0.05, 0.07) * slow
        hold = rng.uniform(0.0, 0.03) * slow
        opening = rng.uniform(0.09, 0.15) * slow
        a, b = max(0, int((peak - close) * fps) - 1), min(n_frames, int((peak + hold + opening) * fps) + 2)
        x = tf[a:b]
        rise = np.clip((x - (peak - close)) / close, 0, 1)
        fall = 1 - np.clip((x - (peak + hold)) / opening, 0, 1)
        shape = np.minimum(rise * rise * (3 - 2 * rise), fall * fall * (3 - 2 * fall))
        out[a:b] = np.maximum(out[a:b], shape)
    return out.astype(np.float32)
