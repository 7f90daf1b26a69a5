"""Fill the part of a crop that lies outside the photo, without inventing streaks.

Repeating the photo's edge pixels outward (edge padding) turns every feature that touches the edge
into stripes: a shoulder becomes a smear, a bystander becomes bars. Here the outside is filled in
two layers, joined by a matte that is 1 on the photo and falls to 0 a few pixels outside it:

- a *membrane* fill: the photo's colours carried outward by a push-pull pyramid (every coarser
  level averages the known pixels, every finer level keeps what it knows and takes the rest from
  the coarser one). Far from the photo it is a smooth, out-of-focus continuation of the colours
  along the edge, with no direction along which anything repeats;
- close to the edge, the photo mirrored across it (texture and grain continue across the seam),
  blurred more the further it lies from the edge and faded into the membrane within a short band.

Pure numpy + OpenCV; a 512 px crop that is mostly outside fills in a few milliseconds.
"""

from __future__ import annotations

import cv2
import numpy as np

MIRROR_BAND = 0.06   # fraction of the crop side over which the mirrored photo fades into the fill
MATTE_SOFT = 2.0     # px (crop pixels) over which the photo's own edge blends into the fill


def pyramid_fill(image: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Fill pixels where ``known`` is False from the known ones: float32 [H, W, C] -> same.

    Push-pull: average known pixels level by level down to a few pixels, then back up, each level
    keeping its known pixels and taking the rest from the coarser level (bilinear)."""
    img = image.astype(np.float32)
    w = known.astype(np.float32)
    levels = []
    cur_img, cur_w = img * w[..., None], w
    while min(cur_w.shape) > 2:
        levels.append((cur_img, cur_w))
        cur_img = cv2.resize(cur_img, (max(1, cur_img.shape[1] // 2), max(1, cur_img.shape[0] // 2)),
                             interpolation=cv2.INTER_AREA)
        cur_w = cv2.resize(cur_w, (max(1, cur_w.shape[1] // 2), max(1, cur_w.shape[0] // 2)),
                           interpolation=cv2.INTER_AREA)
        if cur_img.ndim == 2:
            cur_img = cur_img[..., None]
    total = cur_w.sum()
    filled = np.broadcast_to((cur_img.reshape(-1, img.shape[2]).sum(0) / max(total, 1e-6)),
                             cur_img.shape).astype(np.float32).copy()
    for lvl_img, lvl_w in reversed(levels):
        up = cv2.resize(filled, (lvl_w.shape[1], lvl_w.shape[0]), interpolation=cv2.INTER_LINEAR)
        if up.ndim == 2:
            up = up[..., None]
        a = np.clip(lvl_w, 0.0, 1.0)[..., None]
        own = lvl_img / np.maximum(lvl_w, 1e-6)[..., None]
        filled = own * a + up * (1.0 - a)
    return filled


def fill_outside(image: np.ndarray, box: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The square ``box`` (x0, y0, x1, y1, may reach past ``image``) of the photo, outside filled.

    Returns (crop uint8 [S, S, 3] at the box's own pixel size, matte float32 [S, S]: 1 where the
    pixel is the photo's, falling to 0 over ``MATTE_SOFT`` px outside it)."""
    x0, y0, x1, y1 = (int(v) for v in box)
    h, w = image.shape[:2]
    side = x1 - x0
    pad_l, pad_t = max(-x0, 0), max(-y0, 0)
    pad_r, pad_b = max(x1 - w, 0), max(y1 - h, 0)
    inside = image[max(y0, 0):min(y1, h), max(x0, 0):min(x1, w)].astype(np.float32)
    ih, iw = inside.shape[:2]
    known = np.zeros((y1 - y0, x1 - x0), bool)
    known[pad_t:pad_t + ih, pad_l:pad_l + iw] = True
    if known.all():
        return inside.astype(np.uint8), np.ones(known.shape, np.float32)
    canvas = np.zeros((y1 - y0, x1 - x0, 3), np.float32)
    canvas[known] = inside.reshape(-1, 3)
    membrane = pyramid_fill(canvas, known)
    # Distance (px) of each outside pixel from the photo, and the photo mirrored across its edges
    # (reflect-101 repeats no pixel; tiled reflection where the pad exceeds the photo).
    dist = cv2.distanceTransform((~known).astype(np.uint8), cv2.DIST_L2, 5).astype(np.float32)
    mirrored = _mirror(inside, pad_t, pad_b, pad_l, pad_r)
    band = max(MIRROR_BAND * side, 2.0)
    blurred = [mirrored]
    sigmas = (0.15 * band, 0.35 * band, 0.7 * band)
    for s in sigmas:
        blurred.append(cv2.GaussianBlur(mirrored, (0, 0), s, borderType=cv2.BORDER_REFLECT))
    # Progressive blur: 0 at the edge, the widest at the end of the band.
    t = np.clip(dist / band, 0.0, 1.0) * len(sigmas)
    k = np.minimum(t.astype(int), len(sigmas) - 1)
    f = (t - k)[..., None]
    stack = np.stack(blurred)
    rows, cols = np.indices(k.shape)
    near = stack[k, rows, cols] * (1 - f) + stack[k + 1, rows, cols] * f
    fade = _smooth(np.clip(dist / band, 0.0, 1.0))[..., None]
    outside = near * (1 - fade) + membrane * fade
    matte = np.clip(1.0 - dist / MATTE_SOFT, 0.0, 1.0).astype(np.float32)
    matte[known] = 1.0
    out = np.where(known[..., None], canvas, outside)
    return np.clip(np.round(out), 0, 255).astype(np.uint8), matte


def _smooth(t: np.ndarray) -> np.ndarray:
    return t * t * (3 - 2 * t)


def _mirror(inside: np.ndarray, top: int, bottom: int, left: int, right: int) -> np.ndarray:
    """The photo extended by mirroring (repeatedly, if a pad is wider than the photo)."""
    out = inside
    while top or bottom or left or right:
        h, w = out.shape[:2]
        t, b = min(top, h - 1), min(bottom, h - 1)
        lft, r = min(left, w - 1), min(right, w - 1)
        if h < 2:
            t = b = 0
        if w < 2:
            lft = r = 0
        if not (t or b or lft or r):
            break
        out = cv2.copyMakeBorder(out, t, b, lft, r, cv2.BORDER_REFLECT_101)
        top, bottom, left, right = top - t, bottom - b, left - lft, right - r
    if top or bottom or left or right:   # a one-pixel photo side: nothing to mirror
        out = cv2.copyMakeBorder(out, top, bottom, left, right, cv2.BORDER_REPLICATE)
    return out
