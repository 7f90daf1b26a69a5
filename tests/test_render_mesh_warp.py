"""Stage-2 mesh-warp renderer: behaviour on the demo portrait (real MediaPipe landmarks)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from talkface_studio.core.errors import ValidationError
from talkface_studio.face.geometry import rotation_from_angles
from talkface_studio.render.device import pick_device
from talkface_studio.render.face_loops import (EYES, INNER_LOWER_LIP, INNER_UPPER_LIP, MOUTH_CORNERS,
                                               inner_lip_loop)
from talkface_studio.render.registry import get_renderer
from talkface_studio.render.raster import visible_triangles
from talkface_studio.render.warp_mesh import signed_areas

PORTRAIT = Path(__file__).resolve().parents[1] / "resources" / "demo" / "portrait.png"
SIZE = 256


@pytest.fixture(scope="module")
def portrait():
    from talkface_studio.face.portrait import fit_portrait
    return fit_portrait(PORTRAIT, size=SIZE)


@pytest.fixture(scope="module")
def renderer():
    return get_renderer("mesh_warp", device="cpu")


def one(renderer, portrait, lm):
    return next(renderer.render(portrait, lm[None], SIZE)).astype(np.float64)


def rest(portrait):
    return np.asarray(portrait.landmarks, dtype=np.float64)


def open_mouth(lm, amount):
    """Drop the lower lip and jaw by ``amount`` mouth widths (a stand-in for a performer)."""
    lm = lm.copy()
    width = np.linalg.norm(lm[MOUTH_CORNERS[1], :2] - lm[MOUTH_CORNERS[0], :2])
    line = lm[list(INNER_UPPER_LIP) + list(MOUTH_CORNERS), 1].max()
    cx = lm[list(MOUTH_CORNERS), 0].mean()
    w = np.clip((lm[:, 1] - line) / 3.0, 0, 1) * np.exp(-((lm[:, 0] - cx) / (1.3 * width)) ** 2)
    w[INNER_LOWER_LIP] = 1.0
    w[list(INNER_UPPER_LIP)] = 0.0
    lm[:, 1] += amount * width * w
    return lm


def close_mouth(lm):
    lm = lm.copy()
    mid = (lm[INNER_UPPER_LIP, 1] + lm[INNER_LOWER_LIP, 1]) / 2
    lm[INNER_UPPER_LIP, 1] = mid
    lm[INNER_LOWER_LIP, 1] = mid
    return lm


def rotate(lm, yaw=0.0, pitch=0.0, roll=0.0):
    c = lm[:468].mean(0)
    return (lm - c) @ rotation_from_angles(yaw, pitch, roll).T + c


def luminance(img):
    return img @ np.array([0.299, 0.587, 0.114])


def window(points, pad=2):
    lo = np.floor(points.min(0) - pad).astype(int)
    hi = np.ceil(points.max(0) + pad).astype(int)
    return slice(lo[1], hi[1]), slice(lo[0], hi[0])


def test_identity_landmarks_reproduce_the_portrait(renderer, portrait):
    out = one(renderer, portrait, rest(portrait))
    assert np.abs(out - portrait.image).max() <= 2


def test_frames_are_uint8_rgb_of_the_requested_size_without_holes(renderer, portrait):
    lms = np.stack([rest(portrait) * 2.0, rotate(rest(portrait) * 2.0, 20, 10, -15)])
    frames = list(renderer.render(portrait, lms, 512))
    assert len(frames) == 2
    for f in frames:
        assert f.shape == (512, 512, 3) and f.dtype == np.uint8
        # A hole (uncovered cell) would sample the top-left corner region or come out black.
        assert (f.max(axis=2) < 8).mean() <= (portrait.image.max(axis=2) < 8).mean() + 0.002


def test_translated_landmarks_shift_the_face(renderer, portrait):
    lm = rest(portrait)
    moved = lm.copy()
    moved[:, 0] += 10
    out = one(renderer, portrait, moved)
    ys, xs = window(lm[:468, :2], pad=-20)
    src = portrait.image.astype(np.float64)[ys, xs]
    shifted = out[ys, slice(xs.start + 10, xs.stop + 10)]
    unshifted = out[ys, xs]
    assert np.abs(shifted - src).mean() < 3.0
    assert np.abs(unshifted - src).mean() > 3 * np.abs(shifted - src).mean()


def test_open_mouth_shows_a_dark_interior_and_closed_mouth_none(renderer, portrait):
    lm = rest(portrait)
    opened = open_mouth(lm, 0.45)
    out_open = one(renderer, portrait, opened)
    out_closed = one(renderer, portrait, close_mouth(lm))
    ys, xs = window(opened[inner_lip_loop(), :2])
    dark_open = (luminance(out_open[ys, xs]) < 45).mean()
    dark_closed = (luminance(out_closed[ys, xs]) < 45).mean()
    assert dark_open > 0.15
    assert dark_closed < 0.02
    # Not stretched lips: the interior is darker than the portrait's lips on average.
    assert luminance(out_open[ys, xs]).mean() < luminance(portrait.image.astype(float)[ys, xs]).mean() - 15


def _iris_x(img, lm, rim):
    ys, xs = window(lm[rim.loop, :2], pad=1)
    lum = luminance(img[ys, xs])
    weight = np.clip(lum.max() - lum - 0.5 * np.ptp(lum), 0, None)   # the darkest half: iris
    return (weight.sum(0) * (np.arange(weight.shape[1]) + xs.start)).sum() / weight.sum()


def test_iris_follows_the_gaze_landmarks(renderer, portrait):
    lm = rest(portrait)
    looked = lm.copy()
    for rim in EYES:
        r = np.linalg.norm(lm[rim.iris_ring, :2] - lm[rim.iris_centre, :2], axis=1).mean()
        looked[[rim.iris_centre, *rim.iris_ring], 0] += 0.8 * r
    base, moved = one(renderer, portrait, lm), one(renderer, portrait, looked)
    for rim in EYES:
        r = np.linalg.norm(lm[rim.iris_ring, :2] - lm[rim.iris_centre, :2], axis=1).mean()
        assert _iris_x(moved, lm, rim) - _iris_x(base, lm, rim) > 0.3 * r


def test_blink_closes_the_eye(renderer, portrait):
    lm = rest(portrait)
    shut = lm.copy()
    for rim in EYES:
        shut[rim.upper, :2] += 0.95 * (lm[rim.lower, :2] - lm[rim.upper, :2])
    out_open, out_shut = one(renderer, portrait, lm), one(renderer, portrait, shut)
    for rim in EYES:
        ys, xs = window(lm[rim.loop, :2], pad=0)
        # The open eye has dark iris and bright sclera; lid skin is even.
        assert luminance(out_shut[ys, xs]).std() < 0.8 * luminance(out_open[ys, xs]).std()
        c = lm[rim.iris_centre, :2].astype(int)
        assert luminance(out_shut[c[1] - 1:c[1] + 2, c[0] - 1:c[0] + 2]).mean() > \
            luminance(out_open[c[1] - 1:c[1] + 2, c[0] - 1:c[0] + 2]).mean() + 20


@pytest.mark.parametrize("angles", [(30, 0, 0), (-30, 0, 0), (0, 20, 0), (0, -20, 0), (0, 0, 20),
                                    (-30, -20, -20)])
def test_extreme_head_angles_draw_no_folded_triangles(renderer, portrait, angles):
    lm = rotate(rest(portrait), *angles)
    prep = renderer.prepare(portrait, SIZE)
    pts, _ = renderer._mesh_points(prep, lm)
    mesh = prep.mesh
    keep = visible_triangles(mesh, pts)
    n_mesh = mesh.n_face_tris - mesh.n_holes
    area = signed_areas(pts, mesh.triangles)
    solid = np.abs(mesh.src_area) > 0.05
    drawn_mesh = keep[:n_mesh] & solid[:n_mesh]
    assert np.all(np.sign(area[:n_mesh][drawn_mesh]) == np.sign(mesh.src_area[:n_mesh][drawn_mesh]))
    outside = slice(mesh.n_face_tris, None)
    drawn_out = keep[outside]
    assert drawn_out.mean() > 0.9
    assert np.all(np.sign(area[outside][drawn_out]) == np.sign(mesh.src_area[outside][drawn_out]))
    if angles[0]:
        assert (~keep[:n_mesh] & solid[:n_mesh]).any()   # a turned head hides some of its far side
    frame = one(renderer, portrait, lm)
    assert np.isfinite(frame).all()


def test_background_follow_is_adjusted_when_it_would_fold(renderer, portrait):
    prep = renderer.prepare(portrait, SIZE)
    mesh = prep.mesh
    outside = mesh.triangles[mesh.n_face_tris:]
    ref = np.sign(mesh.src_area[mesh.n_face_tris:])
    for shift in (0.05, 0.15, 0.3):
        lm = rest(portrait).copy()
        lm[:, 0] += shift * SIZE
        naive = np.count_nonzero(np.sign(signed_areas(mesh.target_points(lm)[0], outside)) != ref)
        guarded = np.count_nonzero(np.sign(signed_areas(renderer._mesh_points(prep, lm)[0], outside)) != ref)
        assert guarded <= naive
        if shift <= 0.05:
            assert guarded == 0


def test_rendering_is_deterministic(portrait):
    lm = open_mouth(rotate(rest(portrait), 10, 5, 3), 0.3)
    a = next(get_renderer("mesh_warp", device="cpu").render(portrait, lm[None], SIZE))
    b = next(get_renderer("mesh_warp", device="cpu").render(portrait, lm[None], SIZE))
    assert np.array_equal(a, b)


def test_bad_landmarks_are_refused(renderer, portrait):
    with pytest.raises(ValidationError):
        next(renderer.render(portrait, np.zeros((2, 10, 3)), SIZE))
    bad = rest(portrait)[None].copy()
    bad[0, 5, 0] = np.nan
    with pytest.raises(ValidationError):
        next(renderer.render(portrait, bad, SIZE))


def test_registry_and_devices():
    r = get_renderer("mesh_warp", device="cpu")
    assert r.name == "mesh_warp" and r.device == torch.device("cpu")
    with pytest.raises(ValidationError):
        get_renderer("no_such_renderer")
    assert pick_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValidationError):
        pick_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValidationError):
            pick_device("cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu(portrait):
    lm = open_mouth(rest(portrait), 0.3)
    a = next(get_renderer("mesh_warp", device="cpu").render(portrait, lm[None], SIZE)).astype(int)
    b = next(get_renderer("mesh_warp", device="cuda").render(portrait, lm[None], SIZE)).astype(int)
    assert np.abs(a - b).max() <= 3
