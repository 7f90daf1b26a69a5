"""A portrait's own smile, relaxed out of its skin when the performance does not smile.

Stage 1 can move a smiling portrait's landmarks to a neutral face, but the warp only moves skin:
the smile's shading stays painted on it. Raised cheeks keep their lit apples and the shadow under
them, the nasolabial folds stay dark curves from the nose to the mouth, and the mouth's corners
keep the dark pits a smile digs. A viewer (and a classifier) reads those as a smile.

So, once per portrait that smiles, the middle scales of its shading are measured over the cheeks
and around the mouth: the ratio of a broad blur (~11 mm) to a fine one (~0.8 mm) per channel,
which is > 1 in a fold or a pit and < 1 on a bulge's highlight, and ~1 on flat skin and on skin
texture finer than a pore; it takes a pixel to the colour of the skin around it (one cap for all
three channels, so no hue is invented). The dark pits just outside the corners are filled from the
skin around them (OpenCV inpainting) rather than evened out. Per frame, as much of that ratio is multiplied in as the smile has been
taken away (``smile_removed``: corner lift and mouth width against the portrait's), carried by the
warp like the expression folds (``wrinkles``). At the portrait's own smile (a happy take) nothing
changes; lips, eyes, nostrils and brows are never touched.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy.ndimage import binary_dilation, gaussian_filter

from talkface_studio.face.normalize import normalize

EYE_SPAN_MM = 63.0
# Cheeks, nasolabial folds and the skin around the mouth's corners: (landmark, radius in mm).
REGION = ((205, 11.0), (425, 11.0), (50, 9.0), (280, 9.0), (187, 9.0), (411, 9.0), (216, 8.0),
          (436, 8.0), (212, 7.0), (432, 7.0), (92, 6.0), (322, 6.0), (57, 6.0), (287, 6.0),
          (101, 7.0), (330, 7.0), (61, 4.5), (291, 4.5))
RATIO_RANGE = (0.75, 2.2)    # the most a pixel is darkened / lifted at full relief (highlights
                             # are only toned down: a nose or cheekbone keeps its light)
FINE_MM, BROAD_MM = 0.8, 11.0
PIT_MM = 4.5                 # how far from the outer corners a smile's dark pits are looked for
PIT_RATIO = 2.2              # ... and how far they (and fold lines) may be lifted
FOLD_DARK = 1.12             # a fold line: this much darker than the skin around it
CORNERS, LIP_MID = (61, 291), (13, 14)


_LAST: dict = {}


def smile_score(lm: np.ndarray) -> float:
    """How much a face smiles (0 neutral, ~1 a broad smile): lip corners above the mouth's centre
    and the mouth widened, in mm of the face (pose removed). The last answer is kept (the mouth
    and the folds of one frame both ask)."""
    key = np.asarray(lm, dtype=np.float64).tobytes()
    if key not in _LAST:
        _LAST.clear()
        _LAST[key] = _score(lm)
    return _LAST[key]


def _score(lm: np.ndarray) -> float:
    n, _ = normalize(np.asarray(lm, dtype=np.float64))
    mm = n / (1.0 / EYE_SPAN_MM)
    lift = float(mm[list(LIP_MID), 1].mean() - mm[list(CORNERS), 1].mean())
    width = float(mm[CORNERS[1], 0] - mm[CORNERS[0], 0])
    return float(np.clip(lift / 6.0, 0.0, 1.5) * 0.55 + np.clip((width - 50.0) / 10.0, 0.0, 1.5) * 0.45)


SMILE_MIN = 0.15            # a portrait scoring less than this does not smile


def smile_removed(portrait_score: float, frame_lm: np.ndarray) -> float:
    """0..1: the share of the portrait's smile this frame no longer has."""
    if portrait_score < SMILE_MIN:
        return 0.0
    gone = (portrait_score - smile_score(frame_lm)) / portrait_score
    return float(np.clip(gone, 0.0, 1.0))


def capped_ratio(ratio: np.ndarray, low: float, high: float) -> np.ndarray:
    """ratio [3, h, w] (per channel: what takes a pixel to the colour around it) -> ratio - 1, all
    three channels scaled by one factor so that none leaves low..high: a pixel goes part of the way
    to the colour around it, never to another hue."""
    d = ratio - 1.0
    over = np.maximum(d.max(0) / high if high > 0 else 0.0, d.min(0) / low if low < 0 else 0.0)
    return (d / np.maximum(over, 1.0)[None]).astype(np.float32)


