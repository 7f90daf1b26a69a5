"""Blendshapes: emotions read clearly and differ; edits act through channels; lips never cross."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talkface_studio.face.topology import MIRROR, N_LANDMARKS, REGIONS, canonical_face
from talkface_studio.perform.blendshapes import (
    BASES,
    EXPRESSION_CHANNELS,
    MOUTH_CHANNELS,
    SHAPE_CHANNELS,
    apply_channel_edits,
    compose,
    inner_lip_gap,
)
from talkface_studio.perform.face_fields import LIP_PAIRS, MM

LEVELS = (1 / 3, 2 / 3, 1.0)


def _mm(field):
    return np.linalg.norm(field, axis=-1) / MM


def test_every_shape_channel_has_a_basis_of_the_right_shape():
    assert set(BASES) == set(SHAPE_CHANNELS)
    for name, basis in BASES.items():
        assert basis.shape == (N_LANDMARKS, 3) and basis.dtype == np.float32, name
        assert np.isfinite(basis).all()


@pytest.mark.parametrize("name", EXPRESSION_CHANNELS)
def test_each_emotion_reads_clearly_at_level_3(name):
    moved = _mm(BASES[name])
    # The strongest point moves >= 5 mm (~6 px on a 512 px head-and-shoulders portrait) and the
    # expression spreads over a region, not one point.
    assert moved.max() >= 5.0, moved.max()
    assert (moved > 1.5).sum() >= 20
    # level 1 is subtle but still visible (>= 1.5 mm somewhere)
    assert (moved * LEVELS[0]).max() >= 1.5


def test_emotions_are_pairwise_distinct():
    vecs = {n: BASES[n].ravel() / np.linalg.norm(BASES[n]) for n in EXPRESSION_CHANNELS}
    for a, b in itertools.combinations(EXPRESSION_CHANNELS, 2):
        assert float(vecs[a] @ vecs[b]) < 0.7, (a, b)


def test_levels_order_the_displacement():
    for name in EXPRESSION_CHANNELS:
        norms = [np.linalg.norm(compose({name: np.array([lv])}, 1)[0] - canonical_face()) for lv in LEVELS]
        assert norms[0] < norms[1] < norms[2], name


def test_emotions_move_the_expected_features():
    def dy(name, region):  # mean vertical displacement in mm (y down: negative = up)
        return BASES[name][REGIONS[region], 1].mean() / MM

    corners = REGIONS["mouth_corners"]
    assert BASES["emo_happy"][corners, 1].mean() / MM < -3  # lip corners up
    assert BASES["emo_sad"][corners, 1].mean() / MM > 2  # lip corners down
    # disgust's corners well down too: at 4 mm a smiling portrait's disgust read to a classifier as a grin
    assert BASES["emo_disgusted"][corners, 1].mean() / MM > 5.5
    assert dy("emo_surprised", "right_brow") < -3 and dy("emo_surprised", "left_brow") < -3
    assert dy("emo_angry", "right_brow") > 2  # brows lowered
    inner_r, inner_l = 55, 285
    assert BASES["emo_angry"][inner_r, 0] > 0 > BASES["emo_angry"][inner_l, 0]  # brows knit
    contempt = BASES["emo_contempt"][corners]
    assert np.linalg.norm(contempt[0]) > 5 * np.linalg.norm(contempt[1])  # one-sided


def test_surprise_lifts_the_brow_in_an_even_arch_and_sadness_lifts_its_inner_end():
    """AU1 and AU2 each lift one end of the brow; surprise used them alone and its brow's middle
    rose 3 mm against 9-10 mm at the ends: a wavy, worried brow (the classifier read the contact
    sheet's surprised faces as fear or anger). Its middle must rise with its ends; sadness keeps
    the oblique brow (inner end highest) that AU1 alone gives."""
    upper = [70, 63, 105, 66, 107]  # the subject's right brow, outer to inner
    for side in (upper, [int(i) for i in MIRROR[upper]]):
        lift = -BASES["emo_surprised"][side, 1] / MM
        assert lift.min() >= 6.5 and lift.max() - lift.min() <= 3.5, lift
        sad = -BASES["emo_sad"][side, 1] / MM
        assert sad[-1] > sad[2] + 4.0, sad


@pytest.mark.parametrize("mix", [{"emo_sad": 1.0}, {"emo_sad": 1.0, "lip_press": 1.0},
                                 {"emo_sad": 1.0, "lip_tuck": 1.0}, {"emo_sad": 0.6, "lip_tuck": 0.85},
                                 {"emo_angry": 1.0, "lip_press": 1.0}])
def test_a_closed_mouth_line_bends_into_its_corners_without_a_kink(mix):
    """The demo's closed sad mouth showed a hook at each end: the corners went down while the lip
    beside them stayed (AU15's round bump) or rose (an f's tucked lower lip, lifted whole). The lip
    line's slope into the corner must be no steeper than beside it, on both sides."""
    face = canonical_face().astype(np.float64)
    expr = compose({k: np.array([v], np.float32) for k, v in mix.items()}, 1)[0]
    line = REGIONS["lips_inner_upper"]
    for corner, beside, next_in in ((line[0], line[1], line[2]), (line[-1], line[-2], line[-3])):
        dy = (expr - face)[:, 1] / MM
        x = face[:, 0] / MM
        into_corner = abs(dy[corner] - dy[beside]) / abs(x[corner] - x[beside])
        beside_it = abs(dy[beside] - dy[next_in]) / abs(x[beside] - x[next_in])
        assert into_corner <= 1.3 * beside_it + 0.1, (mix, into_corner, beside_it)


@pytest.mark.parametrize("name", ["jaw_open", "mouth_round", "emo_angry", "emo_sad", "emo_surprised",
                                  "emo_disgusted", "smile_taken_off"])
def test_a_corner_drawn_in_or_down_takes_the_lips_beside_it_along(name):
    """A portrait's lips run nearly level into their corners, a few mm from them. Where a shape drew
    a corner in (an open jaw, a rounded vowel, a smile taken off a portrait) while the lip beside it
    stayed (a round bump on the canonical face, whose lips there sit 9 mm higher), the corner
    passed that lip and the warp folded the photo's corner pit onto the cheek: a dark notch beside
    the demo's open mouth. The lips beside each corner must follow it most of the way."""
    from talkface_studio.perform.action_units import au12_lip_corner_puller

    field = -au12_lip_corner_puller() if name == "smile_taken_off" else BASES[name]
    face = canonical_face()
    for corner, beside in ((61, (185, 146)), (291, (409, 375))):
        inward = -np.sign(face[corner, 0])
        moved = field[corner, 0] * inward
        assert abs(moved) > 0.5 * MM, name
        for point in beside:
            assert field[point, 0] * inward / moved > 0.75, (name, corner, point)


def test_jaw_open_swings_the_chin_down_and_back():
    chin = REGIONS["chin"][0]
    jaw = BASES["jaw_open"]
    assert jaw[chin, 1] / MM > 15 and jaw[chin, 2] > 0  # down and away from the camera
    expr = compose({"jaw_open": np.array([0.0, 0.5, 1.0])}, 3)
    gap = inner_lip_gap(expr)
    # the mean opening grows with the channel; at the centre (13 -> 14) a full jaw opens > 18 mm
    # (the mean is smaller: the opening is an arc that tapers to the corners)
    centre = (expr[:, 14, 1] - expr[:, 13, 1]) / MM
    assert gap[0] < gap[1] < gap[2] and gap[2] > 12
    assert centre[2] > 18 and 8 < centre[1] < 14


def test_lip_press_closes_a_slightly_open_jaw():
    expr = compose({"jaw_open": np.array([0.25, 0.25]), "lip_press": np.array([0.0, 1.0])}, 2)
    gap = inner_lip_gap(expr)
    centre = (expr[:, 14, 1] - expr[:, 13, 1]) / MM
    assert centre[0] > 4 and abs(gap[1]) < 0.3 and abs(centre[1]) < 0.3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=len(SHAPE_CHANNELS), max_size=len(SHAPE_CHANNELS)))
