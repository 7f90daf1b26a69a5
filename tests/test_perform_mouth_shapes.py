"""Mouth shapes: an open jaw makes a smooth arc (widest at the centre), not a box with vertical sides."""

import numpy as np
import pytest

from talkface_studio.face.topology import canonical_face
from talkface_studio.perform.blendshapes import BASES, compose
from talkface_studio.perform.face_fields import CORNERS, INNER_LOWER, INNER_UPPER, LIP_PAIRS, MM

LEVELS = (0.3, 0.6, 1.0)


def _relaxed_closed_mouth() -> np.ndarray:
    """The canonical face with its inner lip line straight from corner to corner, as trackers see a
    relaxed closed mouth (the canonical line bends up ~5 mm next to the corners, so on it alone
    the corner vertices would measure the canonical face, not the blendshape)."""
    rest = canonical_face().astype(np.float64)
    rest[np.r_[INNER_UPPER, INNER_LOWER], 1] = rest[INNER_LOWER[0], 1]
    return rest


def _segment_angles(points_xy: np.ndarray) -> np.ndarray:
    d = np.diff(points_xy, axis=0)
    return np.degrees(np.arctan2(d[:, 1], d[:, 0]))


@pytest.mark.parametrize("level", LEVELS)
def test_open_jaw_lower_lip_is_a_smooth_convex_arc(level):
    face = _relaxed_closed_mouth() + level * BASES["jaw_open"]
    angles = _segment_angles(face[INNER_LOWER, :2])  # corner to corner, y down
    turns = np.diff(angles)
    # convex everywhere (a "U" turns the same way at every vertex), with the bend spread along
    # the lip: a box would put nearly all of it at the two vertices next to the corners (their
    # turns are the smallest since the lips beside a corner follow it in, ``corner_bump``)
    assert np.all(turns < 0), turns
    assert np.abs(turns).max() < 25, turns
    inner = np.abs(turns[1:-1])
    assert max(abs(turns[0]), abs(turns[-1])) <= 1.1 * inner.max(), turns
    assert inner.max() < 3 * inner.min(), turns
    # no vertical sides: the lip leaves each corner at a slant
    assert abs(angles[0]) < 70 and abs(angles[-1]) < 70, angles


@pytest.mark.parametrize("channel", ["jaw_open", "mouth_round"])
def test_opening_is_widest_at_the_centre_and_tapers_to_the_corners(channel):
    up, low = LIP_PAIRS[:, 0], LIP_PAIRS[:, 1]
    expr = compose({channel: np.array(LEVELS)}, len(LEVELS))
    gap = (expr[:, low, 1] - expr[:, up, 1]) / MM  # pairs ordered corner to corner
    mid = len(up) // 2
    for g in gap:
        assert np.all(np.diff(g[: mid + 1]) > 0) and np.all(np.diff(g[mid:]) < 0), g  # rises to the centre
        assert g[0] < 0.5 * g[mid] and g[-1] < 0.5 * g[mid], g  # tapers: no flat-bottomed slot


def test_open_jaw_corners_move_down_a_little_and_inward_upper_lip_barely():
    jaw = BASES["jaw_open"] / MM
    centre_drop = jaw[INNER_LOWER[len(INNER_LOWER) // 2], 1]
    right, left = CORNERS
    for corner in CORNERS:
        assert 0.15 * centre_drop < jaw[corner, 1] < 0.45 * centre_drop
    assert jaw[right, 0] > 1 and jaw[left, 0] < -1  # toward the midline
    upper_centre = INNER_UPPER[len(INNER_UPPER) // 2]
    assert -3 < jaw[upper_centre, 1] < 0  # a slight lift off the teeth, no more


def test_open_jaw_keeps_the_lower_lip_thickness_at_the_centre():
    face = canonical_face() + BASES["jaw_open"]
    rest = canonical_face()
    inner, outer = 14, 17  # midline of the lower lip: inner edge, outer edge
    thickness = (face[outer, 1] - face[inner, 1]) / MM
    rest_thickness = (rest[outer, 1] - rest[inner, 1]) / MM
    assert abs(thickness - rest_thickness) < 1.5
