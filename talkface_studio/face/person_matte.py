"""What moves with the head: a matte of head, hair and neck, and the background behind them.

A renderer that warps everything around the face drags the background along with the head (it
"swims"). Only the head, its hair and the neck should move; the torso and the background stay put,
and where the head moves away the background behind it must be there to show.

- **Person matte**: MediaPipe's bundled selfie segmentation (0.10.21, offline), united with the
  face mesh's outline (the segmentation can miss a cheek against a skin-coloured wall). Where it
  hesitates (ears, half-lit hair) a lower threshold, a closing of notches and filled holes keep
  every part of the head solid, so nothing of the background shows through a moving head.
- **Head zone**: of the person, what lies above the jaw line within ~0.6 face widths of the face
  (head and hair) moves with the head. The neck moves in the same layer, taking a share of the
  head's motion that fades from all at the jaw to none half a face height below the chin
  (``neck``: the warp's anchors there follow it), so it stretches and the collar and shoulders
  stay still. Clothes that rise beside the face above the chin (a suit's neck ring, a raised
  shoulder) and are coloured like the body below, not like the head, stay with the body
  (``head_colours``). Without the segmentation model, an ellipse around the face and hair stands in.
- **A soft edge along the hair's own outline**: the head's alpha fades smoothly from just inside
  the segmentation's edge to ~6 px (at 512 px) beyond it, the fringe where stray hair and the
  light it wraps into the background lie. That fringe moves with the head, so no line is left
  along the old outline (a hard cut there left a pale band with a sharp edge behind a nodding head).
- **Two layers**: the background plate, where the head and its fringe are made up from the true
  background beyond the fringe (``background_fill``: inpainted at a reduced scale, plus the
  background's own grain), shown where the head uncovers it; and the head layer, whose colours
  are solved from photo = matte * head + (1 - matte) * plate (the matte raised where a dark
  strand needs more), so a still frame composites back to the photo to rounding.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from .background_fill import WORK_SIDE, fill_behind
from .edge_fill import MIRROR_BAND
from .head_colours import not_the_head, the_body_beside_the_head
from .native_logs import quiet_native_stderr
from .topology import REGIONS

NECK_FADE = 0.5          # face heights below the chin over which the neck stops following
NECK_STILL = 0.08        # share of the motion below which the neck is left to the still layer
NECK_MADE_UP = 0.32      # share of the motion from which the plate under the neck is wholly made up
NECK_HALF_WIDTH = 0.42   # face widths
HAIR_REACH = 0.6         # face widths beside the face outline that can still be hair
FEATHER = 1.5            # px (at 512 px) inside the segmentation's edge where the head starts to fade
FRINGE = 6.0             # px (at 512 px) beyond it where hair (and the light it wraps) may still lie
CLOSE = 4.0              # px (at 512 px): notches in the head's outline narrower than this are closed
BLEND = 5.0              # px (at 512 px) over which the made-up plate fades into the photo

_lock = threading.Lock()
_segmenter = None


@dataclass(frozen=True)
class HeadMatte:
    matte: np.ndarray    # float32 [H, W] 0..1: the moving layer's alpha (head, hair, neck)
    head: np.ndarray     # float32 [H, W, 3]: the moving layer's colours (the photo where matte == 1)
    plate: np.ndarray    # float32 [H, W, 3]: the still layer: the photo, filled from around it
                         # under the head and hair
    box: tuple[int, int, int, int]   # (x0, y0, x1, y1) bounding the matte (> 0)
    hair: np.ndarray     # float32 [H, W] 0..1: head and hair (anchors there follow the head fully)
    neck: np.ndarray     # float32 [H, W] 0..1: the share of the head's motion the neck takes


def _segment(rgb: np.ndarray) -> np.ndarray | None:
    """MediaPipe selfie segmentation: float32 [H, W] person probability, or None if unavailable."""
    global _segmenter
    try:
        with _lock:
            if _segmenter is None:
                from mediapipe.python.solutions import selfie_segmentation
                with quiet_native_stderr():
                    _segmenter = selfie_segmentation.SelfieSegmentation(model_selection=0)
            with quiet_native_stderr():
                result = _segmenter.process(np.ascontiguousarray(rgb[..., :3], dtype=np.uint8))
    except (ImportError, RuntimeError, ValueError, OSError):
        return None
    mask = getattr(result, "segmentation_mask", None)
    return None if mask is None else np.asarray(mask, dtype=np.float32)


def person_probability(rgb: np.ndarray) -> np.ndarray | None:
    """The bundled selfie segmentation's person probability, float32 [H, W] (None without the
    model): what plate exports make the performer's alpha from (``pipeline.plate``)."""
    return _segment(rgb)


