"""The ARKit-52 solver: our shapes at full strength read as the ARKit shapes they are, sides are the
performer's, gaze and blinks come from the channels, and the inverse gives the channels back."""

import numpy as np
import pytest

from talkface_studio.face.topology import MIRROR, REGIONS, canonical_face
from talkface_studio.perform.arkit.gaze_shapes import SIDEWAYS_DEG, UP_DEG
from talkface_studio.perform.arkit.inverse import capture_channels
from talkface_studio.perform.arkit.names import ARKIT_SHAPES, INDEX, LIVE_LINK_SHAPES, mirrored_name
from talkface_studio.perform.arkit.shape_fields import SOLVED, left_share, shape_fields
from talkface_studio.perform.arkit.solver import solve, solve_shapes
from talkface_studio.perform.blendshapes import compose
from talkface_studio.pipeline.export.livelink import livelink_values


def _weights(channels, n=1):
    return solve_shapes(compose({k: np.full(n, v, np.float32) for k, v in channels.items()}, n))[0]


def _top(w, k=4):
    return [ARKIT_SHAPES[i] for i in np.argsort(-w)[:k] if w[i] > 0.05]


def test_names_are_the_52_in_live_link_order():
    assert len(ARKIT_SHAPES) == 52 and len(set(ARKIT_SHAPES)) == 52
    assert ARKIT_SHAPES[0] == "eyeBlinkLeft" and ARKIT_SHAPES[17] == "jawOpen" and ARKIT_SHAPES[-1] == "tongueOut"
    assert LIVE_LINK_SHAPES[18:21] == ("MouthClose", "MouthFunnel", "MouthPucker")
    assert all(mirrored_name(n) in INDEX for n in ARKIT_SHAPES)


def test_left_is_the_performers_left_as_the_mirror_map_says():
    face = canonical_face()
    left_eye = REGIONS["left_eye"]
    assert face[left_eye, 0].mean() > 0  # MediaPipe's "left" eye is on the image's right
    assert set(MIRROR[left_eye]) == set(REGIONS["right_eye"])
    assert np.all(left_share()[left_eye] > 0.99) and np.all(left_share()[REGIONS["right_eye"]] < 0.01)
    fields = shape_fields()
    for name in SOLVED:
        if name.endswith("Left"):  # a Left field mirrors onto its Right ...
            if not name.startswith(("jaw", "mouthLeft")):  # ... and a side's shape moves only that side
                moved = np.linalg.norm(fields[name], axis=1)
                assert (moved * (face[:, 0] < -0.03)).max() < 1e-9, name
            mirror = fields[mirrored_name(name)][MIRROR] * [-1, 1, 1]
            assert np.allclose(mirror, fields[name], atol=1e-6), name


@pytest.mark.parametrize("channel, shape", [("jaw_open", "jawOpen"), ("mouth_wide", "mouthStretchLeft"),
                                            ("mouth_round", "mouthFunnel"), ("lip_tuck", "mouthRollLower")])
def test_our_shapes_at_full_strength_read_as_1(channel, shape):
    w = _weights({channel: 1.0})
    assert w[INDEX[shape]] == pytest.approx(1.0, abs=0.02)
    half = _weights({channel: 0.5})
    assert half[INDEX[shape]] == pytest.approx(0.5, abs=0.03)  # linear below saturation


def test_jaw_open_is_nothing_but_jaw_open():
    w = _weights({"jaw_open": 1.0})
    others = np.delete(w, INDEX["jawOpen"])
    assert others.max() < 0.01


@pytest.mark.parametrize("emotion, expected", [
    ("emo_happy", {"mouthSmileLeft", "mouthSmileRight", "cheekSquintLeft", "cheekSquintRight"}),
    ("emo_sad", {"browInnerUp", "mouthFrownLeft", "mouthFrownRight"}),
    ("emo_angry", {"browDownLeft", "browDownRight", "mouthPressLeft", "mouthPressRight"}),
    ("emo_surprised", {"browInnerUp", "eyeWideLeft", "eyeWideRight", "jawOpen"}),
    ("emo_disgusted", {"noseSneerLeft", "noseSneerRight", "mouthUpperUpLeft", "mouthUpperUpRight"}),
])
def test_emotions_read_as_their_facs_shapes(emotion, expected):
    w = _weights({emotion: 1.0})
    for name in expected:
        assert w[INDEX[name]] > 0.6, (name, _top(w, 8))
    if emotion == "emo_happy":  # a smile's parted lips are not an "O" (surprise's are)
        assert w[INDEX["mouthFunnel"]] < 0.1 < _weights({"emo_surprised": 1.0})[INDEX["mouthFunnel"]]


