"""Crops stay inside the photo where they can, and what lies outside is filled without streaks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from talkface_studio.face.edge_fill import fill_outside, pyramid_fill
from talkface_studio.face.portrait import fit_portrait, load_fit

DATA = Path(__file__).resolve().parent / "data" / "portraits"
DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo" / "portrait.png"


def _striped(h=120, w=90):
    """A photo whose left edge is crossed by fine horizontal stripes (a striped shirt, a bystander):
    the worst case for repeated edge pixels, which turn them into bars across the fill."""
    rng = np.random.default_rng(0)
    img = np.full((h, w, 3), 120, np.float32) + rng.normal(0, 4, (h, w, 3))
    img[(np.arange(h) // 3) % 2 == 0, :30] = (200, 60, 40)
    return np.clip(img, 0, 255).astype(np.uint8)


def test_outside_fill_does_not_repeat_edge_pixels_into_stripes():
    img = _striped()
    crop, matte = fill_outside(img, (-60, 0, 60, 120))
    assert crop.shape == (120, 120, 3)
    assert np.array_equal(crop[:, 60:], img[:, :60])                  # the photo is untouched
    assert matte[:, 60:].min() == 1.0 and matte[:, :55].max() == 0.0
    # Far from the edge the fill carries no trace of the stripes (edge padding would copy each
    # stripe all the way across: the far column would vary as much as the edge column).
    edge_col = img[:, 0].astype(float).mean(1)
    far_col = crop[:, 5].astype(float).mean(1)
    assert np.abs(np.diff(far_col)).mean() < 0.1 * np.abs(np.diff(edge_col)).mean()
    # ... and no row is a run of one repeated pixel value: it varies along the row as it leaves
    # the photo (the colour of the stripes' mix, not the colour of one stripe).
    rows = crop[:, :50].astype(float)
    assert np.mean(np.ptp(rows, axis=1).max(1) < 1) < 0.05
    # Colours stay the photo's own (an average of the edge, not black or grey).
    mean_edge = img[:, :8].reshape(-1, 3).mean(0)
    assert np.abs(crop[:, :20].reshape(-1, 3).mean(0) - mean_edge).max() < 25


def test_pyramid_fill_keeps_known_pixels_and_reaches_everywhere():
    img = np.zeros((40, 50, 3), np.float32)
    known = np.zeros((40, 50), bool)
    known[10:20, 30:40] = True
    img[known] = (10, 200, 90)
    out = pyramid_fill(img, known)
    np.testing.assert_allclose(out[known], img[known], atol=1e-3)
    np.testing.assert_allclose(out[0, 0], (10, 200, 90), atol=1.0)      # one colour known: all of it


def test_tight_photo_is_framed_inside_it_by_shrinking_and_shifting(tmp_path):
    # The demo photo cut close around the head: the preferred framing (face 42 % of the crop)
    # would run past three edges; the crop shrinks and shifts instead (face up to ~62 %).
    src = np.asarray(Image.open(DEMO).convert("RGB"))[40:290, 150:320]
    path = tmp_path / "tight.png"
    Image.fromarray(src).save(path)
    fit = fit_portrait(path, size=256)
    x0, y0, x1, y1 = fit.crop_box
    assert x0 >= 0 and y0 >= 0 and x1 <= src.shape[1] and y1 <= src.shape[0]
    assert fit.outside["filled_fraction"] == 0.0
    face = np.ptp(fit.landmarks[:, 0]) / 256
    assert 0.4 < face < 0.66
    eyes = fit.landmarks[[33, 263], 1].mean() / 256
    assert 0.26 < eyes < 0.52


@pytest.fixture(scope="module")
def tight_fit():
    return fit_portrait(DATA / "tight_crop_112.png", size=256)


def test_face_only_crop_is_filled_and_says_so(tight_fit, tmp_path):
    out = tight_fit.outside
    assert out["fill"] == "mirror+pyramid" and 0.05 < out["filled_fraction"] < 0.6
    data = json.loads(json.dumps(tight_fit.to_json()))
    assert data["outside"] == out and data["source_size"] == [112, 112]
    again = load_fit(data)
    assert np.array_equal(again.image, tight_fit.image) and again.outside == out
    # The filled border is no streak: along each side, the outermost rows/columns are not copies
    # of the photo's edge (their fine variation along the edge is far smaller than the photo's).
    img = tight_fit.image.astype(float).mean(2)
    scale = 256 / (tight_fit.crop_box[2] - tight_fit.crop_box[0])
    left = int(out["sides_px"]["left"] * scale)
    assert left > 20
    edge = img[:, left + 1]
    far = img[:, 2]
    assert np.abs(np.diff(far)).mean() < 0.25 * np.abs(np.diff(edge)).mean()
