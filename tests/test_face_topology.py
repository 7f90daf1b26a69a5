"""The 478-point topology: triangles, regions, mirror map and the canonical face."""

import numpy as np

from talkface_studio.face.topology import (
    MIRROR, N_LANDMARKS, N_MESH_POINTS, REGIONS, TRIANGLES, canonical_face)

REQUIRED = ["lips_outer", "lips_inner", "upper_lip", "lower_lip", "left_eye", "right_eye",
            "left_upper_lid", "left_lower_lid", "right_upper_lid", "right_lower_lid", "left_iris",
            "right_iris", "left_brow", "right_brow", "nose", "jaw", "face_oval"]


def test_triangles_cover_the_mesh_once_each():
    assert TRIANGLES.dtype == np.int32 and TRIANGLES.shape[1] == 3
    assert 840 <= len(TRIANGLES) <= 860
    assert TRIANGLES.min() == 0 and TRIANGLES.max() == N_MESH_POINTS - 1
    assert len({tuple(sorted(t)) for t in TRIANGLES}) == len(TRIANGLES)
    assert set(np.unique(TRIANGLES)) == set(range(N_MESH_POINTS))


def test_triangles_are_consistently_wound_toward_the_camera():
    # Each interior edge is crossed once in each direction by its two triangles.
    directed = [(a, b) for t in TRIANGLES for a, b in ((t[0], t[1]), (t[1], t[2]), (t[2], t[0]))]
    assert len(set(directed)) == len(directed)
    c = canonical_face()
    p = c[TRIANGLES]
    normal_z = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])[:, 2]
    assert (normal_z < 0).mean() > 0.95  # the few others face sideways on the cheeks' silhouette


def test_regions_are_present_and_in_range():
    for name in REQUIRED:
        idx = REGIONS[name]
        assert len(idx) > 0, name
        assert idx.min() >= 0 and idx.max() < N_LANDMARKS, name
    assert set(REGIONS["left_iris"]) == set(range(473, 478))
    assert REGIONS["left_iris"][0] == 473 and REGIONS["right_iris"][0] == 468


def test_left_is_the_subjects_left_which_is_the_image_right():
    c = canonical_face()
    for left, right in [("left_eye", "right_eye"), ("left_brow", "right_brow"), ("left_iris", "right_iris")]:
        assert c[REGIONS[left], 0].mean() > 0.2 > -0.2 > c[REGIONS[right], 0].mean()


def test_mirror_is_an_involution_matching_mirrored_positions():
    assert np.array_equal(MIRROR[MIRROR], np.arange(N_LANDMARKS))
    c = canonical_face()
    mirrored = c[MIRROR] * np.array([-1, 1, 1])
    np.testing.assert_allclose(mirrored, c, atol=1e-5)  # the canonical face is symmetric
    assert MIRROR[33] == 263 and MIRROR[61] == 291 and MIRROR[468] == 473 and MIRROR[1] == 1
    for a, b in [("left_eye", "right_eye"), ("left_upper_lid", "right_upper_lid"), ("left_brow", "right_brow")]:
        assert set(MIRROR[REGIONS[a]]) == set(REGIONS[b])


def test_canonical_face_is_neutral_and_unit_scaled():
    c = canonical_face()
    assert c.shape == (N_LANDMARKS, 3) and c.dtype == np.float32
    np.testing.assert_allclose(c[33], [-0.5, 0, 0], atol=1e-5)
    np.testing.assert_allclose(c[263], [0.5, 0, 0], atol=1e-5)
    assert c[1, 2] < c[33, 2] - 0.2  # nose tip nearer the camera than the eye corners
    assert c[152, 1] > c[13, 1] > c[1, 1] > c[33, 1] > c[10, 1]  # chin, mouth, nose, eyes, forehead
    lip_gap = c[14, 1] - c[13, 1]
    assert abs(lip_gap) < 0.03  # lips closed
    width = c[291, 0] - c[61, 0]
    assert 0.5 < width < 0.7  # relaxed, not smiling
    c[0, 0] = 99.0  # a copy: callers cannot corrupt the shared face
    assert canonical_face()[0, 0] != 99.0