def test_one_sided_contempt_is_the_performers_right_and_mirrors():
    w = _weights({"emo_contempt": 0.5})
    assert w[INDEX["mouthSmileRight"]] > 0.5 > w[INDEX["mouthSmileLeft"]] + 0.4
    face = compose({"emo_contempt": np.array([0.5], np.float32)}, 1)[0]
    mirrored = face[MIRROR] * [-1, 1, 1]  # the same face seen in a mirror
    wm = solve_shapes(mirrored[None])[0]
    for name in ARKIT_SHAPES:
        assert wm[INDEX[name]] == pytest.approx(w[INDEX[mirrored_name(name)]], abs=0.02), name


def test_gaze_blink_and_head_come_from_the_channels():
    n = 5
    face = np.repeat(canonical_face()[None], n, axis=0)
    ch = {"gaze_yaw": np.array([0.0, SIDEWAYS_DEG, -SIDEWAYS_DEG / 2, 0, 0]),
          "gaze_pitch": np.array([0.0, 0, 0, UP_DEG, -10.0]),
          "blink": np.array([0.0, 0, 0, 0, 1.0]), "head_yaw": np.arange(n, dtype=float)}
    c = solve(face, ch)
    # looking toward the performer's left (the image's right): left eye out, right eye in
    assert c.weight("eyeLookOutLeft")[1] == pytest.approx(1) and c.weight("eyeLookInRight")[1] == pytest.approx(1)
    assert c.weight("eyeLookInLeft")[2] == pytest.approx(0.5) and c.weight("eyeLookOutRight")[2] == pytest.approx(0.5)
    assert c.weight("eyeLookUpLeft")[3] == pytest.approx(1) and c.weight("eyeLookDownRight")[4] > 0.2
    assert c.weight("eyeBlinkLeft")[4] == pytest.approx(1) and c.weight("eyeBlinkRight")[0] < 0.01
    assert np.allclose(c.head[:, 0], np.arange(n)) and np.allclose(c.eyes[:, 0, 0], ch["gaze_yaw"])
    assert np.all(c.weights[:, INDEX["tongueOut"]] == 0)
    assert c.weights.min() >= 0 and c.weights.max() <= 1


def test_edits_carry_through_the_landmarks():
    n = 3
    base = {"jaw_open": np.zeros(n, np.float32)}
    edited = {"jaw_open": np.array([0.0, 0.4, 0.8], np.float32)}
    assert np.allclose(solve(compose(base, n), base).weight("jawOpen"), 0, atol=1e-3)
    assert np.allclose(solve(compose(edited, n), edited).weight("jawOpen"), edited["jaw_open"], atol=0.02)


def test_inverse_gives_head_gaze_and_mouth_back():
    t = np.arange(300)
    ch = {"jaw_open": np.clip(np.sin(t / 7) * 0.5, 0, 1), "mouth_round": np.clip(np.cos(t / 11) * 0.4, 0, 1),
          "emo_sad": np.where((t > 150) & (t < 250), 0.3, 0.0), "head_yaw": np.sin(t / 30) * 10,
          "head_roll": np.cos(t / 40) * 4, "gaze_pitch": np.cos(t / 20) * 8, "gaze_yaw": np.sin(t / 9) * 12}
    ch = {k: v.astype(np.float32) for k, v in ch.items()}
    values = livelink_values(solve(compose(ch, len(t)), ch))
    back = capture_channels(values[:, :52], values[:, 52:])
    for name in ("head_yaw", "head_roll", "gaze_yaw", "gaze_pitch"):
        assert np.abs(back[name] - ch[name]).max() < 1e-4, name
    assert "head_pitch" in back and np.abs(back["head_pitch"]).max() < 1e-6
    assert np.abs(back["jaw_open"] - ch["jaw_open"]).max() < 0.02
    assert np.abs(back["mouth_round"] - ch["mouth_round"]).mean() < 0.02
    assert np.abs(back["emo_sad"] - ch["emo_sad"]).max() < 0.08
    only_head = capture_channels(values[:, :52], values[:, 52:], groups=("head",))
    assert set(only_head) == {"head_yaw", "head_pitch", "head_roll"}


def test_a_capture_without_rotations_leaves_the_head_alone_and_reads_gaze_from_the_looks():
    w = np.zeros((4, 52))
    w[:, INDEX["eyeLookOutLeft"]] = w[:, INDEX["eyeLookInRight"]] = 0.5
    back = capture_channels(w, np.zeros((4, 9)))
    assert "head_yaw" not in back
    assert np.allclose(back["gaze_yaw"], SIDEWAYS_DEG / 2)
