"""Forehead lines laid on the portrait's own fold lines (``fold_snap``): moved onto a real valley
near them, left where the skin is smooth, not drawn to an edge or a lone dark spot."""

from __future__ import annotations

import numpy as np
import pytest

from talkface_studio.render.mesh_warp.fold_snap import REACH_MM, STEP_MM, densify, smoothed_luminance, snap_line

PX = 4.0                       # pixels per millimetre
SIZE = 200


def skin(add=None) -> np.ndarray:
    """A smooth skin patch [SIZE, SIZE, 3] with a gentle shading gradient; ``add`` darkens it."""
    ys, xs = np.mgrid[0:SIZE, 0:SIZE] + 0.5
    lum = 180.0 + 0.1 * ys + 0.05 * xs
    if add is not None:
        lum = lum * (1.0 - add(xs, ys))
    return np.repeat(lum[..., None], 3, axis=2)


def line_at(y: float) -> np.ndarray:
    pts, _ = densify(np.array([[30.0, y], [100.0, y - 2.0], [170.0, y]]), np.ones(3), STEP_MM * PX)
    return pts


def snapped(image, y=100.0):
    pts = line_at(y)
    return pts, snap_line(smoothed_luminance(image, PX), pts, PX)


def test_a_line_moves_onto_the_photos_own_fold_nearby():
    fold_y = 100.0 + 1.8 * PX                     # 1.8 mm below the canonical line, within reach
    image = skin(lambda xs, ys: 0.12 * np.exp(-0.5 * ((ys - fold_y) / (0.5 * PX)) ** 2))
    pts, moved = snapped(image)
    middle = slice(len(pts) // 4, 3 * len(pts) // 4)
    # the canonical line bends by 2 px; the fold is straight: it follows the fold
    assert np.abs(moved[middle, 1] - fold_y).max() < 0.3 * PX
    assert np.abs(moved[:, 0] - pts[:, 0]).max() < 0.5   # across the line only


def test_smooth_skin_keeps_the_canonical_line():
    pts, moved = snapped(skin())
    assert np.array_equal(moved, pts)


def test_a_fold_out_of_reach_is_left_alone():
    fold_y = 100.0 + (REACH_MM + 2.0) * PX
    image = skin(lambda xs, ys: 0.12 * np.exp(-0.5 * ((ys - fold_y) / (0.5 * PX)) ** 2))
    pts, moved = snapped(image)
    assert np.abs(moved - pts).max() < 0.05 * PX


@pytest.mark.parametrize("dark_above", [True, False])
def test_an_edge_is_no_fold(dark_above):
    """Hair or a shadow beginning 1.5 mm from the line: dark on one side only."""
    edge = 100.0 - 1.5 * PX if dark_above else 100.0 + 1.5 * PX
    image = skin(lambda xs, ys: 0.35 / (1 + np.exp(((ys - edge) if dark_above else (edge - ys)) / 0.4)))
    pts, moved = snapped(image)
    assert np.abs(moved - pts).max() < 0.1 * PX


def test_a_lone_dark_spot_bends_nothing():
    image = skin(lambda xs, ys: 0.3 * np.exp(-0.5 * (((xs - 100) ** 2 + (ys - 106) ** 2) / (0.6 * PX) ** 2)))
    pts, moved = snapped(image)
    assert np.abs(moved - pts).max() < 0.1 * PX


@pytest.mark.parametrize("px", [0.05, 0.3, 0.8])
def test_a_small_render_keeps_its_lines(px):
    """Under ~0.8 px per millimetre a fold is a pixel wide: nothing to find, nothing moved (a
    64-px render crashed here once)."""
    image = skin(lambda xs, ys: 0.12 * np.exp(-0.5 * ((ys - 101) / 1.0) ** 2))
    pts, _ = densify(np.array([[30.0, 100.0], [170.0, 100.0]]), np.ones(2), max(STEP_MM * px, 0.5))
    assert np.array_equal(snap_line(smoothed_luminance(image, px), pts, px), pts)
