"""The pixel-ops seam: the numpy/OpenCV operations (CPU path) do what the torch ones (GPU path) do,
so the drawing modules written once against it draw the same on both."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from talkface_studio.render.mesh_warp.pixel_ops import NUMPY
from talkface_studio.render.mesh_warp.pixel_ops_torch import TORCH
from talkface_studio.render.mesh_warp.pixel_window import window_grid
from talkface_studio.render.mesh_warp.resize_aa import resize_antialiased
from talkface_studio.render.mesh_warp.rim_frame import profiles

RNG = np.random.default_rng(3)


@pytest.mark.parametrize("zeros", [False, True])
@pytest.mark.parametrize("channels", [1, 3, 5])
def test_sampling_matches_grid_sample(zeros, channels):
    """Bilinear at any position, border repeated (or zeros) outside, 5-channel atlases included.
    OpenCV's remap rounds positions to 1/32 px on each axis: on noise of values 0..255 that is
    within 2 x 255/64 of exact, and well under a level on a smooth, photo-like image."""
    tex = (RNG.random((40, 56, channels)) * 255).astype(np.float32)
    px = np.stack([RNG.uniform(-6, 62, (17, 23)), RNG.uniform(-6, 46, (17, 23))], -1).astype(np.float32)
    got = NUMPY.sample(tex, px, zeros=zeros)
    like = torch.zeros(1)
    want = TORCH.sample(TORCH.texture(tex, like), torch.from_numpy(px), zeros=zeros).numpy()
    assert got.shape == want.shape == (channels, 17, 23)
    assert np.abs(got - want).max() <= 2 * 255 / 64 + 1e-3
    smooth = resize_antialiased(tex[..., :3] if channels >= 3 else np.repeat(tex, 3, 2), 8)
    smooth = resize_antialiased(smooth, 64)                # a photo-like, smooth texture
    inside = np.clip(px * 1.1, 0.5, 63.5)             # (the step to zeros outside is an edge)
    a = NUMPY.sample(smooth, inside, zeros=zeros)
    b = TORCH.sample(TORCH.texture(smooth, like), torch.from_numpy(inside), zeros=zeros).numpy()
    assert np.abs(a - b).max() < 1.0
    # a flat list of positions (any leading shape) samples the same
    flat = NUMPY.sample(tex, px.reshape(-1, 2), zeros=zeros)
    assert flat.shape == (channels, 17 * 23) and np.array_equal(flat, got.reshape(channels, -1))


def test_curve_lookup_and_windows_match():
    curves = [(np.array([0.0, 0.3, 1.0]), np.array([2.0, -1.0, 5.0])), (np.array([0.1, 0.9]), np.array([0.0, 1.0]))]
    u = RNG.uniform(-0.2, 1.2, (9, 31)).astype(np.float32)
    got = profiles(u, curves)
    want = profiles(torch.from_numpy(u), curves)
    for g, w in zip(got, want):
        assert isinstance(g, np.ndarray) and np.abs(g - w.numpy()).max() < 1e-4
    assert np.array_equal(window_grid(5, 7, 4, 3, np.zeros(1)), window_grid(5, 7, 4, 3, torch.zeros(1)).numpy())
    assert window_grid(5, 7, 4, 3, np.zeros(1))[2, 3].tolist() == [8.5, 9.5]


@pytest.mark.parametrize("shape,size", [((700, 700), 512), ((112, 112), 512), ((300, 420), 256)])
def test_portrait_resize_is_torchs_antialiased_bilinear(shape, size):
    img = RNG.integers(0, 256, shape + (3,)).astype(np.uint8)
    want = F.interpolate(torch.from_numpy(img).permute(2, 0, 1)[None].float(), size=(size, size), mode="bilinear",
                         align_corners=False, antialias=True).clamp(0, 255)[0].permute(1, 2, 0).numpy()
    assert np.abs(resize_antialiased(img, size) - want).max() < 2e-3
