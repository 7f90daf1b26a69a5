"""Lips never turn inside out. A press made on the canonical face (anger's AU24 with an /m/'s
closure) moved the upper lip's outline ~5 mm down onto lips 2-5 mm thick, and seen from a little
above the outline projects lower still: the lip's triangles folded over, the rasteriser left them
out, and closed lips showed a ragged seam with flecks and hooks (the small greyscale portrait, the
112-px crop). Relocation keeps each ring of a lip at ``LIP_KEEP`` of its own distance from the rim
(``relocate._keep_lips_thick``, tested in test_face_relocate.py) and the renderer does the same in
the image (``lip_contact.keep_lips_whole``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from held_take import DATA, held_take
from talkface_studio.face.relocate import LIP_KEEP
from talkface_studio.face.topology import LOWER_LIP_RINGS, UPPER_LIP_RINGS
from talkface_studio.render.mesh_warp.lip_contact import _lip_triangles, keep_lips_whole
from talkface_studio.render.mesh_warp.renderer import MeshWarpRenderer
from talkface_studio.render.mesh_warp.unfold_expression import frame_landmarks
from talkface_studio.render.mesh_warp.warp_mesh import signed_areas

SIZE = 384
PORTRAITS = DATA / "portraits"


def _normal(lm):
    a, b = lm[78, :2], lm[308, :2]
    ex = (b - a) / np.linalg.norm(b - a)
    return np.array([-ex[1], ex[0]])


def _offsets(lm, rings, outwards):
    """Each ring's distance outwards from its lip's rim along the mouth's normal, [3, 9] px."""
    return outwards * ((lm[rings[1:], :2] - lm[rings[0], :2][None]) @ _normal(lm))


@lru_cache(maxsize=None)
def _take(name: str, emotion: str, folder: str):
    return held_take(Path(folder), PORTRAITS / name, emotion, SIZE)


def test_a_lip_pressed_past_its_rim_is_made_whole_and_the_rims_stay(tmp_path):
    fit, lms = _take("smiling_man.jpg", "neutral", str(tmp_path))
    src = MeshWarpRenderer("cpu").prepare(fit, SIZE).guard.src      # the photo's landmarks, output px
    assert keep_lips_whole(src, src) is src                          # the photo itself: nothing moves
    lm = lms[0].copy()
    pressed = lm.copy()
    down = 3.0 * _normal(lm)
    pressed[UPPER_LIP_RINGS[1:].ravel(), :2] = pressed[UPPER_LIP_RINGS[0], :2].repeat(3, 0) + down  # past the rim
    pressed[LOWER_LIP_RINGS[1:].ravel(), :2] = pressed[LOWER_LIP_RINGS[0], :2].repeat(3, 0) - down
    out = keep_lips_whole(pressed, src)
    for rings, outwards in ((UPPER_LIP_RINGS, -1.0), (LOWER_LIP_RINGS, 1.0)):
        own = _offsets(src, rings, outwards)
        assert _offsets(pressed, rings, outwards).max() < 0              # inside out before
        np.testing.assert_allclose(_offsets(out, rings, outwards), np.minimum(LIP_KEEP * own, own), atol=1e-6)
        np.testing.assert_array_equal(out[rings[0]], pressed[rings[0]])  # the rims stay
    others = np.setdiff1d(np.arange(478), np.concatenate([UPPER_LIP_RINGS[1:].ravel(), LOWER_LIP_RINGS[1:].ravel()]))
    np.testing.assert_array_equal(out[others], pressed[others])
    np.testing.assert_array_equal(out[:, 2], pressed[:, 2])


@pytest.mark.parametrize("name, emotion, most", [("glasses_greyscale_small.ppm", "angry", 4.0),
                                                 ("smiling_man.jpg", "angry", 1.0)])
def test_an_angry_take_folds_almost_no_lip_triangle(tmp_path, name, emotion, most):
    """Lip triangles the frame turns over (signed area against the photo's), per frame of a real
    take: measured 30.5 (greyscale portrait) and 22.3 (smiling man) before, 1.8 and 0.09 after
    (what is left sits at the mouth corners, where a turned head folds the commissure)."""
    fit, lms = _take(name, emotion, str(tmp_path))
    renderer = MeshWarpRenderer("cpu")
    prep = renderer.prepare(fit, SIZE)
    tris = prep.mesh.triangles[_lip_triangles(prep.mesh)]
    ref = np.sign(signed_areas(prep.mesh.src, tris))
    folded = []
    for lm in lms:
        pts, _ = renderer._mesh_points(prep, frame_landmarks(lm, prep.guard))
        folded.append(np.count_nonzero(signed_areas(pts, tris) * ref < -0.5))
    assert np.mean(folded) < most, folded
