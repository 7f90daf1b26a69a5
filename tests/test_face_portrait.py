"""Portrait loading and fitting on the demo portrait and its awkward file variants."""

import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from talkface_studio.core.errors import MediaError, ProjectFileError, ValidationError
from talkface_studio.face.image_io import load_image
from talkface_studio.face.mesh_tracker import detect_faces
from talkface_studio.face.portrait import PortraitFit, fit_portrait, load_fit

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo" / "portrait.png"


@pytest.fixture(scope="module")
def demo_fit():
    return fit_portrait(DEMO, size=512)


def assert_well_framed(fit: PortraitFit, size: int):
    assert fit.image.shape == (size, size, 3) and fit.image.dtype == np.uint8
    lm = fit.landmarks
    assert lm.shape == (478, 3) and np.isfinite(lm).all()
    face_width = np.ptp(lm[:, 0]) / size
    assert 0.33 < face_width < 0.52  # face ~42 % of the crop
    eye_y = lm[[33, 263], 1].mean() / size
    assert 0.33 < eye_y < 0.47  # eyes ~40 % from the top
    assert lm[263, 0] > lm[33, 0]  # subject's left eye on the image's right: not mirrored
    assert lm[152, 1] > lm[1, 1] > lm[33, 1]  # upright: chin below nose below eyes


def test_demo_portrait_is_framed_head_and_shoulders(demo_fit):
    assert_well_framed(demo_fit, 512)
    x0, y0, x1, y1 = demo_fit.crop_box
    assert x1 - x0 == y1 - y0 and 150 < x1 - x0 < 300  # the 512 source face is ~90 px wide


def test_fit_survives_json_and_reloads_without_tracking(demo_fit, tmp_path, monkeypatch):
    data = json.loads(json.dumps(demo_fit.to_json()))
    import talkface_studio.face.portrait as portrait
    monkeypatch.setattr(portrait, "detect_faces", lambda *_: pytest.fail("load_fit must not track"))
    again = PortraitFit.from_json(data)
    assert np.array_equal(again.image, demo_fit.image)
    np.testing.assert_allclose(again.landmarks, demo_fit.landmarks, atol=1e-3)
    assert again.crop_box == demo_fit.crop_box


def test_reload_finds_relative_sources_and_notices_changes(demo_fit, tmp_path):
    src = tmp_path / "media" / "face.png"
    src.parent.mkdir()
    src.write_bytes(DEMO.read_bytes())
    fit = PortraitFit(demo_fit.image, demo_fit.landmarks, src, demo_fit.crop_box, demo_fit.source_sha256)
    data = fit.to_json(relative_to=tmp_path)
    assert data["source_path"] == "media/face.png"
    assert np.array_equal(load_fit(data, tmp_path).image, demo_fit.image)
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(src)
    with pytest.raises(MediaError, match="changed"):
        load_fit(data, tmp_path)
    src.unlink()
    with pytest.raises(MediaError, match="missing"):
        load_fit(data, tmp_path)
    with pytest.raises(ProjectFileError):
        load_fit({"schema": "something else"}, tmp_path)
    with pytest.raises(ProjectFileError, match="newer"):
        load_fit({**data, "version": 99}, tmp_path)


def _variants(tmp_path):
    rgb = np.asarray(Image.open(DEMO).convert("RGB"))
    # Camera JPEG: pixels stored sideways, EXIF orientation 6 says "rotate 90 CW to view".
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(np.rot90(rgb, 1)).save(tmp_path / "sideways.jpg", exif=exif, quality=95)
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    rgba[:, :60, 3] = 0  # transparent strip: composited on grey
    Image.fromarray(rgba, "RGBA").save(tmp_path / "cutout.png")
    grey16 = (np.asarray(Image.open(DEMO).convert("L")).astype(np.uint16) * 257)
    Image.fromarray(grey16).save(tmp_path / "grey16.tif")
    Image.open(DEMO).convert("L").save(tmp_path / "grey.png")
    Image.open(DEMO).convert("P", palette=Image.Palette.ADAPTIVE).save(tmp_path / "palette.png")
    return rgb


