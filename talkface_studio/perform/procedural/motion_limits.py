"""Physiological bounds on generated head rotation: every movement eases in and out.

Co-speech head movements are the gentle end of what a head does. Hadar et al. (1983, Human Movement
Science 2:35-46) found the fastest speech-related class to be narrow, rapid movements of a few
degrees on loudness peaks, roughly 2-3 Hz; a 2 deg (half-amplitude) oscillation at 2.5 Hz peaks at
31 deg/s and 490 deg/s^2. Walking keeps the head below ~90 deg/s and vigorous voluntary shaking
reaches ~780 deg/s (Grossman et al. 1988, Exp Brain Res 70:470-476), so a talking head that turns
faster than ~35 deg/s or changes speed faster than ~450 deg/s^2 looks like a snap, not a nod.

`limit_motion` follows a target curve as closely as those bounds allow. It works per frame, so the
bounds hold for the frame-to-frame differences at any frame rate (23.976-60 fps): a step is at
most MAX_SPEED / fps and two consecutive steps differ by at most MAX_ACCEL / fps^2. A target that
already respects them comes back unchanged.
"""

from __future__ import annotations

import math

import numpy as np

MAX_SPEED_DEG_S = 35.0
MAX_ACCEL_DEG_S2 = 450.0


def _within(col: np.ndarray, v_max: float, a_max: float) -> bool:
    """The curve already keeps the bounds (starting from rest)."""
    step = np.diff(col, prepend=col[:1])
    return bool(np.all(np.abs(step) <= v_max) and np.all(np.abs(np.diff(step)) <= a_max))


def _follow(col: list[float], v_max: float, a_max: float) -> list[float]:
    """Per frame (plain floats: this loop is the hot part): move with the target's step plus the
    largest step toward it from which the follower can still stop on it, decelerating by at most
    a_max per frame (k steps of a_max, 2 a_max, ... cover a_max k (k + 1) / 2), within the bounds."""
    p, v = col[0], 0.0
    out = [p] * len(col)
    sqrt, copysign = math.sqrt, math.copysign
    for f in range(1, len(col)):
        u = col[f] - col[f - 1]  # the target's own step
        error = col[f - 1] - p  # how far behind it the follower is
        gap = abs(error)
        brake = min(gap, a_max * (sqrt(0.25 + 2.0 * gap / a_max) - 0.5))
        step = u + copysign(brake, error)
        step = min(max(step, v - a_max, -v_max), v + a_max, v_max)
        p += step
        v = step
        out[f] = p
    return out


def limit_motion(target: np.ndarray, fps: float, max_speed: float = MAX_SPEED_DEG_S,
                 max_accel: float = MAX_ACCEL_DEG_S2) -> np.ndarray:
    """target [T] or [T, K] degrees -> the same shape, with |step| <= max_speed / fps and
    |step change| <= max_accel / fps^2 between consecutive frames, starting at rest on the target.

    The follower moves with the target's own step when it can (so a smooth, slow target is kept
    exactly) and otherwise closes the gap as fast as it can while still able to stop on the target
    (a discrete time-optimal brake), so it never overshoots by more than one frame's acceleration."""
    x = np.asarray(target, dtype=np.float64)
    flat = x.reshape(len(x), -1)
    out = flat.copy()
    v_max, a_max = max_speed / fps, max_accel / fps**2
    for k in range(flat.shape[1]):
        if len(flat) and not _within(flat[:, k], v_max, a_max):
            out[:, k] = _follow(flat[:, k].tolist(), v_max, a_max)
    return out.reshape(x.shape)