def region_mask(shape, lm: np.ndarray, mm: float) -> np.ndarray:
    """Soft [H, W] mask over the cheeks and around the mouth (0..1)."""
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]] + 0.5
    mask = np.zeros(shape, np.float32)
    for k, r_mm in REGION:
        r = r_mm * mm
        mask = np.maximum(mask, np.exp(-0.5 * ((xx - lm[k, 0]) ** 2 + (yy - lm[k, 1]) ** 2) / (0.6 * r) ** 2))
    return np.clip(1.6 * mask, 0.0, 1.0)


def corner_pits(image: np.ndarray, lm: np.ndarray, mm: float, keep_out: np.ndarray) -> np.ndarray:
    """[H, W] bool: the dark pits a smile digs just outside the corners of the mouth (pixels near
    the outer corners much darker than the skin there, outside the lips' keep-out)."""
    yy, xx = np.mgrid[0:image.shape[0], 0:image.shape[1]] + 0.5
    lum = image[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    pits = np.zeros(image.shape[:2], bool)
    for k in CORNERS:
        near = (xx - lm[k, 0]) ** 2 + (yy - lm[k, 1]) ** 2 < (PIT_MM * mm) ** 2
        if near.sum() < 8:
            continue
        skin = np.percentile(lum[near], 75)
        pits |= near & (lum < 0.8 * skin) & ~keep_out
    return binary_dilation(pits, iterations=1) & ~keep_out


def relief_map(image: np.ndarray, lm: np.ndarray, keep_out: np.ndarray):
    """(x0, y0, ratio - 1 [3, h, w] float32) over the smile region of the portrait, or None when the
    portrait does not smile. ``keep_out`` [H, W] bool: features never touched."""
    if smile_score(lm) < SMILE_MIN:
        return None
    mm = float(np.linalg.norm(lm[263] - lm[33])) / EYE_SPAN_MM
    mask = region_mask(image.shape[:2], lm, mm)
    mask[keep_out] = 0.0
    mask = gaussian_filter(mask, 1.0 * mm)
    ys, xs = np.nonzero(mask > 0.02)
    if len(ys) == 0:
        return None
    pad = int(np.ceil(3 * BROAD_MM * mm))
    y0, y1 = max(ys.min() - pad, 0), min(ys.max() + pad + 1, image.shape[0])
    x0, x1 = max(xs.min() - pad, 0), min(xs.max() + pad + 1, image.shape[1])
    rgb = image[y0:y1, x0:x1, :3].astype(np.float32).transpose(2, 0, 1) + 1.0
    fine = np.stack([gaussian_filter(c, FINE_MM * mm) for c in rgb])
    broad = np.stack([gaussian_filter(c, BROAD_MM * mm) for c in rgb])
    m = mask[y0:y1, x0:x1]
    core = (ys.min() - y0, ys.max() - y0 + 1, xs.min() - x0, xs.max() - x0 + 1)
    target = broad
    # The folds' dark lines and the corners' pits: filled from the skin around them (inpainting),
    # not just evened out (a deep fold keeps a sharp dark edge under a blur ratio).
    fold = (m > 0.3) & (broad.mean(0) > FOLD_DARK * fine.mean(0)) & ~keep_out[y0:y1, x0:x1]
    holes = binary_dilation(fold, iterations=1) | corner_pits(image, lm, mm, keep_out)[y0:y1, x0:x1]
    if holes.any():
        filled = cv2.inpaint(np.ascontiguousarray(image[y0:y1, x0:x1, :3]), holes.astype(np.uint8),
                             max(2.0, 1.5 * mm), cv2.INPAINT_TELEA).astype(np.float32).transpose(2, 0, 1) + 1.0
        soft = np.clip(2.0 * gaussian_filter(holes.astype(np.float32), 0.5 * mm), 0.0, 1.0)[None]
        # in a hole the crease itself is replaced (it is finer than FINE_MM), but the ratio is
        # taken against a pixel-wide blur: the warp resamples the crease a little softer, and a
        # ratio made for its darkest pixel would flare on the skin beside it
        sharp = np.stack([gaussian_filter(c, max(1.0, 0.35 * mm)) for c in rgb])
        target = broad + (filled - broad) * soft
        fine = fine + (sharp - fine) * soft
        m = np.maximum(m, soft[0] * (~keep_out[y0:y1, x0:x1]))
    gain = (capped_ratio(target / fine, RATIO_RANGE[0] - 1.0, PIT_RATIO - 1.0) * m).astype(np.float32)
    gain = np.stack([gaussian_filter(c, 0.6) for c in gain])      # no single-pixel spikes
    gain = gain[:, core[0]:core[1], core[2]:core[3]]
    return int(x0 + core[2]), int(y0 + core[0]), np.ascontiguousarray(gain)
