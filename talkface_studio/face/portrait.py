"""Fit a portrait: find the largest face, cut a square head-and-shoulders crop, track it at output size.

Framing (why): the face (ear to ear, from the fitted pose, so a turned head does not shrink it) takes
~42 % of the crop width and the eyes sit 40 % from the top. That leaves hair room above, neck and
shoulders below, and margin on every side for the generated head motion. The crop is kept inside
the photo where the photo allows: it is shifted (the eyes may sit 28-50 % from the top, the face
off centre) and shrunk (the face may fill up to ~62 % of the width) before it may run past an
edge. What still lies outside (a face-only crop, a tightly framed photo) is filled by
``edge_fill`` (mirrored near the edge, a smooth push-pull fill beyond), never by repeating edge
pixels; ``PortraitFit.outside`` says how much was filled.

A fit is saved as JSON (landmarks, crop box, size, source path and sha256); ``load_fit`` re-creates the
crop pixels from the source without running the face tracker again, and refuses a changed source.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from talkface_studio.core.errors import MediaError, ProjectFileError, ValidationError
from talkface_studio.core.media_paths import relative_media, resolve_in_folder
from talkface_studio.face.edge_fill import fill_outside
from talkface_studio.face.image_io import file_sha256, load_image
from talkface_studio.face.mesh_tracker import detect_faces, find_faces
from talkface_studio.face.normalize import estimate_pose
from talkface_studio.face.topology import N_LANDMARKS, canonical_face, REGIONS

FACE_FRACTION = 0.42  # face width / crop width
FACE_FRACTION_MAX = 0.62  # ... at most, when the photo is too tight for the preferred framing
EYES_FROM_TOP = 0.40  # eye line / crop height
EYES_FROM_TOP_RANGE = (0.28, 0.50)  # where the eyes may sit when the crop is shifted into the photo
FACE_MARGIN = 0.04  # the face outline keeps this fraction of the crop from its edges
# Face width in the source below which the fit is unreliable (eyes of ~3 px). Down to it the take is
# coherent, only soft when rendered much larger than the photo holds it (plate mode keeps the photo's
# own resolution); until 2026-12-05 faces under 60 px were refused, which turned away a face of
# 39 px in a 1920x1080 frame that renders well.
MIN_FACE_PX = 24
SOFT_UPSCALE = 3.0  # a render upscaling the photo's crop more than this looks soft: `new` says so
# Lid gap over eye width (3-D, mean of both eyes) below which the photo's eyes are nearly closed or
# cast down: open eyes measure 0.20-0.36 on every portrait here, a face looking down at cards in a
# group photo 0.07-0.09. The take can draw eyes opened wider than the photo's, but blinks and gaze
# have little eye to move, so `new` says so.
CLOSED_EYES = 0.12
_EYE_POINTS = (((33, 133), ((160, 144), (159, 145), (158, 153))),
               ((263, 362), ((385, 380), (386, 374), (387, 373))))
MIN_SIZE, MAX_SIZE = 256, 1024
SCHEMA = "talkface.portrait_fit"
VERSION = 1

# Ear-to-ear width of the canonical face in normalized units (outer-eye-corner distance = 1).
_CANON = canonical_face()
_CANON_FACE_WIDTH = float(np.ptp(_CANON[REGIONS["face_oval"], 0]))


@dataclass
class PortraitFit:
    """A portrait ready to animate: the square crop and its identity landmarks in crop pixels."""

    image: np.ndarray  # uint8 [S, S, 3]
    landmarks: np.ndarray  # float32 [478, 3], crop pixels (z in the same pixel units)
    source_path: Path
    crop_box: tuple[int, int, int, int]  # (x0, y0, x1, y1) in source pixels; may reach outside it
    source_sha256: str = ""
    source_size: tuple[int, int] | None = None  # (width, height) of the source image
    faces_found: int = 1  # faces in the photo when it was fitted (saved where more than one)
    face_number: int = 1  # which of them this is, counted from the left

    @property
    def outside(self) -> dict:
        """What of the crop lies outside the photo and was filled (``edge_fill``): pixels per side
        in source pixels and the filled fraction of the crop's area. Empty without a source size."""
        if self.source_size is None:
            return {}
        w, h = self.source_size
        x0, y0, x1, y1 = self.crop_box
        sides = {"left": max(-x0, 0), "top": max(-y0, 0), "right": max(x1 - w, 0), "bottom": max(y1 - h, 0)}
        inside = max(min(x1, w) - max(x0, 0), 0) * max(min(y1, h) - max(y0, 0), 0)
        area = (x1 - x0) * (y1 - y0)
        return {"fill": "mirror+pyramid" if any(sides.values()) else "none", "sides_px": sides,
                "filled_fraction": round(1.0 - inside / max(area, 1), 4)}

    @property
    def size(self) -> int:
        return int(self.image.shape[0])

    def to_json(self, relative_to: str | Path | None = None) -> dict:
        """JSON-ready dict (no pixels). ``relative_to``: store the source path relative to that folder."""
        path = Path(self.source_path).as_posix() if relative_to is None else relative_media(self.source_path, relative_to)
        data = {"schema": SCHEMA, "version": VERSION, "source_path": path,
                "source_sha256": self.source_sha256, "crop_box": [int(v) for v in self.crop_box],
                "size": self.size, "landmarks": np.round(self.landmarks.astype(np.float64), 3).tolist()}
        if self.source_size is not None:  # informational (re-derived on load): what was filled
            data["source_size"] = [int(v) for v in self.source_size]
            data["outside"] = self.outside
        if self.faces_found > 1:  # which face of several (Take > Portrait Face... offers the others)
            data["faces_found"], data["face_number"] = int(self.faces_found), int(self.face_number)
        return data

    def soft_note(self, render_size: int = 512) -> str | None:
        """A sentence for the artist when a render of ``render_size`` px upscales the photo's crop more
        than SOFT_UPSCALE times (a small face in a large frame), else None."""
        side = self.crop_box[2] - self.crop_box[0]
        if render_size <= SOFT_UPSCALE * side:
            return None
        sharp = int(SOFT_UPSCALE * side) // 2 * 2
        return (f"the face is small in {self.source_path.name} (its head-and-shoulders crop is {side} px of the "
                f"photo): a {render_size}-px render upscales it {render_size / side:.1f}x and looks soft; render "
                f"at {sharp} px or less, or the whole photo at its own resolution (plate)")

    def eye_opening(self) -> float:
        """The photo's lid gap over eye width (3-D, so a turned head does not count), mean of both eyes."""
        lm = np.asarray(self.landmarks, np.float64)
        ratios = []
        for (a, b), lids in _EYE_POINTS:
            width = max(float(np.linalg.norm(lm[a] - lm[b])), 1e-6)
            ratios.append(np.mean([np.linalg.norm(lm[u] - lm[d]) for u, d in lids]) / width)
        return float(np.mean(ratios))

    def eyes_note(self) -> str | None:
        """A sentence for the artist when the photo's eyes are nearly closed or cast down, else None."""
        opening = self.eye_opening()
        if opening >= CLOSED_EYES:
            return None
        return (f"the eyes are nearly closed or cast down in {self.source_path.name} (lids {opening:.2f} of the "
                f"eye's width apart; open eyes are 0.2-0.35): blinks and gaze will show little; a photo "
                f"with open eyes looking at the camera animates best")

    def notes(self, pick: str = "--face N picks another") -> list[str]:
        """Every sentence the artist should read about this fit (several faces, a soft render, eyes
        nearly closed), for `new` and the app alike; ``pick`` as in ``faces_note``."""
        return [n for n in (self.faces_note(pick), self.soft_note(), self.eyes_note()) if n]

    def faces_note(self, pick: str = "--face N picks another") -> str | None:
        """A sentence for the artist when the photo holds more than one face, else None; ``pick``
        says how to choose another in the front end that shows it."""
        if self.faces_found < 2:
            return None
        return (f"{self.faces_found} faces in {self.source_path.name}: animating face {self.face_number} "
                f"from the left ({pick})")

    @classmethod
    def from_json(cls, data: dict, base_dir: str | Path | None = None) -> "PortraitFit":
        """Inverse of ``to_json``: re-creates the crop from the source image (see ``load_fit``)."""
        return load_fit(data, base_dir)