def _zones(shape, lm: np.ndarray, face: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(head [H, W]: 1 above the jaw over head and hair width, 0 below; neck [H, W]: how much the
    body follows the head: 1 just under the jaw, fading out down the neck, 0 on the shoulders).
    ``face``: the face's inside (``_face_inside``)."""
    oval = lm[REGIONS["face_oval"], :2]
    fw = float(np.ptp(oval[:, 0]))
    fh = float(np.ptp(oval[:, 1]))
    chin = lm[152, :2]
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]] + 0.5
    beside = np.clip(1.5 - 1.5 * np.maximum(oval[:, 0].min() - xx, xx - oval[:, 0].max()) / (HAIR_REACH * fw), 0, 1)
    # the jaw line: the face outline's lower half at each column (the chin's height beyond it)
    jaw_y = np.full(shape[1], chin[1])
    cols = np.arange(shape[1]) + 0.5
    inside = (cols > oval[:, 0].min()) & (cols < oval[:, 0].max())
    lower = oval[oval[:, 1] > oval[:, 1].mean()]
    lower = lower[np.argsort(lower[:, 0])]
    jaw_y[inside] = np.interp(cols[inside], lower[:, 0], lower[:, 1])
    head = np.clip((jaw_y[None, :] - yy) / (0.06 * fh) + 0.5, 0.0, 1.0)
    # Beside the outline on its own row (left or right of the face, above the chin) is head and
    # hair too, as beyond the outline's widest columns: below a turned face's ear the jaw line
    # climbs steeply, and by columns alone a sliver between the cheek and those columns was left
    # out of the head (a notch in the matte; the still layer showed through it as a bright tick
    # along the cheek when the head moved).
    rows = face.any(axis=1)
    left = np.where(rows, face.argmax(axis=1), -1)                  # (rows without face: none)
    right = np.where(rows, shape[1] - face[:, ::-1].argmax(axis=1), shape[1] + 1)
    lateral = (xx < left[:, None]) | (xx > right[:, None])
    head = np.maximum(head, np.clip((chin[1] - yy) / (0.06 * fh) + 0.5, 0.0, 1.0) * lateral) * beside
    # The neck hangs from the jaw line, continued beyond the outline's columns at its ends' height:
    # at the chin's (as the head zone's is) it jumped there, and a strip a few px wide just beyond
    # the outline's widest columns followed the head between columns that did not (a line down
    # the collar on either side whenever the head moved).
    hang = np.interp(cols, lower[:, 0], lower[:, 1])
    below = (yy - hang[None, :]) / (NECK_FADE * fh)
    neck = np.clip(1.0 - below, 0.0, 1.0) * (yy > hang[None, :]) \
        * np.clip(1.0 - (np.abs(xx - chin[0]) - NECK_HALF_WIDTH * fw) / (0.15 * fw), 0.0, 1.0)
    return head.astype(np.float32), neck.astype(np.float32)


def _face_inside(shape, lm: np.ndarray) -> np.ndarray:
    """uint8 [H, W]: 1 inside the face mesh's outline. ``REGIONS["face_oval"]`` lists its points
    in index order, not around the face: filled as they come they drew a star with holes at the
    cheeks and jaw; taken in turn around their centre they are the outline."""
    oval = lm[REGIONS["face_oval"], :2]
    centre = oval.mean(axis=0)
    loop = oval[np.argsort(np.arctan2(oval[:, 1] - centre[1], oval[:, 0] - centre[0]))]
    face = np.zeros(shape, np.uint8)
    cv2.fillPoly(face, [np.round((loop - 0.5) * 16).astype(np.int32)], 1, shift=4)
    return face


