"""What moves with the head: a matte of head, hair and neck, and the background behind them.

A renderer that warps everything around the face drags the background along with the head (it
"swims"). Only the head, its hair and the neck should move; the torso and the background stay put,
and where the head moves away the background behind it must be there to show.

- **Person matte**: MediaPipe's bundled selfie segmentation (0.10.21, offline), united with the
  face mesh's outline (the segmentation can miss a cheek against a skin-coloured wall).
- **Head zone**: of the person, what lies above the jaw line within ~0.6 face widths of the face
  (head and hair) moves with the head. The neck moves in the same layer, taking a share of the
  head's motion that fades from all at the jaw to none half a face height below the chin
  (``neck``: the warp's anchors there follow it), so it stretches and the collar and shoulders
  stay still. Without the segmentation model, an ellipse around the face and hair stands in.
- **Two layers**: the background plate (the photo with the moving region filled from the
  background around it by ``edge_fill.pyramid_fill``, a smooth push-pull fill, shown where the
  head uncovers it) and the head layer, whose colours at the matte's soft edges are solved from
  photo = matte * head + (1 - matte) * plate, so a still frame composites back to the photo
  exactly and a moving head leaves no ghost of its old outline behind.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter
from skimage.draw import polygon2mask

from .edge_fill import pyramid_fill
from .native_logs import quiet_native_stderr
from .topology import REGIONS

NECK_FADE = 0.5          # face heights below the chin over which the neck stops following
NECK_STILL = 0.08        # share of the motion below which the neck is left to the still layer
NECK_HALF_WIDTH = 0.42   # face widths
HAIR_REACH = 0.6         # face widths beside the face outline that can still be hair
FEATHER = 1.5            # px (at 512 px) of soft matte edge, outward

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


def _zones(shape, lm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(head [H, W]: 1 above the jaw over head and hair width, 0 below; neck [H, W]: how much the
    body follows the head: 1 just under the jaw, fading out down the neck, 0 on the shoulders)."""
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
    head = np.clip((jaw_y[None, :] - yy) / (0.06 * fh) + 0.5, 0.0, 1.0) * beside
    below = (yy - jaw_y[None, :]) / (NECK_FADE * fh)
    neck = np.clip(1.0 - below, 0.0, 1.0) * (yy > jaw_y[None, :]) \
        * np.clip(1.0 - (np.abs(xx - chin[0]) - NECK_HALF_WIDTH * fw) / (0.15 * fw), 0.0, 1.0)
    return head.astype(np.float32), neck.astype(np.float32)


def _fallback_person(shape, lm: np.ndarray) -> np.ndarray:
    """Without segmentation: an ellipse over the face and the hair above and beside it."""
    oval = lm[REGIONS["face_oval"], :2]
    c = oval.mean(0)
    rx, ry = 0.65 * np.ptp(oval[:, 0]), 0.7 * np.ptp(oval[:, 1])
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]] + 0.5
    cy = c[1] - 0.12 * ry
    return (((xx - c[0]) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1.0).astype(np.float32)


def head_matte(rgb: np.ndarray, lm: np.ndarray, segment: bool = True) -> HeadMatte:
    """rgb uint8 [H, W, 3] (the portrait crop at output size), lm [478, 3] in its pixels."""
    shape = rgb.shape[:2]
    person = _segment(rgb) if segment else None
    if person is None or person.shape != shape:
        person = _fallback_person(shape, lm)
    face = polygon2mask(shape, lm[REGIONS["face_oval"], :2][:, ::-1] - 0.5).astype(np.float32)
    head_zone, neck_zone = _zones(shape, lm)
    region = np.maximum(np.clip((person - 0.4) / 0.2, 0, 1) * head_zone, face)
    feather = FEATHER * shape[0] / 512
    soft = np.clip(2.0 * gaussian_filter((region > 0.5).astype(np.float32), feather), 0.0, 1.0)
    head_alpha = np.maximum(region, soft * head_zone)
    head_alpha[head_alpha < 0.02] = 0.0
    # The neck rides along in the same layer, but over the photo itself: it is warped by a
    # share of the head's motion that fades to nothing at the collar (``follow``), so where its
    # alpha fades out there is no motion left to show a seam.
    neck = neck_zone * np.clip((person - 0.2) / 0.3, 0, 1)
    matte = np.maximum(head_alpha, np.clip(neck / NECK_STILL, 0.0, 1.0))
    photo = rgb[..., :3].astype(np.float32)
    layer, plate = _two_layers(photo, matte, head_alpha)
    return HeadMatte(matte.astype(np.float32), layer.astype(np.float32), plate.astype(np.float32),
                     _box(matte > 0), head_alpha.astype(np.float32), neck.astype(np.float32))


def _two_layers(photo: np.ndarray, matte: np.ndarray, head_alpha: np.ndarray):
    """The moving layer's and the still layer's colours, so that photo = matte * layer +
    (1 - matte) * plate everywhere (a still frame composites back to the photo exactly).

    Both are the photo, except under the head and hair proper (where the matte is 1), where the
    still layer is made up from the pure background around it (a pyramid fill). At the matte's
    soft edge both keep the photo: solving there for the head's own colour (un-premultiplying)
    turns background the segmentation half-claimed into specks and dark rims that move with the
    head; kept as it is, a moving head leaves at most a faint trace of its soft edge."""
    plate = photo
    behind = head_alpha >= 1.0
    if behind.any() and (matte == 0).any():
        plate = np.where(behind[..., None], pyramid_fill(photo, matte == 0), photo)
    return photo, plate


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1) if len(ys) else (0, 0, 0, 0)