def test_lips_never_cross_whatever_the_channel_mix(values):
    expr = compose({c: np.array([v]) for c, v in zip(SHAPE_CHANNELS, values)}, 1)
    up, low = LIP_PAIRS[:, 0], LIP_PAIRS[:, 1]
    assert np.all(expr[0, low, 1] >= expr[0, up, 1] - 1e-6)
    assert np.isfinite(expr).all()


def test_apply_channel_edits_round_trip():
    rng = np.random.default_rng(0)
    t = 40
    base = {c: rng.uniform(0.2, 0.4, t).astype(np.float32) for c in SHAPE_CHANNELS}
    base["head_yaw"] = np.zeros(t, np.float32)
    expr = compose(base, t)
    # no edit -> unchanged
    assert np.array_equal(apply_channel_edits(expr, base, base), expr)
    final = {c: v.copy() for c, v in base.items()}
    final["emo_happy"][10:20] += 0.5
    final["mouth_wide"][5:8] -= 0.1
    final["head_yaw"][:] = 30  # pose is relocation's business, not the expression's
    edited = apply_channel_edits(expr, base, final)
    # edited expression equals composing the final channels directly
    np.testing.assert_allclose(edited, compose(final, t), atol=1e-5)
    assert not np.allclose(edited[10:20], expr[10:20])
    np.testing.assert_array_equal(edited[25:], expr[25:])
    # and undoing the edit gives the original back
    np.testing.assert_allclose(apply_channel_edits(edited, final, base), expr, atol=1e-5)


def test_mouth_channels_act_on_the_mouth_only():
    eyes = np.concatenate([REGIONS["right_eye"], REGIONS["left_eye"], REGIONS["right_brow"], REGIONS["left_brow"]])
    for name in MOUTH_CHANNELS:
        assert _mm(BASES[name][eyes]).max() < 0.5, name
