"""An opening between two rims (the lips, the lids) in its own frame, over a small pixel window.

u runs from one corner (0) to the other (1); v is pixels along the perpendicular, down in the
image for an upright face. The rims become two profiles top(u) and bottom(u), so "inside", "how far
below the upper lip" and anti-aliased edges are a few elementwise ops instead of per-edge polygon
distances, and the frame follows head roll and asymmetric openings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .pixel_ops import ops_of
from .pixel_window import bbox, window_grid


@dataclass(frozen=True)
class Axis:
    """A corner-to-corner axis: origin a, unit vectors ex (along) and ey (perpendicular), width."""

    a: np.ndarray
    ex: np.ndarray
    ey: np.ndarray
    width: float

    @staticmethod
    def between(a, b) -> "Axis":
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        width = max(float(np.linalg.norm(b - a)), 1e-3)
        ex = (b - a) / width
        return Axis(a, ex, np.array([-ex[1], ex[0]]), width)

    def to_uv(self, p: np.ndarray):
        q = np.asarray(p, dtype=np.float64) - self.a
        return q @ self.ex / self.width, q @ self.ey

    def to_px(self, u, v):
        """(u, v) arrays -> pixel positions [..., 2]."""
        xp = ops_of(u)
        a, ex, ey = xp.const(self.a, u), xp.const(self.ex * self.width, u), xp.const(self.ey, u)
        return a + u[..., None] * ex + v[..., None] * ey


PROFILE_SAMPLES = 512     # a profile is tabulated this finely along u (0..1)


def profiles(u, curves) -> list:
    """Piecewise-linear curves [(u_knots, values), ...] (numpy; or their ``tabulate`` table)
    evaluated at u (any shape), each constant beyond u = 0 and 1. All curves are tabulated and looked
    up in one pass (``pixel_ops.lookup``: a gather in numpy, a 1-D grid_sample in torch): a handful
    of elementwise ops however many curves, where searchsorted-and-gather costs several passes per
    curve. Any function of u alone (tooth spacing, a dome) is cheapest as a curve too:
    torch runs one-image grid_samples on one thread, while its transcendental ops (exp, cos, asin,
    sqrt, floor) go parallel even on small windows and stall for milliseconds on a busy machine."""
    xp = ops_of(u)
    table = curves if not isinstance(curves, (list, tuple)) else tabulate(curves, u)
    return xp.lookup(table, u)


def tabulate(curves, like):
    """The table ``profiles`` looks curves up in (PROFILE_SAMPLES per curve), for arrays like
    ``like``: build it once when the same curves serve several strips of a frame."""
    grid_u = np.linspace(0.0, 1.0, PROFILE_SAMPLES)
    table = np.stack([np.interp(grid_u, *_sorted(xs, fs)) for xs, fs in curves])
    return ops_of(like).tabulate(table, like)


def rounded_rims(up, lo, width: float, reach: float):
    """The rims (u, v) knots re-tabulated with rounded ends. Near each corner the opening is cut to
    a parabolic cap on the opening's mid-line there, so it tapers to the corner in a rounded point
    whatever the landmarks do (a jaw that drops the whole lower lip leaves the polygon's sides
    vertical). The cap reaches ``reach`` of the width from the corner, or further when the
    opening is tall there (its tip stays no sharper than ~60 degrees). Never outside the rims."""
    u = np.linspace(0.0, 1.0, PROFILE_SAMPLES)
    top, bottom = np.interp(u, *_sorted(*up)), np.interp(u, *_sorted(*lo))
    out_top, out_bottom = top.copy(), bottom.copy()
    for side, dist in ((u < 0.5, u), (u >= 0.5, 1 - u)):   # dist: from that corner, in widths
        at = np.argmin(np.abs(dist - reach) + 2 * ~side)
        half = max((bottom[at] - top[at]) / 2, 0.0)
        cap_len = max(reach, 0.9 * half / max(width, 1e-6))
        at = np.argmin(np.abs(dist - cap_len) + 2 * ~side)
        mid, half = (top[at] + bottom[at]) / 2, max((bottom[at] - top[at]) / 2, 0.0)
        s = np.clip(dist / cap_len, 0, 1)
        cap = np.where(s < 1, half * s * (2 - s), np.inf)
        out_top = np.where(side, np.maximum(top, mid - cap), out_top)
        out_bottom = np.where(side, np.minimum(bottom, mid + cap), out_bottom)
    return (u, out_top), (u, out_bottom)


_SMOOTHED: dict = {}


def smooth_curve(xp: np.ndarray, fp: np.ndarray, n: int = 96):
    """Knots (x, f) -> a smooth curve through them (cubic Hermite with monotone-limited slopes, as
    PCHIP: no overshoot between knots), tabulated at n points over their range. The last few
    results are kept: a frame asks for the same lips several times."""
    key = (np.asarray(xp, np.float64).tobytes(), np.asarray(fp, np.float64).tobytes(), n)
    if key not in _SMOOTHED:
        if len(_SMOOTHED) > 16:
            _SMOOTHED.clear()
        _SMOOTHED[key] = _smooth(xp, fp, n)
    return _SMOOTHED[key]


def _smooth(xp: np.ndarray, fp: np.ndarray, n: int):
    x, f = _sorted(np.asarray(xp, dtype=np.float64), np.asarray(fp, dtype=np.float64))
    keep = np.concatenate([[True], np.diff(x) > 1e-6])
    x, f = x[keep], f[keep]
    if len(x) < 3:
        return x, f
    h = np.diff(x)
    d = np.diff(f) / h
    m = np.zeros_like(f)
    same = d[:-1] * d[1:] > 0
    w1, w2 = 2 * h[1:] + h[:-1], h[1:] + 2 * h[:-1]
    m[1:-1] = np.where(same, (w1 + w2) / (w1 / np.where(same, d[:-1], 1) + w2 / np.where(same, d[1:], 1)), 0.0)
    m[0], m[-1] = d[0], d[-1]
    t = np.linspace(x[0], x[-1], n)
    k = np.clip(np.searchsorted(x, t, side="right") - 1, 0, len(x) - 2)
    s = (t - x[k]) / h[k]
    h00, h10, h01, h11 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s, -2 * s**3 + 3 * s**2, s**3 - s**2
    return t, h00 * f[k] + h10 * h[k] * m[k] + h01 * f[k + 1] + h11 * h[k] * m[k + 1]


def soft_bump(x):
    """1 / (1 + x^2)^2: a bell like exp(-x^2) made of multiplies (see ``profiles`` on why)."""
    y = 1.0 + x * x
    return 1.0 / (y * y)


def _sorted(xp: np.ndarray, fp: np.ndarray):
    xp, fp = np.asarray(xp), np.asarray(fp)
    if len(xp) < 2 or (xp[1:] >= xp[:-1]).all():     # most curves come sorted: skip the sort
        return xp, fp
    order = np.argsort(xp, kind="stable")
    return xp[order], fp[order]


@dataclass
class RimFrame:
    """Window (x0, y0, w, h) of the frame and, per pixel in it, u, v and the rim profiles."""

    axis: Axis
    x0: int
    y0: int
    w: int
    h: int
    u: object               # arrays [h, w] (numpy, or tensors on the GPU path)
    v: object
    top: object             # v of the upper rim at this pixel's u
    bottom: object          # v of the lower rim
    curves: list            # the caller's extra profiles at each pixel's u
    outline: tuple | None = None    # (top, bottom) of the opening with rounded ends, if asked for

    @property
    def width(self) -> float:
        return self.axis.width

    def inside(self):
        """Signed distance (pixels, along v) into the opening (its rounded outline when there is
        one); positive inside."""
        top, bottom = self.outline or (self.top, self.bottom)
        return ops_of(top).minimum(self.v - top, bottom - self.v)

    def window(self, frame):
        return frame[:, self.y0:self.y0 + self.h, self.x0:self.x0 + self.w]

    def crop(self, box: tuple[int, int, int, int]) -> "RimFrame | None":
        """The part of this frame inside the image box (x0, y0, w, h) (views, no copies), or None
        if they do not meet: a pass that only matters inside the opening skips the lips' band."""
        x0, y0 = max(box[0], self.x0), max(box[1], self.y0)
        x1, y1 = min(box[0] + box[2], self.x0 + self.w), min(box[1] + box[3], self.y0 + self.h)
        if x1 <= x0 or y1 <= y0:
            return None
        if (x0, y0, x1, y1) == (self.x0, self.y0, self.x0 + self.w, self.y0 + self.h):
            return self
        rows, cols = slice(y0 - self.y0, y1 - self.y0), slice(x0 - self.x0, x1 - self.x0)

        def cut(t):
            return t[rows, cols]
        outline = tuple(cut(t) for t in self.outline) if self.outline is not None else None
        return RimFrame(self.axis, x0, y0, x1 - x0, y1 - y0, cut(self.u), cut(self.v), cut(self.top),
                        cut(self.bottom), [cut(c) for c in self.curves], outline)


