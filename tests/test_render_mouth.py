"""The mouth looks photographic: colours from the portrait (greyscale stays grey), a dark soft
cavity without coloured rims, teeth fixed to the skull and turned with the head, a smile's own
teeth hidden when its lips close, teeth shown when a smile parts the lips, one clean stable seam."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from skimage.draw import polygon2mask

from neutral_drive import neutral_lower_face
from talkface_studio.render.mesh_warp.face_loops import (INNER_LOWER_LIP, INNER_UPPER_LIP, MOUTH_CORNERS,
                                               inner_lip_loop)
from talkface_studio.render.mesh_warp.dental_arch import EYE_SPAN_MM
from talkface_studio.render.mesh_warp.mouth import eye_span
from talkface_studio.render.mesh_warp.mouth_look import mouth_colours
from talkface_studio.render.registry import get_renderer
from test_render_mesh_warp import close_mouth, open_mouth, rotate

ROOT = Path(__file__).resolve().parents[1]
PORTRAIT = ROOT / "resources" / "demo" / "portrait.png"
DATA = ROOT / "tests" / "data" / "portraits"
SIZE = 256
OUTER_LOWER_LIP = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291]
LUMA = np.array([0.299, 0.587, 0.114])


@pytest.fixture(scope="module")
def renderer():
    return get_renderer("mesh_warp", device="cpu")


@pytest.fixture(scope="module")
def demo():
    from talkface_studio.face.portrait import fit_portrait
    return fit_portrait(PORTRAIT, size=SIZE)


@pytest.fixture(scope="module")
def closed_fit(demo, renderer):
    """A portrait with closed lips: the demo portrait rendered with a neutral closed mouth, taken
    as a photo of its own (no teeth of its own, so an opening mouth gets drawn teeth)."""
    lm = neutral_lower_face(np.asarray(demo.landmarks, float))
    image = next(renderer.render(demo, lm[None], SIZE))
    return dataclasses.replace(demo, image=image, landmarks=lm.astype(np.float32))


@pytest.fixture(scope="module", params=["own_teeth", "closed_lips"])
def fit(request, demo, closed_fit):
    return demo if request.param == "own_teeth" else closed_fit


@pytest.fixture(scope="module")
def smiling():
    from talkface_studio.face.portrait import fit_portrait
    return fit_portrait(DATA / "smiling_man.jpg", size=SIZE)


def _render(renderer, fit, lm, size=SIZE):
    return next(renderer.render(fit, lm[None], size)).astype(np.float64)


def _mask(poly, size=SIZE):
    return polygon2mask((size, size), poly[:, ::-1] - 0.5)


def _lum(img):
    return img @ LUMA


def _mm(lm):
    return eye_span(lm) / EYE_SPAN_MM


# -- colours -----------------------------------------------------------------------------------

def test_mouth_colours_come_from_the_portrait_and_greyscale_stays_grey():
    lip, sclera, skin = np.array([170, 100, 90.0]), np.array([215, 205, 195.0]), np.array([200, 150, 130.0])
    c = mouth_colours(lip, sclera, skin, None, grey=False)
    assert _lum(c["cavity"]) < 0.45 * _lum(lip) and _lum(c["tongue"]) > 1.3 * _lum(c["cavity"])
    assert 0.04 * _lum(lip) < _lum(c["cavity_deep"]) < 0.12 * _lum(lip)     # near black, not black
    for name in ("cavity", "cavity_deep", "tongue", "gum", "mucosa"):      # the lips' hue, darkened
        assert c[name][0] > c[name][1] > 0 and c[name][0] / c[name][1] < 1.3 * lip[0] / lip[1]
    # the tongue: darker and less saturated than the lips
    assert _lum(c["tongue"]) < 0.75 * _lum(lip) and np.ptp(c["tongue"]) / _lum(c["tongue"]) < np.ptp(lip) / _lum(lip)
    # drawn teeth a little darker than the sclera (this skin's highlights are darker than it)
    assert 0.85 * _lum(sclera) < _lum(c["teeth"]) < _lum(sclera)
    own = np.array([[230, 225, 210.0]] * 30 + [[90, 80, 70.0]] * 10)   # bright teeth, dark gaps
    assert np.allclose(mouth_colours(lip, sclera, skin, own, grey=False)["teeth"], [230, 225, 210], atol=1)
    g = mouth_colours(np.full(3, 120.0), np.full(3, 180.0), np.full(3, 150.0), None, grey=True)
    for name, col in g.items():
        assert np.ptp(col) < 0.5, (name, col)


def test_a_greyscale_portrait_renders_a_greyscale_mouth(renderer):
    from talkface_studio.face.portrait import fit_portrait
    fit = fit_portrait(DATA / "glasses_greyscale_small.ppm", size=SIZE)
    src = np.asarray(fit.landmarks, float)
    for lm in (open_mouth(src, 0.45), close_mouth(src), neutral_lower_face(src)):
        out = _render(renderer, fit, lm)
        spread = out.max(-1) - out.min(-1)
        assert spread.max() <= 2, spread.max()                 # no maroon, no tint anywhere


# -- the open mouth ----------------------------------------------------------------------------

def test_wide_open_cavity_is_dark_and_soft_without_a_coloured_rim(renderer, fit):
    look = renderer.prepare(fit, SIZE).look
    lm = open_mouth(np.asarray(fit.landmarks, float), 0.5)
    out = _render(renderer, fit, lm)
    inside = _mask(lm[inner_lip_loop(), :2])
    px = out[inside]
    lip_lum = _lum(look.lip)
    cavity = px[_lum(px) < 0.6 * lip_lum]                      # neither teeth nor lip
    assert len(cavity) > 150
    assert _lum(cavity).mean() < 0.35 * lip_lum                 # dark
    assert _lum(cavity).mean() > 8                              # ... not a black slab
    # No bright coloured rim: the cavity is no more saturated than the lips, and a couple of pixels
    # in from the lips (their soft edges) nothing is as red as the lips and half as bright.
    sat = cavity.max(-1) - cavity.min(-1)
    assert np.percentile(sat, 95) <= np.ptp(look.lip) + 2
    from scipy.ndimage import binary_erosion
    lower = (np.arange(SIZE) + 0.5)[:, None] > lm[13, 1] + 0.35 * (lm[14, 1] - lm[13, 1])
    core = out[binary_erosion(inside, iterations=2) & lower]
    reddish = (core[:, 0] - core[:, 1] > 0.6 * (look.lip[0] - look.lip[1])) & (_lum(core) > 0.5 * lip_lum)
    assert reddish.mean() < 0.03, reddish.mean()


def test_upper_teeth_hang_from_the_skull_whatever_the_jaw_and_lips_do(renderer, closed_fit):
    """The jaw opening further does not move or grow the upper teeth; a lip lifted by 3 mm (a
    smile) shows ~3 mm more of them."""
    src = np.asarray(closed_fit.landmarks, float)
    teeth_lum = _lum(renderer.prepare(closed_fit, SIZE).look.mouth.teeth)

    def band(lm):
        out = _render(renderer, closed_fit, lm)
        cx = int(lm[list(MOUTH_CORNERS), 0].mean())
        col = _lum(out[:, cx - 3:cx + 4].mean(1))
        ys = np.arange(int(lm[13, 1]) - 1, int(lm[14, 1]))
        bright = ys[col[ys] > 0.55 * teeth_lum]
        if not len(bright):
            return None, None
        # the upper row: the first run of bright rows from the top (the lower teeth, further
        # down, come into view as the jaw drops)
        run = bright[:np.argmax(np.diff(np.append(bright, bright[-1] + 2)) > 1) + 1]
        return run.min(), run.max() + 1

    a, b = band(open_mouth(src, 0.25)), band(open_mouth(src, 0.5))
    assert a[0] is not None and abs(a[0] - b[0]) <= 1 and abs(a[1] - b[1]) <= 1, (a, b)
    lifted = open_mouth(src, 0.25)
    mm = _mm(lifted)
    lifted[INNER_UPPER_LIP, 1] -= 3.0 * mm * np.array([0.4, 0.7, 0.9, 1, 1, 1, 0.9, 0.7, 0.4])
    c = band(lifted)
    grown = ((c[1] - c[0]) - (a[1] - a[0])) / mm
    assert 1.8 < grown < 4.2, grown


def test_a_turned_head_shows_the_arch_turned_and_no_bead_at_the_far_corner(renderer, closed_fit):
    src = np.asarray(closed_fit.landmarks, float)
    teeth_lum = _lum(renderer.prepare(closed_fit, SIZE).look.mouth.teeth)
    halves = {}
    for yaw in (-25, 0, 25):
        lm = rotate(open_mouth(src, 0.35), yaw=yaw)
        out = _render(renderer, closed_fit, lm)
        inside = _mask(lm[inner_lip_loop(), :2])
        left, right = lm[MOUTH_CORNERS[0], 0], lm[MOUTH_CORNERS[1], 0]
        xs = np.arange(SIZE) + 0.5
        u = (xs - left) / (right - left)
        top_band = np.zeros_like(inside)
        for x in range(SIZE):
            ys = np.flatnonzero(inside[:, x])
            if len(ys):
                top_band[ys[0]:ys[0] + max(2, len(ys) // 4), x] = True
        lum = _lum(out)
        halves[yaw] = (lum[top_band & (u < 0.5)[None]].mean(), lum[top_band & (u >= 0.5)[None]].mean())
        far = (u > 0.88) if yaw > 0 else (u < 0.12) if yaw < 0 else np.zeros_like(u, bool)
        look = renderer.prepare(closed_fit, SIZE).look
        white = (lum > 0.6 * teeth_lum) & (out[..., 0] - out[..., 1] < 0.5 * (look.lip[0] - look.lip[1]))
        assert not (inside & far[None] & white).any()           # no white bead (lip is no bead)
    # yaw > 0 turns toward the image's right: the image-left teeth face the camera, the right ones
    # turn away into the dark; and the other way round.
    assert halves[25][0] > halves[25][1] + 4 and halves[-25][1] > halves[-25][0] + 4, halves
    assert abs(halves[0][0] - halves[0][1]) < 0.5 * abs(halves[25][0] - halves[25][1]), halves


# -- a smiling portrait ------------------------------------------------------------------------

def _teeth_share(out, lm, look, pad=2):
    """Share of the pixels around the lips' meeting line that are as bright as the portrait's
    teeth (a squeezed sliver of teeth, not lips)."""
    xs = np.arange(int(lm[MOUTH_CORNERS[0], 0]) + 2, int(lm[MOUTH_CORNERS[1], 0]) - 2)
    seam = 0.5 * (np.interp(xs + 0.5, lm[INNER_UPPER_LIP, 0], lm[INNER_UPPER_LIP, 1])
                  + np.interp(xs + 0.5, lm[INNER_LOWER_LIP, 0], lm[INNER_LOWER_LIP, 1]))
    band = np.concatenate([out[int(y) - pad:int(y) + pad + 1, x] for x, y in zip(xs, seam)])
    return (_lum(band) > _lum(look.mouth.teeth) - 25).mean()


def test_closing_a_smiles_lips_hides_its_teeth(renderer, smiling):
    """The smiling portrait driven with a neutral closed mouth shows lips, not its teeth."""
    look = renderer.prepare(smiling, SIZE).look
    assert look.mouth.own_teeth
    lm = neutral_lower_face(np.asarray(smiling.landmarks, float))
    out = _render(renderer, smiling, lm)
    assert _teeth_share(out, lm, look) < 0.01
    # ... at every stage of closing
    src = np.asarray(smiling.landmarks, float)
    for amount in (0.6, 0.8):
        part = neutral_lower_face(src, amount)
        gap = np.linalg.norm(part[INNER_LOWER_LIP, :2] - part[INNER_UPPER_LIP, :2], axis=1).max()
        if gap < 0.8 * _mm(part):
            assert _teeth_share(_render(renderer, smiling, part), part, look) < 0.02


def test_lips_parted_in_a_smile_show_the_upper_teeth(renderer, smiling):
    """From the neutral closed mouth, corners up and back and the upper lip lifted: the upper
    teeth show under the upper lip, several mm of them, in the portrait's own teeth colour."""
    look = renderer.prepare(smiling, SIZE).look
    lm = neutral_lower_face(np.asarray(smiling.landmarks, float))
    mm = _mm(lm)
    smile = lm.copy()
    centre = lm[list(MOUTH_CORNERS), :2].mean(0)
    for k, sx in ((61, -1), (78, -1), (291, 1), (308, 1)):
        smile[k, 0] += sx * 4.2 * mm
        smile[k, 1] -= 3.5 * mm
    rise = np.array([0.4, 0.7, 0.9, 1, 1, 1, 0.9, 0.7, 0.4])
    smile[INNER_UPPER_LIP, 1] -= 3.5 * mm * rise
    smile[INNER_LOWER_LIP, 1] += 4.2 * mm * rise
    del centre
    out = _render(renderer, smiling, smile)
    cx = int(smile[list(MOUTH_CORNERS), 0].mean())
    col = out[int(smile[13, 1]):int(smile[14, 1]) + 1, cx - 3:cx + 4].mean(1)
    teeth = col[_lum(col) > _lum(look.mouth.teeth) - 60]
    assert len(teeth) / mm > 3.0, len(teeth) / mm               # mm of upper teeth at the midline
    assert np.abs(teeth.mean(0) - look.mouth.teeth).max() < 45   # the portrait's own teeth


