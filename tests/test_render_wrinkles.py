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
from talkface_studio.render.fold_lines import PLACED, compression, fold_weights, pair_lengths
from talkface_studio.render.mesh_warp import MeshWarpRenderer

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
    import talkface_studio.render.wrinkles as wrinkles
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
    from talkface_studio.render.smile_relief import REGION
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
