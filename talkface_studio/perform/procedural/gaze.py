"""Eye gaze as a statistical saccade model (after Lee, Badler & Badler, "Eyes Alive", 2002).

Gaze alternates fixations and saccades. Fixations last a lognormal time, longer while listening or
pausing than while speaking. Saccades are mostly small (1-5 deg) re-fixations around the listener;
now and then the speaker looks away 10-15 deg (more while speaking: "thinking" aversions) and then
returns to the camera. A saccade's duration follows the main sequence, D = 21 ms + 2.2 ms/deg
(20-80 ms: one to three frames). Emotion biases direction and rhythm: sad looks down, fear darts
(short fixations, larger jumps), anger holds a stare. Angles are degrees relative to the camera
direction (world); the performer converts them to eye-in-head channels.

Gaze is distributed around the camera: each take has a small seeded centre (a person's habitual
look, within ~1-2 deg of the lens), re-fixations hop around it, look-aways go to both sides (the
side alternates more often than not) and are held more briefly than the look at the listener, so no
take leans one way for long.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

YAW_LIMIT, PITCH_LIMIT = 20.0, 15.0
CENTRE_SPREAD_DEG = (0.7, 0.5)  # std of the take's gaze centre (yaw, pitch) around the camera
AVERTED_HOLD = 0.6  # a look-away is held this fraction of a fixation on the listener
SIDE_SWITCH = 0.7  # chance that a look-away goes to the other side than the previous one


@dataclass(frozen=True)
class GazeStyle:
    fixation: float = 1.0  # multiplies fixation durations
    aversion: float = 1.0  # multiplies the chance of looking away
    size: float = 1.0  # multiplies saccade sizes
    down: float = 0.0  # degrees of downward bias of aversions (negative pitch)
    side: float = 0.0  # degrees of sideways bias of aversions (yaw)
    contact: float = 1.0  # how far the eyes counter the emotion's head posture to stay on the listener


STYLES = (  # column order = core.emotion_track.EMOTIONS
    GazeStyle(),  # neutral
    GazeStyle(fixation=1.6, aversion=0.4, size=0.8),  # angry: holds a stare, up from a lowered head
    GazeStyle(fixation=1.2, aversion=1.2, side=4.0, contact=0.6),  # contempt: sideways glance, down the nose
    GazeStyle(aversion=1.6, side=-5.0, down=2.0, contact=0.3),  # disgusted: looks away
    GazeStyle(fixation=0.45, aversion=1.5, size=1.4, contact=0.7),  # fear: darting
    GazeStyle(aversion=0.9),  # happy
    GazeStyle(fixation=1.3, aversion=1.8, size=0.8, down=8.0, contact=0.0),  # sad: looks down, head and eyes
    GazeStyle(fixation=1.3, aversion=0.6, size=0.9),  # surprised: wide, fixed
)


@dataclass(frozen=True)
class Saccade:
    start: float  # seconds
    duration: float
    amplitude: float  # degrees


def style_curves(emotion_weights) -> dict[str, np.ndarray]:
    """Per-frame style: the emotion-weighted mean of the styles."""
    w = np.clip(np.asarray(emotion_weights, dtype=float), 0, None)
    w = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-6)
    fields = tuple(GazeStyle.__dataclass_fields__)
    mixed = w @ np.array([[getattr(s, f) for f in fields] for s in STYLES])
    return {f: mixed[:, i] for i, f in enumerate(fields)}


class _Targets:
    """Chooses where the next saccade lands, around the take's centre."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.centre = rng.normal(0.0, 1.0, 2) * np.array(CENTRE_SPREAD_DEG)
        self.last_side = rng.choice((-1.0, 1.0))

    def averted(self, pos) -> bool:
        return bool(np.hypot(*(pos - self.centre)) > 6.0)

    def next(self, pos, speaking: bool, st) -> np.ndarray:
        rng = self.rng
        if self.averted(pos) and rng.random() < 0.7:  # come back to the listener
            return self.centre + rng.normal(0.0, 0.7, 2)
        if not self.averted(pos) and rng.random() < (0.3 if speaking else 0.12) * st["aversion"]:
            mag = rng.uniform(10.0, 15.0)
            ang = rng.uniform(-np.pi / 2, np.pi / 2)  # the right half; the side is chosen below
            side = -self.last_side if rng.random() < SIDE_SWITCH else self.last_side
            self.last_side = side
            direction = np.array([side * np.cos(ang), 0.6 * np.sin(ang)])  # more sideways than vertical
            direction /= np.hypot(*direction)
            return self.centre + mag * direction + np.array([st["side"], -st["down"]])
        mag = min(5.0, 1.0 + rng.exponential(1.3)) * st["size"]
        ang = rng.uniform(0, 2 * np.pi)
        # small hops stay near the listener: most of the way back to the centre, then the hop
        return self.centre + 0.35 * (pos - self.centre) + mag * np.array([np.cos(ang), np.sin(ang)])


def gaze_motion(features, emotion_weights, fps: float, rng: np.random.Generator, amount: float = 1.0):
    """-> (world gaze [T, 2] degrees (yaw, pitch), list of Saccade)."""
    n = int(features.n_frames)
    duration = n / fps
    loud = np.asarray(features.loudness, dtype=float)[:n]
    speaking = gaussian_filter1d((loud > 0.08).astype(float), max(0.5, 0.2 * fps)) > 0.3 if n else loud > 0
    styles = style_curves(emotion_weights)
    times, froms, tos, saccades = [], [], [], []
    targets = _Targets(rng)
    pos = targets.centre * amount
    t = 0.0
    while n and t < duration:
        f = min(n - 1, int(t * fps))
        median = (0.7 if speaking[f] else 1.2) * styles["fixation"][f]
        if targets.averted(pos / max(amount, 1e-6)):
            median *= AVERTED_HOLD
        t += median * rng.lognormal(0.0, 0.5)
        if t >= duration:
            break
        f = min(n - 1, int(t * fps))
        target = targets.next(pos / max(amount, 1e-6), bool(speaking[f]), {k: v[f] for k, v in styles.items()}) * amount
        target = np.clip(target, [-YAW_LIMIT, -PITCH_LIMIT], [YAW_LIMIT, PITCH_LIMIT])
        amp = float(np.hypot(*(target - pos)))
        dur = min(0.08, 0.021 + 0.0022 * amp)
        times.append(t)
        froms.append(pos)
        tos.append(target)
        saccades.append(Saccade(t, dur, amp))
        pos = target
        t += dur
    gaze = np.tile(targets.centre * amount, (n, 1))
    if saccades:
        tf = np.arange(n) / fps
        starts = np.array(times)
        idx = np.searchsorted(starts, tf, side="right") - 1
        has = idx >= 0
        i = idx[has]
        durs = np.array([s.duration for s in saccades])
        prog = np.clip((tf[has] - starts[i]) / durs[i], 0, 1)
        prog = prog**3 * (10 - 15 * prog + 6 * prog**2)  # minimum-jerk profile
        fr, to = np.array(froms), np.array(tos)
        gaze[has] = fr[i] + (to[i] - fr[i]) * prog[:, None]
    # fixational micro-movements: a slow tremor-like drift of a few tenths of a degree
    gaze += gaussian_filter1d(rng.standard_normal((n, 2)), max(0.5, 0.15 * fps), axis=0) * 0.6 * amount if n else 0
    return gaze, saccades
