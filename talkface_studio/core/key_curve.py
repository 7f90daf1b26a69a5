"""Keyed curves as animators know them (Maya, Blender): keys joined by step, linear or Bézier spans.

A key's `interp` shapes the span after it; its `tangent` says where its two handles point:

    auto_clamped  Fritsch-Carlson slope: smooth and never overshoots a neighbour (flat at extremes)
    auto          the slope through both neighbours (Catmull-Rom): rounder, may overshoot
    flat          slope 0
    linear        each handle points at the neighbouring key on its side
    free          explicit slopes (a dragged handle); `broken` lets the in and out slopes differ

A handle reaches a third of its span unless the key is `weighted`; then its length in frames is the
key's own (`in_weight`, `out_weight`; None = a third). The curve holds its end values outside its keys.

Everything is vectorised numpy over the frames asked for; `CurveArrays` is built once per layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INTERPOLATIONS = ("step", "linear", "smooth")
TANGENTS = ("auto_clamped", "auto", "flat", "linear", "free")
STEP, LINEAR, SMOOTH = range(3)
AUTO_CLAMPED, AUTO, FLAT, LINEAR_TANGENT, FREE = range(5)


@dataclass(frozen=True)
class CurveArrays:
    """Keys as arrays (sorted by frame). Weights are NaN where a handle takes a third of its span."""

    frames: np.ndarray
    values: np.ndarray
    interp: np.ndarray
    tangent: np.ndarray
    in_slope: np.ndarray
    out_slope: np.ndarray
    in_weight: np.ndarray
    out_weight: np.ndarray

    def __len__(self) -> int:
        return len(self.frames)


def curve_arrays(keys) -> CurveArrays:
    """Arrays of `keys` (objects with frame, value, interp, tangent, in/out slope and weights, weighted)."""
    def weight(k, side):
        w = getattr(k, f"{side}_weight")
        return np.nan if not k.weighted or w is None else float(w)

    return CurveArrays(
        frames=np.array([k.frame for k in keys], np.float64),
        values=np.array([k.value for k in keys], np.float64),
        interp=np.array([INTERPOLATIONS.index(k.interp) for k in keys], np.int8),
        tangent=np.array([TANGENTS.index(k.tangent) for k in keys], np.int8),
        in_slope=np.array([k.in_slope for k in keys], np.float64),
        out_slope=np.array([k.out_slope for k in keys], np.float64),
        in_weight=np.array([weight(k, "in") for k in keys], np.float64),
        out_weight=np.array([weight(k, "out") for k in keys], np.float64))


def slopes(c: CurveArrays) -> tuple[np.ndarray, np.ndarray]:
    """(in, out) slope of every key in value units per frame. The first key's in slope and the last
    key's out slope face the held ends: every automatic tangent is flat there."""
    n = len(c)
    m_in, m_out = np.zeros(n), np.zeros(n)
    if n < 2:
        return m_in, m_out
    x, y = c.frames, c.values
    d = np.diff(y) / np.diff(x)
    clamped = _pchip_slopes(x, y)
    auto = np.zeros(n)
    auto[1:-1] = (y[2:] - y[:-2]) / (x[2:] - x[:-2])
    lin_in, lin_out = np.zeros(n), np.zeros(n)
    lin_in[1:], lin_out[:-1] = d, d
    t = c.tangent
    for code, (a, b) in ((AUTO_CLAMPED, (clamped, clamped)), (AUTO, (auto, auto)),
                         (LINEAR_TANGENT, (lin_in, lin_out)), (FREE, (c.in_slope, c.out_slope))):
        sel = t == code
        m_in[sel], m_out[sel] = a[sel], b[sel]
    return m_in, m_out  # FLAT stays 0


def _pchip_slopes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Monotone cubic (Fritsch-Carlson / PCHIP) slopes, zero at the end keys."""
    h = np.diff(x)
    d = np.diff(y) / h
    m = np.zeros_like(y)
    if len(x) > 2:
        w1 = 2 * h[1:] + h[:-1]
        w2 = h[1:] + 2 * h[:-1]
        same_sign = d[:-1] * d[1:] > 0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            harmonic = (w1 + w2) / (w1 / d[:-1] + w2 / d[1:])
        m[1:-1] = np.where(same_sign, harmonic, 0.0)
    return m


def raw_handle_lengths(c: CurveArrays) -> tuple[np.ndarray, np.ndarray]:
    """Per span i (key i to key i+1): the x-length in frames asked for by key i's out handle and
    by key i+1's in handle: their weights, or a third of the span."""
    third = np.diff(c.frames) / 3.0
    a = np.where(np.isnan(c.out_weight[:-1]), third, c.out_weight[:-1])
    b = np.where(np.isnan(c.in_weight[1:]), third, c.in_weight[1:])
    return a, b


