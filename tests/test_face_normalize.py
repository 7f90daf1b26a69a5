"""Normalized space: exact round trips, pose recovery, angle conventions."""

import numpy as np
import pytest

from talkface_studio.core.errors import ValidationError
from talkface_studio.face.geometry import angles_from_rotation, rotation_from_angles
from talkface_studio.face.normalize import Pose, denormalize, normalize
from talkface_studio.face.topology import canonical_face


def posed(yaw, pitch, roll, scale=140.0, t=(256.0, 240.0, 3.0), face=None):
    face = canonical_face() if face is None else face
    return denormalize(face, Pose.from_angles(yaw, pitch, roll, scale, t))


@pytest.mark.parametrize("angles", [(0, 0, 0), (25, -10, 7), (-38, 20, -15), (5, 30, 40)])
def test_pose_is_recovered_from_a_rotated_face(angles):
    rng = np.random.default_rng(1)
    face = canonical_face() + rng.normal(0, 0.002, (478, 3))  # tracker jitter
    normalized, pose = normalize(posed(*angles, face=face))
    assert np.allclose([pose.yaw, pose.pitch, pose.roll], angles, atol=0.5)
    assert pose.scale == pytest.approx(140.0, rel=0.01)
    np.testing.assert_allclose(normalized, face, atol=0.01)


def test_mouth_motion_does_not_change_the_pose():
    face = canonical_face()
    face[[13, 14, 17, 152, 61, 291]] += [0, 0.2, 0]  # jaw drops
    _, pose = normalize(posed(12, 4, -3, face=face))
    assert np.allclose([pose.yaw, pose.pitch, pose.roll], [12, 4, -3], atol=0.05)


def test_normalize_and_denormalize_are_exact_inverses():
    rng = np.random.default_rng(0)
    px = posed(17, -8, 5) + rng.normal(0, 1.5, (478, 3))
    n, pose = normalize(px)
    np.testing.assert_allclose(denormalize(n, pose), px, atol=1e-5)
    n2, pose2 = normalize(denormalize(n, pose))
    np.testing.assert_allclose(n2, n, atol=1e-5)
    # a whole take at once
    take = np.stack([n, n * 1.01])
    np.testing.assert_allclose(denormalize(take, pose)[0], px, atol=1e-5)


def test_pose_round_trips_through_json():
    pose = Pose.from_angles(10, -5, 3, 120.0, (1, 2, 3))
    back = Pose.from_json(pose.to_json())
    np.testing.assert_allclose(back.rotation, pose.rotation, atol=1e-7)
    assert (back.yaw, back.pitch, back.roll) == pytest.approx((10, -5, 3), abs=1e-5)


def test_angles_follow_the_viewer_conventions():
    nose = np.array([0.0, 0.0, -1.0])  # a point toward the camera
    assert (rotation_from_angles(20, 0, 0) @ nose)[0] > 0.3  # yaw > 0: toward the image's right
    assert (rotation_from_angles(0, 20, 0) @ nose)[1] < -0.3  # pitch > 0: up (y is down)
    right = np.array([1.0, 0.0, 0.0])
    assert (rotation_from_angles(0, 0, 20) @ right)[1] < -0.3  # roll > 0: counter-clockwise as seen
    r = rotation_from_angles(np.array([10.0, -30]), np.array([5.0, 12]), np.array([-7.0, 60]))
    assert r.shape == (2, 3, 3)
    assert angles_from_rotation(r[1]) == pytest.approx((-30, 12, 60))
    np.testing.assert_allclose(r[0] @ r[0].T, np.eye(3), atol=1e-12)


def test_bad_landmarks_are_refused():
    with pytest.raises(ValidationError):
        normalize(np.zeros((468, 3)))
    bad = canonical_face().astype(np.float64)
    bad[5, 0] = np.nan
    with pytest.raises(ValidationError):
        normalize(bad)
