"""Lips that relax out of a broad smile get their corners back.

A broad smile stretches the lips thin toward the corners and digs a dark pit at each end of the
mouth. When the performance relaxes the mouth (a neutral face, a frown), the lips there are fuller
again: each corner's few triangles of thin lip and pit are stretched over a much thicker piece of
lip, and the pit turns into a dark hook at the end of the mouth. So where a lip is much thicker in
the frame than in the portrait near a corner, that piece of lip is re-textured from the portrait's
lip further in (where it has real thickness), mapped across its thickness (outer outline to inner
rim), fading into the plain warp toward the middle of the mouth and at the lip's outer outline.
"""

from __future__ import annotations

import numpy as np

from . import flow
from .pixel_ops import ops_of
from .pixel_window import smoothstep
from .rim_frame import Axis, profiles, rim_strips

OUTER_CORNERS = (61, 291)
UPPER_OUTER = np.array([185, 40, 39, 37, 0, 267, 269, 270, 409])
LOWER_OUTER = np.array([146, 91, 181, 84, 17, 314, 405, 321, 375])
UPPER_INNER = np.array([78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308])
LOWER_INNER = np.array([78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308])
# u (corner to corner) -> where along the portrait's lip the texture is taken from
U_KNOTS = np.array([0.0, 0.3, 0.7, 1.0])
U_SOURCE = np.array([0.16, 0.3, 0.7, 0.84])
STRETCH = (1.15, 1.6)     # frame / portrait lip thickness near the corners over which it applies


def _thickness_near_corners(lm: np.ndarray, outer, inner) -> float:
    """Mean distance between the outer outline and the inner rim over the outer fifths of a lip,
    over the mouth's width."""
    axis = Axis.between(lm[OUTER_CORNERS[0], :2], lm[OUTER_CORNERS[1], :2])
    uo, vo = axis.to_uv(np.concatenate([lm[[OUTER_CORNERS[0]], :2], lm[outer, :2], lm[[OUTER_CORNERS[1]], :2]]))
    ui, vi = axis.to_uv(lm[inner, :2])
    us = np.array([0.1, 0.16, 0.84, 0.9])
    return float(np.mean(np.abs(np.interp(us, uo, vo) - np.interp(us, ui, vi)))) / axis.width


_OWN: dict = {}


def _portrait_thickness(src: np.ndarray) -> tuple[float, float]:
    """The portrait's (upper, lower) lip thickness near the corners (kept: the same every frame)."""
    key = src.tobytes()
    if key not in _OWN:
        _OWN.clear()
        _OWN[key] = (_thickness_near_corners(src, UPPER_OUTER, UPPER_INNER),
                     _thickness_near_corners(src, LOWER_OUTER, LOWER_INNER))
    return _OWN[key]


def _curves(lm: np.ndarray, axis: Axis, outer, inner):
    return [axis.to_uv(np.concatenate([lm[[OUTER_CORNERS[0]], :2], lm[outer, :2], lm[[OUTER_CORNERS[1]], :2]])),
            axis.to_uv(lm[inner, :2])]


def restore_corners(frame, texture, lm: np.ndarray, src: np.ndarray,
                    strength: float = 1.0) -> None:
    """In place: re-texture the lips near the corners where the frame's lips are much fuller there
    than the portrait's (src: the portrait's landmarks, output pixels); ``strength`` 0..1."""
    size = frame.shape[-1]
    xp = ops_of(frame)
    s_axis = Axis.between(src[OUTER_CORNERS[0], :2], src[OUTER_CORNERS[1], :2])
    own = _portrait_thickness(src)
    for (outer, inner), own_t in zip(((UPPER_OUTER, UPPER_INNER), (LOWER_OUTER, LOWER_INNER)), own):
        ratio = _thickness_near_corners(lm, outer, inner) / max(own_t, 1e-4)
        amount = smoothstep(*STRETCH, ratio) * strength
        if amount <= 0:
            continue
        s_out, s_in = _curves(src, s_axis, outer, inner)
        left, right = lm[OUTER_CORNERS[0], :2], lm[OUTER_CORNERS[1], :2]
        for rf in rim_strips(left, right, lm[outer, :2], lm[inner[1:-1], :2], size, 2.0, frame,
                             extra=lm[inner, :2], extra_curves=[(U_KNOTS, U_SOURCE)], smooth=True):
            # rf.top / rf.bottom: the outer outline and the inner rim (either order, by lip)
            span = rf.bottom - rf.top
            t = xp.clip((rf.v - rf.top) / xp.where(abs(span) < 1e-3, xp.full_like(span, 1e-3), span), 0, 1)
            u_src = rf.curves[0]
            o, i = profiles(u_src, [s_out, s_in])        # the portrait's lip at that u
            s_v = o + t * (i - o)
            lips = flow.sample(texture, s_axis.to_px(u_src, s_v))
            inside = xp.where(span >= 0, xp.clip(rf.v - rf.top, 0) * xp.clip(rf.bottom - rf.v, 0),
                              xp.clip(rf.top - rf.v, 0) * xp.clip(rf.v - rf.bottom, 0))
            near_corner = 1 - smoothstep(0.22, 0.36, 0.5 - abs(rf.u - 0.5))
            soft = smoothstep(0.0, 0.25, t) * (1 - smoothstep(0.85, 1.0, t))
            alpha = (inside > 0) * near_corner * soft * amount * ((rf.u > 0) & (rf.u < 1))
            win = rf.window(frame)
            win += (lips - win) * alpha[None]
