"""Expression fold shading in the mesh-warp renderer: absent at rest, present where each action unit
squeezes the skin, colour-neutral, and smoothing a smile's own folds when the smile is removed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from talkface_studio.core.errors import ValidationError
from talkface_studio.face.geometry import rotation_from_angles
from talkface_studio.face.relocate import relocate
from talkface_studio.face.topology import canonical_face
from talkface_studio.perform import action_units as au
from talkface_studio.perform.neutralize import neutralize_identity
from talkface_studio.render.mesh_warp.fold_lines import PLACED, compression, fold_weights, pair_lengths
from talkface_studio.render.mesh_warp.renderer import MeshWarpRenderer

PORTRAIT = Path(__file__).resolve().parents[1] / "resources" / "demo" / "portrait.png"
SIZE = 256
LUMA = np.array([0.299, 0.587, 0.114])


@pytest.fixture(scope="module")
def portrait():
    from talkface_studio.face.portrait import fit_portrait
    return fit_portrait(PORTRAIT, size=SIZE)


@pytest.fixture(scope="module")
def shaded():
    return MeshWarpRenderer(device="cpu")


@pytest.fixture(scope="module")
def plain():
    return MeshWarpRenderer(device="cpu", detail=0.0)


def frame(renderer, portrait, lm):
    return next(renderer.render(portrait, lm[None], SIZE)).astype(np.float64)


def with_field(portrait, field):
    """The portrait's own face moved by an action-unit field [478, 3] (normalized space)."""
    lm = np.asarray(portrait.landmarks, np.float32)
    return relocate(lm, (canonical_face() + field)[None].astype(np.float32), {})[0].astype(np.float64)


def test_folds_are_at_rest_for_the_portrait_and_any_head_pose(portrait):
    lm = np.asarray(portrait.landmarks, np.float64)
    lengths = pair_lengths(lm)
    deepen, relax = fold_weights(compression(lm, lengths))
    assert not deepen.any() and not relax.any()
    centre = lm[:468].mean(0)
    turned = 1.2 * (lm - centre) @ rotation_from_angles(15, -8, 6).T + centre + [5, -3, 0]
    deepen, relax = fold_weights(compression(turned, lengths))
    assert not deepen.any() and not relax.any()


def test_a_still_or_turned_head_renders_exactly_as_without_shading(shaded, plain, portrait):
    lm = np.asarray(portrait.landmarks, np.float64)
    assert np.array_equal(frame(shaded, portrait, lm), portrait.image.astype(np.float64))
    centre = lm[:468].mean(0)
    turned = (lm - centre) @ rotation_from_angles(10, 5, -4).T + centre
    assert np.array_equal(frame(shaded, portrait, turned), frame(plain, portrait, turned))


# action unit -> (landmarks the fold lies between, in the frame; radius in eye-distance units)
AU_FOLDS = {
    "au4": (au.au4_brow_lowerer, (55, 285, 8, 9, 105, 334, 159, 386), 0.3),   # furrows + brow shadow
    "au1": (au.au1_inner_brow_raiser, (107, 336, 151), 0.45),
    "au9": (au.au9_nose_wrinkler, (6, 196, 419, 197), 0.35),
    "au12": (au.au12_lip_corner_puller, (203, 423, 61, 291, 205, 425), 0.35),
    "au6": (au.au6_cheek_raiser, (33, 263, 119, 348, 23, 253), 0.35),
    "au17": (au.au17_chin_raiser, (18, 200, 17), 0.3),
}


