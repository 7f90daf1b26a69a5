"""A raised brow takes its hair with it (``render/mesh_warp/brow_hair``).

The tracker's lower brow row runs through the middle of a thick brow (3-6 mm of hair below it on
the smiling man, the small greyscale portrait, the 112-px crop), so a raised brow stretched the hair
below that row down towards the eye: held in surprise the smiling man's brows were dark to 2.4
times as far below the row as the photo's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.ndimage import map_coordinates

from gallery_portraits import fitted_portrait
from held_take import DATA, held_take
from talkface_studio.render.mesh_warp.brow_hair import BELOW, LOWER, UPPER, carry_brow_hair, hair_shares
from talkface_studio.render.mesh_warp.renderer import MeshWarpRenderer
from talkface_studio.render.mesh_warp.unfold_expression import frame_landmarks, frame_zoom

SIZE = 384
MIDDLE = [1, 2, 3, 7, 8]    # the columns over each eye's middle (PAIRS)
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def _photo(name):
    fit = fitted_portrait(name)
    return np.asarray(fit.image)[..., :3], np.asarray(fit.landmarks, np.float64)


def test_thick_brows_have_hair_below_the_tracker_row_and_thin_ones_none():
    rgb, lm = _photo("smiling_man")
    assert hair_shares(rgb, lm)[MIDDLE].min() > 0.8
    rgb, lm = _photo("astronaut")                      # plucked brows: the hair ends at the row
    assert hair_shares(rgb, lm).max() < 0.1


def test_light_brows_and_glasses_under_the_brow_are_not_hair():
    rgb, lm = _photo("smiling_man")
    grey = np.full_like(rgb, 150)                      # no contrast between brow and skin
    assert not hair_shares(grey, lm).any()
    stop = np.ones(rgb.shape[:2], np.float32)          # a frame right under every brow
    assert not hair_shares(rgb, lm, stop).any()


def test_only_a_stretched_strip_is_carried_and_by_its_share():
    _, src = _photo("smiling_man")
    shares = np.linspace(0.0, 1.0, len(LOWER))
    raised = src.copy()
    brows = np.unique(np.concatenate([UPPER, LOWER]))
    raised[brows, 1] -= 10.0                           # brows up 10 px, the row below stays
    out = carry_brow_hair(raised, src, shares, 1.0)
    rest = np.linalg.norm(src[BELOW, :2] - src[LOWER, :2], axis=1)
    before = np.linalg.norm(raised[BELOW, :2] - raised[LOWER, :2], axis=1)
    after = np.linalg.norm(out[BELOW, :2] - out[LOWER, :2], axis=1)
    np.testing.assert_allclose(after, rest + (1 - shares) * (before - rest), atol=1e-9)
    others = np.setdiff1d(np.arange(len(src)), BELOW)
    np.testing.assert_array_equal(out[others], raised[others])
    lowered = src.copy()
    lowered[brows, 1] += 3.0                           # a lowered brow compresses the strip: nothing moves
    assert carry_brow_hair(lowered, src, shares, 1.0) is lowered
    assert carry_brow_hair(raised, src, np.zeros(len(LOWER)), 1.0) is raised


def _dark_extent(lum, lm, up, lo, mid, reach):
    """px from the lower brow point down (along the brow's column) to where lum turns lighter than mid."""
    d = (lm[lo, :2] - lm[up, :2]) / np.linalg.norm(lm[lo, :2] - lm[up, :2])
    s = np.linspace(0.0, reach, 200)
    p = lm[lo, :2] + s[:, None] * d
    lighter = np.flatnonzero(map_coordinates(lum, [p[:, 1], p[:, 0]], order=1) > mid)
    return s[lighter[0]] if len(lighter) else reach


@pytest.mark.parametrize("name", ["smiling_man.jpg"])
def test_a_raised_brow_keeps_its_hair_about_as_thick_as_the_photo(tmp_path, name):
    fit, lms = held_take(Path(tmp_path), DATA / "portraits" / name, "surprised", SIZE)
    renderer = MeshWarpRenderer("cpu")
    prep = renderer.prepare(fit, SIZE)
    src = prep.guard.src
    photo = renderer.render_frame(prep, src).astype(np.float32) @ _LUMA   # the photo, drawn unmoved
    lm = lms[len(lms) // 2]
    frame = renderer.render_frame(prep, lm).astype(np.float32) @ _LUMA
    drawn = frame_landmarks(lm, prep.guard)
    zoom = frame_zoom(drawn, prep.guard)
    ratios = []
    for k in MIDDLE:
        up, lo, below = UPPER[k], LOWER[k], BELOW[k]
        inside = src[up, :2] + np.linspace(0, 1, 16)[:, None] * (src[lo, :2] - src[up, :2])
        hair = np.percentile(map_coordinates(photo, [inside[:, 1], inside[:, 0]], order=1), 20)
        strip = np.linalg.norm(src[below, :2] - src[lo, :2])
        skin_at = src[lo, :2] + np.linspace(0.5, 1.5, 20)[:, None] * (src[below, :2] - src[lo, :2])
        skin = np.percentile(map_coordinates(photo, [skin_at[:, 1], skin_at[:, 0]], order=1), 80)
        mid = 0.5 * (hair + skin)
        own = _dark_extent(photo, src, up, lo, mid, 3 * strip)
        ratios.append(_dark_extent(frame, drawn, up, lo, mid, 3 * strip * zoom) / zoom / own)
    # the brows rose ~12 mm; their hair reached 2.4x as far below the row as the photo's before
    assert np.median(ratios) < 1.9, ratios
