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

The other way round, what the head zone takes for hair because it lies beside the face above the
chin but is coloured like the body (a suit's neck ring, a raised shoulder) stays with the body
(``the_body_beside_the_head``).
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
BODY_LIKELIER = 4.0  # a colour is the body's where the body shows it this many times as often as the head
SMOOTH = 4.0         # px (at 512 px): the neighbourhood whose majority decides body or head
BODY_BELOW = 0.25    # face heights below the chin from which the person is surely body (torso, shoulders)


def not_the_head(rgb: np.ndarray, core: np.ndarray, face: np.ndarray, lm: np.ndarray,
                 scale: float) -> np.ndarray:
    """bool [H, W]: pixels of ``core`` (the segmented head) beyond the face's outline whose
    colour the sure head never shows. ``face``: float [H, W], 1 inside the face's outline."""
    shape = core.shape
    oval = lm[REGIONS["face_oval"], :2]
    fw = float(np.ptp(oval[:, 0]))
    bins = _lab_bins(rgb)
    sure = _sure_head(shape, core, face, lm, oval, fw)
    if not sure.any():
        return np.zeros(shape, bool)
    # a colour counts with its neighbours (shading and noise move it across a bin's edge)
    headlike = _smoothed_share(bins, sure)[bins] > RARE
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


def the_body_beside_the_head(rgb: np.ndarray, person: np.ndarray, face: np.ndarray,
                             lm: np.ndarray, neck_zone: np.ndarray, scale: float) -> np.ndarray:
    """bool [H, W]: shoulders and clothes that rise beside the face above the chin (a space
    suit's neck ring, a raised shoulder, a coat's collar), which the head zone, made by height and
    distance from the face alone, took for hair (``person_matte``).

    Moved with the head they were cut along the zone's straight edges and showed there as lines
    across the collar. A pixel of the person beside the face, between the mouth and the chin, is
    the body's where its colour is clearly the body's (as shown well below the chin, beside the
    neck) and not the head's (hair above the eyes, and the face's skin), and it reaches down into
    the body, not a patch floating in the hair. Where hair and clothes share their colours nothing
    is taken (the zone's edges stay as they were)."""
    shape = person.shape
    oval = lm[REGIONS["face_oval"], :2]
    fw, fh = float(np.ptp(oval[:, 0])), float(np.ptp(oval[:, 1]))
    chin = lm[152, :2]
    mouth_y = float(lm[REGIONS["mouth_corners"], 1].mean())
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]] + 0.5
    is_person = person > 0.5
    body = is_person & (yy > chin[1] + BODY_BELOW * fh) & (neck_zone <= 0)
    eyes_y = lm[REGIONS["left_eye"], 1].mean() / 2 + lm[REGIONS["right_eye"], 1].mean() / 2
    # the head's colours: hair above the eyes (over the face and beside it) and the face's skin
    # below them (not the mouth: teeth and a dark mouth are the colours of shirts and coats)
    beside = np.maximum(oval[:, 0].min() - xx, xx - oval[:, 0].max()) < 0.4 * fw
    hair = is_person & (yy < eyes_y) & beside & (face < 0.5)
    mouth = np.zeros(shape, np.uint8)
    cv2.fillConvexPoly(mouth, cv2.convexHull(np.round(lm[REGIONS["lips"], :2]).astype(np.int32)), 1)
    m = max(1, int(0.05 * fw))
    mouth = cv2.dilate(mouth, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * m + 1, 2 * m + 1))) > 0
    head = hair | ((face > 0.99) & (yy > eyes_y) & ~mouth)
    if body.sum() < 200 * scale * scale or head.sum() < 200 * scale * scale:
        return np.zeros(shape, bool)
    bins = _lab_bins(rgb)
    p_body, p_head = _smoothed_share(bins, body), _smoothed_share(bins, head)
    bodylike = (p_body[bins] > RARE) & (p_body[bins] > BODY_LIKELIER * p_head[bins])
    beyond = cv2.distanceTransform((face <= 0.5).astype(np.uint8), cv2.DIST_L2, 5) > KEEP * scale
    # beside the face below the mouth, down into the sure body; not the neck's zone under the
    # chin (the neck follows the head by a share that fades down it: a still collar cut out of it
    # showed its stepped edge as a line when the neck moved), only its reach beside the jaw
    free = (neck_zone <= 0) | (yy < chin[1])
    near = is_person & beyond & (yy > mouth_y) & (yy < chin[1] + BODY_BELOW * fh) & free
    # by the majority of a neighbourhood: a tweed's or a print's pixels scatter across both
    # colour sets, and a speckled matte would tear the collar apart when the neck moves
    vote = cv2.GaussianBlur(bodylike.astype(np.float32), (0, 0), SMOOTH * scale)
    out = near & (vote > 0.5)
    r = max(1, int(round(OPEN * scale)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    out = cv2.morphologyEx(out.astype(np.uint8), cv2.MORPH_OPEN, kernel)
    out = (cv2.morphologyEx(out, cv2.MORPH_CLOSE, kernel) > 0) & near
    # only what reaches down into the body (its lowest rows)
    _, labels = cv2.connectedComponents(out.astype(np.uint8), connectivity=8)
    bottom = np.unique(labels[(yy >= chin[1] + BODY_BELOW * fh - 2) & out])
    out = np.isin(labels, bottom[bottom > 0])
    # with the edge where it meets the background (its colours mixed with the background's,
    # the segmentation unsure): left in the head, it was a sliver moving along the collar
    # (and a highlight a pixel or two wide along it, coloured like the face's: closed over)
    reach = (person > 0.2) & beyond & (yy > mouth_y) & free
    edge = reach & (~is_person | (p_head[bins] <= p_body[bins]))
    grown = cv2.dilate(out.astype(np.uint8), kernel) > 0
    out = (out | (grown & edge)).astype(np.uint8)
    return out.astype(bool) | ((cv2.morphologyEx(out, cv2.MORPH_CLOSE, kernel) > 0) & reach)


def _lab_bins(rgb: np.ndarray) -> np.ndarray:
    step = 256 // BINS
    q = cv2.cvtColor(np.ascontiguousarray(rgb[..., :3], dtype=np.uint8), cv2.COLOR_RGB2LAB) // step
    return (q[..., 0].astype(np.int32) * BINS + q[..., 1]) * BINS + q[..., 2]


def _smoothed_share(bins: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Share of ``where``'s pixels in each colour bin and its neighbours, flat [BINS**3]."""
    hist = np.bincount(bins[where], minlength=BINS ** 3).astype(np.float32).reshape(BINS, BINS, BINS)
    for axis in range(3):
        padded = np.pad(hist, [(1, 1) if a == axis else (0, 0) for a in range(3)])
        hist = padded[tuple(slice(0, -2) if a == axis else slice(None) for a in range(3))] \
            + padded[tuple(slice(1, -1) if a == axis else slice(None) for a in range(3))] \
            + padded[tuple(slice(2, None) if a == axis else slice(None) for a in range(3))]
    return hist.reshape(-1) / max(1, int(where.sum()))