# -- the closed seam ---------------------------------------------------------------------------

def test_a_held_closure_is_one_clean_stable_seam(renderer, smiling):
    """Lips held closed over a smile's teeth, with a tracker's jitter on the landmarks: the mouth
    hardly changes from frame to frame (no sliver of teeth flickering through), and the seam is
    one dark line, not a crack of teeth."""
    look = renderer.prepare(smiling, SIZE).look
    base = neutral_lower_face(np.asarray(smiling.landmarks, float))
    rng = np.random.default_rng(3)
    frames, lms = [], []
    for _ in range(5):
        lm = base.copy()
        lm[:, :2] += rng.normal(0, 0.15, (len(lm), 2))
        lms.append(lm)
        frames.append(_render(renderer, smiling, lm))
    lo = np.floor(base[inner_lip_loop(), :2].min(0) - 4).astype(int)
    hi = np.ceil(base[inner_lip_loop(), :2].max(0) + 4).astype(int)
    win = (slice(lo[1], hi[1]), slice(lo[0], hi[0]))
    change = [np.abs(b[win] - a[win]).mean() for a, b in zip(frames, frames[1:])]
    # (the same jitter moves the skin between nose and lips by ~0.8 levels; the lips' sharp
    # edges make the mouth ~3x that, a flickering sliver of teeth far more)
    h = hi[1] - lo[1]
    skin = (slice(lo[1] - 2 * h - 6, lo[1] - h - 6), slice(lo[0], hi[0]))
    skin_change = np.mean([np.abs(b[skin] - a[skin]).mean() for a, b in zip(frames, frames[1:])])
    assert max(change) < 3.0 and max(change) < 4.5 * skin_change, (change, skin_change)
    for out, lm in zip(frames, lms):
        assert _teeth_share(out, lm, look) < 0.01