def handle_lengths(c: CurveArrays) -> tuple[np.ndarray, np.ndarray]:
    """The handle lengths drawn and evaluated: when the two handles of a span together reach past
    it, both shrink in proportion (as Blender does), so the control points stay in time order and
    the span stays a function of time, also after it is split."""
    a, b = raw_handle_lengths(c)
    h = np.diff(c.frames)
    scale = np.minimum(1.0, h / np.maximum(a + b, 1e-300))
    return a * scale, b * scale


def control_points(c: CurveArrays) -> tuple[np.ndarray, ...]:
    """Bézier control points of every span: (x0, y0, x1, y1, x2, y2, x3, y3), each [n-1]."""
    x, y = c.frames, c.values
    m_in, m_out = slopes(c)
    a, b = handle_lengths(c)
    return (x[:-1], y[:-1], x[:-1] + a, y[:-1] + m_out[:-1] * a,
            x[1:] - b, y[1:] - m_in[1:] * b, x[1:], y[1:])


def _bezier(p0, p1, p2, p3, s):
    """Cubic Bézier in power form about p0: a flat span gives exactly its value (no rounding drift)."""
    c1 = 3.0 * (p1 - p0)
    c2 = 3.0 * (p2 - 2.0 * p1 + p0)
    c3 = p3 - 3.0 * p2 + 3.0 * p1 - p0
    return p0 + s * (c1 + s * (c2 + s * c3))


def solve_parameter(x0, x1, x2, x3, t, iterations: int = 48) -> np.ndarray:
    """The Bézier parameter s in [0, 1] where x(s) = t (x is non-decreasing in s): bisection, to ~1e-14."""
    lo, hi = np.zeros(np.shape(t)), np.ones(np.shape(t))
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        below = _bezier(x0, x1, x2, x3, mid) < t
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return 0.5 * (lo + hi)


def is_parametric(c: CurveArrays) -> np.ndarray:
    """Per span: True where a weighted handle makes time a cubic of the parameter (else time is
    linear in it and the span is a plain cubic in time)."""
    a, b = handle_lengths(c)
    third = np.diff(c.frames) / 3.0
    return (np.abs(a - third) > 1e-12 * (1 + third)) | (np.abs(b - third) > 1e-12 * (1 + third))


def span_parameters(c: CurveArrays, i: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Bézier parameter of frames `t` inside spans `i`."""
    x0, _, x1, _, x2, _, x3, _ = control_points(c)
    s = np.clip((t - x0[i]) / (x3[i] - x0[i]), 0.0, 1.0)
    param = is_parametric(c)[i]
    if param.any():
        j = i[param]
        s[param] = solve_parameter(x0[j], x1[j], x2[j], x3[j], t[param])
    return s


def evaluate(c: CurveArrays, t) -> np.ndarray:
    """The curve at frames `t` (float64), held flat before the first and after the last key."""
    t = np.asarray(t, np.float64)
    n = len(c)
    if n == 0:
        return np.zeros_like(t)
    if n == 1:
        return np.full_like(t, c.values[0])
    x, y = c.frames, c.values
    i = np.searchsorted(x, t, side="right") - 1
    np.clip(i, 0, n - 2, out=i)
    u = np.clip((t - x[i]) / (x[i + 1] - x[i]), 0.0, 1.0)
    kind = c.interp[i]
    out = y[i] + u * (y[i + 1] - y[i])
    step = kind == STEP
    out[step] = y[i[step]]
    smooth = kind == SMOOTH
    if smooth.any():
        j = i[smooth]
        _, y0, _, y1, _, y2, _, y3 = control_points(c)
        s = span_parameters(c, j, t[smooth])
        out[smooth] = _bezier(y0[j], y1[j], y2[j], y3[j], s)
    out[t >= x[-1]] = y[-1]  # the last key holds (a step span would stop short of it)
    return out
