"""Head pose from prosody and emotion: nods on stressed syllables, slow drift, posture, stillness.

Degrees, ARCHITECTURE conventions (yaw>0 toward image right, pitch>0 looks up, roll>0 CCW).
Three layers: an emotion posture (sad hangs the head, surprised lifts it), a seeded drift of
smoothed noise whose size and speed follow the emotion, and a nod (a pitch dip, leading the
syllable by ~80 ms as speakers' heads do) on each loudness peak; pitch-accented peaks nod harder.
Motion quietens in pauses so the head settles while the speaker listens.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d, maximum_filter1d, minimum_filter1d


@dataclass(frozen=True)
class HeadStyle:
    pitch: float = 0.0  # posture offsets, degrees
    yaw: float = 0.0
    roll: float = 0.0
    drift: float = 1.0  # size of the slow wandering
    speed: float = 1.0  # 0.5 = slow, sluggish; 1.5 = quick, jittery
    nod: float = 1.0  # size of the prosodic nods
    nod_time: float = 0.15  # seconds to the bottom of a nod (smaller = sharper)


# Column order = core.emotion_track.EMOTIONS
STYLES = (
    HeadStyle(),  # neutral
    HeadStyle(pitch=-4.0, drift=0.9, speed=1.2, nod=1.6, nod_time=0.10),  # angry: forward/down, sharp
    HeadStyle(pitch=3.0, yaw=2.0, roll=4.0, drift=0.7, speed=0.8, nod=0.7),  # contempt: chin up, tilt
    HeadStyle(pitch=2.0, yaw=4.0, roll=-2.0, drift=0.9, nod=0.9),  # disgusted: pulls away
    HeadStyle(pitch=-2.0, yaw=-3.0, drift=0.8, speed=1.6, nod=0.6, nod_time=0.10),  # fear: jittery
    HeadStyle(pitch=2.0, roll=3.0, drift=1.3, speed=1.3, nod=1.2),  # happy: livelier, tilted
    HeadStyle(pitch=-7.0, drift=0.7, speed=0.5, nod=0.6, nod_time=0.22),  # sad: lowered, slow
    HeadStyle(pitch=5.0, drift=0.8, nod=0.8, nod_time=0.12),  # surprised: lifted
)
DRIFT_DEG = np.array([2.5, 1.5, 1.0])  # yaw, pitch, roll std of the drift at drift=1
NOD_DEG = 2.5


def _style_curves(w: np.ndarray) -> dict[str, np.ndarray]:
    """Per-frame style parameters: the emotion-weighted mean of the styles."""
    w = np.clip(np.asarray(w, dtype=float), 0, None)
    w = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-6)
    fields = ("pitch", "yaw", "roll", "drift", "speed", "nod", "nod_time")
    table = np.array([[getattr(s, f) for f in fields] for s in STYLES])
    mixed = w @ table
    return {f: mixed[:, i] for i, f in enumerate(fields)}


def posture(emotion_weights) -> np.ndarray:
    """[T, 3] (yaw, pitch, roll) degrees: where the emotion holds the head, without motion."""
    style = _style_curves(emotion_weights)
    return np.stack([style["yaw"], style["pitch"], style["roll"]], axis=1)


def _drift(n: int, fps: float, rng: np.random.Generator, speed: np.ndarray) -> np.ndarray:
    """[T,3] unit-std smoothed noise; speed blends a slow (1.6 s) and a quick (0.5 s) wander."""
    slow = gaussian_filter1d(rng.standard_normal((n, 3)), 1.6 * fps, axis=0, mode="reflect")
    fast = gaussian_filter1d(rng.standard_normal((n, 3)), 0.5 * fps, axis=0, mode="reflect")
    slow /= max(1e-9, slow.std()) if n > 1 else 1
    fast /= max(1e-9, fast.std()) if n > 1 else 1
    mix = np.clip((speed - 0.5) / 1.1, 0, 1)[:, None]
    return (1 - mix) * slow + mix * fast


def stress_peaks(loudness: np.ndarray, pitch_hz: np.ndarray, fps: float) -> tuple[np.ndarray, np.ndarray]:
    """Frames of stressed syllables and their strength (0..~1.5)."""
    loud = gaussian_filter1d(np.asarray(loudness, dtype=float), max(0.5, 0.03 * fps))
    # local maxima within +-0.15 s (so peaks are >= 0.3 s apart) that stand out from the dips
    # within +-0.4 s on both sides (a plain-numpy stand-in for scipy.signal.find_peaks, which
    # costs seconds to import)
    half = max(1, int(0.15 * fps))
    is_max = (loud == maximum_filter1d(loud, 2 * half + 1, mode="nearest")) & (loud >= 0.2)
    is_max[1:] &= loud[1:] > loud[:-1]  # first frame of a plateau only
    w = max(1, int(0.4 * fps))
    left = minimum_filter1d(loud, w + 1, origin=w // 2, mode="nearest")
    right = minimum_filter1d(loud, w + 1, origin=-(w // 2), mode="nearest")
    prominence = loud - np.maximum(left, right)
    candidates = np.flatnonzero(is_max & (prominence >= 0.06))
    kept: list[int] = []
    for f in candidates[np.argsort(-loud[candidates], kind="stable")]:  # strongest first
        if all(abs(f - k) >= 2 * half for k in kept):
            kept.append(int(f))
    peaks = np.array(sorted(kept), dtype=int)
    if len(peaks) == 0:
        return peaks, np.zeros(0)
    strength = np.clip(prominence[peaks] / 0.4, 0.2, 1.0)
    pitch = np.asarray(pitch_hz, dtype=float)
    voiced = pitch[pitch > 0]
    if len(voiced):  # pitch accents: a high pitch on the peak adds emphasis
        accent = np.clip((pitch[peaks] / np.median(voiced) - 1.0) * 3.0, 0, 0.5)
        strength = strength + accent
    return peaks, strength


def head_motion(features, emotion_weights, fps: float, rng: np.random.Generator, amount: float = 1.0):
    """-> {head_yaw, head_pitch, head_roll: float32 [T]} in degrees."""
    n = int(features.n_frames)
    out = np.zeros((n, 3))
    if n == 0:
        return {k: np.zeros(0, np.float32) for k in ("head_yaw", "head_pitch", "head_roll")}
    style = _style_curves(emotion_weights)
    loud = np.asarray(features.loudness, dtype=float)[:n]
    speaking = gaussian_filter1d((loud > 0.08).astype(float), 0.3 * fps)
    activity = 0.35 + 0.65 * np.clip(speaking * 1.5, 0, 1)  # stiller in pauses

    drift = _drift(n, fps, rng, style["speed"]) * DRIFT_DEG * style["drift"][:, None]
    out += drift * activity[:, None]

    t = np.arange(n) / fps
    peaks, strength = stress_peaks(loud, np.asarray(features.pitch_hz)[:n], fps)
    for f, s in zip(peaks, strength):
        tau = style["nod_time"][f]
        start = f / fps - 0.08  # the head leads the syllable
        a, b = max(0, int((start - 0.05) * fps)), min(n, int((start + 8 * tau) * fps) + 1)
        x = np.clip((t[a:b] - start) / tau, 0, None)
        bump = x * np.exp(1 - x)  # gamma-shaped: down, then back, peak 1 at tau
        amp = NOD_DEG * s * style["nod"][f]
        side = rng.uniform(-1, 1, size=2)
        out[a:b, 1] -= amp * bump
        out[a:b, 0] += 0.3 * amp * side[0] * bump
        out[a:b, 2] += 0.2 * amp * side[1] * bump

    out *= amount
    out += posture(emotion_weights)
    return {
        "head_yaw": out[:, 0].astype(np.float32),
        "head_pitch": out[:, 1].astype(np.float32),
        "head_roll": out[:, 2].astype(np.float32),
    }