# -- shapes ------------------------------------------------------------------------------------

def test_the_opening_has_rounded_ends(renderer, fit):
    look = renderer.prepare(fit, SIZE).look
    lm = open_mouth(np.asarray(fit.landmarks, float), 0.5)
    out = _render(renderer, fit, lm)
    dark = _lum(out) < 0.5 * _lum(look.lip)
    inner = _mask(lm[inner_lip_loop(), :2])
    left, right = lm[MOUTH_CORNERS[0], 0], lm[MOUTH_CORNERS[1], 0]
    cols = np.arange(SIZE) + 0.5
    for a, b in ((left, left + 0.06 * (right - left)), (right - 0.06 * (right - left), right)):
        sel = (cols > a) & (cols < b)
        assert (dark & inner)[:, sel].sum() < 0.6 * inner[:, sel].sum()
    mid = abs(cols - (left + right) / 2) < 0.1 * (right - left)
    assert (dark & inner)[:, mid].sum() > 0.25 * inner[:, mid].sum()


def test_lower_lip_vermilion_survives_the_jaw_opening(renderer, demo):
    fit = demo
    lm0 = np.asarray(fit.landmarks, float)
    lm = open_mouth(lm0, 0.5)
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
    lms = np.stack([open_mouth(np.asarray(fit.landmarks, float), a) for a in amounts])
    frames = [f.astype(float) for f in renderer.render(fit, lms, SIZE)]
    lo = np.floor(lms[-1][inner_lip_loop(), :2].min(0) - 6).astype(int)
    hi = np.ceil(lms[-1][inner_lip_loop(), :2].max(0) + 6).astype(int)
    jumps = np.array([np.abs(b[lo[1]:hi[1], lo[0]:hi[0]] - a[lo[1]:hi[1], lo[0]:hi[0]]).mean()
                      for a, b in zip(frames, frames[1:])])
    assert jumps.max() < 2.5 * np.median(jumps) + 1.0, np.round(jumps, 2)


