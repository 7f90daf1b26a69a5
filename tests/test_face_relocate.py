"""Relocation: identity is reproduced exactly; pose, gaze and blink follow the viewer conventions."""

import numpy as np
import pytest

from talkface_studio.core.errors import ValidationError
from talkface_studio.face.normalize import Pose, denormalize, normalize
from talkface_studio.face.relocate import LIP_KEEP, relocate
from talkface_studio.face.topology import LOWER_LIP_RINGS, REGIONS, UPPER_LIP_RINGS, canonical_face


@pytest.fixture(scope="module")
def identity():
    """A slightly turned, jittered face in 512-px crop coordinates, as a tracker would give."""
    rng = np.random.default_rng(3)
    face = canonical_face() + rng.normal(0, 0.004, (478, 3))
    return denormalize(face, Pose.from_angles(6, -4, 3, 130.0, (250, 230, 0))).astype(np.float32)


def run(identity, **channels):
    ch = {k: np.array([v], dtype=np.float32) for k, v in channels.items()}
    return relocate(identity, canonical_face()[None], ch)[0]


def test_canonical_expression_and_zero_channels_reproduce_the_portrait(identity):
    out = relocate(identity, np.repeat(canonical_face()[None], 4, axis=0), {"blink": np.zeros(4)})
    assert out.shape == (4, 478, 3) and out.dtype == np.float32
    assert np.abs(out - identity).max() < 1e-4


def test_scale_maps_to_a_larger_output(identity):
    np.testing.assert_allclose(relocate(identity, canonical_face()[None], {}, scale=2.0)[0],
                               2.0 * identity, atol=2e-4)


def test_expression_deltas_move_the_portrait(identity):
    expr = canonical_face()[None].copy()
    expr[0, 17, 1] += 0.1  # lower lip's outline down, in normalized units
    out = relocate(identity, expr, {})[0]
    moved = np.flatnonzero(np.abs(out - identity).max(axis=1) > 1e-3)
    assert list(moved) == [17]
    assert out[17, 1] - identity[17, 1] > 0.08 * 130 * 0.8  # down in the image, about 13 px


def test_a_press_never_turns_a_lip_inside_out(identity):
    """Deltas made on the canonical face can move a lip's outline past its own rim (anger's press
    with a /m/): each ring keeps LIP_KEEP of its distance from the rim, and the rims stay put."""
    expr = canonical_face()[None].copy()
    expr[0, UPPER_LIP_RINGS[1:], 1] += 0.08     # the upper lip's red pushed down ~7 mm, past its rim
    expr[0, LOWER_LIP_RINGS[0], 1] += 0.08      # ... and the lower rim down past its own outline
    out = relocate(identity, expr, {})[0]
    ident_n, pose = normalize(identity)
    out_n = (out - pose.translation) @ np.asarray(pose.rotation) / pose.scale   # (denormalize undone)
    for rings, outwards in ((UPPER_LIP_RINGS, -1), (LOWER_LIP_RINGS, 1)):
        own = outwards * (ident_n[rings[1:], 1] - ident_n[rings[0], 1])
        now = outwards * (out_n[rings[1:], 1] - out_n[rings[0], 1])
        # (a ring the jitter put past the rim keeps its own distance)
        np.testing.assert_allclose(now, np.minimum(LIP_KEEP * own, own), atol=1e-4)
    np.testing.assert_allclose(out[UPPER_LIP_RINGS[0]], identity[UPPER_LIP_RINGS[0]], atol=1e-3)
    assert (out[LOWER_LIP_RINGS[0], 1] - identity[LOWER_LIP_RINGS[0], 1] > 0.07 * 130 * 0.8).all()


def test_thinning_within_the_share_is_left_alone(identity):
    expr = canonical_face()[None].copy()
    expr[0, UPPER_LIP_RINGS[3], 1] += 0.01      # the outline down ~1 mm: the lip stays thicker than the share
    out = relocate(identity, expr, {})[0]
    moved = np.flatnonzero(np.abs(out - identity).max(axis=1) > 1e-3)
    assert sorted(moved) == sorted(UPPER_LIP_RINGS[3])


