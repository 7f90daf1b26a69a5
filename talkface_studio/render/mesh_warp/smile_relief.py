"""A portrait's own smile, relaxed out of its skin when the performance does not smile.

Stage 1 can move a smiling portrait's landmarks to a neutral face, but the warp only moves skin:
the smile's shading stays painted on it. Raised cheeks keep their lit apples and the shadow under
them, the nasolabial folds stay dark curves from the nose to the mouth, and the mouth's corners
keep the dark pits a smile digs. A viewer (and a classifier) reads those as a smile.

So, once per portrait that smiles, a relaxed version of its skin is made over the cheeks and
around the mouth, and kept as the difference from the portrait (0..255 units):

- the narrow dark valleys (fold lines, the corners' pits) are found by a grey-level closing, kept
  where they form lines (pores and freckles are skin), and inpainted from the skin beside them;
- the raised cheeks' mid-scale shading (lit apples, the broad shadow under them) is evened out
  toward the broad average of the skin around it (one factor for all three channels, highlights
  toned down by at most a quarter, so no hue is invented).

Per frame, as much of that difference is added as the smile has been taken away
(``smile_removed``: corner lift against the upper lip, jaw's share removed, and mouth width,
against the portrait's), carried by the warp like the expression folds (``wrinkles``). Added, not
multiplied: the warp resamples the portrait and the difference alike and a sum commutes with
that, while a ratio made for a crease's dark core flared beside it once resampled, and one blurred
against that left the core as a thin drawn line. At the portrait's own smile (a happy take)
nothing changes; lips, eyes, nostrils and brows are never touched.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy.ndimage import gaussian_filter

from talkface_studio.face.normalize import normalize

from .fold_lines import MM as FACE_MM

EYE_SPAN_MM = 63.0
# Cheeks, nasolabial folds and the skin around the mouth's corners: (landmark, radius in mm).
REGION = ((205, 11.0), (425, 11.0), (50, 9.0), (280, 9.0), (187, 9.0), (411, 9.0), (216, 8.0),
          (436, 8.0), (212, 7.0), (432, 7.0), (92, 6.0), (322, 6.0), (57, 6.0), (287, 6.0),
          (101, 7.0), (330, 7.0), (61, 4.5), (291, 4.5))
RATIO_RANGE = (0.75, 2.2)    # the most the shading darkens / lifts a pixel at full relief
                             # (highlights are only toned down: a nose or cheekbone keeps its light)
MID_MM, BROAD_MM = 2.5, 11.0  # the raised cheeks' shading: the mid scale evened out to the broad
SHADE_LIFT = 1.12            # the most that shading lifts a shadow (highlights: RATIO_RANGE[0])
VALLEY_MM = 2.0              # dark valleys up to ~twice this wide are filled (folds, corner pits)
VALLEY_DEPTH = 0.12          # ... when darker than their banks by this share
CORNERS, LIP_MID = (61, 291), (13, 14)
JAW_CORNER_SHARE = 0.3       # of the lower lip's drop that reaches the corners (stage 1's jaw)
JAW_NARROWING = 0.34         # mm the mouth narrows per mm of lip gap the jaw opens (stage 1's jaw)


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
    mm = n / FACE_MM            # millimetres with the pupils 63 mm apart (as stage 1 measures)
    # The corners' height against the upper lip plus the share of the lower lip's drop that the
    # jaw gives the corners (``mouth_shapes.CORNER_SHARE``): an open vowel is no smile (against
    # the lips' midpoint it read as one, and the relief pulsed with every syllable).
    # Likewise the jaw draws the corners in a little as it opens (``JAW_CORNER_IN_MM``).
    upper, lower = mm[LIP_MID[0], 1], mm[LIP_MID[1], 1]
    gap = max(lower - upper, 0.0)
    lift = float(upper + JAW_CORNER_SHARE * gap - mm[list(CORNERS), 1].mean())
    width = float(mm[CORNERS[1], 0] - mm[CORNERS[0], 0]) + JAW_NARROWING * gap
    # a wide mouth is a smile's only with its corners up (fear and disgust stretch it too)
    wide = np.clip((width - 55.0) / 8.0, 0.0, 1.5) * float(np.clip(lift / 3.0, 0.0, 1.0))
    return float(np.clip(lift / 6.0, 0.0, 1.5) * 0.55 + wide * 0.45)


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


def fill_valleys(rgb: np.ndarray, radius_px: float) -> np.ndarray:
    """delta [3, h, w] (>= 0, in rgb's units) that fills the dark valleys narrower than ~2 x
    ``radius_px`` (fold lines, a smile's corner pits) of rgb [3, h, w] from the skin beside them.

    Valleys are found by a grey-level closing (what lies darker than both its banks), kept where
    they form lines (a pore or a freckle is skin texture, not a fold), and filled by inpainting
    (OpenCV's Telea: the banks' own average colour, not their brightest pixels), no brighter than
    the closing. The fill is a
    difference, not a ratio: the warp resamples the portrait and the delta alike and a sum
    commutes with that (a ratio made for a crease's darkest pixel flared on the skin beside it,
    and one blurred to avoid that left a thin dark line, read as a drawn crease)."""
    r = max(1, int(round(radius_px)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    closed = np.stack([cv2.morphologyEx(np.ascontiguousarray(c), cv2.MORPH_CLOSE, kernel) for c in rgb])
    depth = np.clip(closed - rgb, 0.0, None).max(0)
    # deep enough, and still so on average over about its own width: along a line the depth
    # survives that blur far better than on a pore or a freckle (skin texture, kept)
    level = VALLEY_DEPTH * closed.mean(0)
    valley = (depth > np.maximum(level, 4.0)) & (gaussian_filter(depth, 0.5 * r) > 0.4 * level)
    if not valley.any():
        return np.zeros_like(rgb)
    valley = cv2.dilate(valley.astype(np.uint8), np.ones((3, 3), np.uint8))
    img = np.ascontiguousarray(np.clip(np.round(rgb), 0, 255).astype(np.uint8).transpose(1, 2, 0))
    filled = _inpaint(img, valley, max(2.0, float(r))).transpose(2, 0, 1)
    # never above the closing (the darker bank's level): a fold's lit side, the cheek bulging over
    # it, would otherwise brighten the fill into a pale patch
    filled = np.minimum(filled, closed)
    soft = np.clip(1.5 * gaussian_filter(valley.astype(np.float32), max(0.7, 0.5 * r)), 0.0, 1.0)
    return (np.clip(filled - rgb, 0.0, None) * soft[None]).astype(np.float32)


INPAINT_MAX_RADIUS = 5.0   # px: wider valleys (large portraits: plates' head regions) are inpainted smaller


def _inpaint(img: np.ndarray, mask: np.ndarray, radius: float) -> np.ndarray:
    """float32 [h, w, 3]: img uint8 with the mask's pixels filled from around them (Telea).

    The inpainting's cost grows with the mask's area times the radius squared (the fourth power of
    a portrait's side: 1.3 s of CPU for a 1080-px plate head region), while what it fills in is the
    banks' smooth colour. So a valley wider than INPAINT_MAX_RADIUS is filled on the image scaled
    down to that radius and the fill resampled; the mask and every pixel outside it stay at full
    resolution (renders at 512 px never get here)."""
    if radius <= INPAINT_MAX_RADIUS:
        return cv2.inpaint(img, mask, radius, cv2.INPAINT_TELEA).astype(np.float32)
    h, w = mask.shape
    f = INPAINT_MAX_RADIUS / radius
    size = (max(1, round(w * f)), max(1, round(h * f)))
    small = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
    # every small pixel the valley touches is filled, so the rest hold only the banks' colour
    small_mask = (cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0).astype(np.uint8)
    fill = cv2.inpaint(small, small_mask, INPAINT_MAX_RADIUS, cv2.INPAINT_TELEA)
    up = cv2.resize(fill, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    return np.where(mask[..., None] > 0, up, img.astype(np.float32))


def relief_map(image: np.ndarray, lm: np.ndarray, keep_out: np.ndarray):
    """(x0, y0, delta [3, h, w] float32, 0..255 units) over the smile region of the portrait: what
    relaxes its smile when added; None when the portrait does not smile. ``keep_out`` [H, W]
    bool: features never touched."""
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
    m = mask[y0:y1, x0:x1]
    core = (ys.min() - y0, ys.max() - y0 + 1, xs.min() - x0, xs.max() - x0 + 1)
    # the folds' lines and the corners' pits: filled to the skin on both sides
    relaxed = rgb + fill_valleys(rgb, VALLEY_MM * mm)
    # the raised cheeks' mid-scale shading (lit apples, the broad shadow under them), evened out
    # toward the broad average of the skin (features left out of it); a smooth ratio, so a
    # product resamples like the skin under it
    skin = (~keep_out[y0:y1, x0:x1]).astype(np.float32)

    def blur(sigma):
        w = gaussian_filter(skin, sigma)
        return np.stack([gaussian_filter(c * skin, sigma) for c in relaxed]) / np.maximum(w, 1e-3)[None]
    # where no skin is near (a small portrait's features fill the mid blur's reach) there is no
    # shading to even out: ratio 1, not 0 / 0 (NaN would reach the frame's pixels)
    mid = blur(MID_MM * mm)
    ratio = np.divide(blur(BROAD_MM * mm), mid, out=np.ones_like(mid), where=mid > 0)
    shading = 1.0 + capped_ratio(ratio, RATIO_RANGE[0] - 1.0, SHADE_LIFT - 1.0)
    relaxed = np.clip(relaxed * shading, 1.0, 256.0)
    delta = ((relaxed - rgb) * m[None]).astype(np.float32)
    delta = delta[:, core[0]:core[1], core[2]:core[3]]
    return int(x0 + core[2]), int(y0 + core[0]), np.ascontiguousarray(delta)