@pytest.mark.parametrize("name", sorted(AU_FOLDS))
def test_each_action_unit_creases_the_skin_where_it_should(shaded, plain, portrait, name, monkeypatch):
    # the folds alone: an AU that lowers the demo portrait's smiling corners also relaxes its
    # smile's shading (``smile_relief``, tested below)
    import talkface_studio.render.mesh_warp.wrinkles as wrinkles
    monkeypatch.setattr(wrinkles, "smile_removed", lambda *a: 0.0)
    make, anchors, radius = AU_FOLDS[name]
    lm = with_field(portrait, 1.2 * make())
    diff = (frame(shaded, portrait, lm) - frame(plain, portrait, lm)) @ LUMA
    assert diff.min() < -6, diff.min()                     # a visible crease (> 6 of 255 darker)
    eye = np.linalg.norm(lm[468, :2] - lm[473, :2])
    yy, xx = np.mgrid[:SIZE, :SIZE] + 0.5
    near = np.zeros((SIZE, SIZE), bool)
    for k in anchors:
        near |= np.hypot(xx - lm[k, 0], yy - lm[k, 1]) < radius * eye
    dark = np.clip(-diff, 0, None)
    assert dark[near].sum() > 0.75 * dark.sum(), (name, dark[near].sum() / dark.sum())


def test_creases_change_brightness_not_colour(shaded, plain, portrait):
    lm = with_field(portrait, 1.2 * au.au4_brow_lowerer())
    on, off = frame(shaded, portrait, lm), frame(plain, portrait, lm)
    changed = np.abs(on - off).max(-1) > 4
    assert changed.sum() > 20
    ratio = (on[changed] + 0.5) / (off[changed] + 0.5)
    # one factor for all three channels (up to the uint8 rounding of each)
    spread = ratio.max(-1) - ratio.min(-1)
    assert np.median(spread) < 0.02
    # and the face as a whole keeps its tone
    face = (slice(int(lm[10, 1]), int(lm[152, 1])), slice(int(lm[234, 0]), int(lm[454, 0])))
    m_on, m_off = on[face].reshape(-1, 3).mean(0), off[face].reshape(-1, 3).mean(0)
    assert np.abs(m_on / m_on.sum() - m_off / m_off.sum()).max() < 0.002


def test_removing_a_smile_relaxes_its_nasolabial_folds(shaded, plain, portrait):
    lm = np.asarray(portrait.landmarks, np.float64)
    neutral, coefficients = neutralize_identity(lm)
    assert coefficients["corner_pull"] > 0.3                # the demo portrait smiles
    deepen, relax = fold_weights(compression(neutral, pair_lengths(lm)))
    names = [p.name for p in PLACED]
    assert relax[names.index("nasolabial_right")] > 0.3 and relax[names.index("nasolabial_left")] > 0.3
    assert not deepen[[names.index("glabella"), names.index("nose_right")]].any()
    on, off = frame(shaded, portrait, neutral.astype(np.float64)), frame(plain, portrait, neutral.astype(np.float64))
    diff = (on - off) @ LUMA
    assert diff.max() > 4                                    # folds lifted
    # ... and the raised cheeks' highlights toned down (by at most a quarter), on the cheeks only:
    # never on the nose, lips or eyes
    lum = off @ LUMA
    darker = diff < -2
    assert (diff[darker] > -0.26 * lum[darker] - 1).all()
    from talkface_studio.render.mesh_warp.smile_relief import REGION
    mm = np.linalg.norm(neutral[263, :2] - neutral[33, :2]) / 63.0
    yy, xx = np.mgrid[:SIZE, :SIZE] + 0.5
    cheeks = np.zeros((SIZE, SIZE), bool)
    for k, r_mm in REGION:
        cheeks |= np.hypot(xx - neutral[k, 0], yy - neutral[k, 1]) < 2.0 * r_mm * mm
    assert darker.sum() > 0 and (darker & ~cheeks).sum() < 0.05 * darker.sum()
    features = np.zeros((SIZE, SIZE), bool)
    for k in (1, 4, 13, 14, 468, 473):                       # nose tip and bridge, lips, irises
        features |= np.hypot(xx - neutral[k, 0], yy - neutral[k, 1]) < 3 * mm
    assert not (darker & features).any()
    # the lift lies along the folds beside the nose and mouth, not on the lips or eyes
    lifted = diff > 2
    ys, xs = np.nonzero(lifted)
    mouth_y = lm[[61, 291], 1].mean()
    assert np.median(ys) > lm[1, 1] - 0.1 * (mouth_y - lm[1, 1]) and np.median(ys) < mouth_y + 10