def test_loader_normalizes_orientation_alpha_depth_and_palette(tmp_path):
    rgb = _variants(tmp_path)
    upright = load_image(tmp_path / "sideways.jpg")
    assert upright.shape == rgb.shape
    assert np.abs(upright.astype(int) - rgb).mean() < 6  # JPEG loss only
    cutout = load_image(tmp_path / "cutout.png")
    assert (cutout[:, :60] == 128).all() and np.array_equal(cutout[:, 60:], rgb[:, 60:])
    grey = load_image(tmp_path / "grey16.tif")
    assert grey.dtype == np.uint8 and grey.shape == rgb.shape
    np.testing.assert_array_equal(grey[..., 0], np.asarray(Image.open(DEMO).convert("L")))
    assert load_image(tmp_path / "palette.png").shape == rgb.shape


@pytest.mark.parametrize("name", ["sideways.jpg", "cutout.png", "grey16.tif", "grey.png"])
def test_fit_works_on_awkward_files(tmp_path, name, demo_fit):
    _variants(tmp_path)
    fit = fit_portrait(tmp_path / name, size=256)
    assert_well_framed(fit, 256)
    # Same face, same place as the plain PNG (within a few pixels at 256).
    np.testing.assert_allclose(fit.landmarks[[1, 33, 263, 152], :2],
                               demo_fit.landmarks[[1, 33, 263, 152], :2] / 2, atol=6)


def test_largest_of_two_faces_is_chosen(demo_fit, tmp_path):
    big = demo_fit.image  # face ~215 px wide
    small = np.asarray(Image.fromarray(big).resize((320, 320)))
    canvas = np.full((600, 900, 3), 200, np.uint8)
    canvas[40:360, 20:340] = small
    canvas[44:556, 380:892] = big
    Image.fromarray(canvas).save(tmp_path / "two.png")
    assert len(detect_faces(canvas)) == 2  # both are real candidates
    fit = fit_portrait(tmp_path / "two.png", size=256)
    x0, _, x1, _ = fit.crop_box
    assert (x0 + x1) / 2 > 500 and x1 - x0 > 400  # centred on, and sized for, the big face


def test_small_face_in_a_big_photo_is_found_and_framed(tmp_path):
    canvas = np.full((1536, 1280, 3), 150, np.uint8)  # face ~90 px: 6 % of the frame
    canvas[900:1412, 600:1112] = np.asarray(Image.open(DEMO).convert("RGB"))
    Image.fromarray(canvas).save(tmp_path / "wide.png")
    fit = fit_portrait(tmp_path / "wide.png", size=256)
    assert_well_framed(fit, 256)
    x0, y0, x1, y1 = fit.crop_box
    assert 600 < (x0 + x1) / 2 < 1112 and 900 < (y0 + y1) / 2 < 1412


@pytest.mark.parametrize("kind", ["noise", "flat"])
def test_no_face_is_a_clear_error(tmp_path, kind):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (300, 300, 3), dtype=np.uint8) if kind == "noise" else np.full((300, 300, 3), 90, np.uint8)
    Image.fromarray(img).save(tmp_path / f"{kind}.png")
    with pytest.raises(MediaError, match="no face") as err:
        fit_portrait(tmp_path / f"{kind}.png")
    assert f"{kind}.png" in str(err.value)


def test_tiny_face_is_refused(tmp_path):
    canvas = np.full((900, 900, 3), 180, np.uint8)
    canvas[300:420, 300:420] = np.asarray(Image.open(DEMO).convert("RGB").resize((120, 120)))  # ~21 px face
    Image.fromarray(canvas).save(tmp_path / "tiny.png")
    with pytest.raises(MediaError, match="(too small|no face)"):
        fit_portrait(tmp_path / "tiny.png")


def test_a_small_face_in_a_large_frame_is_fitted_and_said_to_render_soft(tmp_path):
    """A 45-px face (the demo photo at 256 px in a 900-px frame) was refused below 60 px; it fits,
    and a 512-px render is said to upscale it (plate mode keeps the photo's resolution)."""
    canvas = np.full((900, 900, 3), 180, np.uint8)
    canvas[300:556, 300:556] = np.asarray(Image.open(DEMO).convert("RGB").resize((256, 256)))
    Image.fromarray(canvas).save(tmp_path / "small.png")
    fit = fit_portrait(tmp_path / "small.png")
    side = fit.crop_box[2] - fit.crop_box[0]
    assert side < 512 / 3
    note = fit.soft_note(512)
    assert "small.png" in note and f"{512 / side:.1f}x" in note and "plate" in note
    assert fit.soft_note(2 * side) is None
    assert fit_portrait(DEMO).soft_note(512) is None  # the demo's own face: 2.4x, not soft


