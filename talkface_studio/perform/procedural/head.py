"""Head pose from prosody and emotion: nods on stressed syllables, slow drift, posture, stillness.

Degrees, ARCHITECTURE conventions (yaw>0 toward image right, pitch>0 looks up, roll>0 CCW).
Three layers: an emotion posture (sad hangs the head, surprised lifts it) plus a small seeded
resting offset that differs by take, a zero-mean drift of smoothed noise whose size and speed follow
the emotion, and a nod (a pitch dip whose bottom leads the syllable slightly, as speakers' heads do)
on each loudness peak; pitch-accented peaks nod harder. Motion quietens in pauses so the head
settles while the speaker listens. Every movement eases in and out: nods follow minimum-jerk
profiles sized to stay inside physiological speed and acceleration, and the sum of all layers is
passed through `motion_limits.limit_motion`, which also eases posture changes between emotions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d, maximum_filter1d, minimum_filter1d

from .motion_limits import MAX_ACCEL_DEG_S2, MAX_SPEED_DEG_S, limit_motion


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
    HeadStyle(pitch=-2.5, drift=0.9, speed=1.2, nod=1.4, nod_time=0.10),  # angry: forward/down, sharp
    HeadStyle(pitch=3.0, yaw=2.0, roll=4.0, drift=0.7, speed=0.8, nod=0.7),  # contempt: chin up, tilt
    HeadStyle(pitch=2.0, yaw=4.0, roll=-2.0, drift=0.9, nod=0.9),  # disgusted: pulls away
    HeadStyle(pitch=-2.0, yaw=-3.0, drift=0.8, speed=1.6, nod=0.6, nod_time=0.10),  # fear: jittery
    HeadStyle(pitch=2.0, roll=3.0, drift=1.3, speed=1.3, nod=1.2),  # happy: livelier, tilted
    HeadStyle(pitch=-7.0, drift=0.7, speed=0.5, nod=0.6, nod_time=0.22),  # sad: lowered, slow
    HeadStyle(pitch=5.0, drift=0.8, nod=0.8, nod_time=0.12),  # surprised: lifted
)
DRIFT_DEG = np.array([2.5, 1.5, 1.0])  # yaw, pitch, roll std of the drift at drift=1
REST_SPREAD_DEG = np.array([1.2, 0.8, 0.8])  # std of the take's resting offset (yaw, pitch, roll)
NOD_DEG = 2.5
POSTURE_EASE_S = 0.15  # std of the Gaussian that eases posture changes (~0.6 s from start to end)
NOD_RETURN = 2.2  # the head comes back up this many times slower than it went down
NOD_LEAD_S = 0.03  # the bottom of a nod comes this much before the loudness peak
# Nods are planned inside this share of the speed and acceleration bounds, so the limiter that
# follows rarely has to change them (only where nods overlap or a posture changes at once).
_NOD_HEADROOM = 0.7


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


def _minimum_jerk(x: np.ndarray) -> np.ndarray:
    """0 -> 1 over x = 0..1 with zero speed and acceleration at both ends (Flash & Hogan 1985)."""
    x = np.clip(x, 0.0, 1.0)
    return x**3 * (10 - 15 * x + 6 * x * x)


def nod_duration(amplitude_deg: float, nod_time: float) -> float:
    """Seconds to the bottom of a nod: the style's time, lengthened so that its minimum-jerk
    profile (peak speed 1.875 a/d, peak acceleration 5.77 a/d^2) stays inside the bounds."""
    a = abs(float(amplitude_deg))
    by_speed = 1.875 * a / (_NOD_HEADROOM * MAX_SPEED_DEG_S)
    by_accel = np.sqrt(5.774 * a / (_NOD_HEADROOM * MAX_ACCEL_DEG_S2))
    return float(max(nod_time, by_speed, by_accel))


def _nod_profile(t: np.ndarray, down: float) -> np.ndarray:
    """0 .. 1 (at the bottom, t = down) .. 0, eased at every turn; t in seconds from the nod's start."""
    back = NOD_RETURN * down
    return np.where(t < down, _minimum_jerk(t / down), 1.0 - _minimum_jerk((t - down) / back))


def head_motion(features, emotion_weights, fps: float, rng: np.random.Generator, amount: float = 1.0):
    """-> {head_yaw, head_pitch, head_roll: float32 [T]} in degrees (see `head_performance`)."""
    return head_performance(features, emotion_weights, fps, rng, amount)[0]


def head_performance(features, emotion_weights, fps: float, rng: np.random.Generator, amount: float = 1.0):
    """-> ({head_yaw, head_pitch, head_roll: float32 [T]} degrees, posture [T, 3], offset [3]).

    Where the head is held without motion is `posture` (the emotion's, eased; yaw, pitch, roll) plus
    `offset` (the take's small seeded resting offset). The eyes counter-rotate against motion away
    from that rest, not against the offset, so the look stays centred on the camera."""
    n = int(features.n_frames)
    if n == 0:
        empty = {k: np.zeros(0, np.float32) for k in ("head_yaw", "head_pitch", "head_roll")}
        return empty, np.zeros((0, 3)), np.zeros(3)
    style = _style_curves(emotion_weights)
    loud = np.asarray(features.loudness, dtype=float)[:n]
    speaking = gaussian_filter1d((loud > 0.08).astype(float), 0.3 * fps)
    activity = 0.35 + 0.65 * np.clip(speaking * 1.5, 0, 1)  # stiller in pauses

    offset = rng.normal(0.0, 1.0, 3) * REST_SPREAD_DEG
    drift = _drift(n, fps, rng, style["speed"]) * DRIFT_DEG * style["drift"][:, None] * activity[:, None]
    # The drift wanders around the rest, not away from it: a slow noise over a short take has a
    # mean of its own, which the eyes then had to counter all take long (a constant sideways look).
    out = drift - drift.mean(axis=0)

    t = np.arange(n) / fps
    peaks, strength = stress_peaks(loud, np.asarray(features.pitch_hz)[:n], fps)
    for f, s in zip(peaks, strength):
        amp = NOD_DEG * s * style["nod"][f]
        down = nod_duration(amp * amount, style["nod_time"][f])
        start = f / fps - NOD_LEAD_S - down
        a, b = max(0, int(np.floor(start * fps))), min(n, int(np.ceil((start + (1 + NOD_RETURN) * down) * fps)) + 1)
        bump = _nod_profile(t[a:b] - start, down)
        side = rng.uniform(-1, 1, size=2)
        out[a:b, 1] -= amp * bump
        out[a:b, 0] += 0.3 * amp * side[0] * bump
        out[a:b, 2] += 0.2 * amp * side[1] * bump

    # A change of posture (a new emotion, even one painted with no transition) is a postural shift:
    # a wide, smooth movement over ~0.6 s (Hadar et al. 1983), not a nod-speed turn.
    held = gaussian_filter1d(posture(emotion_weights), POSTURE_EASE_S * fps, axis=0, mode="nearest")
    out = limit_motion(out * amount + held + offset * amount, fps)
    return {
        "head_yaw": out[:, 0].astype(np.float32),
        "head_pitch": out[:, 1].astype(np.float32),
        "head_roll": out[:, 2].astype(np.float32),
    }, held, offset * amount