def crop_square(image: np.ndarray, box: tuple[int, int, int, int], size: int) -> np.ndarray:
    """Cut ``box`` (may extend past the image; filled there, see ``edge_fill``) and resize to
    ``size`` square."""
    x0, y0, x1, y1 = (int(v) for v in box)
    h, w = image.shape[:2]
    inside = image[max(y0, 0):min(y1, h), max(x0, 0):min(x1, w)]
    if inside.size == 0:
        raise ValidationError(f"crop box {box} does not overlap the {w}x{h} image")
    crop, _ = fill_outside(image, (x0, y0, x1, y1))
    if crop.shape[0] == size and crop.shape[1] == size:
        return np.ascontiguousarray(crop)
    return np.asarray(Image.fromarray(crop).resize((size, size), Image.Resampling.LANCZOS))


def framing_box(landmarks_px: np.ndarray, image_size: tuple[int, int] | None = None
                ) -> tuple[tuple[int, int, int, int], float]:
    """Square head-and-shoulders crop box for a face, and the face width in pixels.

    With ``image_size`` (width, height) the box is fitted inside the photo as far as the framing
    rules allow: shrunk toward ``FACE_FRACTION_MAX``, then shifted within the allowed eye height and
    face margins; only what is left runs past the photo."""
    pose = estimate_pose(landmarks_px)
    face_width = pose.scale * _CANON_FACE_WIDTH
    side = face_width / FACE_FRACTION
    oval = landmarks_px[REGIONS["face_oval"], :2]
    centre_x = (oval[:, 0].min() + oval[:, 0].max()) / 2
    eye_y = landmarks_px[[33, 263, 133, 362], 1].mean()
    if image_size is None:
        side = max(int(round(side)), 1)
        x0 = int(round(centre_x - side / 2))
        y0 = int(round(eye_y - EYES_FROM_TOP * side))
        return (x0, y0, x0 + side, y0 + side), face_width
    w, h = image_size
    side = max(int(round(max(min(side, w, h), face_width / FACE_FRACTION_MAX))), 1)
    lo_x, hi_x = oval[:, 0].min(), oval[:, 0].max()
    hi_y = oval[:, 1].max()
    m = FACE_MARGIN * side
    # x0: keep the face outline inside the margins; y0: the eyes within their band, the chin in.
    x_range = (hi_x + m - side, lo_x - m)
    y_range = (max(eye_y - EYES_FROM_TOP_RANGE[1] * side, hi_y + m - side),
               eye_y - EYES_FROM_TOP_RANGE[0] * side)
    # starts that leave the least outside the photo: inside it, or (crop wider) covering all of it
    x0 = _place(centre_x - side / 2, x_range, (min(0, w - side), max(0, w - side)))
    y0 = _place(eye_y - EYES_FROM_TOP * side, y_range, (min(0, h - side), max(0, h - side)))
    x0, y0 = int(round(x0)), int(round(y0))
    return (x0, y0, x0 + side, y0 + side), face_width


