"""What a rendered open mouth shows between the lips, measured (tests and bench_open_vowels.py).

A flat black hole and a photographic mouth differ in a few numbers taken inside the inner-lip
outline of the driving landmarks (shrunk by a pixel, clear of the lips' soft edges), in the mouth's
own frame (u corner to corner; s from the upper inner lip, 0, to the lower one, 1, per column):

- black:  share of the opening darker than 8 % luminance;
- spread: standard deviation of its luminance (0..1);
- upper:  mean luminance of the band under the upper lip (s < 0.3, central half of the width:
          the upper teeth's edges) over that of the middle (0.35 < s < 0.65: the cavity);
- lower:  the same for the lower part (s > 0.7: the tongue, the lower teeth's edges);
- rim:    the most saturated pixels (95th percentile of max-min over max) of the ring within 2 px
          inside the outline, over the lips' own saturation (a coloured rim reads > 1);
- grey:   the largest channel spread of any pixel inside (a greyscale portrait: a few levels);
- teeth_rgb: mean colour of the band under the upper lip (central half: the upper teeth);
- left, right: mean luminance of the band under the upper lip in the image-left and -right half
          of the opening (a turned head lights the teeth facing the camera).
Millimetres are the project's (pupils 63 mm apart).
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import binary_erosion
from skimage.draw import polygon2mask

INNER_UPPER = [191, 80, 81, 82, 13, 312, 311, 310, 415]
INNER_LOWER = [95, 88, 178, 87, 14, 317, 402, 318, 324]
CORNERS = (78, 308)
OUTER_LIPS = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146]
LUMA = np.array([0.299, 0.587, 0.114])


def lip_gap_mm(lm: np.ndarray) -> float:
    """Largest inner-lip gap of landmarks [478, 3] in mm, whatever the renderer takes mm to be."""
    from talkface_studio.face.normalize import normalize
    from talkface_studio.perform.face_fields import MM
    n, _ = normalize(np.asarray(lm, np.float64))
    return float(np.linalg.norm(n[INNER_LOWER, :2] - n[INNER_UPPER, :2], axis=1).max() / MM)


def _saturation(px: np.ndarray) -> np.ndarray:
    return (px.max(-1) - px.min(-1)) / np.maximum(px.max(-1), 1.0)


def interior_stats(img: np.ndarray, lm: np.ndarray) -> dict:
    """img uint8 [S, S, 3], lm [478, 3] in its pixels -> the measures above (NaN where a band is
    empty)."""
    shape = img.shape[:2]
    loop = np.concatenate([lm[[CORNERS[0]], :2], lm[INNER_UPPER, :2], lm[[CORNERS[1]], :2],
                           lm[INNER_LOWER[::-1], :2]])
    outline = polygon2mask(shape, loop[:, ::-1] - 0.5)
    inside = binary_erosion(outline)
    rgb = img.astype(np.float64)
    lum = rgb @ LUMA / 255.0
    a, b = lm[CORNERS[0], :2], lm[CORNERS[1], :2]
    ex = (b - a) / np.linalg.norm(b - a)
    ey = np.array([-ex[1], ex[0]])
    yy, xx = np.mgrid[:shape[0], :shape[1]] + 0.5
    q = np.stack([xx, yy], -1) - a
    u, v = q @ ex / np.linalg.norm(b - a), q @ ey
    up = (lm[INNER_UPPER, :2] - a) @ np.stack([ex / np.linalg.norm(b - a), ey], 1)
    lo = (lm[INNER_LOWER, :2] - a) @ np.stack([ex / np.linalg.norm(b - a), ey], 1)
    top = np.interp(u, *up[np.argsort(up[:, 0])].T)
    bottom = np.interp(u, *lo[np.argsort(lo[:, 0])].T)
    s = (v - top) / np.maximum(bottom - top, 1e-6)
    central = inside & (np.abs(u - 0.5) < 0.25)

    def band_mean(sel):
        return float(lum[sel].mean()) if sel.any() else float("nan")

    middle = band_mean(central & (s > 0.35) & (s < 0.65))
    lips = polygon2mask(shape, lm[OUTER_LIPS, :2][:, ::-1] - 0.5) & ~outline
    lip_sat = float(np.median(_saturation(rgb[lips]))) if lips.any() else float("nan")
    ring = outline & ~binary_erosion(outline, iterations=2)
    px = rgb[inside]
    top_band = inside & (s < 0.3)
    return {
        "gap_mm": lip_gap_mm(lm),
        "pixels": int(inside.sum()),
        "black": float((lum[inside] < 0.08).mean()) if inside.any() else float("nan"),
        "spread": float(lum[inside].std()) if inside.any() else float("nan"),
        "upper": band_mean(central & (s < 0.3)) / max(middle, 1e-3),
        "lower": band_mean(central & (s > 0.7)) / max(middle, 1e-3),
        "rim": float(np.percentile(_saturation(rgb[ring]), 95)) / max(lip_sat, 0.05) if ring.any() else float("nan"),
        "grey": float((px.max(-1) - px.min(-1)).max()) if len(px) else float("nan"),
        "teeth_rgb": rgb[central & (s < 0.3)].mean(0) if (central & (s < 0.3)).any() else np.full(3, np.nan),
        "left": band_mean(top_band & (u < 0.5)),
        "right": band_mean(top_band & (u >= 0.5)),
    }


def _driver(fit, size: int, yaw: float):
    """jaw opening -> landmarks [478, 3] at ``size`` px of the portrait's neutralized face (as stage 1
    drives it), head turned by ``yaw`` degrees."""
    from talkface_studio.face.relocate import relocate
    from talkface_studio.perform.blendshapes import compose
    from talkface_studio.perform.neutralize import neutralize_identity
    identity = neutralize_identity(np.asarray(fit.landmarks, np.float32))[0]
    scale = size / fit.image.shape[0]

    def drive(jaw):
        expr = compose({"jaw_open": np.array([jaw], np.float32)}, 1)
        return relocate(identity, expr, {"head_yaw": np.array([yaw], np.float32)}, scale=scale)[0]
    return drive


def closed_mouth(fit, size: int, yaw: float = 0.0) -> np.ndarray:
    """The portrait's neutralized face with its jaw closed (landmarks [478, 3] at ``size`` px)."""
    return _driver(fit, size, yaw)(0.0).astype(np.float64)


def open_vowel(fit, gap_mm: float, size: int, yaw: float = 0.0) -> np.ndarray:
    """Landmarks [478, 3] at ``size`` px of the portrait's neutralized face opening its jaw until
    the inner lips are ``gap_mm`` apart (an open vowel), head turned by ``yaw`` degrees."""
    drive = _driver(fit, size, yaw)
    lo, hi = 0.0, 1.5
    for _ in range(20):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if lip_gap_mm(drive(mid)) < gap_mm else (lo, mid)
    return drive(0.5 * (lo + hi)).astype(np.float64)
