"""The wide-open mouth looks like a mouth: warm cavity, rounded outline, lower teeth, tongue, the
lower lip kept, no pops; for a portrait showing its teeth and for one with closed lips alike."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from skimage.draw import polygon2mask

from talkface_studio.render.face_loops import INNER_LOWER_LIP, MOUTH_CORNERS, inner_lip_loop
from talkface_studio.render.mouth import eye_span
from talkface_studio.render.mouth_interior import mucosa_colour
from talkface_studio.render.registry import get_renderer

PORTRAIT = Path(__file__).resolve().parents[1] / "resources" / "demo" / "portrait.png"
SIZE = 256
OUTER_LOWER_LIP = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291]


@pytest.fixture(scope="module")
def renderer():
    return get_renderer("mesh_warp", device="cpu")


@pytest.fixture(scope="module", params=["own_teeth", "closed_lips"])
def fit(request):
    from talkface_studio.face.portrait import fit_portrait
    from test_render_mesh_warp import close_mouth
    smile = fit_portrait(PORTRAIT, size=SIZE)
    if request.param == "own_teeth":
        return smile
    # The demo portrait as if fitted with closed lips: no teeth of its own, so teeth are drawn.
    return dataclasses.replace(smile, landmarks=close_mouth(np.asarray(smile.landmarks, float)).astype(np.float32))


def _open(fit, amount):
    from test_render_mesh_warp import open_mouth
    return open_mouth(np.asarray(fit.landmarks, float), amount)


def _render(renderer, fit, lm):
    return next(renderer.render(fit, lm[None], SIZE)).astype(np.float64)


def _mask(poly):
    return polygon2mask((SIZE, SIZE), poly[:, ::-1] - 0.5)


def _lum(img):
    return img @ np.array([0.299, 0.587, 0.114])


def _cavity(out, lm, look):
    """Pixels inside the inner lips that are neither teeth nor lip: the drawn cavity and tongue."""
    inside = _mask(lm[inner_lip_loop(), :2])
    px = out[inside]
    return px[_lum(px) < 0.75 * _lum(look.lip)]


def test_mucosa_colour_is_a_redder_darker_lip_for_any_skin_tone():
    for lip in ([209, 152, 143], [120, 70, 62], [90, 50, 48]):
        m = mucosa_colour(np.array(lip, np.float32))
        assert m[0] <= lip[0] and m[0] > 0.6 * lip[0]
        assert m[1] / m[0] < lip[1] / lip[0] - 0.05          # redder than the lip


def test_wide_open_cavity_is_warm_and_lit_near_the_lips_not_a_black_slab(renderer, fit):
    look = renderer.prepare(fit, SIZE).look
    lm = _open(fit, 0.5)
    out = _render(renderer, fit, lm)
    cav = _cavity(out, lm, look)
    assert len(cav) > 200
    r, g, b = cav.mean(0)
    assert r > 1.4 * g and r > 1.4 * b, (r, g, b)            # oral mucosa, not grey-black
    assert _lum(cav).mean() > 30
    # Lighter near the lips than deep in the throat (centre column, just below the upper teeth
    # vs. the middle of the opening).
    cx = int(lm[list(MOUTH_CORNERS), 0].mean())
    top, bottom = lm[13, 1], lm[14, 1]
    column = _lum(out[int(top):int(bottom), cx - 1:cx + 2].mean(1))
    n = len(column)
    deep = column[n // 4: 2 * n // 3].min()
    assert deep < 40
    near_corner = out[int((top + bottom) / 2) - 1:int((top + bottom) / 2) + 2,
                      int(lm[MOUTH_CORNERS[0], 0] + 0.2 * (lm[MOUTH_CORNERS[1], 0] - lm[MOUTH_CORNERS[0], 0]))]
    assert _lum(near_corner).mean() > deep + 10


def test_wide_open_shows_lower_teeth_above_the_lower_lip(renderer, fit):
    look = renderer.prepare(fit, SIZE).look
    lm = _open(fit, 0.5)
    out = _render(renderer, fit, lm)
    cx = int(lm[list(MOUTH_CORNERS), 0].mean())
    mm = eye_span(lm) / 63.0
    bottom = lm[14, 1]
    band = out[int(bottom - 5 * mm):int(bottom) - 1, cx - 3:cx + 4].reshape(-1, 3)
    toothy = (band[:, 1] > 0.75 * band[:, 0]) & (_lum(band) > 0.4 * _lum(look.teeth))
    assert toothy.mean() > 0.2                               # the lower teeth's tops, in shadow
    assert _lum(band[toothy]).mean() < 0.95 * _lum(look.teeth)


def test_upper_teeth_have_a_believable_height(renderer, fit):
    look = renderer.prepare(fit, SIZE).look
    lm = _open(fit, 0.5)
    out = _render(renderer, fit, lm)
    cx = int(lm[list(MOUTH_CORNERS), 0].mean())
    mm = eye_span(lm) / 63.0
    column = _lum(out[int(lm[13, 1]):int(lm[14, 1]), cx - 1:cx + 2].mean(1))
    rgb = out[int(lm[13, 1]):int(lm[14, 1]), cx - 1:cx + 2].mean(1)
    toothy = (column > 0.55 * _lum(look.teeth)) & (rgb[:, 1] > 0.8 * rgb[:, 0])   # not lip, not cavity
    height_mm = toothy[:len(toothy) // 2].sum() / mm         # the teeth hanging from the lip
    assert 2.5 < height_mm < 10.5, height_mm                 # (own teeth: as much as the smile shows)


def test_the_opening_stays_inside_the_inner_lips_with_rounded_ends(renderer, fit):
    look = renderer.prepare(fit, SIZE).look
    lm = _open(fit, 0.5)
    out = _render(renderer, fit, lm)
    dark = (_lum(out) < 0.5 * _lum(look.lip)) & (out[..., 0] > out[..., 1])
    inner = _mask(lm[inner_lip_loop(), :2])
    from scipy.ndimage import binary_dilation
    ys, xs = np.nonzero(dark & ~binary_dilation(inner, iterations=1))
    window = (abs(xs - lm[list(MOUTH_CORNERS), 0].mean()) < 0.6 * np.ptp(lm[list(MOUTH_CORNERS), 0])) \
        & (ys > lm[inner_lip_loop(), 1].min() - 4) & (ys < lm[inner_lip_loop(), 1].max() + 4)
    if fit.landmarks[14, 1] - fit.landmarks[13, 1] > 1:     # (the closed-lips stand-in's "lips"
        assert window.sum() == 0                              # are the smile's dark corners)
    # The ends taper: near each corner the cavity fills much less of the polygon than mid-mouth.
    left, right = lm[MOUTH_CORNERS[0], 0], lm[MOUTH_CORNERS[1], 0]
    cols = np.arange(SIZE) + 0.5
    for a, b in ((left, left + 0.06 * (right - left)), (right - 0.06 * (right - left), right)):
        sel = (cols > a) & (cols < b)
        assert (dark & inner)[:, sel].sum() < 0.6 * inner[:, sel].sum()
    mid = abs(cols - (left + right) / 2) < 0.1 * (right - left)
    assert (dark & inner)[:, mid].sum() > 0.25 * inner[:, mid].sum()      # (teeth fill the rest)


def test_lower_lip_vermilion_survives_the_jaw_opening(renderer, fit):
    lm0 = np.asarray(fit.landmarks, float)
    lm = _open(fit, 0.5)
    out = _render(renderer, fit, lm)

    def redness(img, lm):
        poly = np.concatenate([lm[OUTER_LOWER_LIP, :2], lm[[MOUTH_CORNERS[1]], :2],
                               lm[INNER_LOWER_LIP[::-1], :2], lm[[MOUTH_CORNERS[0]], :2]])
        px = img[_mask(poly)]
        return (px[:, 0] - px[:, 1]).mean(), ((px[:, 0] - px[:, 1]) > 25).mean()

    still_red, still_share = redness(fit.image.astype(float), lm0)
    red, share = redness(out, lm)
    assert red > 0.8 * still_red and share > 0.8 * still_share, (red, still_red, share, still_share)


def test_opening_the_jaw_frame_by_frame_never_pops(renderer, fit):
    amounts = np.linspace(0.15, 0.55, 14)
    lms = np.stack([_open(fit, a) for a in amounts])
    frames = [f.astype(float) for f in renderer.render(fit, lms, SIZE)]
    lo = np.floor(lms[-1][inner_lip_loop(), :2].min(0) - 6).astype(int)
    hi = np.ceil(lms[-1][inner_lip_loop(), :2].max(0) + 6).astype(int)
    jumps = np.array([np.abs(b[lo[1]:hi[1], lo[0]:hi[0]] - a[lo[1]:hi[1], lo[0]:hi[0]]).mean()
                      for a, b in zip(frames, frames[1:])])
    assert jumps.max() < 2.5 * np.median(jumps) + 1.0, np.round(jumps, 2)
