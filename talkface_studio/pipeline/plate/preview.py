"""The viewer's plate framing: the whole photo with the head region live, at screen size.

The same job as a plate render (``pipeline.job.RenderJob`` with ``framing.PlateFraming``), on the
photo scaled down to at most ``MAX_SIDE`` px: the head region is rendered at that scale's density
and pasted into it, so the preview shows exactly which pixels a plate changes.
"""

from __future__ import annotations

import cv2
import numpy as np

from talkface_studio.face.image_io import load_image

from .source import PlateSource, cut_head_region

MAX_SIDE = 1280          # px: the preview's photo, longest side
MIN_REGION, MAX_REGION = 64, 1024


def preview_source(fit, max_side: int = MAX_SIDE) -> PlateSource:
    """The fit's photo at preview scale and its head region at that scale's density."""
    photo = load_image(fit.source_path)
    h, w = photo.shape[:2]
    d = min(1.0, max_side / max(w, h))
    if d < 1.0:
        photo = cv2.resize(photo, (max(1, round(w * d)), max(1, round(h * d))), interpolation=cv2.INTER_AREA)
    x0, y0, x1, _ = fit.crop_box
    side = max(1, round((x1 - x0) * d))
    box = (round(x0 * d), round(y0 * d), round(x0 * d) + side, round(y0 * d) + side)
    return cut_head_region(fit, photo, box, int(min(max(side, MIN_REGION), MAX_REGION)))


def placed_landmarks(source: PlateSource, landmarks: np.ndarray) -> np.ndarray:
    """One frame's landmarks [478, 3] at the head region's render size -> in the preview photo's pixels."""
    scale = source.source_side / source.render_side
    placed = landmarks.copy()
    placed[:, :2] = landmarks[:, :2] * scale + np.array(source.box[:2], np.float32)
    placed[:, 2] *= scale
    return placed