def _bright_share(img, lm):
    """Share of the opening between the inner lips brighter than the cheeks' skin (lit teeth)."""
    inside = polygon2mask(img.shape[:2], lm[inner_lip_loop(), :2][:, ::-1] - 0.5)
    lum = img.astype(float) @ LUMA
    mm = eye_span(lm) / EYE_SPAN_MM
    yy, xx = np.mgrid[:img.shape[0], :img.shape[1]] + 0.5
    cheeks = np.zeros(img.shape[:2], bool)
    for k in (205, 425):
        cheeks |= np.hypot(xx - lm[k, 0], yy - lm[k, 1]) < 4 * mm
    return float((lum[inside] > np.median(lum[cheeks])).mean())


def test_a_relaxed_smile_speaks_with_the_teeth_edges_not_a_grin(renderer, smiling):
    """The smiling portrait driven neutral on an open vowel shows the upper teeth's edges under
    the lip, in its shade, over a dark cavity: a few per cent of the opening brighter than the
    cheeks (the smile's full row of lit crowns, ~45 % of it, read as a grin). Its own smile on the
    same vowel keeps its lit teeth."""
    from talkface_studio.face.relocate import relocate
    from talkface_studio.perform.blendshapes import compose
    from talkface_studio.perform.neutralize import neutralize_identity
    size = 512
    lm = np.asarray(smiling.landmarks, np.float32)
    vowel = compose({"jaw_open": np.array([0.55], np.float32)}, 1)
    neutral = relocate(neutralize_identity(lm)[0], vowel, {}, scale=size / SIZE)[0].astype(float)
    own = relocate(lm, vowel, {}, scale=size / SIZE)[0].astype(float)
    relaxed = _bright_share(next(renderer.render(smiling, neutral[None], size)), neutral)
    smile = _bright_share(next(renderer.render(smiling, own[None], size)), own)
    assert relaxed < 0.08 and smile > 0.25, (relaxed, smile)


