"""The photo a plate is rendered into, and the head region's crop at the photo's own pixel density.

A portrait fit holds a square crop box in the photo's pixels (``face.portrait``) and a 512-px crop
for stage 1 and the preview. A plate renders that box again at the size it has in the photo, so a
face 600 px wide is drawn with 600 px of detail, not drawn at 512 and upscaled. The render size is
capped (``MAX_PLATE_RENDER_SIDE``: cost grows with its square) and kept above a floor (tiny faces); in
those two cases the head region is resampled into the photo (``compose``) and the log says so.

Limits are checked from the file's header before its pixels are decoded, so an oversized plate is
refused before any memory is spent on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from talkface_studio.core.errors import MediaError
from talkface_studio.core.limits import MAX_PLATE_RENDER_SIDE, MIN_PLATE_RENDER_SIDE, check_plate_size
from talkface_studio.face.image_io import file_sha256, load_image
from talkface_studio.face.portrait import PortraitFit, crop_square


def plate_size(path: str | Path) -> tuple[int, int]:
    """(width, height) of the photo from its header; refuses a plate too large for memory
    (``core.limits.check_plate_size``)."""
    path = Path(path)
    try:
        with Image.open(path) as im:
            w, h = im.size
    except FileNotFoundError:
        raise MediaError("portrait image is missing (moved or deleted?)", path) from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise MediaError(f"cannot read the photo for the plate ({exc})", path) from None
    return check_plate_size(w, h, path)


def check_fit_current(fit_json: dict | None, photo: str | Path | None) -> None:
    """Refuse a photo that changed since its fit was stored: the plate would paste a head fitted to
    another picture. (The square render fits such a photo again in memory; a plate must not.)"""
    if not fit_json or photo is None:
        return
    expected = str(fit_json.get("source_sha256", ""))
    photo = Path(photo)
    if not photo.is_file():
        raise MediaError("portrait image is missing (moved or deleted?)", photo)
    if expected and file_sha256(photo) != expected:
        raise MediaError("portrait image has changed since it was fitted; the plate would not match it "
                         "(run `talkface-studio generate` to fit it again)", photo)


def check_plate_photo(photo: str | Path, fit_json: dict | None) -> None:
    """Before any work: a photo too large is refused from its header, undecoded; one changed since
    its fit is refused, not refitted (the head would not match it)."""
    plate_size(photo)
    check_fit_current(fit_json, photo)


@dataclass(frozen=True, eq=False)
class PlateSource:
    """The photo (read-only uint8 [H, W, 3]) and the head region's crop, ready to render."""

    path: Path
    photo: np.ndarray
    box: tuple[int, int, int, int]   # the crop box in photo pixels (may reach past the photo)
    portrait: PortraitFit            # that box at ``render_side`` px, landmarks in its pixels

    @property
    def width(self) -> int:
        return int(self.photo.shape[1])

    @property
    def height(self) -> int:
        return int(self.photo.shape[0])

    @property
    def source_side(self) -> int:
        """The crop box's side in photo pixels."""
        return int(self.box[2] - self.box[0])

    @property
    def render_side(self) -> int:
        return int(self.portrait.image.shape[0])

    @property
    def native(self) -> bool:
        """True when the head region is rendered pixel for pixel at the photo's density."""
        return self.render_side == self.source_side

    def density_note(self) -> str:
        """How the head region was rendered, for the log line."""
        if self.native:
            return f"head region rendered at {self.render_side} px, the photo's own density"
        why = "capped" if self.render_side < self.source_side else "raised"
        return (f"head region rendered at {self.render_side} px ({why} from its {self.source_side} px in "
                f"the photo) and resampled x{self.source_side / self.render_side:.2f} into it")


def render_side_for(source_side: int, max_side: int = MAX_PLATE_RENDER_SIDE) -> int:
    """The head region's render size: its size in the photo, within MIN_PLATE_RENDER_SIDE..max_side."""
    return int(min(max(source_side, MIN_PLATE_RENDER_SIDE), max(max_side, MIN_PLATE_RENDER_SIDE)))


def open_plate(fit: PortraitFit, max_side: int = MAX_PLATE_RENDER_SIDE) -> PlateSource:
    """Load the fit's photo and cut its crop box at the render size. Refuses a photo too large,
    missing, or changed since the fit (each one line naming the file)."""
    path = Path(fit.source_path)
    plate_size(path)
    if fit.source_sha256 and file_sha256(path) != fit.source_sha256:
        check_fit_current({"source_sha256": fit.source_sha256}, path)
    photo = load_image(path)
    if fit.source_size is not None and tuple(fit.source_size) != (photo.shape[1], photo.shape[0]):
        raise MediaError(f"photo is {photo.shape[1]}x{photo.shape[0]} but was fitted at "
                         f"{fit.source_size[0]}x{fit.source_size[1]}; fit it again", path)
    box = tuple(int(v) for v in fit.crop_box)
    return cut_head_region(fit, photo, box, render_side_for(box[2] - box[0], max_side))


def cut_head_region(fit: PortraitFit, photo: np.ndarray, box: tuple[int, int, int, int], side: int) -> PlateSource:
    """A PlateSource of ``photo`` (the fit's photo, or the same scaled for a preview, ``box`` then
    scaled alike) with the head region cut at ``side`` px and the fit's landmarks carried to it."""
    photo.setflags(write=False)
    crop = crop_square(photo, box, side)
    scale = side / fit.image.shape[0]
    landmarks = (np.asarray(fit.landmarks, np.float32) * np.float32(scale)).astype(np.float32)
    path = Path(fit.source_path)
    portrait = PortraitFit(crop, landmarks, path, box, fit.source_sha256, (photo.shape[1], photo.shape[0]))
    return PlateSource(path, photo, box, portrait)
