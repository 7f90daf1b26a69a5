"""A raised brow takes its hair with it; the skin below stretches, not the brow.

The tracker's lower brow row often runs through the middle of a thick brow (the smiling man, the
small greyscale portrait, the 112-px crop: 3-6 mm of hair below it, as far as the next row of the
mesh, above the lid's fold). The mesh warp moves only landmarks, so that hair belonged to the
triangles between the brow and the row below it, and a raised brow (surprise's 11-12 mm, fear,
sadness's inner brows) stretched them: the brow grew a smeared dark band down towards the eye,
a heavy brow over a staring eye instead of a lifted one. On a face, the brow moves as a piece and
the thin skin under it, between brow and lid fold, is what stretches.

So, once per portrait (``hair_shares``), for each column of the brow the share of the strip from its
lower row down to the row below it (``PAIRS``) that is brow hair: along that strip, how far the
photo stays darker than halfway between the brow's own tone (the darkest fifth between its two
rows) and the skin's below, over the strip's length; zero where they differ by less than ``CONTRAST`` levels
(light or grey brows, a brow in shadow), and the hair stops where a pair of glasses begins (a frame
right under the brow is not hair). Per frame (``carry_brow_hair``), where the frame stretches that
strip beyond its length in the photo at the brow's own scale, the row below is brought back toward
the brow by that share of the stretch: the hair moves with the brow, and the stretch goes to the
lid's skin below. A lowered brow (which compresses the strip) and a strip without hair are left
as they are. Cost: a few vectorised operations over ten points a frame.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import map_coordinates

# (brow upper row, brow lower row, the mesh's row below it), column by column over each eye; the
# brow's tail over the temple is left out (nothing is drawn under it)
PAIRS = np.array([(70, 46, 225), (63, 53, 224), (105, 52, 223), (66, 65, 222), (107, 55, 221),
                  (300, 276, 445), (293, 283, 444), (334, 282, 443), (296, 295, 442), (336, 285, 441)],
                 dtype=np.int64)
UPPER, LOWER, BELOW = PAIRS.T
CONTRAST = 25.0        # grey levels between a brow and the skin below it for its hair to count
REACH = 1.5            # the strip is read this far below the lower row (x its length)
BAND_SCALE = (0.8, 1.25)   # the brow's own scale in a frame, bounded around the frame's (x zoom)
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def hair_shares(rgb: np.ndarray, lm: np.ndarray, stop: np.ndarray | None = None) -> np.ndarray:
    """[len(PAIRS)] in 0..1: per brow column of the photo rgb [H, W, 3] (landmarks lm [N, 3] in its
    pixels), the share of the strip below the brow's lower row that is brow hair. stop [H, W]: where
    the hair must end (a pair of glasses' footprint), or None."""
    lum = np.asarray(rgb, np.float32)[..., :3] @ _LUMA
    p = np.asarray(lm, np.float64)[:, :2]
    shares = np.zeros(len(PAIRS))
    for k, (up, lo, below) in enumerate(PAIRS):
        top, bottom = p[up], p[lo]
        length = float(np.linalg.norm(p[below] - bottom))
        if length < 1.0:
            continue
        down = (p[below] - bottom) / length
        inside = top + np.linspace(0.0, 1.0, 16)[:, None] * (bottom - top)
        # the brow's darkest part: the tracker's rows may hold forehead skin above a low brow
        hair = float(np.percentile(map_coordinates(lum, [inside[:, 1], inside[:, 0]], order=1, mode="nearest"), 20))
        s = np.linspace(0.0, REACH * length, 61)
        strip = bottom + s[:, None] * down
        profile = map_coordinates(lum, [strip[:, 1], strip[:, 0]], order=1, mode="nearest")
        skin = float(np.percentile(profile[s >= 0.5 * length], 80))
        if skin - hair < CONTRAST:
            continue
        lighter = np.flatnonzero(profile > 0.5 * (hair + skin))
        extent = s[lighter[0]] if len(lighter) else s[-1]
        if stop is not None:
            blocked = np.flatnonzero(map_coordinates(np.asarray(stop, np.float32), [strip[:, 1], strip[:, 0]],
                                                     order=0, mode="constant") > 0)
            if len(blocked):
                extent = min(extent, s[blocked[0]])
        shares[k] = min(extent / length, 1.0)
    return shares


def carry_brow_hair(lm: np.ndarray, src: np.ndarray, shares: np.ndarray | None, zoom: float) -> np.ndarray:
    """Frame landmarks lm [N, 3] (output px) with the row under each brow brought back toward it by
    ``shares`` (``hair_shares``) of how far the frame stretches the strip between them beyond its
    length in the photo (src [N, 3], the same px at the photo's scale) at the brow's own scale
    (its two rows' distance, within BAND_SCALE of ``zoom``, the frame's scale over the photo's);
    lm itself where nothing is carried."""
    if shares is None or not np.any(shares > 0):
        return lm
    strip = lm[BELOW, :2] - lm[LOWER, :2]
    length = np.linalg.norm(strip, axis=1)
    band = np.linalg.norm(lm[LOWER, :2] - lm[UPPER, :2], axis=1) / np.maximum(
        np.linalg.norm(src[LOWER, :2] - src[UPPER, :2], axis=1), 1e-9)
    rest = np.linalg.norm(src[BELOW, :2] - src[LOWER, :2], axis=1) * np.clip(band, *(np.array(BAND_SCALE) * zoom))
    carried = np.maximum(length - rest, 0.0) * shares
    if not carried.any():
        return lm
    out = np.array(lm, dtype=np.float64, copy=True)
    out[BELOW, :2] -= (carried / np.maximum(length, 1e-9))[:, None] * strip
    return out
