"""A turned head's far mouth corner shows no dark notch. At ~25 degrees of yaw the far corner's
commissure is squeezed into a few pixels, and the coarse displacement grid's bilinear upsampling
used to sample the portrait's dark corner pit (or its own opening) into the skin just outside the
frame's corner: a small brown/dark blob. Measured against the same frame warped exactly at every
pixel (grid = output size), which has no such blob: around the far corner, outside the opening,
the frame must not be much darker than that."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import binary_dilation
from skimage.draw import polygon2mask

from gallery_portraits import fitted_portrait
from talkface_studio.render.mesh_warp.face_loops import INNER_LOWER_LIP, INNER_UPPER_LIP, MOUTH_CORNERS
from talkface_studio.render.mesh_warp.renderer import MeshWarpRenderer

SIZE = 512
OUTER_CORNERS = (61, 291)


def smiling_open_mouth(fit, yaw: float) -> np.ndarray:
    """Landmarks [478, 3] at SIZE px: the portrait's neutralized face smiling with its jaw open (the
    frame of the close-ups where the notch showed), head turned by ``yaw`` degrees."""
    from talkface_studio.face.relocate import relocate
    from talkface_studio.perform.blendshapes import compose
    from talkface_studio.perform.neutralize import neutralize_identity

    identity = neutralize_identity(np.asarray(fit.landmarks, np.float32))[0]
    expr = compose({"jaw_open": np.array([0.7], np.float32), "emo_happy": np.array([1.0], np.float32)}, 1)
    return relocate(identity, expr, {"head_yaw": np.array([yaw], np.float32)},
                    scale=SIZE / fit.image.shape[0])[0].astype(np.float64)


def _luma(img: np.ndarray) -> np.ndarray:
    return img[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114])


def darker_than_exact(img: np.ndarray, exact: np.ndarray, lm: np.ndarray) -> float:
    """How much darker (luma, 2nd-highest pixel) the frame is than the exact warp within 0.08 mouth
    widths of the far inner corner, outside the opening (inner-lip polygon grown by a pixel)."""
    far = int(np.argmax(lm[list(OUTER_CORNERS), 2]))          # the corner further from the camera
    corner = lm[MOUTH_CORNERS[far], :2]
    width = float(np.linalg.norm(lm[OUTER_CORNERS[1], :2] - lm[OUTER_CORNERS[0], :2]))
    ring = np.concatenate([lm[[MOUTH_CORNERS[0]], :2], lm[INNER_UPPER_LIP, :2], lm[[MOUTH_CORNERS[1]], :2],
                           lm[INNER_LOWER_LIP[::-1], :2]])
    opening = binary_dilation(polygon2mask(img.shape[:2], ring[:, ::-1]), iterations=1)
    yy, xx = np.mgrid[0:img.shape[0], 0:img.shape[1]]
    near = (np.hypot(xx + 0.5 - corner[0], yy + 0.5 - corner[1]) < 0.08 * width) & ~opening
    assert near.sum() > 20
    excess = np.sort((_luma(exact) - _luma(img))[near])
    return float(excess[-2])


@pytest.fixture(scope="module")
def renderers():
    return MeshWarpRenderer(device="cpu"), MeshWarpRenderer(device="cpu", grid=SIZE)


@pytest.mark.parametrize("name", ["astronaut", "smiling_man"])
@pytest.mark.parametrize("yaw", [-25.0, 25.0])
def test_the_far_mouth_corner_of_a_turned_head_has_no_dark_notch(renderers, name, yaw):
    fit = fitted_portrait(name, SIZE)
    lm = smiling_open_mouth(fit, yaw)
    img = next(renderers[0].render(fit, lm[None], SIZE))
    exact = next(renderers[1].render(fit, lm[None], SIZE))
    assert darker_than_exact(img, exact, lm) < 12.0   # was 23-140 (22.9 smiling_man -25) before the corners were refined


def test_straight_on_the_corners_are_left_to_the_coarse_grid(renderers, monkeypatch):
    """The refinement only starts as the head turns: a straight frame is rendered as before."""
    from talkface_studio.render.mesh_warp import lip_contact

    corner_windows = []
    real = lip_contact.rasterize_window

    def spy(*args, only=None):
        if only is None:                       # the corner's window: every triangle
            corner_windows.append(args[4:6])
        return real(*args, only=only)
    monkeypatch.setattr(lip_contact, "rasterize_window", spy)
    fit = fitted_portrait("astronaut", SIZE)
    next(renderers[0].render(fit, smiling_open_mouth(fit, 0.0)[None], SIZE))
    assert corner_windows == []
    next(renderers[0].render(fit, smiling_open_mouth(fit, 25.0)[None], SIZE))
    assert len(corner_windows) == 1
