"""Drawn teeth take the white of the portrait's eyes only where that can be a white: behind tinted
glasses, in a squint or a shadow the "sclera" read from the photo is lens, lid or skin, and teeth
drawn from it came out orange. Measured on a rendered frame of a real portrait (an older woman in
amber-tinted, thick-framed glasses, her mouth closed in the photo) and on the colour rule itself."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from skimage.draw import polygon2mask

from talkface_studio.face.portrait import fit_portrait
from talkface_studio.face.relocate import relocate
from talkface_studio.perform.blendshapes import compose
from talkface_studio.perform.neutralize import neutralize_identity
from talkface_studio.render.mesh_warp.face_loops import INNER_LOWER_LIP, INNER_UPPER_LIP
from talkface_studio.render.mesh_warp.mouth_look import LUMA, mouth_colours
from talkface_studio.render.registry import get_renderer

SIZE = 256
GLASSES = Path(__file__).resolve().parent / "data" / "portraits" / "more" / "older_woman_thick_glasses.jpg"


def chroma(rgb) -> float:
    """Colourfulness per unit luminance (0 for any grey)."""
    rgb = np.asarray(rgb, np.float64)
    lum = float(rgb @ LUMA)
    return float(np.linalg.norm(rgb - lum) / max(lum, 1.0))


@pytest.fixture(scope="module")
def frame_and_landmarks():
    fit = fit_portrait(GLASSES, size=SIZE)
    identity, _ = neutralize_identity(np.asarray(fit.landmarks, np.float64))
    lm = relocate(identity, compose({"jaw_open": np.array([0.7], np.float32)}, 1), {})[0]
    frame = next(get_renderer("mesh_warp", device="cpu").render(fit, lm[None].astype(np.float32), SIZE))
    return frame, lm


def test_teeth_drawn_behind_tinted_glasses_are_white_not_the_lens_colour(frame_and_landmarks):
    frame, lm = frame_and_landmarks
    loop = np.concatenate([lm[INNER_UPPER_LIP, :2], lm[INNER_LOWER_LIP[::-1], :2]])
    inside = frame[polygon2mask((SIZE, SIZE), loop[:, ::-1])].astype(np.float64)
    lum = inside @ LUMA
    teeth = np.median(inside[lum >= np.quantile(lum, 0.8)], axis=0)       # the lit teeth
    # the lit skin: the brighter half of patches on both cheeks (mid-cheek landmarks 205, 425)
    patches = [frame[int(y) - 5:int(y) + 5, int(x) - 5:int(x) + 5].reshape(-1, 3) for x, y in lm[[205, 425], :2]]
    skin_px = np.concatenate(patches).astype(np.float64)
    skin = np.median(skin_px[skin_px @ LUMA >= np.median(skin_px @ LUMA)], axis=0)
    # before: orange teeth, 1.56 times as colourful as the ruddy skin (0.80 against 0.51 chroma per
    # luminance); now 0.74 times (0.38: a warm white, mixed with the lips at the opening's edge)
    assert chroma(teeth) < 0.9 * chroma(skin), (teeth, skin)
    assert teeth @ LUMA > 100, teeth                                        # teeth, not a dark hole


def test_a_sclera_that_can_be_white_sets_the_teeths_balance_and_one_that_cannot_is_replaced():
    lip, skin = np.array([200, 110, 90.0]), np.array([240, 160, 125.0])
    # a plausible white (cool light): the teeth follow its balance
    cool = mouth_colours(lip, np.array([200, 205, 225.0]), skin, None, grey=False)["teeth"]
    assert cool[2] > cool[0] - 12
    # amber lenses over the eyes: the "sclera" is orange; the teeth are not
    amber = mouth_colours(lip, np.array([120, 46, 34.0]), skin, None, grey=False)["teeth"]
    assert chroma(amber) < 0.6 * chroma(skin) and amber @ LUMA > 0.8 * (skin @ LUMA), amber
    assert amber[0] >= amber[1] >= amber[2]                                 # warm like the light, not blue
    # a greyscale portrait stays grey whatever was read
    grey = mouth_colours(np.full(3, 120.0), np.full(3, 60.0), np.full(3, 180.0), None, grey=True)["teeth"]
    assert np.ptp(grey) < 0.5