def _rim_band(out, lm, mm):
    """Largest luminance (0..255) by which a point on the upper lip's lower part (within 3 mm of
    its inner rim) stands out above both the lip over it and what lies under it (each the darkest
    point within 2 mm), over the middle 80% of the mouth width."""
    from scipy.ndimage import map_coordinates
    from talkface_studio.render.mesh_warp.rim_frame import Axis
    ax = Axis.between(lm[MOUTH_CORNERS[0], :2], lm[MOUTH_CORNERS[1], :2])
    uu, uv = ax.to_uv(lm[INNER_UPPER_LIP, :2])
    order = np.argsort(uu)
    step = 0.25                                    # px
    vs = np.arange(-5.0 * mm, 2.0 * mm, step)
    reach = int(round(2.0 * mm / step))
    lum = _lum(out)
    worst = 0.0
    for u in np.linspace(0.1, 0.9, 17):
        v = np.interp(u, uu[order], uv[order]) + vs
        px = ax.to_px(np.full_like(v, u), v)
        line = map_coordinates(lum, [px[:, 1] - 0.5, px[:, 0] - 0.5], order=1)
        for j in np.nonzero((vs >= -3.0 * mm) & (vs <= 0.0))[0]:
            above, below = line[max(j - reach, 0):j].min(), line[j + 1:j + 1 + reach].min()
            worst = max(worst, min(line[j] - above, line[j] - below))
    return worst