def _place(ideal: float, framing: tuple[float, float], photo: tuple[float, float]) -> float:
    """A crop's start: as near ``ideal`` as possible inside the photo's range, within the framing
    range; where the two do not meet, the framing rule wins and the crop runs past the photo."""
    f_lo, f_hi = framing
    if f_lo > f_hi:              # the face is larger than the rules allow: centre it
        return (f_lo + f_hi) / 2
    p_lo, p_hi = photo
    lo, hi = max(f_lo, p_lo), min(f_hi, p_hi)
    if lo <= hi:
        return float(np.clip(ideal, lo, hi))
    # no start satisfies both: the framing end nearest the photo range
    return f_hi if f_hi < p_lo else f_lo


def _check_size(size: int) -> int:
    if not (MIN_SIZE <= int(size) <= MAX_SIZE):
        raise ValidationError(f"portrait size must be {MIN_SIZE}..{MAX_SIZE} pixels, got {size}")
    return int(size)


def fit_portrait(path: str | Path, size: int = 512, face: int | None = None) -> PortraitFit:
    """Fit a face in ``path``: ``face`` counts the faces found from the left (1 = leftmost); None
    takes the largest. Raises MediaError naming the file."""
    size = _check_size(size)
    path = Path(path)
    image = load_image(path)
    faces = find_faces(image)
    if not faces:
        raise MediaError(f"no face found in the image (a clear, frontal face at least {MIN_FACE_PX + 6} px across "
                         "works best)", path)
    from_left = sorted(range(len(faces)), key=lambda i: float(faces[i][:, 0].mean()))
    if face is None:
        chosen = 0  # find_faces puts the largest first
    elif 1 <= int(face) <= len(faces):
        chosen = from_left[int(face) - 1]
    else:
        raise MediaError(f"there is no face {face}: {len(faces)} face(s) found, counted from the left", path)
    box, face_width = framing_box(faces[chosen], (image.shape[1], image.shape[0]))
    if face_width < MIN_FACE_PX:
        raise MediaError(f"the face is too small ({face_width:.0f} px across; at least {MIN_FACE_PX} "
                         "px are needed)", path)
    crop = crop_square(image, box, size)
    refit = detect_faces(crop)
    scale = size / (box[2] - box[0])
    if refit:
        # The crop holds one big face near the middle; take the one nearest the expected place.
        expected = (faces[chosen][:, :2] - box[:2]) * scale
        landmarks = min(refit, key=lambda f: np.abs(f[:, :2] - expected).mean())
    else:  # tracker lost it after cropping (rare): carry the source landmarks over
        landmarks = (faces[chosen] - np.array([box[0], box[1], 0.0])) * scale
    return PortraitFit(crop, landmarks.astype(np.float32), path, box, file_sha256(path),
                       (image.shape[1], image.shape[0]), len(faces), from_left.index(chosen) + 1)