def _fallback_person(shape, lm: np.ndarray) -> np.ndarray:
    """Without segmentation: an ellipse over the face and the hair above and beside it."""
    oval = lm[REGIONS["face_oval"], :2]
    c = oval.mean(0)
    rx, ry = 0.65 * np.ptp(oval[:, 0]), 0.7 * np.ptp(oval[:, 1])
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]] + 0.5
    cy = c[1] - 0.12 * ry
    return (((xx - c[0]) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1.0).astype(np.float32)


def head_matte(rgb: np.ndarray, lm: np.ndarray, segment: bool = True,
               photo: np.ndarray | None = None) -> HeadMatte:
    """rgb uint8 [H, W, 3] (the portrait crop at output size), lm [478, 3] in its pixels.

    ``photo`` (bool [H, W], optional): where the crop is the photo's own pixels; elsewhere the
    crop ran past the photo and was filled (``edge_fill``: the photo mirrored across its edge,
    then a smooth fill). Where the head reaches such an edge (a face that fills its photo), the
    mirrored band beyond it is the head continued, not background: it moves with the head (a
    turned head no longer shows the photo's straight edge moving across its temple), and the
    background made up behind the head comes from the fill beyond it, not from a mirror of skin."""
    shape = rgb.shape[:2]
    scale = shape[0] / 512
    person = _segment(rgb) if segment else None
    segmented = person is not None and person.shape == shape
    if not segmented:
        person = _fallback_person(shape, lm)
    inside = _face_inside(shape, lm)
    # (the outline's polygon has a hard edge: soften it like the segmentation's)
    face = cv2.GaussianBlur(inside.astype(np.float32), (0, 0), FEATHER * scale)
    head_zone, neck_zone = _zones(shape, lm, inside)
    upper = np.clip(2 * head_zone, 0, 1)            # above the jaw line (the neck is apart)
    # What the segmentation took for the person but is coloured like nothing on the head
    # (``head_colours``: a car window beside a turned cheek) is left out of the head and of the
    # neck above the chin (on a turned face the jaw line, and the neck under it, climbs the far
    # cheek); below the chin the neck keeps its collar.
    not_head = None
    if segmented:
        above_chin = (np.arange(shape[0]) + 0.5 < lm[152, 1])[:, None]
        candidates = ((person > 0.35) & (head_zone > 0.5)) | ((person > 0.2) & (neck_zone > 0) & above_chin)
        not_head = not_the_head(rgb, candidates, face, lm, scale) \
            | the_body_beside_the_head(rgb, person, face, lm, neck_zone, scale)
    core = _head_proper(person, head_zone, face, scale,
                        None if photo is None or photo.all() else ~photo, not_head)
    core = _attached_to_the_face(core, face > 0.5, float(lm[REGIONS["mouth_corners"], 1].mean()))
    # The neck rides along in the same layer, but over the photo itself: it is warped by a
    # share of the head's motion that fades to nothing at the collar (``follow``), so where its
    # alpha fades out there is no motion left to show a seam.
    neck = neck_zone * np.clip((person - 0.2) / 0.3, 0, 1)
    if not_head is not None:
        neck = np.where(not_head, 0.0, neck)
    neck_alpha = np.clip(neck / NECK_STILL, 0.0, 1.0)
    photo = rgb[..., :3].astype(np.float32)
    matte = np.zeros(shape, np.float32)
    layer, plate = photo.copy(), photo.copy()
    hair = np.zeros(shape, np.float32)
    # everything below happens in a window around the head (the fill takes its sources from
    # the background within a margin of it)
    reach = (FRINGE + BLEND) * scale + 2
    win = _grown(_box(core | (neck_alpha > 0)), reach + 0.08 * max(shape), shape)
    if win is None:
        return HeadMatte(matte, layer, plate, (0, 0, 0, 0), hair, neck.astype(np.float32))
    ys, xs = slice(win[1], win[3]), slice(win[0], win[2])
    w_core, w_face, w_upper, w_neck = core[ys, xs], face[ys, xs], upper[ys, xs], neck_alpha[ys, xs]
    w_photo = photo[ys, xs]
    # signed distance to the head's edge (px; > 0 outside)
    outside = cv2.distanceTransform((~w_core).astype(np.uint8), cv2.DIST_L2, 5)
    inside = cv2.distanceTransform(w_core.astype(np.uint8), cv2.DIST_L2, 5)
    signed = np.where(w_core, 0.5 - inside, outside - 0.5)
    fringe = FRINGE * scale
    t = np.clip((signed + FEATHER * scale) / (fringe + FEATHER * scale), 0.0, 1.0)
    w_head = np.maximum((1.0 - t * t * (3.0 - 2.0 * t)) * w_upper, w_face)
    # the background behind the head, from true background only: not the head, its fringe or
    # the neck (those colours would come back as a band along the outline); made up under all
    # of the head, its fringe and the neck, fading into the photo over a short band beyond
    sources = (signed > fringe) & (w_neck <= 0) & (w_face <= 1e-3)
    made_up = np.maximum(np.clip(1.0 - (signed - fringe) / (BLEND * scale), 0.0, 1.0) * w_upper, w_face)
    # (the neck's edge slides a little too, so under the neck the plate is made up as well, in
    # proportion to how far it follows: at its zone's sides, where it barely moves, a plate made
    # up from the collar around it showed through the layer's edge as a dark line)
    made_up = np.maximum(made_up, w_neck * np.clip(neck[ys, xs] / NECK_MADE_UP, 0.0, 1.0))
    w_plate = w_photo
    if sources.any() and (made_up > 0).any():
        factor = max(1, int(round(min(shape) / WORK_SIDE)))
        w_plate = w_photo + (fill_behind(w_photo, ~sources, factor) - w_photo) * made_up[..., None]
        # whole levels, as the renderer stores it: the layer is solved against exactly that
        w_plate = np.clip(np.round(w_plate), 0.0, 255.0)
    w_matte, w_layer = _solve_layer(w_photo, w_plate, np.maximum(w_head, w_neck), made_up > 0)
    w_plate = np.where(w_matte[..., None] > 0, w_plate, w_photo)   # (within rounding there anyway)
    matte[ys, xs], layer[ys, xs], plate[ys, xs], hair[ys, xs] = w_matte, w_layer, w_plate, w_head
    return HeadMatte(matte, layer, plate, _box(matte > 0), hair, neck.astype(np.float32))


def _head_proper(person: np.ndarray, head_zone: np.ndarray, face: np.ndarray, scale: float,
                 filled: np.ndarray | None = None, not_head: np.ndarray | None = None) -> np.ndarray:
    """bool [H, W]: the head and hair. Generous where the segmentation hesitates (ears, a cheek
    against a wall), its notches closed and holes filled, so no part of the head is half
    see-through (the made-up background would show through it when it moves). ``filled``: where
    the crop ran past the photo (``_continued_past_the_photo``). ``not_head``: what the
    segmentation took for the head but is not (``head_colours``)."""
    core = ((person > 0.35) & (head_zone > 0.5)) | (face > 0.5)
    if not_head is not None:
        core &= ~not_head
    if filled is not None:
        core = _continued_past_the_photo(core, filled, head_zone)
    r = max(1, int(round(CLOSE * scale)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    core = cv2.morphologyEx(core.astype(np.uint8), cv2.MORPH_CLOSE, kernel)
    # holes: what the background, flooded in from the frame's border, does not reach
    pad = cv2.copyMakeBorder(core, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    cv2.floodFill(pad, None, (0, 0), 2)
    return pad[1:-1, 1:-1] != 2


def _attached_to_the_face(core: np.ndarray, face: np.ndarray, mouth_y: float) -> np.ndarray:
    """The head (bool [H, W]) without pieces that touch neither the face nor anything above the
    mouth: what is left of a collar or a suit's ring beside the chin once its clothes' colours
    are taken out (a highlight, a white lining) is not head, and moved with it, it smeared."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(core.astype(np.uint8), connectivity=8)
    keep = np.zeros(n, bool)
    keep[np.unique(labels[face & core])] = True
    keep |= stats[:, cv2.CC_STAT_TOP] + 0.5 < mouth_y
    keep[0] = False
    return keep[labels]


def _continued_past_the_photo(core: np.ndarray, filled: np.ndarray, head_zone: np.ndarray) -> np.ndarray:
    """The head (bool [H, W]) carried into the filled surround's mirrored band wherever it
    reaches the photo's edge (above the jaw only: the neck and shoulders are the still layer)."""
    band = max(int(round(MIRROR_BAND * core.shape[0])), 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * band + 1, 2 * band + 1))
    touching = cv2.dilate((core & ~filled).astype(np.uint8), kernel) > 0
    return core | (filled & touching & (head_zone > 0.5))


def _grown(box, by: float, shape):
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0:
        return None
    b = int(np.ceil(by))
    return (max(0, x0 - b), max(0, y0 - b), min(shape[1], x1 + b), min(shape[0], y1 + b))


def _solve_layer(photo: np.ndarray, plate: np.ndarray, alpha: np.ndarray, support: np.ndarray):
    """(matte, moving layer's colours) with photo = matte * layer + (1 - matte) * plate at every
    pixel (a still frame composites back to the photo, to rounding).

    Where the plate is made up (``support``) the matte is raised, where it must be, to the least
    that explains the photo over it with a layer colour in 0..255 (a dark strand of hair against
    a bright sky beyond the fringe's ramp). The layer is solved there (un-premultiplied); where
    the matte is 0 it is the photo (bilinear sampling at the edge then mixes in background
    colours, not black)."""
    diff = photo - plate
    with np.errstate(divide="ignore", invalid="ignore"):
        need_dark = np.where(diff < 0, -diff / np.maximum(plate, 1e-3), 0.0)
        need_bright = np.where(diff > 0, diff / np.maximum(255.0 - plate, 1e-3), 0.0)
    need = np.clip(np.maximum(need_dark, need_bright).max(axis=2), 0.0, 1.0) * support
    matte = np.maximum(alpha, need)
    matte = np.ceil(matte * 255.0 - 1e-3) / 255.0          # as stored (8 bits), rounded up
    matte = np.clip(matte, 0.0, 1.0).astype(np.float32)
    m = matte[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        solved = np.where(m > 0, (photo - (1.0 - m) * plate) / np.maximum(m, 1e-6), photo)
    return matte, np.clip(solved, 0.0, 255.0).astype(np.float32)


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1) if len(ys) else (0, 0, 0, 0)
