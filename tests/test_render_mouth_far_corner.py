"""A turned head's open mouth is drawn out to its far end (``mouth._seen_rims``).

The far inner corner lies deeper than the lip beside it, so with the head turned the upper inner lip
projects past it and the inner-lip loop doubles back: drawn between the corner landmarks, the
opening left that end of the loop undrawn, and the portrait's stretched lip showed there as a
pale wedge inside the open mouth (the turned man with glasses, 512 px)."""

import numpy as np
import pytest
from matplotlib.path import Path as PolygonPath

from held_take import DATA, held_take
from talkface_studio.render.mesh_warp import mouth
from talkface_studio.render.mesh_warp.rim_frame import rim_strips

SIZE = 512


def drawn_share(lm: np.ndarray, rims) -> tuple[float, int]:
    """(share of the pixels inside the inner-lip loop that the opening covers, their number)."""
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    loop = PolygonPath(lm[mouth._INNER_LOOP, :2]).contains_points(np.c_[xx.ravel() + 0.5, yy.ravel() + 0.5])
    drawn = np.zeros((SIZE, SIZE))
    for rf in rim_strips(*rims, SIZE, 2.0, np.zeros((3, SIZE, SIZE), np.float32), round_ends=mouth.ROUND_ENDS,
                         smooth=True):
        opening = mouth._ramp(rf.inside(), 1.3) * mouth._ramp(np.minimum(rf.u, 1 - rf.u) * rf.width, 1.0)
        window = drawn[rf.y0:rf.y0 + rf.h, rf.x0:rf.x0 + rf.w]
        np.maximum(window, opening, out=window)
    inside = loop.reshape(SIZE, SIZE)
    return float((drawn[inside] > 0.5).mean()), int(inside.sum())


@pytest.fixture(scope="module")
def turned(tmp_path_factory):
    portrait = DATA / "portraits" / "more" / "turned_glasses_beard_pair.jpg"
    return held_take(tmp_path_factory.mktemp("turned"), portrait, "neutral", SIZE)[1]


def test_the_far_end_of_a_turned_open_mouth_is_drawn(turned):
    resplit, before, after = 0, [], []
    for lm in turned:
        corners, seen = mouth._rims(lm), mouth._seen_rims(lm)
        if np.array_equal(corners[0], seen[0]) and np.array_equal(corners[1], seen[1]):
            continue
        resplit += 1
        share, pixels = drawn_share(lm, corners)
        if pixels >= 400:  # an open mouth
            before.append(share)
            after.append(drawn_share(lm, seen)[0])
    assert resplit >= 10 and len(after) >= 4
    assert min(before) < 0.9                       # what the corners left undrawn
    assert min(after) >= 0.96 and np.mean(after) > np.mean(before) + 0.03


def test_a_mouth_seen_straight_on_keeps_its_corners(tmp_path):
    _, lms = held_take(tmp_path, DATA / "portraits" / "smiling_man.jpg", "surprised", SIZE)
    for lm in lms[::3]:
        corners, seen = mouth._rims(lm), mouth._seen_rims(lm)
        assert all(np.array_equal(a, b) for a, b in zip(corners, seen))
