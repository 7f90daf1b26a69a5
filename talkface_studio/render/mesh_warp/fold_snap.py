"""Lay a drawn fold on the portrait's own fold line where the photo shows one.

Forehead lines are written at fixed heights on the canonical face, but an older face already has
its own, a few millimetres off: a crease drawn beside a real one doubles it, and where the two
cross it reads as a wavy line. Each line is sampled every millimetre and looks across itself, a
few millimetres either way, for a valley in the photo: skin darker than on both sides of it
(relative to the brighter side; the darker side counts, so the edge of hair or of a shadow, dark on
one side only, is no valley). Where it finds one the line moves onto it, smoothed along the line so it stays
a fold and not a trace of pores; a smooth forehead keeps the canonical line.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter, map_coordinates

from .pixel_ops import LUMA

REACH_MM = 2.5          # how far across itself a line may move (lines are ~6 mm apart)
STEP_MM = 1.0           # the line is sampled this often along its length
ALONG_MM = 3.0          # offsets are smoothed along the line over this (Gaussian sigma)
BANK_MM = 1.2           # a valley is darker than the skin this far either side of it
VALLEY = (0.015, 0.04)  # relative darkness of a valley: ignored below, trusted fully above
SAMPLE_PX = 0.5         # the look across a line samples the photo every half pixel
MIN_BANK_PX = 1.0       # below this (~0.8 px per mm: renders under ~300 px) lines are left as they are


def smoothed_luminance(rgb: np.ndarray, px: float) -> np.ndarray:
    """Luminance [H, W] of rgb [H, W, 3], smoothed over pores (px output pixels per millimetre)."""
    lum = np.asarray(rgb, np.float64)[..., :3] @ LUMA
    return gaussian_filter(lum, max(0.4 * px, 0.5)).astype(np.float32) + 1.0


def densify(points: np.ndarray, amplitude: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Points every ``step`` pixels along the polyline (its vertices' amplitudes interpolated)."""
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    at = np.concatenate([[0.0], np.cumsum(seg)])
    n = max(int(np.ceil(at[-1] / max(step, 1e-6))), len(points) - 1) + 1
    s = np.linspace(0.0, at[-1], n)
    dense = np.stack([np.interp(s, at, points[:, k]) for k in range(2)], axis=1)
    return dense, np.interp(s, at, amplitude)


def snap_line(lum: np.ndarray, points: np.ndarray, px: float) -> np.ndarray:
    """points [n, 2] (pixels, about STEP_MM apart) moved across the line onto the photo's valley
    where there is one; the same points where there is none. lum: ``smoothed_luminance``."""
    n = len(points)
    if n < 2 or BANK_MM * px < MIN_BANK_PX:
        return points            # a small render: the photo's folds are under a pixel or two wide
    tangent = np.gradient(points, axis=0)
    tangent /= np.maximum(np.linalg.norm(tangent, axis=1, keepdims=True), 1e-9)
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    reach, side = REACH_MM * px, BANK_MM * px
    k = int(round(side / SAMPLE_PX))
    offsets = (np.arange(-(int(np.ceil(reach / SAMPLE_PX)) + k), int(np.ceil(reach / SAMPLE_PX)) + k + 1)
               * SAMPLE_PX)
    at = points[:, None, :] + offsets[None, :, None] * normal[:, None, :]        # [n, k, 2]
    profile = map_coordinates(lum, [at[..., 1].ravel() - 0.5, at[..., 0].ravel() - 0.5], order=1,
                              mode="nearest").reshape(n, len(offsets))
    centre = profile[:, k:-k]
    banks = np.minimum(profile[:, :-2 * k], profile[:, 2 * k:])
    depth = (banks - centre) / np.maximum(profile[:, :-2 * k], profile[:, 2 * k:])
    inner = offsets[k:-k]
    # a valley near the canonical line is preferred to an equal one at the edge of the search
    depth = depth * (1.0 - 0.3 * (inner / reach) ** 2)
    best = depth.argmax(axis=1)
    strength = depth[np.arange(n), best]
    t = np.clip((strength - VALLEY[0]) / (VALLEY[1] - VALLEY[0]), 0.0, 1.0)
    weight = t * t * (3 - 2 * t)
    shift = inner[best]
    sigma = ALONG_MM / STEP_MM
    support = gaussian_filter(weight, sigma, mode="nearest")
    moved = gaussian_filter(weight * shift, sigma, mode="nearest") / np.maximum(support, 1e-9)
    # moved only where valleys were found along a good part of the line around the point: a lone
    # dark spot (a pore, a strand of hair, a JPEG block) bends nothing
    trust = np.clip((support - 0.4) / 0.4, 0.0, 1.0)
    return points + normal * (moved * trust * trust * (3 - 2 * trust))[:, None]
