"""Inserting a key without changing the curve's shape (Maya's Insert Key, Blender's keyframe insert).

A smooth span is a cubic Bézier; splitting it at the new key's frame (de Casteljau) gives two spans
that trace exactly the same curve, so the new key takes the curve's value and slope there, and its
neighbours keep the slopes (and, on weighted spans, the handle lengths) they had. Neighbours whose
automatic tangents would re-aim at the new key are frozen to "free" with the slopes they had.
Step and linear spans are split by a key of the same kind on them.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .key_curve import LINEAR, STEP, control_points, curve_arrays, evaluate, is_parametric, \
    raw_handle_lengths, slopes, solve_parameter


def _lerp(a, b, s):
    return a + (b - a) * s


def insert_key(keys: tuple, frame: int, key_id: str, make_key) -> tuple:
    """`keys` (sorted, first.frame < frame < last.frame, none on `frame`) plus a key `key_id` at
    `frame` that leaves the curve unchanged everywhere. `make_key(**fields)` builds a Key."""
    c = curve_arrays(keys)
    i = int(np.searchsorted(c.frames, frame, side="right") - 1)
    if not 0 <= i < len(keys) - 1 or c.frames[i] == frame:
        raise ValueError(f"frame {frame} is not strictly inside the keys")
    left, right = keys[i], keys[i + 1]
    kind = c.interp[i]
    changes: dict[int, dict] = {}  # index of an old key -> fields to change
    if kind == STEP:
        new = make_key(frame=frame, value=left.value, interp="step", id=key_id)
    elif kind == LINEAR:
        value = float(evaluate(c, np.array([float(frame)]))[0])
        new = make_key(frame=frame, value=value, interp="linear", id=key_id, tangent="linear")
    elif not is_parametric(c)[i]:
        new = _split_cubic(c, i, frame, key_id, make_key)
    else:
        new, changes = _split_weighted(c, i, frame, key_id, make_key)
    out = list(keys[:i + 1]) + [new] + list(keys[i + 1:])
    for j, fields in changes.items():
        out[j if j <= i else j + 1] = dataclasses.replace(out[j if j <= i else j + 1], **fields)
    return keep_slopes(keys, tuple(out), (left.id, right.id))


def _split_cubic(c, i, frame, key_id, make_key):
    """A span whose time is linear in its parameter: a cubic in time; the new key takes its value and slope."""
    x0, y0, _, y1, _, y2, x3, y3 = (p[i] for p in control_points(c))
    h = x3 - x0
    s = (frame - x0) / h
    r = 1 - s
    value = r ** 3 * y0 + 3 * r * r * s * y1 + 3 * r * s * s * y2 + s ** 3 * y3
    dy_ds = 3 * (r * r * (y1 - y0) + 2 * r * s * (y2 - y1) + s * s * (y3 - y2))
    slope = float(dy_ds / h)
    return make_key(frame=frame, value=float(value), interp="smooth", id=key_id, tangent="free",
                    in_slope=slope, out_slope=slope)


def _split_weighted(c, i, frame, key_id, make_key):
    """de Casteljau split of a weighted span: the new key and both neighbours get handle lengths."""
    x0, y0, x1, y1, x2, y2, x3, y3 = (np.array([p[i]]) for p in control_points(c))
    s = solve_parameter(x0, x1, x2, x3, np.array([float(frame)]))
    p01, p12, p23 = (_lerp(x0, x1, s), _lerp(y0, y1, s)), (_lerp(x1, x2, s), _lerp(y1, y2, s)), \
        (_lerp(x2, x3, s), _lerp(y2, y3, s))
    q1 = (_lerp(p01[0], p12[0], s), _lerp(p01[1], p12[1], s))
    q2 = (_lerp(p12[0], p23[0], s), _lerp(p12[1], p23[1], s))
    mid = (_lerp(q1[0], q2[0], s), _lerp(q1[1], q2[1], s))
    f = float(frame)
    in_len, out_len = float(f - q1[0][0]), float(q2[0][0] - f)
    slope = float((q2[1][0] - q1[1][0]) / (q2[0][0] - q1[0][0])) if q2[0][0] > q1[0][0] else 0.0
    new = make_key(frame=frame, value=float(mid[1][0]), interp="smooth", id=key_id, tangent="free",
                   in_slope=slope, out_slope=slope, weighted=True, in_weight=max(in_len, 1e-9),
                   out_weight=max(out_len, 1e-9))
    # Handles of the two halves are in time order (the span's were), so none is scaled: exact. The
    # neighbours' other handles keep the length they asked for, so their other spans do not change.
    a, b = raw_handle_lengths(c)
    left_in = float(b[i - 1]) if i > 0 else None
    right_out = float(a[i + 1]) if i + 1 < len(a) else None
    changes = {i: dict(weighted=True, out_weight=max(float(p01[0][0] - x0[0]), 1e-9), in_weight=left_in),
               i + 1: dict(weighted=True, in_weight=max(float(x3[0] - p23[0][0]), 1e-9), out_weight=right_out)}
    return new, changes


def keep_slopes(before: tuple, after: tuple, key_ids) -> tuple:
    """`after` with the keys `key_ids` (present in both) aimed as they were in `before`: a key whose
    tangent follows its neighbours (auto, linear) becomes "free" with its old slopes when new
    neighbours would turn it. An end key's outer side faced the hold, so it was flat."""
    cb, ca = curve_arrays(before), curve_arrays(after)
    in_b, out_b = slopes(cb)
    in_a, out_a = slopes(ca)
    pos_b = {k.id: i for i, k in enumerate(before)}
    pos_a = {k.id: i for i, k in enumerate(after)}
    out = list(after)
    for kid in key_ids:
        j, ja = pos_b[kid], pos_a[kid]
        old_in = in_b[j] if j > 0 else 0.0
        old_out = out_b[j] if j < len(before) - 1 else 0.0
        uses_in, uses_out = ja > 0, ja < len(after) - 1  # sides that shape a span now
        if (not uses_in or np.isclose(in_a[ja], old_in, rtol=1e-12, atol=1e-12)) and \
                (not uses_out or np.isclose(out_a[ja], old_out, rtol=1e-12, atol=1e-12)):
            continue
        k = after[ja]
        new_in = float(old_in) if uses_in else k.in_slope
        new_out = float(old_out) if uses_out else k.out_slope
        out[ja] = dataclasses.replace(k, tangent="free", in_slope=new_in, out_slope=new_out,
                                      broken=bool(new_in != new_out))
    return tuple(out)