def _dropped_jaw(lm):
    """A surprised mouth: corners drawn in (a rounder, narrower mouth), the jaw dropped."""
    lm = lm.copy()
    centre = lm[list(MOUTH_CORNERS), 0].mean()
    for k in (61, 78, 291, 308, 62, 292, 76, 306, 191, 415):
        lm[k, 0] = centre + 0.75 * (lm[k, 0] - centre)
    return open_mouth(lm, 0.45)


def test_a_dropped_jaw_leaves_no_pale_line_along_the_upper_lip(renderer, smiling):
    """A surprised, wide-open mouth over a portrait that smiles with its teeth: the lip drawn over
    the upper rim darkens into the cavity. Its texture was re-stretched from a band reaching past
    the smile's thin upper lip into the pale skin above it: a light line (up to 33 levels brighter
    than lip and cavity) ran along the lip's inner edge, brightest toward the corners."""
    size = 512
    lm = _dropped_jaw(np.asarray(smiling.landmarks, float) * size / SIZE)
    mm = _mm(lm)
    out = _render(renderer, smiling, lm, size)
    band = _rim_band(out, lm, mm)
    assert band < 8.0, band


def test_the_batched_path_draws_the_parted_lips_as_the_cpu_path_does(smiling):
    """The lips re-stretched rim to outline (above) on the GPU's batched code, run on the CPU."""
    from painted_face import assert_render_paths_agree
    lm = _dropped_jaw(np.asarray(smiling.landmarks, float))
    assert_render_paths_agree(smiling, lm[None].astype(np.float32))


# -- an opening the photo does not show ----------------------------------------------------------

def _lower_lip_taken_for_an_opening(lm):
    """The tracker's error on a small, old photograph: closed lips read as parted, the inner lower
    rim drawn 70 % of the way down through the lower lip (the loop encloses lip, no cavity)."""
    lm = np.asarray(lm, np.float64).copy()
    outer = lm[OUTER_LOWER_LIP]
    for i in INNER_LOWER_LIP:
        below = outer[np.argmin(np.abs(outer[:, 0] - lm[i, 0]))]
        lm[i, 1] += 0.7 * max(below[1] - lm[i, 1], 0.0)
    return lm


def test_lips_the_tracker_took_for_parted_get_a_drawn_opening_not_the_photos_lip(renderer, demo, closed_fit):
    """Where a frame's mouth is like the portrait's own, the plain warp shows the photo's opening as
    it is; but an opening the photo does not show (lip inside the inner loop) would then read as a
    mouth filled with lip, so the interior is drawn."""
    misread = dataclasses.replace(closed_fit, landmarks=_lower_lip_taken_for_an_opening(
        closed_fit.landmarks).astype(np.float32))
    lm = np.asarray(misread.landmarks, np.float64)
    inside = _mask(lm[inner_lip_loop(), :2])
    assert inside.sum() > 30
    photo = _lum(np.asarray(misread.image, np.float64))[inside].mean()
    drawn = _lum(_render(renderer, misread, lm))[inside].mean()
    assert drawn < photo - 25
    assert renderer.prepare(misread, SIZE).look.mouth_seen < 0.2
    assert renderer.prepare(demo, SIZE).look.mouth_seen == 1.0            # its own teeth: shown as they are
    assert np.abs(_render(renderer, demo, np.asarray(demo.landmarks, np.float64))
                  - np.asarray(demo.image, np.float64))[_mask(np.asarray(demo.landmarks)[inner_lip_loop(), :2])].mean() < 4
