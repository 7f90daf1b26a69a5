"""The teeth as a rigid arch in the head, seen through one face's pose.

Teeth are bone: the upper row is fixed to the skull, the lower row to the jaw, and neither changes
size when the lips move. So the arch is placed once per portrait in *normalized face space*
(``face.normalize``: pose removed, unit = outer-eye-corner distance) and every frame sees
it through the frame's own head pose (``estimate_pose`` of the stable points, never the mouth).
A 3/4 mouth shows the arch turned: teeth on the far side foreshortened and hidden behind the front
ones, the near side's premolars visible, each tooth lit by how much it faces the camera.

The arch is a parabola seen from above (depth z = K * x^2: canines ~9 mm behind the central
incisors, premolars ~15 mm) with the tooth widths and crown heights of an average adult dentition.
Per frame it is tabulated against one image coordinate ``a`` (pixels across the head's vertical,
from the incisors' midpoint), so any pixel's tooth, height above the biting edge and shading are a
profile lookup (``rim_frame.profiles``) instead of a per-pixel solve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from talkface_studio.face.normalize import Pose
from talkface_studio.face.topology import REGIONS, canonical_face

# Normalized units per millimetre, the project's one scale (as ``perform.face_fields.MM``): the
# canonical face's pupils are 63 mm apart (the adult mean), which puts its outer eye corners, the
# normalized unit, ~88 mm apart. (Until 2026-12-01 the renderer took the eye corners as 63 mm: its
# millimetres were ~1.4 real ones and the drawn teeth ~40 % too large.)
_PUPILS = canonical_face()[list(REGIONS["iris_centres"])].astype(np.float64)
MM = float(np.linalg.norm(_PUPILS[0] - _PUPILS[1]) / 63.0)
EYE_SPAN_MM = 1.0 / MM             # outer eye corner to corner, mm (~88.5)
UPPER_K, LOWER_K = 0.029, 0.032    # arch depth per lateral mm^2 (parabola seen from above)
LOWER_BEHIND_MM = 2.5              # the lower incisors sit behind the upper ones (overjet)
REACH_MM = 27.0                    # lateral extent of the modelled arch (second premolars)
# Widths along the arch (mm) from the midline: central, lateral incisor, canine, premolars, molar.
UPPER_WIDTHS = (8.5, 6.5, 7.5, 7.0, 6.5, 10.0)
LOWER_WIDTHS = (5.3, 5.9, 7.0, 7.0, 7.0, 11.0)
# Per tooth (same order): biting edge above the central incisors' (mm; the "smile arc"), and the
# crown's height from that edge to the gum (mm).
UPPER_EDGE_MM = (0.0, 0.7, 0.2, 0.8, 1.2, 1.6)
UPPER_CROWN_MM = (10.5, 9.0, 10.0, 8.5, 7.5, 7.0)
# ... and how bright each is against the central incisors (laterals thinner and more translucent,
# canines and premolars more saturated, duller)
UPPER_SHADE = (1.0, 0.93, 0.87, 0.85, 0.83, 0.8)
SAMPLES = 271


def arch_depth(x_mm: np.ndarray, k: float) -> np.ndarray:
    return k * x_mm * x_mm


def _arc_mm(x_mm: np.ndarray, k: float) -> np.ndarray:
    """|arc length| along the parabola from the midline (closed form)."""
    t = 2 * k * np.abs(x_mm)
    return (t * np.sqrt(1 + t * t) + np.arcsinh(t)) / (4 * k)


def _tooth_tables(x_mm: np.ndarray, k: float, widths) -> tuple[np.ndarray, np.ndarray]:
    """(index of the tooth at each lateral position, distance to the nearest gap in mm)."""
    s = _arc_mm(x_mm, k)
    bounds = np.concatenate([[0.0], np.cumsum(widths)])
    idx = np.clip(np.searchsorted(bounds, s, side="right") - 1, 0, len(widths) - 1)
    to_gap = np.minimum(s - bounds[idx], bounds[idx + 1] - s)
    return idx, to_gap


def _smooth_per_tooth(x_mm: np.ndarray, k: float, widths, values) -> np.ndarray:
    """A per-tooth value interpolated between tooth centres along the arch (no steps)."""
    s = _arc_mm(x_mm, k)
    bounds = np.concatenate([[0.0], np.cumsum(widths)])
    centres = np.concatenate([[0.0], (bounds[1:-1] + bounds[2:]) / 2])
    return np.interp(s, centres, np.concatenate([[values[0]], np.asarray(values[1:])]))


@dataclass(frozen=True)
class ArchView:
    """One frame's view of an arch: tables over ``a`` (pixels along ``across`` from ``origin``).

    For a pixel q: a = across . (q - origin); its point on the arch's biting edge is at lateral
    x(a) mm; its height above that edge is h = up . (q - origin) / px_per_mm - edge_up(a) (mm).
    Curves are (u_knots, values) with u = (a - a_lo) / (a_hi - a_lo), for ``profiles``."""

    origin: np.ndarray       # [2] image position of the biting edge's midpoint
    across: np.ndarray       # [2] unit vector across the head's vertical, image left -> right
    up: np.ndarray           # [2] unit vector toward the top of the head
    px_per_mm: float         # along ``up`` (foreshortened by pitch)
    a_lo: float
    a_hi: float
    u: np.ndarray            # [n] knots
    x_mm: np.ndarray         # [n] lateral position on the arch at each knot
    edge_up: np.ndarray      # [n] mm: the biting edge's image height above the origin's
    facing: np.ndarray       # [n] 0..1: how squarely the tooth surface faces the camera
    depth_mm: np.ndarray     # [n] how far behind the central incisors

    def to_u(self, a):
        return (a - self.a_lo) / max(self.a_hi - self.a_lo, 1e-6)


def view_arch(pose: Pose, edge_n: np.ndarray, k: float) -> ArchView:
    """The arch whose central biting edge sits at ``edge_n`` (normalized [3]) seen with ``pose``."""
    r = np.asarray(pose.rotation, dtype=np.float64)
    x = np.linspace(-REACH_MM, REACH_MM, SAMPLES)
    pts = np.stack([x, np.zeros_like(x), arch_depth(x, k)], axis=1) * MM + edge_n
    img = (pose.scale * pts @ r.T)[:, :2]
    origin = img[SAMPLES // 2]
    up3 = pose.scale * r @ np.array([0.0, -MM, 0.0])
    up = up3[:2] / max(np.linalg.norm(up3[:2]), 1e-9)
    px_per_mm = float(np.linalg.norm(up3[:2]))
    across = np.array([-up[1], up[0]])     # image left -> right for an upright head
    a = (img - origin) @ across
    # Keep the part of the arch that is seen: from the midline outward while ``a`` keeps moving
    # away (on the far side of a turned head the arch curls behind its own front teeth).
    mid = SAMPLES // 2
    step = np.diff(a)
    right = mid + 1 + int(np.argmax(step[mid:] <= 1e-9)) if np.any(step[mid:] <= 1e-9) else len(a)
    left_steps = step[:mid][::-1]
    left = mid - int(np.argmax(left_steps <= 1e-9)) if np.any(left_steps <= 1e-9) else 0
    sel = slice(left, right)
    a, x, img = a[sel], x[sel], img[sel]
    edge_up = (img - origin) @ up / px_per_mm
    # Surface normal of the parabola (outward, toward -z in front) against the view direction.
    normal = np.stack([2 * k * x, np.zeros_like(x), -np.ones_like(x)], axis=1)
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    facing = np.clip(-(normal @ r.T)[:, 2], 0.0, 1.0)
    lo, hi = float(a[0]), float(a[-1])
    u = (a - lo) / max(hi - lo, 1e-6)
    return ArchView(origin + pose.translation[:2], across, up, px_per_mm, lo, hi, u, x, edge_up, facing,
                    arch_depth(x, k))


def _knots(x_mm: np.ndarray, whole):
    """whole(x) (a tuple of per-position tables, each elementwise in x) at x_mm: sliced from its
    tables over the whole arch, built once, when x_mm is a run of the arch's knots (it is for every
    ``view_arch``: the seen part of the same samples), else computed."""
    n = len(x_mm)
    left = int(np.searchsorted(_X_FULL, x_mm[0])) if n else 0
    if n == 0 or left + n > SAMPLES or not np.array_equal(_X_FULL[left:left + n], x_mm):
        return whole(x_mm)
    if whole not in _WHOLE:
        tables = whole(_X_FULL)
        for t in tables:
            t.setflags(write=False)        # shared by every frame
        _WHOLE[whole] = tables
    return tuple(t[left:left + n] for t in _WHOLE[whole])


_X_FULL = np.linspace(-REACH_MM, REACH_MM, SAMPLES)     # the knots ``view_arch`` samples
_WHOLE: dict = {}


def upper_tables(x_mm: np.ndarray):
    """Per lateral position on the upper arch: (gap closeness 0..1, biting-edge lift mm, crown mm,
    brightness)."""
    return _knots(x_mm, _upper_tables)


def _upper_tables(x_mm: np.ndarray):
    _, to_gap = _tooth_tables(x_mm, UPPER_K, UPPER_WIDTHS)
    return (_gap(to_gap), _smooth_per_tooth(x_mm, UPPER_K, UPPER_WIDTHS, UPPER_EDGE_MM),
            _smooth_per_tooth(x_mm, UPPER_K, UPPER_WIDTHS, UPPER_CROWN_MM),
            _smooth_per_tooth(x_mm, UPPER_K, UPPER_WIDTHS, UPPER_SHADE))


def lower_tables(x_mm: np.ndarray) -> np.ndarray:
    """Per lateral position on the lower arch: gap closeness 0..1."""
    return _knots(x_mm, _lower_tables)[0]


def _lower_tables(x_mm: np.ndarray):
    _, to_gap = _tooth_tables(x_mm, LOWER_K, LOWER_WIDTHS)
    return (_gap(to_gap),)


def _gap(to_gap_mm: np.ndarray) -> np.ndarray:
    """1 in the dark line between two teeth (~0.25 mm wide), 0 mid-tooth, with the rounded
    tooth faces darkening toward it."""
    return 1.0 / (1.0 + (to_gap_mm / 0.3) ** 2)


def tooth_roundness(x_mm: np.ndarray, k: float, widths) -> np.ndarray:
    """0 mid-tooth .. 1 at its sides: each crown is convex, lit in the middle."""
    if (k, tuple(widths)) in _ROUNDNESS:
        return _knots(x_mm, _ROUNDNESS[k, tuple(widths)])[0]
    return _roundness(x_mm, k, widths)


def _roundness(x_mm: np.ndarray, k: float, widths) -> np.ndarray:
    idx, to_gap = _tooth_tables(x_mm, k, widths)
    half = np.asarray(widths)[idx] / 2
    return np.clip(1.0 - to_gap / half, 0.0, 1.0)


_ROUNDNESS = {(k, w): (lambda x, k=k, w=w: (_roundness(x, k, w),))
              for k, w in ((UPPER_K, UPPER_WIDTHS), (LOWER_K, LOWER_WIDTHS))}