def load_fit(data: dict, project_dir: str | Path | None = None) -> PortraitFit:
    """Re-create a saved fit: crop pixels from the source, landmarks from the JSON (no tracking)."""
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ProjectFileError("not a portrait fit (missing schema 'talkface.portrait_fit')")
    if int(data.get("version", 0)) > VERSION:
        raise ProjectFileError(f"portrait fit version {data.get('version')} is newer than this program "
                               f"understands ({VERSION}); update TalkFace Studio")
    try:
        path = Path(data["source_path"])
        box = tuple(int(v) for v in data["crop_box"])
        size = _check_size(int(data["size"]))
        landmarks = np.asarray(data["landmarks"], dtype=np.float32)
        expected_sha = str(data.get("source_sha256", ""))
    except (KeyError, TypeError, ValueError) as exc:
        raise ProjectFileError(f"portrait fit is malformed ({exc})") from None
    if landmarks.shape != (N_LANDMARKS, 3) or len(box) != 4 or box[2] - box[0] != box[3] - box[1]:
        raise ProjectFileError("portrait fit is malformed (landmarks or crop box have the wrong shape)")
    path = resolve_in_folder(path, project_dir)
    if not path.is_file():
        raise MediaError("portrait image is missing (moved or deleted?)", path)
    if expected_sha and file_sha256(path) != expected_sha:
        raise MediaError("portrait image has changed since it was fitted; fit it again", path)
    source = load_image(path)
    if box[2] - box[0] > 4 * max(source.shape[:2]):  # a damaged fit must not ask for a giant crop
        raise ProjectFileError(f"portrait fit crop box {list(box)} is far larger than the "
                               f"{source.shape[1]}x{source.shape[0]} image")
    image = crop_square(source, box, size)
    try:
        found, number = int(data.get("faces_found", 1)), int(data.get("face_number", 1))
    except (TypeError, ValueError):
        found = number = 1
    return PortraitFit(image, landmarks, path, box, expected_sha, (source.shape[1], source.shape[0]), found, number)
