"""Make up the background behind the head from the background around it.

Where a moving head uncovers the background, the frame shows this fill. It has to continue what
surrounds the head (a wall, a curtain, a window out of focus) without taking in any of the head:
a smooth push-pull fill averages colours from far away (the suit, the curtains, an ear) into a
pale or brown blur, and any hair left among its sources comes back as a band along the outline.

- **Colours**: OpenCV's fast-marching inpainting (Telea) of the photo at a reduced scale (~128 px
  across): each unknown pixel is carried in from the known pixels right next to it, so near the
  outline (all that a small head movement shows) it is the adjacent background's own colour.
- **Texture**: the reduced scale loses the background's grain, and a smooth patch would read as
  a blurred halo in a sharp photo. A detail layer restores it: seeded noise with the background's
  own fine-scale energy (measured per channel around the hole and carried into it), so a smooth
  studio backdrop stays smooth and a textured wall gets grain. Deterministic per portrait.
"""

from __future__ import annotations

import cv2
import numpy as np

WORK_SIDE = 128      # px: the inpainting runs at about this size (cost, and smoother large holes)
INPAINT_RADIUS = 3   # px at the working scale
SEED = 20261201      # the detail layer's noise (the same plate for the same portrait every time)


def fill_behind(photo: np.ndarray, unknown: np.ndarray, factor: int | None = None) -> np.ndarray:
    """float32 [H, W, 3]: ``photo`` (float or uint8 RGB) with the pixels where ``unknown`` is True
    made up from the known ones around them; known pixels keep the photo's values. ``factor``:
    the reduction of the working scale (default: to about WORK_SIDE px across; pass the whole
    frame's when ``photo`` is a window of it)."""
    img = np.asarray(photo, np.float32)
    unknown = np.asarray(unknown, bool)
    if not unknown.any() or unknown.all():
        return img.copy()
    h, w = unknown.shape
    f = factor or max(1, int(round(min(h, w) / WORK_SIDE)))
    small_size = (max(1, w // f), max(1, h // f))
    # reduced pixels average their known pixels only (no head colour leaks into the sources);
    # those mostly unknown are the hole
    known = (~unknown).astype(np.float32)
    share = cv2.resize(known, small_size, interpolation=cv2.INTER_AREA)
    small = cv2.resize(img * known[..., None], small_size, interpolation=cv2.INTER_AREA)
    small = small / np.maximum(share, 1e-6)[..., None]
    hole = (share < 0.5).astype(np.uint8)
    small_u8 = np.clip(np.round(small), 0, 255).astype(np.uint8)
    filled = cv2.inpaint(small_u8, hole, INPAINT_RADIUS, cv2.INPAINT_TELEA).astype(np.float32)
    # Telea keeps the boundary's colours near it but meets in hard seams deep inside (fronts from
    # two sides): soften the inside progressively, leaving the first few pixels as they are
    deep = np.clip(cv2.distanceTransform(hole, cv2.DIST_L2, 3) / 6.0 - 0.3, 0.0, 1.0)[..., None]
    if deep.max() > 0:
        soft = cv2.GaussianBlur(filled, (0, 0), 3.0)
        filled = filled + (soft - filled) * deep
    # known reduced pixels keep their exact (unrounded) average
    filled = np.where(hole[..., None] > 0, filled, small)
    colours = cv2.resize(filled, (w, h), interpolation=cv2.INTER_LINEAR)
    out = img.copy()
    out[unknown] = (colours + _detail(img, unknown, f, hole, small_size))[unknown]
    return out


def _detail(img: np.ndarray, unknown: np.ndarray, f: int, hole_small: np.ndarray, small_size) -> np.ndarray:
    """Seeded grain [H, W, 3] with, per channel, the fine-scale energy of the known background
    nearest to each pixel (what the reduced-scale fill cannot hold)."""
    h, w = unknown.shape
    if f < 2:
        return np.zeros_like(img)
    sigma = 0.5 * f
    fine = img - cv2.GaussianBlur(img, (0, 0), sigma)
    known = (~unknown).astype(np.float32)
    # grain, not edges: a strong edge next to the hole (a collar, a window bar) would otherwise
    # spray its contrast into it as coarse noise
    typical = float(np.median(np.abs(fine[~unknown]))) if (~unknown).any() else 0.0
    fine = np.clip(fine, -3.0 * typical - 0.5, 3.0 * typical + 0.5)
    energy = cv2.resize(fine * fine * known[..., None], small_size, interpolation=cv2.INTER_AREA)
    weight = cv2.resize(known, small_size, interpolation=cv2.INTER_AREA)
    energy = energy / np.maximum(weight, 1e-3)[..., None]
    # carry the energy into the hole the way the colours were (scaled to 8 bits for inpaint)
    top = float(energy.max())
    if top <= 1e-6:
        return np.zeros_like(img)
    e8 = np.clip(np.round(np.sqrt(energy / top) * 255), 0, 255).astype(np.uint8)
    amp = cv2.inpaint(e8, hole_small, INPAINT_RADIUS, cv2.INPAINT_TELEA).astype(np.float32) / 255 * np.sqrt(top)
    amp = cv2.resize(amp, (w, h), interpolation=cv2.INTER_LINEAR)
    noise = np.random.default_rng(SEED).standard_normal((h, w)).astype(np.float32)
    noise -= cv2.GaussianBlur(noise, (0, 0), sigma)
    noise /= max(float(noise.std()), 1e-6)
    return noise[..., None] * amp
