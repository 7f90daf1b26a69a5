"""Put a rendered head region back into the photo: the photo is the base frame, only the crop's
part of it is written per frame.

At the photo's own density (``PlateSource.native``) the mesh-warp renderer returns the crop's own
pixels wherever the head, its soft fringe and what it uncovers do not reach, so the crop is pasted
as it is: every other pixel of the frame is the photo's, bit for bit, and the feathered edge
between head and background is the renderer's own (``face.person_matte``).

When the region was rendered at another density (capped, or raised for a tiny face), the render is
resampled into the photo only where it differs from the crop it started from (those pixels, grown
by a render pixel, with a linear ramp from the resampling), so everything else is still the photo's
own pixels.

Video codecs want even sizes: with ``pad_even`` an odd width or height gets one more column or row
repeating the last one (``padding``).
"""

from __future__ import annotations

import cv2
import numpy as np

from .source import PlateSource


def padding(width: int, height: int) -> tuple[int, int]:
    """(extra columns, extra rows) that make a frame even for video codecs."""
    return width % 2, height % 2


def pad_to_even(rgb: np.ndarray) -> np.ndarray:
    """uint8 [H, W, C] with an odd side -> one more column / row repeating the edge (same array
    when already even). Shared by plate renders and `encode` of plate sequences (farm chunks)."""
    pw, ph = padding(rgb.shape[1], rgb.shape[0])
    if not (pw or ph):
        return rgb
    return np.pad(rgb, ((0, ph), (0, pw), (0, 0)), mode="edge")


class PlateCanvas:
    """The output frame (uint8, photo-sized plus padding) and, optionally, the alpha beside it.

    ``place(head)`` writes one rendered crop (uint8 [s, s, 3]) and returns the frame: a buffer
    reused for the next frame (copy it to keep it)."""

    def __init__(self, source: PlateSource, pad_even: bool = False):
        self.source = source
        h, w = source.height, source.width
        self.pad = padding(w, h) if pad_even else (0, 0)
        self.frame = np.empty((h + self.pad[1], w + self.pad[0], 3), np.uint8)
        self.frame[:h, :w] = source.photo
        self._fill_padding(self.frame)
        x0, y0, x1, y1 = source.box
        # the crop's part of the photo, in photo pixels (dst) and in crop pixels at the photo's density
        self.dst = (max(x0, 0), max(y0, 0), min(x1, w), min(y1, h))
        self.src = (self.dst[0] - x0, self.dst[1] - y0, self.dst[2] - x0, self.dst[3] - y0)
        self._last = None  # where the previous frame wrote (resampled path), restored first

    @property
    def empty(self) -> bool:
        return self.dst[2] <= self.dst[0] or self.dst[3] <= self.dst[1]

    def _fill_padding(self, frame: np.ndarray) -> None:
        h, w = self.source.height, self.source.width
        if self.pad[0]:
            frame[:h, w] = frame[:h, w - 1]
        if self.pad[1]:
            frame[h] = frame[h - 1]

    def place(self, head: np.ndarray) -> np.ndarray:
        if self.empty:
            return self.frame
        if self.source.native:
            dx0, dy0, dx1, dy1 = self.dst
            sx0, sy0, sx1, sy1 = self.src
            self.frame[dy0:dy1, dx0:dx1] = head[sy0:sy1, sx0:sx1]
        else:
            self._place_resampled(head)
        self._fill_padding_near(self.dst)
        return self.frame

    def _fill_padding_near(self, box) -> None:
        # the padding repeats the edge: only its part beside the written box can have changed
        if (self.pad[0] and box[2] >= self.source.width) or (self.pad[1] and box[3] >= self.source.height):
            self._fill_padding(self.frame)

    def _place_resampled(self, head: np.ndarray) -> None:
        photo = self.source.photo
        if self._last is not None:
            x0, y0, x1, y1 = self._last
            self.frame[y0:y1, x0:x1] = photo[y0:y1, x0:x1]
            self._last = None
        window = resample_window(head, self.source)
        if window is None:
            return
        (x0, y0, x1, y1), up, alpha = window
        base = photo[y0:y1, x0:x1].astype(np.float32)
        mixed = base + (up - base) * alpha[..., None]
        self.frame[y0:y1, x0:x1] = np.clip(np.round(mixed), 0, 255).astype(np.uint8)
        self._last = (x0, y0, x1, y1)


def crop_to_photo(source: PlateSource, box_render: tuple[int, int, int, int]):
    """A box in render pixels of the crop -> the photo pixels it covers (clipped to the crop's
    part of the photo), and the affine map from those photo pixels back to render pixels (for
    ``cv2.warpAffine`` with WARP_INVERSE_MAP); None when it covers nothing."""
    s = source.render_side / source.source_side          # render px per photo px
    bx0, by0 = source.box[:2]
    w, h = source.width, source.height
    x0 = max(int(np.floor(box_render[0] / s)) + bx0, max(bx0, 0))
    y0 = max(int(np.floor(box_render[1] / s)) + by0, max(by0, 0))
    x1 = min(int(np.ceil(box_render[2] / s)) + bx0, min(source.box[2], w))
    y1 = min(int(np.ceil(box_render[3] / s)) + by0, min(source.box[3], h))
    if x1 <= x0 or y1 <= y0:
        return None
    # photo pixel centre (x + 0.5) -> render coordinate s * (x + 0.5 - bx0) - 0.5, for x from x0
    m = np.array([[s, 0.0, s * (x0 - bx0 + 0.5) - 0.5],
                  [0.0, s, s * (y0 - by0 + 0.5) - 0.5]], np.float64)
    return (x0, y0, x1, y1), m


def resample_window(head: np.ndarray, source: PlateSource):
    """Where a head region rendered at another density changed: (photo box, the render resampled
    there float32 [h, w, 3], alpha float32 [h, w]); None when nothing changed."""
    changed = np.any(head != source.portrait.image, axis=2)
    if not changed.any():
        return None
    ys, xs = np.nonzero(changed)
    grown = (int(xs.min()) - 2, int(ys.min()) - 2, int(xs.max()) + 3, int(ys.max()) + 3)
    mapped = crop_to_photo(source, grown)
    if mapped is None:
        return None
    (x0, y0, x1, y1), m = mapped
    size = (x1 - x0, y1 - y0)
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    up = cv2.warpAffine(head.astype(np.float32), m, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
    # the changed pixels grown by one render pixel, ramped by the linear resampling
    mask = cv2.dilate(changed.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(np.float32)
    alpha = cv2.warpAffine(mask, m, size, flags=flags, borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
    alpha[alpha < 1.0 / 255.0] = 0.0
    return (x0, y0, x1, y1), up, alpha
