"""The portrait fit a take stores (written by face.portrait): landmarks and a crop box, checked on
load so a damaged one cannot ask for a giant crop or hand the renderer malformed landmarks."""

from __future__ import annotations

from .json_reader import At

MAX_CROP = 1_000_000  # |pixel coordinate| of a stored portrait fit
MAX_CROP_SIDE = 65_536  # a crop box side; face.portrait.load_fit also holds it to the image's size
MAX_FACES = 1000  # faces found in a photo (informational: which one the fit is)


def check_stored_fit(fit: At) -> None:
    """Only what is there is checked (the format is face.portrait's; an incomplete fit is fitted
    again at the next render), but nothing in it may be absurd."""
    fit.dict()
    if fit.get("schema").value != "talkface.portrait_fit":
        raise fit.fail("not a portrait fit (missing schema 'talkface.portrait_fit')")
    fit.get("version", 1).int(min=1, max=1)
    obj = fit.value
    if "source_path" in obj:
        fit["source_path"].path_text()
    if "source_sha256" in obj:
        fit["source_sha256"].str(max_len=64)
    if "size" in obj:
        fit["size"].int(min=256, max=1024)
    for key in ("faces_found", "face_number"):
        if key in obj:
            fit[key].int(min=1, max=MAX_FACES)
    if "crop_box" in obj:
        box = [v.int(min=-MAX_CROP, max=MAX_CROP) for v in fit["crop_box"].each(4)]
        if len(box) != 4 or not 0 < box[2] - box[0] == box[3] - box[1] <= MAX_CROP_SIDE:
            raise fit["crop_box"].fail(f"must be a square [x0, y0, x1, y1] at most {MAX_CROP_SIDE} pixels "
                                       f"wide, got {box}")
    if "landmarks" in obj:
        points = fit["landmarks"].each(478)
        if len(points) != 478:
            raise fit["landmarks"].fail(f"must hold 478 points, got {len(points)}")
        for point in points:
            xyz = point.each(3)
            if len(xyz) != 3:
                raise point.fail("must be [x, y, z]")
            for v in xyz:
                v.float(min=-MAX_CROP, max=MAX_CROP)
