"""The skin under the lower lip shares its stretch down to the chin (``render/mesh_warp/chin_skin``).

A lower lip that rises on its own (a closure, a smiling portrait's parted lips closed by its
neutral take) stretched only the strip of triangles right under it: up to 2.0 times the photo's
height over a take of the smiling man, the strips below unmoved, and stubble or the labiomental
fold there smeared into vertical streaks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gallery_portraits import fitted_portrait
from held_take import DATA, held_take
from talkface_studio.face.topology import REGIONS
from talkface_studio.render.mesh_warp.chin_skin import CHAINS, share_chin_stretch
from talkface_studio.render.mesh_warp.renderer import MeshWarpRenderer
from talkface_studio.render.mesh_warp.unfold_expression import frame_landmarks


def _strips(lm) -> np.ndarray:
    """[5, 3] lengths of the three strips of each chain, from the lip down."""
    return np.stack([np.linalg.norm(lm[CHAINS[:, k + 1], :2] - lm[CHAINS[:, k], :2], axis=1) for k in range(3)], 1)


def test_a_lip_risen_alone_shares_its_stretch_equally_down_to_the_chin():
    src = np.asarray(fitted_portrait("smiling_man").landmarks, np.float64)
    lower = np.intersect1d(REGIONS["lips"], np.flatnonzero(src[:, 1] > src[[13, 14], 1].mean()))
    risen = src.copy()
    risen[lower, 1] -= 6.0                              # the lower lip up 6 px, the chin stays
    out = share_chin_stretch(risen, src, 1.0)
    extra = _strips(out) - _strips(src)
    excess = _strips(risen)[:, 0] - _strips(src)[:, 0]
    assert excess.min() > 3.0
    np.testing.assert_allclose(extra, np.repeat(excess[:, None] / 3, 3, 1), atol=0.35)   # 1/3 each
    moved = np.flatnonzero(np.any(out != risen, axis=1))
    assert set(moved) == set(CHAINS[:, 1:3].ravel())    # the two rows under the lip, nothing else
    dropped = src.copy()
    dropped[lower, 1] += 4.0                            # a lower lip that drops shortens the strip
    assert share_chin_stretch(dropped, src, 1.0) is dropped
    assert share_chin_stretch(src, src, 1.0) is src


def test_a_take_stretches_no_strip_under_the_lip_to_twice_its_height(tmp_path):
    fit, lms = held_take(Path(tmp_path), DATA / "portraits" / "smiling_man.jpg", "neutral", 384)
    prep = MeshWarpRenderer("cpu").prepare(fit, 384)
    own = _strips(prep.guard.src)
    worst = max(float((_strips(frame_landmarks(lm, prep.guard)) / own).max()) for lm in lms)
    assert worst < 1.6, worst                           # 2.02 before, all in the strip under the lip
