"""How sharp the portrait's own edges are, in output pixels, so what the renderer draws can match.

A crease drawn one pixel sharp on a soft photo (a magazine scan, a small face magnified, a JPEG
shot out of focus) looks inked on. The photo's blur is read from its face, where eyes, brows and
lips give strong edges: blurring an edge of Gaussian width s by r more lowers its gradient energy
by s / sqrt(s^2 + r^2), so the energy before and after one known blur gives s. Grain and noise add
energy at the finest scale and make a photo read sharper than it is, which errs on the side of
drawing as before.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter

from .pixel_ops import LUMA

PROBE = 2.0            # output px: the known extra blur (between the sharpest and softest faces)
MAX_SIGMA = 4.0        # output px; beyond this a face is a blur the renderer cannot match anyway
_FEATURES = (33, 133, 263, 362, 70, 300, 61, 291, 0, 17)   # eye corners, outer brows, lip corners, lips


def edge_sigma(image: np.ndarray, lm: np.ndarray) -> float:
    """Gaussian width (sigma, px of ``image``) of the photo's edges over the eyes, brows and mouth.
    image [H, W, 3+] (any range), lm [478, 2+] in the same pixels. 0 when the face has no edges."""
    rgb = np.asarray(image)[..., :3].astype(np.float64)
    pts = np.asarray(lm)[list(_FEATURES), :2]
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    pad = 0.15 * (x1 - x0) + 3 * PROBE
    h, w = rgb.shape[:2]
    ya, yb = int(max(y0 - pad, 0)), int(min(y1 + pad, h))
    xa, xb = int(max(x0 - pad, 0)), int(min(x1 + pad, w))
    if yb - ya < 8 or xb - xa < 8:
        return 0.0
    lum = rgb[ya:yb, xa:xb] @ LUMA
    m = int(3 * PROBE)            # leave out the border the probe blur reads past

    def energy(img):
        gy, gx = np.gradient(img)
        return float((gx[m:-m, m:-m] ** 2 + gy[m:-m, m:-m] ** 2).sum())

    sharp = energy(lum)
    if sharp <= 1e-9:
        return 0.0
    ratio = min(energy(gaussian_filter(lum, PROBE)) / sharp, 0.999)
    return float(min(PROBE * ratio / np.sqrt(1.0 - ratio * ratio), MAX_SIGMA))
