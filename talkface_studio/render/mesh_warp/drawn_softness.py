"""Soften what the renderer paints (mouth interior, teeth, lip seam, a widened eye's lid line and
crease) to the photo's own sharpness.

A portrait cut from a small face (a full-body shot, a group photo, a face-only crop) is magnified:
its edges are several output pixels wide, while the mouth the renderer paints has edges one pixel
wide and looks pasted on (a crisp black hole and cartoon teeth in a soft face). What the painting
changed (the frame after it minus before it, in a box around the mouth) is blurred by the width the
magnification gives the photo's edges, so a painted edge is as soft as the photo's own; the eyes
(``eyes_box``) the same way, or a surprised eye's lid line was a crisp ink ring. Where the
painting covered the frame (changed it by more than ``COVERED`` levels), the fine detail it covered
goes with it: the warp's own specks under painted lips (a sliver of the photo's teeth squeezed into
a closed seam) showed through the blurred change as beads. A portrait shown at or near its photo's
resolution is left exactly as it was."""

from __future__ import annotations

import math

import numpy as np

from .face_loops import EYES, OUTER_LIPS
from .pixel_ops import ops_of

SOFT_FROM = 2.5         # magnification up to which painting stays crisp: a painted edge may be up
                        # to this many times as steep as the photo's before it stands out
EDGE_SIGMA = 0.5        # Gaussian sigma of an edge in the photo, in photo pixels (measured at the
                        # eyes of the gallery portraits: 0.4-0.65)
MAX_SIGMA = 4.0         # output pixels; a tiny face magnified ten times still shows its mouth
COVERED = 12.0          # grey levels (mean over channels) of change at which a pixel counts as painted over


def drawn_sigma(resolution: float) -> float:
    """Blur (Gaussian sigma, output px) that makes a 1-px painted edge as wide as the photo's edges
    magnified ``resolution`` times (texture pixels per photo pixel); 0 up to SOFT_FROM."""
    r = float(resolution)
    if r < SOFT_FROM:
        return 0.0
    # what the photo's edges have beyond what a painted edge has at SOFT_FROM (widths add as squares)
    return min(EDGE_SIGMA * math.sqrt(r * r - SOFT_FROM * SOFT_FROM), MAX_SIGMA)


def mouth_box(lm: np.ndarray, sigma: float, size: int):
    """(x0, y0, x1, y1): the lips' box grown by the lips' height (what the painting can touch:
    the opening, a stretched lip, the seam) and by three sigmas (where the blur spreads); None if empty."""
    lips = np.asarray(lm)[OUTER_LIPS, :2]
    (x0, y0), (x1, y1) = lips.min(axis=0), lips.max(axis=0)
    grow = 0.5 * (y1 - y0) + 0.25 * (x1 - x0) + 3.0 * sigma + 2.0
    x0, y0 = max(int(x0 - grow), 0), max(int(y0 - grow), 0)
    x1, y1 = min(int(math.ceil(x1 + grow)), size), min(int(math.ceil(y1 + grow)), size)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def eyes_box(lm: np.ndarray, sigma: float, size: int):
    """(x0, y0, x1, y1): both eyes' openings grown by half an eye's width (the lid a widened eye
    raises, its crease, a lowered lid's skin) and by three sigmas; None if empty."""
    pts = np.asarray(lm)[np.concatenate([eye.loop for eye in EYES]), :2]
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    width = float(np.linalg.norm(np.asarray(lm)[EYES[0].corners[1], :2] - np.asarray(lm)[EYES[0].corners[0], :2]))
    grow = 0.5 * width + 3.0 * sigma + 2.0
    x0, y0 = max(int(x0 - grow), 0), max(int(y0 - grow), 0)
    x1, y1 = min(int(math.ceil(x1 + grow)), size), min(int(math.ceil(y1 + grow)), size)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


class SoftenedPainting:
    """``with SoftenedPainting(frame, lm, resolution): draw_mouth(frame, ...)``: on leaving, what the
    painting changed inside the mouth box (``box``: or ``eyes_box``) is blurred to the photo's
    sharpness (frame [3, S, S], numpy or torch, changed in place)."""

    def __init__(self, frame, lm: np.ndarray, resolution: float, box=mouth_box):
        self.frame = frame
        self.sigma = drawn_sigma(resolution)
        self.box = box(lm, self.sigma, int(frame.shape[-1])) if self.sigma > 0 else None
        self.before = None

    def __enter__(self):
        if self.box is not None:
            x0, y0, x1, y1 = self.box
            self.before = ops_of(self.frame).copy(self.frame[:, y0:y1, x0:x1])
        return self

    def __exit__(self, *exc) -> None:
        if self.before is None or exc[0] is not None:
            return
        x0, y0, x1, y1 = self.box
        ops = ops_of(self.frame)
        region = self.frame[:, y0:y1, x0:x1]
        change = region - self.before
        if not bool((change != 0).any()):     # (an eye left as the warp drew it)
            return
        covered = ops.clip((abs(change[0]) + abs(change[1]) + abs(change[2])) * (1.0 / (3.0 * COVERED)), 0.0, 1.0)
        detail = self.before - ops.gaussian_blur(self.before, self.sigma)     # what a blur takes away
        region[...] = (self.before + ops.gaussian_blur(change, self.sigma)
                       - ops.gaussian_blur(covered[None], self.sigma) * detail)
