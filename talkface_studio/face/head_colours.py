"""What the person segmentation calls head but is coloured like nothing on the head.

MediaPipe's selfie segmentation sometimes counts what lies around a person as the person: on a
3/4 view from a car's back seat it takes the car window beside the far cheek for the head, so
that window moved with the head layer and every held expression dragged it through the
moustache. Beyond the face's outline the head is hair, ears, a hat or a beard: colours that also
lie on the face itself or on top of the head. So the head's colours are gathered where they are
sure (inside the face's outline, eyes and lenses aside: a far lens shows the background through
it; and what the segmentation holds above the face's top, over its width: hair, hat or scalp),
and a part of the segmented head beyond the outline whose colour none of them has is left to the
still background. Only solid patches go (an opening drops stray pixels between strands of hair),
so the hair's own fringe is the segmentation's.
"""

from __future__ import annotations

import cv2
import numpy as np

from .topology import REGIONS

BINS = 16            # per Lab channel: colours 16 levels apart count as one
RARE = 1e-3          # share of the sure head's pixels (in a bin and its neighbours) below which a colour is not the head's
EYE_MARGIN = 0.12    # face widths around each eye left out of the sure head (lenses, frames, reflections)
KEEP = 2.0           # px (at 512 px) beyond the face's outline that always stays head
OPEN = 3.0           # px (at 512 px): what is thinner than this is not taken out


def not_the_head(rgb: np.ndarray, core: np.ndarray, face: np.ndarray, lm: np.ndarray,
                 scale: float) -> np.ndarray:
    """bool [H, W]: pixels of ``core`` (the segmented head) beyond the face's outline whose
    colour the sure head never shows. ``face``: float [H, W], 1 inside the face's outline."""
    shape = core.shape
    oval = lm[REGIONS["face_oval"], :2]
    fw = float(np.ptp(oval[:, 0]))
    step = 256 // BINS
    q = cv2.cvtColor(np.ascontiguousarray(rgb[..., :3], dtype=np.uint8), cv2.COLOR_RGB2LAB) // step
    bins = (q[..., 0].astype(np.int32) * BINS + q[..., 1]) * BINS + q[..., 2]
    sure = _sure_head(shape, core, face, lm, oval, fw)
    if not sure.any():
        return np.zeros(shape, bool)
    hist = np.bincount(bins[sure], minlength=BINS ** 3).astype(np.float32).reshape(BINS, BINS, BINS)
    # a colour counts with its neighbours (shading and noise move it across a bin's edge)
    for axis in range(3):
        padded = np.pad(hist, [(1, 1) if a == axis else (0, 0) for a in range(3)])
        hist = padded[tuple(slice(0, -2) if a == axis else slice(None) for a in range(3))] \
            + padded[tuple(slice(1, -1) if a == axis else slice(None) for a in range(3))] \
            + padded[tuple(slice(2, None) if a == axis else slice(None) for a in range(3))]
    headlike = hist.reshape(-1)[bins] > RARE * sure.sum()
    beyond = cv2.distanceTransform((face <= 0.5).astype(np.uint8), cv2.DIST_L2, 5) > KEEP * scale
    out = core & beyond & ~headlike
    r = max(1, int(round(OPEN * scale)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    out = cv2.morphologyEx(out.astype(np.uint8), cv2.MORPH_OPEN, kernel) > 0
    if not out.any():
        return out
    # what that leaves of the segmented head as threads across the patch (the cords of a mirror's
    # charm hanging in the window) goes with it; thin hair elsewhere (no patch beside it) stays
    rest = core & ~out
    threads = rest & ~(cv2.morphologyEx(rest.astype(np.uint8), cv2.MORPH_OPEN, kernel) > 0)
    patch = cv2.dilate(out.astype(np.uint8), kernel, iterations=2) > 0
    return out | (threads & patch & beyond)


def _sure_head(shape, core, face, lm, oval, fw) -> np.ndarray:
    eyes = np.zeros(shape, np.uint8)
    for region in ("left_eye", "right_eye"):
        cv2.fillConvexPoly(eyes, cv2.convexHull(np.round(lm[REGIONS[region], :2]).astype(np.int32)), 1)
    r = max(1, int(EYE_MARGIN * fw))
    eyes = cv2.dilate(eyes, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))) > 0
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]] + 0.5
    above = core & (yy < oval[:, 1].min()) & (xx > oval[:, 0].min()) & (xx < oval[:, 0].max())
    return ((face > 0.99) & ~eyes) | above