def test_broken_and_huge_files_are_refused(tmp_path):
    data = (tmp_path / "ok.jpg")
    Image.open(DEMO).convert("RGB").save(data)
    (tmp_path / "cut.jpg").write_bytes(data.read_bytes()[:3000])
    (tmp_path / "text.png").write_text("not an image")
    for name in ("cut.jpg", "text.png", "missing.png"):
        with pytest.raises(MediaError) as err:
            fit_portrait(tmp_path / name)
        assert name in str(err.value)
    # PNG headers claiming huge sizes: refused before any decoding.
    chunk = lambda kind, body: (struct.pack(">I", len(body)) + kind + body
                                + struct.pack(">I", zlib.crc32(kind + body)))
    for side in (20000, 11000):  # over Pillow's own bomb limit, and just over ours (100 MP)
        ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
        body = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        (tmp_path / "huge.png").write_bytes(body + chunk(b"IEND", b""))
        with pytest.raises(MediaError, match="too large"):
            fit_portrait(tmp_path / "huge.png")
    with pytest.raises(ValidationError):
        fit_portrait(DEMO, size=2048)


PAIR = Path(__file__).resolve().parent / "data" / "portraits" / "more" / "turned_glasses_beard_pair.jpg"
FULL_LENGTH = PAIR.with_name("full_body_greyscale.jpg")


def test_a_photo_of_two_people_fits_the_largest_face_or_the_one_asked_for():
    largest = fit_portrait(PAIR)
    assert (largest.faces_found, largest.face_number) == (2, 2)  # the man on the right is nearer
    assert largest.faces_note() == ("2 faces in turned_glasses_beard_pair.jpg: animating face 2 from the left "
                                    "(--face N picks another)")
    left = fit_portrait(PAIR, face=1)
    assert left.face_number == 1 and left.crop_box[2] <= largest.crop_box[0] + 20  # a crop left of his
    assert fit_portrait(DEMO).faces_note() is None
    with pytest.raises(MediaError, match="no face 3: 2 face"):
        fit_portrait(PAIR, face=3)
    again = load_fit(left.to_json())  # which face it is travels with the fit
    assert (again.faces_found, again.face_number) == (2, 1)


def test_a_face_found_by_several_search_windows_counts_once():
    """The full-length photo's second person (in the background) was found in four overlapping
    windows: five faces were counted for two."""
    fit = fit_portrait(FULL_LENGTH)
    assert fit.faces_found == 2


def _eyes_shut(fit):
    """The fit with each upper lid laid onto the lower one (eyes closed or cast down)."""
    import dataclasses
    from talkface_studio.face.portrait import _EYE_POINTS
    lm = np.array(fit.landmarks, np.float32)
    for _, lids in _EYE_POINTS:
        for up, down in lids:
            lm[up] = lm[down] + 0.05 * (lm[up] - lm[down])
    return dataclasses.replace(fit, landmarks=lm)


def test_eyes_nearly_closed_in_the_photo_are_said():
    fit = fit_portrait(DEMO)
    assert 0.25 < fit.eye_opening() < 0.4 and fit.eyes_note() is None
    shut = _eyes_shut(fit)
    assert shut.eye_opening() < 0.05
    note = shut.eyes_note()
    assert "portrait.png" in note and "closed" in note and "open eyes" in note


def test_new_prints_the_closed_eyes_note(tmp_path, monkeypatch):
    from talkface_studio.face import portrait as portrait_module
    from talkface_studio.pipeline.new_project import new_project
    real = portrait_module.fit_portrait
    monkeypatch.setattr(portrait_module, "fit_portrait", lambda *a, **k: _eyes_shut(real(*a, **k)))
    said = []
    new_project(tmp_path / "p.tfs", Path(__file__).resolve().parents[1] / "resources" / "demo" / "line.wav",
                DEMO, note=said.append)
    assert any("nearly closed" in s for s in said)
