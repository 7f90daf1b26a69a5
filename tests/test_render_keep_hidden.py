"""An expression does not unfold what the photo shows turned away (``unfold_expression.keep_hidden``).

A face seen a little from one side folds behind its far cheek's outline in the photo: the mesh's
triangles between the outline and the points just beyond it face away. An expression that narrows
the cheek (contempt or a smile on the older man with his tongue out, the astronaut's smile relaxed
to neutral) moved those points in further than the outline and turned the triangles to the camera:
the warp unfolded a strip the photo never saw, refilled from the face's edge and pinched against
the background, a pale stepped line or a cut-off bright strip down the cheek. A real turn still
shows the far side (tests/test_render_unfolded_sheet.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from held_take import held_take
from talkface_studio.render.mesh_warp.raster import rasterize_displacement
from talkface_studio.render.mesh_warp.renderer import MeshWarpRenderer
from talkface_studio.render.mesh_warp.triangle_area import signed_areas
from talkface_studio.render.mesh_warp.unfold_expression import (HIDDEN_TURN, _posed, driving_landmarks,
                                                                unfold_expression)

DATA = Path(__file__).resolve().parent / "data"
SIZE = 512


@pytest.fixture(scope="module")
def contempt(tmp_path_factory):
    """(renderer, prepared portrait, driving landmarks of the frames whose head turns less than
    HIDDEN_TURN[0] out of the image plane) of the older man held in contempt."""
    photo, lms = held_take(tmp_path_factory.mktemp("hidden"), DATA / "portraits" / "more" / "older_man_tongue.jpg",
                           "contempt", SIZE)
    renderer = MeshWarpRenderer("cpu")
    prep = renderer.prepare(photo, SIZE)
    guard = prep.guard
    driving = [driving_landmarks(lm, guard) for lm in lms]
    small = [d for d in driving if np.degrees(np.arccos(np.clip(_posed(guard.src, d, guard.anchors)[1][2, 2],
                                                                -1.0, 1.0))) < HIDDEN_TURN[0]]
    assert len(small) >= 30, len(small)      # a talking head sways 1-6 degrees (here all 70 frames)
    return renderer, prep, small, driving


def _facing_area(lm: np.ndarray, guard) -> float:
    """px^2 of the triangles the photo shows turned away that face the camera in lm."""
    return float(np.clip(guard.facing * signed_areas(lm[:, :2], guard.hidden), 0.0, None).sum())


def _refilled(renderer, prep, lm: np.ndarray) -> int:
    """Coarse nodes the unfolded-sheet refill draws for frame landmarks lm."""
    pts, depth = renderer._mesh_points(prep, lm)
    refilled = np.zeros((prep.grid, prep.grid), bool)
    rasterize_displacement(prep.mesh, pts, depth, prep.grid, SIZE, refilled)
    return int(refilled.sum())


def test_contempt_no_longer_unfolds_the_far_cheek(contempt):
    """Over the take's frames with a small turn: turned-away area brought to face the camera
    7211 px^2 before, 0 now; coarse nodes the unfolded sheet refilled (every third frame) 426
    before, 7 now."""
    renderer, prep, frames, _ = contempt
    guard = prep.guard
    before = dataclasses.replace(guard, hidden=None)          # the guard without keep_hidden
    unfolded = [_facing_area(unfold_expression(d, before), guard) for d in frames]
    kept = [_facing_area(unfold_expression(d, guard), guard) for d in frames]
    assert sum(unfolded) > 40 * len(frames), sum(unfolded)
    assert sum(kept) < 0.02 * sum(unfolded), (sum(kept), sum(unfolded))
    refill_before = sum(_refilled(renderer, prep, unfold_expression(d, before)) for d in frames[::3])
    refill_after = sum(_refilled(renderer, prep, unfold_expression(d, guard)) for d in frames[::3])
    assert refill_before > 50 and refill_after < 0.1 * refill_before, (refill_before, refill_after)


def test_only_skin_beyond_the_outline_moves_and_not_far(contempt):
    """The outline, lips, lids, brows and irises keep their motion; the points it brings back are
    the few just beyond the outline, by about the expression's own size."""
    _, prep, frames, _ = contempt
    guard = prep.guard
    before = dataclasses.replace(guard, hidden=None)
    moved = np.array([np.linalg.norm(unfold_expression(d, guard)[:, :2] - unfold_expression(d, before)[:, :2], axis=1)
                      for d in frames])
    np.testing.assert_array_equal(moved[:, ~guard.free], 0.0)
    assert moved.max() > 1.0                                   # it acts on this take
    assert np.mean(moved.max(axis=0) > 0.5) < 0.05             # a few points (measured 0.025)
    expression = max(np.abs(d - _posed(guard.src, d, guard.anchors)[0])[:, :2].max() for d in frames)
    assert moved.max() < expression, (moved.max(), expression)


def test_keeping_it_turned_away_is_continuous_as_the_expression_grows(contempt):
    """No pop: from the photo's own landmarks to the frame that unfolded most, in 40 steps, the
    frame's landmarks step by about as much as the driving ones."""
    _, prep, frames, _ = contempt
    guard = prep.guard
    before = dataclasses.replace(guard, hidden=None)
    frame = frames[int(np.argmax([_facing_area(unfold_expression(d, before), guard) for d in frames]))]
    steps = np.linspace(0.0, 1.0, 41)
    outs = [unfold_expression(guard.src + s * (frame - guard.src), guard) for s in steps]
    step_in = np.abs(frame - guard.src)[:, :2].max() / (len(steps) - 1)
    jumps = [np.abs(b - a)[:, :2].max() for a, b in zip(outs, outs[1:])]
    assert max(jumps) < 4.0 * step_in, (max(jumps), step_in)


def test_only_the_strip_behind_the_outline_is_kept_not_the_features_own_folds(contempt):
    """What folds by a nostril or a mouth corner (a corner tucks in as the lips part) is the
    feature's own: held turned away too, the 3/4 man's upper lip twitched 6 px from one frame to
    the next in contempt. Only the turned-away triangles joined to the outline are kept."""
    _, prep, _, every = contempt
    from talkface_studio.face.topology import REGIONS
    hidden = prep.guard.hidden
    assert len(hidden) > 10
    features = np.concatenate([REGIONS[k] for k in ("lips", "left_eye", "right_eye", "nose")])
    assert not np.isin(hidden, features).any()
    # and from frame to frame no point steps more than 2 px beyond what drives it (measured 1.5)
    framed = np.array([unfold_expression(d, prep.guard)[:, :2] for d in every])
    driving = np.array(every)[:, :, :2]
    steps = np.linalg.norm(np.diff(framed, axis=0), axis=2) - np.linalg.norm(np.diff(driving, axis=0), axis=2)
    assert steps.max() < 2.0, steps.max()