STRIP_PIXELS = 8192     # pixels per strip: [3, strip] colour tensors stay under torch's 32768-
                        # element grain, so every elementwise op runs inline on the calling thread
                        # (numpy is single-threaded anyway: the same strips keep both paths alike)


def rim_strips(left, right, upper: np.ndarray, lower: np.ndarray, size: int, pad: float,
               like, extra: np.ndarray | None = None,
               extra_curves=None, round_ends: float = 0.0, smooth: bool = False) -> list[RimFrame]:
    """The opening between upper [K, 2] and lower [L, 2] rims (image left -> right, corners
    excluded) with corners ``left``/``right``, over a window covering the rims (and ``extra``
    points) plus ``pad`` pixels, cut into horizontal strips of at most ``STRIP_PIXELS``.
    ``extra_curves`` [(u_knots, values), ...] are looked up at each pixel's u in the same pass
    (``RimFrame.curves``). ``round_ends`` > 0 rounds the opening's ends over that fraction of its
    width (``rounded_rims``, ``RimFrame.outline``; ``top``/``bottom`` stay the rims). ``smooth``
    passes a shape-preserving cubic (PCHIP) through the rim points instead of straight segments
    (lips are curves: straight segments between landmarks read as a polygon, and a thin seam
    drawn along them as a stair-stepped line). The arrays are of ``like``'s kind (the frame: numpy,
    or tensors on its device). Empty when the window is off frame.

    Why strips: above its grain size torch splits an op across threads, and on a shared 2-core
    machine each split waits milliseconds for the second core; a 1024 px mouth is ~100k values."""
    axis = Axis.between(left, right)
    pts_all = np.concatenate([[left, right], upper, lower] + ([extra] if extra is not None else []))
    x0, y0, w, h = bbox(pts_all, size, pad)
    if w < 2 or h < 2:
        return []
    up = axis.to_uv(np.concatenate([[left], upper, [right]]))
    lo = axis.to_uv(np.concatenate([[left], lower, [right]]))
    if smooth:
        up, lo = smooth_curve(*up), smooth_curve(*lo)
    rounded = list(rounded_rims(up, lo, axis.width, round_ends)) if round_ends > 0 else []
    rows = max(1, STRIP_PIXELS // w)
    strips = []
    for sy in range(y0, y0 + h, rows):
        sh = min(rows, y0 + h - sy)
        pts = window_grid(x0, sy, w, sh, like)
        qx, qy = pts[..., 0] - float(axis.a[0]), pts[..., 1] - float(axis.a[1])
        u = (qx * float(axis.ex[0]) + qy * float(axis.ex[1])) / axis.width
        v = qx * float(axis.ey[0]) + qy * float(axis.ey[1])
        top, bottom, *more = profiles(u, [up, lo, *rounded, *(extra_curves or [])])
        outline = (more.pop(0), more.pop(0)) if rounded else None
        strips.append(RimFrame(axis, x0, sy, w, sh, u, v, top, bottom, more, outline))
    return strips