def test_detail_scales_the_shading_and_is_checked(portrait):
    lm = with_field(portrait, 1.2 * au.au4_brow_lowerer())
    plain = frame(MeshWarpRenderer(device="cpu", detail=0.0), portrait, lm) @ LUMA
    half = frame(MeshWarpRenderer(device="cpu", detail=0.5), portrait, lm) @ LUMA - plain
    full = frame(MeshWarpRenderer(device="cpu", detail=1.0), portrait, lm) @ LUMA - plain
    assert full.min() < half.min() < 0
    assert 0.35 < half.min() / full.min() < 0.65
    with pytest.raises(ValidationError):
        MeshWarpRenderer(device="cpu", detail=-1)


def _nasolabial_lines(img, lm):
    """How strongly thin dark lines (valleys a 1 mm closing fills) and thin bright ones (ridges a
    1 mm opening removes) mark the skin along the nasolabial folds (mean of the top tenth, grey
    levels, within 4 mm of where the folds lie on this face)."""
    import cv2
    mm = np.linalg.norm(lm[263, :2] - lm[33, :2]) / 88.5
    lum = (img.astype(np.float32) @ LUMA.astype(np.float32))
    r = max(1, int(round(mm)))
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    valley = cv2.morphologyEx(lum, cv2.MORPH_CLOSE, k) - lum
    ridge = lum - cv2.morphologyEx(lum, cv2.MORPH_OPEN, k)
    yy, xx = np.mgrid[:img.shape[0], :img.shape[1]] + 0.5
    band = np.zeros(img.shape[:2], bool)
    for p in PLACED:
        if p.name.startswith("nasolabial"):
            for tri, bary, _ in p.lines:
                pts = (lm[tri, :2] * bary[..., None]).sum(1)
                for q in np.concatenate([a + np.linspace(0, 1, 12)[:, None] * (b - a) for a, b in zip(pts[:-1], pts[1:])]):
                    band |= np.hypot(xx - q[0], yy - q[1]) < 4.0 * mm

    def top(v):
        v = np.sort(v[band])
        return float(v[-max(1, len(v) // 10):].mean())
    return top(valley), top(ridge)


@pytest.mark.parametrize("jaw", [0.0, 0.5])
def test_a_relaxed_smile_leaves_skin_not_drawn_lines(jaw):
    """A broad smile driven neutral, at rest and on an open vowel: its nasolabial folds must fade
    into skin. Relief made as a ratio and blurred against the warp's resampling left the folds' sharp
    cores as thin dark lines with a lit band beside them (valleys ~33 and ridges ~17 grey levels
    here, against the smile's own 43 and 16)."""
    from talkface_studio.face.portrait import fit_portrait
    from talkface_studio.perform.blendshapes import compose
    fit = fit_portrait(Path(__file__).resolve().parent / "data" / "portraits" / "smiling_man.jpg", size=SIZE)
    lm = np.asarray(fit.landmarks, np.float32)
    neutral, _ = neutralize_identity(lm)
    target = relocate(neutral, compose({"jaw_open": np.array([jaw], np.float32)}, 1), {})[0].astype(np.float64)
    out = frame(MeshWarpRenderer(device="cpu"), fit, target)
    own_valley, own_ridge = _nasolabial_lines(fit.image, lm.astype(np.float64))
    valley, ridge = _nasolabial_lines(out, target)
    assert valley < 0.4 * own_valley and ridge < 0.6 * own_ridge, (valley, own_valley, ridge, own_ridge)


def test_an_open_vowel_is_no_smile_to_the_relief():
    """How much of a portrait's smile a frame has taken away does not follow the jaw: on a neutral
    face the relief stays whole through an open vowel (against the lips' midpoint it read an open
    mouth as a smile, and the folds came and went with each syllable), and on the portrait's own
    smile it stays off."""
    from talkface_studio.face.portrait import fit_portrait
    from talkface_studio.perform.blendshapes import compose
    from talkface_studio.render.mesh_warp.smile_relief import smile_removed, smile_score
    fit = fit_portrait(Path(__file__).resolve().parent / "data" / "portraits" / "smiling_man.jpg", size=SIZE)
    lm = np.asarray(fit.landmarks, np.float32)
    own = smile_score(lm.astype(np.float64))
    neutral, _ = neutralize_identity(lm)
    for jaw in (0.0, 0.3, 0.6):
        ch = {"jaw_open": np.array([jaw], np.float32)}
        relaxed = relocate(neutral, compose(ch, 1), {})[0].astype(np.float64)
        smiling = relocate(lm, compose(ch, 1), {})[0].astype(np.float64)
        assert smile_removed(own, relaxed) > 0.9, jaw
        assert smile_removed(own, smiling) < 0.15, jaw
    # a mouth stretched wide without its corners up (fear's AU20) is no smile either
    fear = relocate(neutral, compose({"emo_fear": np.ones(1, np.float32)}, 1), {})[0].astype(np.float64)
    assert smile_removed(own, fear) > 0.9


@pytest.mark.parametrize("height", [360, 2160])
def test_smile_relief_of_small_and_large_head_regions(tmp_path, height):
    """Plates render the head region at the photo's density: a small face (a ~180-px region) once
    made 0 / 0 in the relief's shading (NaN pixels in the frame), and a large one inpaints its
    valleys at a smaller scale (the cost grows with the fourth power of the side), close to the
    full-size fill."""
    import cv2

    from talkface_studio.face.portrait import fit_portrait
    from talkface_studio.pipeline.plate.source import open_plate
    from talkface_studio.render.mesh_warp import smile_relief as sr
    from talkface_studio.render.mesh_warp.wrinkles import _keep_out

    man = cv2.imread(str(Path(__file__).parent / "data" / "portraits" / "smiling_man.jpg"))
    man = cv2.resize(man, (round(man.shape[1] * height / man.shape[0]), height), interpolation=cv2.INTER_AREA)
    photo = np.full((height + 40, man.shape[1] + 200, 3), 90, np.uint8)
    photo[40:, 100:100 + man.shape[1]] = man
    cv2.imwrite(str(tmp_path / "photo.png"), photo)
    head = open_plate(fit_portrait(tmp_path / "photo.png", size=512)).portrait
    image, lm = head.image, head.landmarks
    assert (image.shape[0] < 256) == (height == 360)
    keep = _keep_out(lm, image.shape[:2], lip_corners_free=True)
    x0, y0, delta = sr.relief_map(image, lm, keep)
    assert np.isfinite(delta).all() and np.abs(delta).max() > 5.0
    if image.shape[0] > 512:
        full = sr.INPAINT_MAX_RADIUS
        try:
            sr.INPAINT_MAX_RADIUS = 1e9
            exact = sr.relief_map(image, lm, keep)[2]
        finally:
            sr.INPAINT_MAX_RADIUS = full
        diff = np.abs(delta - exact)
        assert diff.mean() < 0.3 and np.percentile(diff[exact != 0], 99) < 4.0


def _forehead_maps(image, lm):
    from talkface_studio.render.mesh_warp.wrinkles import prepare_folds
    shading = prepare_folds(image, lm)
    return {p.name: m for p, m in zip(PLACED, shading.maps) if p.name.startswith("forehead_inner")}


def _summed(maps, size):
    out = np.zeros((size, size))
    for m in maps.values():
        h, w = m.crease.shape
        out[m.y0:m.y0 + h, m.x0:m.x0 + w] += m.crease
    return out


@pytest.fixture(scope="module")
def portrait_512():
    from talkface_studio.face.portrait import fit_portrait
    return fit_portrait(PORTRAIT, size=512)    # forehead lines apart by several pixels


def test_forehead_lines_join_their_twins_at_the_midline_without_a_dot(portrait_512):
    """The inner forehead lines end at the midline, where their mirrored twins go on: the two
    together are as deep there as along either line (two round caps drew a dark dot, 1.5-1.6x)."""
    from talkface_studio.render.mesh_warp.fold_lines import FOLDS
    lm = np.asarray(portrait_512.landmarks, np.float64)
    both = _summed(_forehead_maps(portrait_512.image, lm), portrait_512.size)
    fold = next(f for f in FOLDS if f.name == "forehead_inner")
    right = next(p for p in PLACED if p.name == "forehead_inner_right")
    for (tri, bary, line) in right.lines:
        pts = (lm[tri, :2] * bary[..., None]).sum(axis=1)
        assert line.points[-1][0] == 0 and fold.mirrored

        def depth(at):   # the deepest crease within 2 px of a point
            x, y = np.round(at).astype(int)
            return -both[y - 2:y + 3, x - 2:x + 3].min()
        along = depth(0.25 * pts[1] + 0.75 * pts[2])
        assert along > 0.05
        assert depth(pts[-1]) == pytest.approx(along, rel=0.15)


def test_edge_sigma_reads_the_blur_of_a_face(portrait_512):
    from scipy.ndimage import gaussian_filter
    from talkface_studio.render.mesh_warp.photo_sharpness import edge_sigma
    fit = portrait_512
    lm = np.asarray(fit.landmarks, np.float64)
    own = edge_sigma(fit.image, lm)
    assert 0.3 < own < 1.5
    for extra in (1.5, 3.0):
        soft = np.stack([gaussian_filter(fit.image[..., k].astype(np.float64), extra) for k in range(3)], -1)
        # widths add as squares; the estimate is within a fifth of that
        assert edge_sigma(soft, lm) == pytest.approx(np.hypot(own, extra), rel=0.2)
    flat = np.full_like(fit.image, 128)
    assert edge_sigma(flat, lm) == 0.0


def test_creases_are_as_soft_as_the_photo_and_as_dark_in_sum(portrait):
    """On a soft photo a crease is wider and shallower, its darkness the same across it."""
    from scipy.ndimage import gaussian_filter
    lm = np.asarray(portrait.landmarks, np.float64)
    soft = np.stack([gaussian_filter(portrait.image[..., k].astype(np.float64), 2.5) for k in range(3)], -1)
    right = next(p for p in PLACED if p.name == "forehead_inner_right")
    tri, bary, _ = right.lines[1]
    x = int(round((lm[tri[1], :2] * bary[1, :, None]).sum(axis=0)[0]))   # the lines' middle point
    columns = []
    for image in (portrait.image, soft):
        m = _forehead_maps(image, lm)["forehead_inner_right"]
        columns.append(m.crease[:, x - m.x0])
    sharp, blurred = columns
    assert blurred.min() > 0.8 * sharp.min()        # shallower (the core is negative)
    assert blurred.sum() == pytest.approx(sharp.sum(), rel=0.1)


def test_a_stretched_forehead_keeps_half_its_own_lines():
    """Brows lowered stretch the forehead: its lines fade, as dynamic wrinkles do, but an older
    face's static ones stay (smoothed away whole they left a pale, airbrushed band); a smile's
    folds, stretched away, may go entirely."""
    stretched = -np.ones(len(PLACED))
    _, relax = fold_weights(stretched)
    names = [p.name for p in PLACED]
    for name, r in zip(names, relax):
        if name.startswith("forehead"):
            assert r == pytest.approx(0.5)
        elif name.startswith(("nasolabial", "glabella", "brow_shadow")):
            assert r == pytest.approx(1.0)