def test_head_yaw_pitch_roll_follow_the_viewer_conventions(identity):
    nose, base = REGIONS["nose_tip"][0], run(identity)
    assert run(identity, head_yaw=20)[nose, 0] > base[nose, 0] + 10  # toward the image's right
    assert run(identity, head_pitch=15)[nose, 1] < base[nose, 1] - 10  # up (y is down)
    rolled = run(identity, head_roll=15)
    eyes = lambda lm: lm[263, :2] - lm[33, :2]  # subject's left (image right) minus right
    angle = np.degrees(np.arctan2(-eyes(rolled)[1], eyes(rolled)[0]) - np.arctan2(-eyes(base)[1], eyes(base)[0]))
    assert angle == pytest.approx(15, abs=1.5)  # counter-clockwise as seen, y flipped to math axes


def test_nod_swings_about_the_neck_not_the_nose(identity):
    base, nod = run(identity), run(identity, head_pitch=-20)  # looking down
    chin, forehead = 152, 10
    # About a pivot behind and below the face, the forehead swings further than the chin.
    assert abs(nod[forehead, 1] - base[forehead, 1]) > abs(nod[chin, 1] - base[chin, 1])


def test_gaze_moves_irises_the_right_way_and_stays_in_the_eye(identity):
    base = run(identity)
    for iris in ("left_iris", "right_iris"):
        centre = REGIONS[iris][0]
        assert run(identity, gaze_yaw=20)[centre, 0] > base[centre, 0] + 2
        assert run(identity, gaze_yaw=-20)[centre, 0] < base[centre, 0] - 2
        assert run(identity, gaze_pitch=15)[centre, 1] < base[centre, 1] - 1
    extreme = run(identity, gaze_yaw=89)
    for iris, corners in (("left_iris", [263, 362]), ("right_iris", [33, 133])):
        x = extreme[REGIONS[iris][0], 0]
        assert extreme[corners, 0].min() < x < extreme[corners, 0].max()
    # Gaze leaves everything but the irises alone.
    others = np.setdiff1d(np.arange(478), np.r_[REGIONS["left_iris"], REGIONS["right_iris"]])
    np.testing.assert_allclose(run(identity, gaze_yaw=20, gaze_pitch=-10)[others], base[others], atol=1e-4)


def test_blink_closes_the_lids_and_hides_the_irises(identity):
    base, shut, half = run(identity), run(identity, blink=1.0), run(identity, blink=0.5)
    for side in ("left", "right"):
        upper, lower = REGIONS[f"{side}_upper_lid"], REGIONS[f"{side}_lower_lid"]
        np.testing.assert_allclose(shut[upper], shut[lower], atol=1e-3)  # the lids meet
        gap = lambda lm: (lm[lower, 1] - lm[upper, 1]).max()
        assert gap(base) > 2 * gap(half) * 0.9 and gap(half) > 0.4 * gap(base)
        assert shut[upper[4], 1] - base[upper[4], 1] > 0.5 * gap(base)  # the upper lid does the travel
        iris = shut[REGIONS[f"{side}_iris"]]
        order = np.argsort(shut[upper, 0])
        lid_y = np.interp(iris[:, 0], shut[upper, 0][order], shut[upper, 1][order])
        np.testing.assert_allclose(iris[:, 1], lid_y, atol=0.3)  # pressed onto the closed lid line


def test_whole_take_is_vectorised_and_checked(identity):
    n = 3000
    rng = np.random.default_rng(0)
    ch = {k: rng.normal(0, 8, n) for k in ("head_yaw", "head_pitch", "head_roll", "gaze_yaw", "gaze_pitch")}
    ch["blink"] = rng.random(n)
    expr = np.repeat(canonical_face()[None], n, axis=0)
    out = relocate(identity, expr, ch)
    one = relocate(identity, expr[1234:1235], {k: v[1234:1235] for k, v in ch.items()})
    np.testing.assert_allclose(out[1234], one[0], atol=1e-3)  # frames are independent
    assert np.isfinite(out).all()
    with pytest.raises(ValidationError):
        relocate(identity, expr, {"blink": np.zeros(5)})
    with pytest.raises(ValidationError):
        relocate(identity, expr[:, :468], {})
