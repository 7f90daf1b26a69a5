"""The performer's matte of a plate frame: the alpha channel of `render --plate --alpha`.

Two layers, as the renderer composites them (``face.person_matte``):

- the **still body**: MediaPipe's bundled selfie segmentation of the photo (the whole photo,
  snapped to its edges by a guided filter, and the head region again at its render size, where
  it is sharper; the two blend over the crop's outer 4 %), less the moving layer's footprint at
  rest (where the head was, the background may show once it moves);
- the **moving layer** (head, hair, neck) where this frame's landmarks carried it: its alpha from
  the renderer (``layer_alpha``), the same soft fringe the frame's colours were blended with.

alpha = moving + (1 - moving) * still body: 1 on the performer, 0 on the background, the renderer's
own feathering between. Without the segmentation model the still body is the moving layer's rest
footprint only (head, hair and neck).
"""

from __future__ import annotations

import cv2
import numpy as np

from talkface_studio.face.person_matte import person_probability

from .compose import crop_to_photo
from .source import PlateSource

CROP_BLEND = 0.04   # of the crop side: where the crop's segmentation fades into the photo's
GUIDED_WORK_PIXELS = 2_000_000   # the whole photo's matte is refined at most at this size


class PerformerMatte:
    """Per frame ``alpha(layer)`` (layer: the moving layer's alpha float32 [s, s] at the render
    size) -> float32 [H, W] 0..1 for the whole photo; a buffer reused from frame to frame."""

    def __init__(self, source: PlateSource, rest_layer: np.ndarray):
        self.source = source
        h, w = source.height, source.width
        whole = person_probability(source.photo)
        body = _refined(whole, source.photo) if whole is not None and whole.shape == (h, w) \
            else np.zeros((h, w), np.float32)
        s = source.render_side
        crop_p = person_probability(source.portrait.image)
        rest = np.clip(np.asarray(rest_layer, np.float32), 0.0, 1.0)
        mapped = crop_to_photo(source, (0, 0, s, s))
        self.box, self._map = (None, None) if mapped is None else mapped
        self.alpha = np.clip(body, 0.0, 1.0).astype(np.float32)
        self._still = None
        if self.box is None:
            return
        x0, y0, x1, y1 = self.box
        local = self.alpha[y0:y1, x0:x1]
        if crop_p is not None and crop_p.shape == (s, s):
            ramp = _edge_ramp(s, CROP_BLEND * s)
            near = self._to_photo(np.clip(crop_p, 0, 1) * ramp) + local * (1.0 - self._to_photo(ramp))
            local = near
        # the body stays still: its share beyond the moving layer's rest footprint (at rest the
        # two layers give back max(body, rest); where the head moves away, background shows)
        r = self._to_photo(rest)
        with np.errstate(divide="ignore", invalid="ignore"):
            still = np.where(r < 1.0, (local - r) / np.maximum(1.0 - r, 1e-6), 0.0)
        self._still = np.clip(still, 0.0, 1.0).astype(np.float32)
        self.alpha[y0:y1, x0:x1] = self._still

    def _to_photo(self, a: np.ndarray) -> np.ndarray:
        """A crop-sized float map at the render size -> the crop's part of the photo."""
        x0, y0, x1, y1 = self.box
        if self.source.native:
            sx, sy = x0 - self.source.box[0], y0 - self.source.box[1]
            return a[sy:sy + (y1 - y0), sx:sx + (x1 - x0)]
        return cv2.warpAffine(np.ascontiguousarray(a, np.float32), self._map, (x1 - x0, y1 - y0),
                              flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)

    def frame_alpha(self, layer: np.ndarray) -> np.ndarray:
        if self.box is None:
            return self.alpha
        x0, y0, x1, y1 = self.box
        moving = np.clip(self._to_photo(np.asarray(layer, np.float32)), 0.0, 1.0)
        self.alpha[y0:y1, x0:x1] = moving + (1.0 - moving) * self._still
        return self.alpha


def _refined(prob: np.ndarray, photo: np.ndarray) -> np.ndarray:
    """The segmentation (made at 256 px and upsampled: blocky at plate sizes) snapped to the
    photo's own edges by a guided filter (OpenCV contrib), at most ~2 MP of work."""
    h, w = prob.shape
    f = min(1.0, float(np.sqrt(GUIDED_WORK_PIXELS / (w * h))))
    size = (max(1, round(w * f)), max(1, round(h * f)))
    grey = cv2.cvtColor(np.ascontiguousarray(photo), cv2.COLOR_RGB2GRAY)
    guide = cv2.resize(grey, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    p = cv2.resize(np.clip(prob, 0, 1).astype(np.float32), size, interpolation=cv2.INTER_AREA)
    radius = max(2, int(round(min(size) / 120)))
    out = cv2.ximgproc.guidedFilter(guide, p, radius, 1e-3)
    if size != (w, h):
        out = cv2.resize(out, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def _edge_ramp(side: int, width: float) -> np.ndarray:
    """float32 [side, side]: 0 at the crop's border, rising to 1 ``width`` px inside it."""
    c = np.arange(side, dtype=np.float32) + 0.5
    d = np.minimum(c, side - c)
    r = np.clip(d / max(width, 1.0), 0.0, 1.0)
    return np.minimum(r[:, None], r[None, :]).astype(np.float32)
