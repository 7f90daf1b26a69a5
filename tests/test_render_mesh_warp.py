"""Stage-2 mesh-warp renderer: behaviour on the demo portrait (real MediaPipe landmarks)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch

from talkface_studio.core.errors import ValidationError
from talkface_studio.face.geometry import rotation_from_angles
from talkface_studio.torch_support.device import pick_device
from talkface_studio.render.mesh_warp.face_loops import (EYES, INNER_LOWER_LIP, INNER_UPPER_LIP, MOUTH_CORNERS,
                                               inner_lip_loop)
from talkface_studio.render.registry import get_renderer
from talkface_studio.render.mesh_warp.raster import visible_triangles
from talkface_studio.render.mesh_warp.warp_mesh import signed_areas

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
    assert r.name == "mesh_warp" and r.device.type == "cpu" and str(r.device) == "cpu"
    with pytest.raises(ValidationError):
        get_renderer("no_such_renderer")
    assert pick_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValidationError):
        pick_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValidationError):
            pick_device("cuda")


def test_the_gpu_code_path_matches_the_cpu_one(portrait):
    """The torch path a GPU takes (grid_sample of the float layers, torch interpolate, torch blend,
    the drawing modules on tensors: ``batch=1``, one frame at a time) run here on the CPU: it
    draws what the numpy/OpenCV path draws, up to 8-bit layers and remap's 1/32-px positions."""
    r = get_renderer("mesh_warp", device="cpu")
    tensors = get_renderer("mesh_warp", device="cpu", batch=1)
    assert r._ops is not tensors._ops
    prep, torch_path = r.prepare(portrait, SIZE), tensors.prepare(portrait, SIZE)
    for lm in (open_mouth(rest(portrait), 0.3), rotate(rest(portrait), 12, -6, 5),
               widened(rest(portrait), 0.8)):
        a = r.render_frame(prep, lm).astype(int)
        b = tensors.render_frame(torch_path, lm).astype(int)
        diff = np.abs(a - b)
        assert diff.mean() < 0.6 and np.percentile(diff, 99.5) <= 3, (diff.mean(), diff.max())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu(portrait):
    lm = open_mouth(rest(portrait), 0.3)
    a = next(get_renderer("mesh_warp", device="cpu").render(portrait, lm[None], SIZE)).astype(int)
    b = next(get_renderer("mesh_warp", device="cuda").render(portrait, lm[None], SIZE)).astype(int)
    assert np.abs(a - b).max() <= 3


# -- speed-minded internals: they must stay exact -------------------------------------------------

def test_scanline_raster_matches_a_brute_force_point_in_triangle_reference(renderer, portrait):
    from talkface_studio.render.mesh_warp.raster import node_step, rasterize_displacement
    prep = renderer.prepare(portrait, SIZE)
    lm = open_mouth(rotate(rest(portrait), 15, -8, 6), 0.3)
    pts, depth = renderer._mesh_points(prep, lm)
    # the raster itself (the unfolded sheet's refill, which redraws the drawn edge beside it, has
    # tests of its own: test_render_unfolded_sheet)
    mesh, step = dataclasses.replace(prep.mesh, edge_depth=None), node_step(prep.grid, SIZE)
    disp = rasterize_displacement(mesh, pts, depth, prep.grid, SIZE)
    tris = mesh.triangles[visible_triangles(mesh, pts)]
    a, b, c = pts[tris[:, 0]], pts[tris[:, 1]], pts[tris[:, 2]]
    rng = np.random.default_rng(0)
    checked = 0
    for j, i in rng.integers(0, prep.grid, size=(300, 2)):
        q = (np.array([i, j]) + 0.5) * step                    # node (row j, column i): a cell's centre
        det = (b - a)[:, 0] * (c - a)[:, 1] - (b - a)[:, 1] * (c - a)[:, 0]
        l1 = ((q - a)[:, 0] * (c - a)[:, 1] - (q - a)[:, 1] * (c - a)[:, 0]) / det
        l2 = ((b - a)[:, 0] * (q - a)[:, 1] - (b - a)[:, 1] * (q - a)[:, 0]) / det
        l0 = 1 - l1 - l2
        hit = np.flatnonzero((l0 > 1e-3) & (l1 > 1e-3) & (l2 > 1e-3))    # clearly inside
        if len(hit) == 0:
            continue
        z = l0[hit] * depth[tris[hit, 0]] + l1[hit] * depth[tris[hit, 1]] + l2[hit] * depth[tris[hit, 2]]
        if len(hit) > 1 and np.sort(z)[1] - z.min() < 1e-3:
            continue                                            # a tie: either answer is right
        k = hit[np.argmin(z)]
        src = mesh.src[tris[k]]
        expect = l0[k] * src[0] + l1[k] * src[1] + l2[k] * src[2] - q
        assert np.allclose(disp[j, i], expect, atol=1e-3)
        checked += 1
    assert checked > 200


@pytest.mark.parametrize("size", [97, 256, 512])
def test_zero_displacement_samples_every_pixel_exactly(size):
    from talkface_studio.render.mesh_warp import flow
    tex = torch.rand(1, 3, size, size) * 255 + flow.TEXTURE_OFFSET
    g = 64
    zero = np.zeros((g, g, 2), np.float32)
    ident = flow.identity_grid(size)
    tex_hwc = np.ascontiguousarray(tex[0].permute(1, 2, 0).numpy())
    u8 = np.floor(tex_hwc).astype(np.uint8)
    # the GPU path: a tensor grid, grid_sample
    out = flow.sample_grid(tex, flow.sampling_grid(zero, torch.from_numpy(ident)[None]))
    assert (out - tex).abs().max() < 0.02
    img = flow.to_image(out[0])
    assert img.shape == (size, size, 3) and img.dtype == np.uint8
    assert np.abs(img.astype(int) - np.floor(tex_hwc)).max() <= 1
    # the CPU path: a numpy grid, OpenCV's remap (the texture sampler and the layers' one)
    grid = flow.sampling_grid(zero, ident, np.empty((size, size, 2), np.float32))
    assert isinstance(grid, np.ndarray)
    out = flow.sample(tex_hwc, flow.grid_to_pixels(grid[0], size))
    assert isinstance(out, np.ndarray) and np.abs(out - tex_hwc.transpose(2, 0, 1)).max() < 0.02
    assert np.array_equal(flow.to_image(out), np.floor(tex_hwc).astype(np.uint8))
    assert np.array_equal(flow.remap(np.ascontiguousarray(u8), grid[0]), u8)


def test_identity_at_another_size_reproduces_the_resized_portrait(renderer, portrait):
    size = 512
    out = next(renderer.render(portrait, rest(portrait)[None] * size / SIZE, size)).astype(int)
    tex = np.asarray(renderer.prepare(portrait, size).texture)     # [S, S, 3] on the CPU path
    assert np.abs(out - np.floor(tex)).max() <= 1


# -- looks --------------------------------------------------------------------------------------

def _seam_band(lm, out):
    """Pixels within a few px of the meeting line of the inner lips, between the mouth corners."""
    xs = np.arange(int(lm[MOUTH_CORNERS[0], 0]) + 4, int(lm[MOUTH_CORNERS[1], 0]) - 4)
    seam_y = np.interp(xs + 0.5, lm[INNER_UPPER_LIP, 0], lm[INNER_UPPER_LIP, 1])
    rows = [out[int(y) - 3:int(y) + 4, x] for x, y in zip(xs, seam_y)]
    return np.stack(rows)                                       # [x, 7, 3]


def test_closed_mouth_over_a_smile_with_teeth_shows_lips_and_a_seam_not_teeth(renderer, portrait):
    look = renderer.prepare(portrait, SIZE).look
    assert look.mouth_open > 0.1                                # the demo portrait shows its teeth
    lm = close_mouth(rest(portrait))
    out = one(renderer, portrait, lm)
    band = _seam_band(lm, out)
    lum = luminance(band)
    teeth_lum = float(luminance(look.teeth.astype(float)))
    lip_lum = float(luminance(look.lip.astype(float)))
    assert teeth_lum > lip_lum + 25
    assert (lum > teeth_lum - 15).mean() < 0.03                 # no squeezed band of teeth
    # A seam: the meeting line is darker than the lip a few pixels above and below it.
    assert lum[:, 3].mean() < 0.9 * (lum[:, 0].mean() + lum[:, 6].mean()) / 2
    # Lip coloured: red dominates green, as in the portrait's lips.
    assert (band[..., 0] - band[..., 1]).mean() > 0.5 * (look.lip[0] - look.lip[1])


@pytest.fixture(scope="module")
def closed_lips_portrait(portrait):
    """The demo portrait as if it had been fitted with closed lips: no teeth of its own to show,
    so an opening mouth gets drawn teeth."""
    import dataclasses
    return dataclasses.replace(portrait, landmarks=close_mouth(rest(portrait)).astype(np.float32))


@pytest.mark.parametrize("own_teeth", [True, False])
def test_open_mouth_is_lit_from_the_front_with_teeth_under_the_upper_lip(renderer, portrait,
                                                                         closed_lips_portrait,
                                                                         own_teeth):
    fit = portrait if own_teeth else closed_lips_portrait
    assert (renderer.prepare(fit, SIZE).look.mouth_open > 0.1) == own_teeth
    lm = open_mouth(rest(fit), 0.5)
    out = one(renderer, fit, lm)
    cx = int(lm[list(MOUTH_CORNERS), 0].mean())
    top = int(lm[13, 1])                                        # at the upper inner lip
    bottom = int(lm[14, 1]) - 1
    column = luminance(out[top:bottom, cx - 2:cx + 3]).mean(1)
    n = len(column)
    # A relaxed upper lip leaves 1-3 mm of the upper teeth (skull-fixed, at their size) in view;
    # a smile's own teeth show as far as the portrait's lip left them.
    teeth, deep = column[: max(3, n // 8)].max(), column[n // 3: 2 * n // 3].min()
    assert teeth > deep + 80                                     # teeth bright, the back dark
    assert deep < 40
    if not own_teeth:
        # Drawn teeth are shaded toward the cheeks (not a flat white band).
        off = int(0.3 * (lm[MOUTH_CORNERS[1], 0] - lm[MOUTH_CORNERS[0], 0]))
        side = luminance(out[top:top + max(2, n // 10), cx + off - 2:cx + off + 3]).mean()
        assert side < teeth - 5


def test_a_smile_keeps_its_own_teeth_when_the_jaw_opens(renderer, portrait):
    """The upper teeth seen just under the upper lip are the portrait's, not a drawn band."""
    lm = rest(portrait)
    out = one(renderer, portrait, open_mouth(lm, 0.4))
    xs = np.arange(int(lm[MOUTH_CORNERS[0], 0]) + 8, int(lm[MOUTH_CORNERS[1], 0]) - 8)
    tops = np.interp(xs + 0.5, lm[INNER_UPPER_LIP, 0], lm[INNER_UPPER_LIP, 1])
    rows = [(int(np.ceil(t)) + 1, x) for x, t in zip(xs, tops)]
    got = np.stack([out[y, x] for y, x in rows])
    want = np.stack([portrait.image[y, x].astype(float) for y, x in rows])
    assert np.abs(got - want).mean() < 20


def _tongue_fraction(out, lm, look):
    """Share of the lower third of the opening (central column band, clear of the lips' soft
    edges) that is tongue: a lit mass in the lips' hue (less saturated than they are), brighter
    than any of the cavity."""
    cx = lm[list(MOUTH_CORNERS), 0].mean()
    half = 0.15 * (lm[MOUTH_CORNERS[1], 0] - lm[MOUTH_CORNERS[0], 0])
    top, bottom = lm[13, 1], lm[14, 1]
    low = out[int(top + 2 * (bottom - top) / 3):int(bottom) - 2, int(cx - half):int(cx + half)]
    lum, lip_lum = luminance(low), float(luminance(look.lip.astype(float)))
    lip_sat = (look.lip[0] - look.lip[1]) / lip_lum
    tongue = ((low[..., 0] - low[..., 1]) > 0.4 * lip_sat * lum) & (lum > 1.1 * luminance(look.mouth.cavity))
    return tongue.mean() if tongue.size else 0.0


def test_tongue_rises_into_view_only_when_the_jaw_is_well_open(renderer, portrait):
    size = 512
    look = renderer.prepare(portrait, size).look
    lm = rest(portrait) * size / SIZE
    small, wide = with_lip_gap(lm, 4.0), open_mouth(lm, 0.6)        # 4 mm and ~50 mm apart
    got = {k: _tongue_fraction(next(renderer.render(portrait, x[None], size)).astype(float), x, look)
           for k, x in (("small", small), ("wide", wide))}
    assert got["wide"] > 0.12, got
    assert got["small"] < 0.03, got


def test_half_blink_slides_a_skin_lid_over_an_unsquashed_eye(renderer, portrait):
    size = 512                                                  # eyes are only ~5 px tall at 256
    lm = rest(portrait) * size / SIZE
    half = lm.copy()
    for rim in EYES:
        half[rim.upper, :2] += 0.35 * (lm[rim.lower, :2] - lm[rim.upper, :2])
    out, base = (next(renderer.render(portrait, x[None], size)).astype(float) for x in (half, lm))
    look = renderer.prepare(portrait, size).look
    for rim, eye in zip(EYES, look.eyes):
        xs = np.arange(int(lm[rim.upper[1], 0]), int(lm[rim.upper[-2], 0]))
        rest_lid = np.interp(xs + 0.5, lm[rim.upper, 0], lm[rim.upper, 1])
        lid = np.interp(xs + 0.5, half[rim.upper, 0], half[rim.upper, 1])
        low = np.interp(xs + 0.5, lm[rim.lower, 0], lm[rim.lower, 1])
        # The band the lid now covers (its rest line down to just above the lowered margin) is
        # skin, a little shaded: near the lid colour measured in the portrait, not a smear of
        # stretched lashes (a plain warp leaves a third to two thirds of it dark).
        band = np.concatenate([out[int(np.ceil(r)):int(m) - 1, x] for x, r, m in zip(xs, rest_lid, lid)])
        assert len(band) > 10
        ratio = luminance(band) / luminance(eye.lid.astype(float))
        assert ratio.mean() > 0.7
        assert (ratio < 0.6).mean() < 0.2
        # The eye below the lid stays in place: the bottom of the opening, which no lid covers,
        # matches the open eye (a warp that squashes the eyeball shifts it, ~13 levels here).
        diff = [np.abs(out[int(u + 0.6 * (b - u)):int(b) - 1, x] - base[int(u + 0.6 * (b - u)):int(b) - 1, x])
                for x, u, b in zip(xs, lid, low) if int(b) - 1 > int(u + 0.6 * (b - u))]
        assert np.concatenate(diff).mean() < 10


def with_lip_gap(lm, mm):
    """The lower inner lip (and the jaw under it) moved so the inner lips part by ``mm``."""
    from talkface_studio.render.mesh_warp.mouth import lip_gap_mm
    lm = lm.copy()
    width = np.linalg.norm(lm[MOUTH_CORNERS[1], :2] - lm[MOUTH_CORNERS[0], :2])
    line = lm[list(INNER_UPPER_LIP) + list(MOUTH_CORNERS), 1].max()
    cx = lm[list(MOUTH_CORNERS), 0].mean()
    w = np.clip((lm[:, 1] - line) / 3.0, 0, 1) * np.exp(-((lm[:, 0] - cx) / (1.3 * width)) ** 2)
    w[INNER_LOWER_LIP] = 0.0
    w[list(INNER_UPPER_LIP)] = 0.0
    up, lo = lm[INNER_UPPER_LIP], lm[INNER_LOWER_LIP]
    new_lo = up + (lo - up) * (mm / lip_gap_mm(lm))
    lm[:, 1] += (new_lo - lo)[4, 1] * w
    lm[INNER_LOWER_LIP] = new_lo
    return lm


def test_lips_parted_less_than_the_portrait_show_an_opening_of_that_size(portrait):
    """The demo portrait smiles with its teeth ~10 mm apart. Driving gaps from 3 mm up through it
    to wide open show a growing opening (teeth or cavity, not lip), not lips closed at a seam; a
    face tracker reads the gap back, also below the portrait's own."""
    import mediapipe as mp
    from skimage.draw import polygon2mask

    from talkface_studio.render.mesh_warp.mouth import lip_gap_mm
    size = 512
    fit = portrait
    renderer = get_renderer("mesh_warp", device="cpu")
    src = rest(fit) * size / SIZE
    own = lip_gap_mm(src)
    look = renderer.prepare(fit, size).look
    gaps = np.array([2.8, 4.2, 6.3, 8.4, own, 12.6, 16.8])
    lms = np.stack([with_lip_gap(src, g) for g in gaps])
    frames = list(renderer.render(fit, lms, size))
    shown, teeth_share = [], []
    lip_lum = float(luminance(look.lip.astype(float)))
    teeth_lum = float(luminance(look.teeth.astype(float)))
    for lm, f in zip(lms, frames):
        inside = f[polygon2mask((size, size), lm[inner_lip_loop(), :2][:, ::-1] - 0.5)].astype(float)
        shown.append((np.linalg.norm(inside - look.lip, axis=1) > 45).sum())   # not lip-coloured
        teeth_share.append((luminance(inside) > (lip_lum + teeth_lum) / 2).mean())
    assert np.all(np.diff(shown) > 0), shown
    # The portrait's teeth between the lips, not a seam (2 mm is a few pixels, and the photo's lip
    # reaches ~1 px past its landmarks: edges count as lip).
    assert min(teeth_share[1:4]) > 0.1 and np.mean(teeth_share[:4]) > 0.2, teeth_share
    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True) as mesh:
        found = [mesh.process(f).multi_face_landmarks[0].landmark for f in frames]
    detected = np.array([lip_gap_mm(np.array([[p.x, p.y, p.z] for p in d]) * size) for d in found])
    below = gaps < own - 0.1
    assert np.corrcoef(gaps[below], detected[below])[0, 1] > 0.95, detected
    assert np.corrcoef(gaps, detected)[0, 1] > 0.9, detected
    assert detected[0] > 1.4, detected                       # 2.8 mm reads as parted lips


def test_the_mouth_does_not_pop_as_the_gap_crosses_the_seam_or_the_portrait_gap(renderer, portrait):
    """Small steps of the driving gap make small changes of the mouth's pixels, across the seam
    threshold (~2 mm) and the portrait's own gap alike."""
    from talkface_studio.render.mesh_warp.mouth import lip_gap_mm
    src = rest(portrait)
    own = lip_gap_mm(src)
    steps = np.concatenate([np.arange(0.8, 3.6, 0.28), own + np.arange(-1.4, 1.41, 0.28)])
    lms = np.stack([with_lip_gap(src, g) for g in steps])
    frames = [f.astype(float) for f in renderer.render(portrait, lms, SIZE)]
    ys, xs = window(src[inner_lip_loop(), :2], pad=6)
    jumps = [np.abs(b[ys, xs] - a[ys, xs]).mean() for a, b in zip(frames, frames[1:])]
    jumps = np.array(jumps[:9] + jumps[10:])          # the pair joining the two sweeps is no step
    assert jumps.max() < 4.0, np.round(jumps, 2)
    assert jumps.max() < 4 * np.median(jumps) + 1.0, np.round(jumps, 2)


def test_cache_version_follows_the_source_and_the_detail_setting(tmp_path):
    from talkface_studio.render.mesh_warp.code_version import source_digest
    from talkface_studio.render.mesh_warp.renderer import MeshWarpRenderer

    a, b = MeshWarpRenderer("cpu"), MeshWarpRenderer("cpu", detail=0.0)
    assert a.version != b.version  # other shading, other pixels: never the same cache entry
    (tmp_path / "m.py").write_text("x = 1\n")
    before = source_digest(str(tmp_path))
    (tmp_path / "m.py").write_text("x = 2\n")
    source_digest.cache_clear()
    assert source_digest(str(tmp_path)) != before


def _random_gaps(rng, size: int = 64) -> np.ndarray:
    """covered [size, size]: a few blobs and a long thin gap uncovered, like dropped folds."""
    covered = np.ones((size, size), bool)
    for _ in range(rng.integers(1, 4)):
        cy, cx = rng.integers(4, size - 4, 2)
        for y, x in rng.integers(-5, 6, (rng.integers(1, 25), 2)):
            covered[np.clip(cy + y, 0, size - 1), np.clip(cx + x, 0, size - 1)] = False
    y, x0 = rng.integers(0, size), rng.integers(0, size // 2)
    covered[y, x0:x0 + rng.integers(2, size // 2)] = False           # a long gap along one row
    return covered


GAP_SOLVERS = pytest.mark.parametrize("dense_max", [0, 10_000], ids=["sparse", "dense"])


@GAP_SOLVERS
def test_gap_fill_continues_a_linear_field_exactly(monkeypatch, dense_max):
    """A gap in a field that is linear around it (a smoothly stretched surface) is filled with that
    same field: no step where the gap begins. Copying the nearest covered node (the fill before)
    froze the field there, off by up to the gradient times the gap's half-width."""
    from talkface_studio.render.mesh_warp import gap_fill
    from talkface_studio.render.mesh_warp.gap_fill import fill_harmonic
    monkeypatch.setattr(gap_fill, "DENSE_MAX", dense_max)
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:64, 0:64].astype(np.float64)
    for _ in range(50):
        covered = _random_gaps(rng)
        covered[[0, -1], :] = covered[:, [0, -1]] = True     # gaps inside: the field is fixed around them
        gx, gy, c = rng.normal(0, 2, (3, 2))
        truth = (xx[..., None] * gx + yy[..., None] * gy + c).astype(np.float32)
        values = np.where(covered[..., None], truth, np.float32(1e4))
        fill_harmonic(values, covered)
        np.testing.assert_allclose(values, truth, atol=1e-3)


@GAP_SOLVERS
def test_gap_fill_is_the_mean_of_its_neighbours_and_stays_in_range(monkeypatch, dense_max):
    """Each filled node is the mean of its in-grid neighbours (the harmonic fill's definition, grid
    border included) and no filled value leaves the covered values' range (no overshoot speck)."""
    from talkface_studio.render.mesh_warp import gap_fill
    from talkface_studio.render.mesh_warp.gap_fill import fill_harmonic
    monkeypatch.setattr(gap_fill, "DENSE_MAX", dense_max)
    rng = np.random.default_rng(5)
    for _ in range(50):
        covered = _random_gaps(rng)
        values = rng.random((64, 64, 2)).astype(np.float64)
        lo, hi = values[covered].min(0), values[covered].max(0)
        fill_harmonic(values, covered)
        padded = np.pad(values, ((1, 1), (1, 1), (0, 0)))
        inside = np.pad(np.ones((64, 64)), 1)[..., None]
        total = sum(np.roll(padded * inside, s, axis=a) for s in (1, -1) for a in (0, 1))[1:-1, 1:-1]
        count = sum(np.roll(inside, s, axis=a) for s in (1, -1) for a in (0, 1))[1:-1, 1:-1]
        gap = ~covered
        np.testing.assert_allclose(values[gap], (total / count)[gap], atol=1e-9)
        assert np.all(values[gap] >= lo - 1e-9) and np.all(values[gap] <= hi + 1e-9)


def test_lip_triangle_mask_is_not_taken_from_a_freed_mesh_with_the_same_id():
    """Cached by id(): a freed mesh's id is reused by the next one (another portrait, another
    triangle count), which must get its own mask, not the stale one."""
    from types import SimpleNamespace

    from talkface_studio.render.mesh_warp import lip_contact
    tris = np.zeros((10, 3), np.int64)
    mesh = SimpleNamespace(src=np.zeros((478, 2)), triangles=tris, n_face_tris=10)
    stale = np.ones(7, bool)                       # what the freed mesh (7 triangles) cached
    lip_contact._LIP_TRIS.clear()
    lip_contact._LIP_TRIS[id(tris)] = (np.zeros((7, 3), np.int64), stale)
    assert lip_contact._lip_triangles(mesh).shape == (10,)


def widened(lm, share):
    """Upper lids raised by ``share`` of the lid gap (a surprise on a narrow eye: the opening
    grows wider than the portrait's)."""
    out = lm.copy()
    for rim in EYES:
        out[rim.upper, :2] -= share * (lm[rim.lower, :2] - lm[rim.upper, :2])
    return out


def test_a_widened_eye_shows_sclera_above_a_round_iris(renderer, portrait):
    size = 512                                                  # eyes are only ~5 px tall at 256
    lm = rest(portrait) * size / SIZE
    wide = widened(lm, 0.8)
    out = luminance(next(renderer.render(portrait, wide[None], size)).astype(float))
    look = renderer.prepare(portrait, size).look
    sclera = luminance(look.sclera.astype(float))
    for rim, eye in zip(EYES, look.eyes):
        c, r = eye.centre, eye.radius
        xs = np.arange(int(c[0] - 0.5 * r), int(c[0] + 0.5 * r) + 1)
        order = np.argsort(wide[rim.upper, 0])
        lid = np.interp(xs + 0.5, wide[rim.upper, 0][order], wide[rim.upper, 1][order])
        # Between the raised lid's margin (its lashes and the shade it casts: the first 40 % down)
        # and the iris: white of the eye, no smear of the portrait's lashes and lid skin (the warp
        # leaves a fifth to a third of it darker than 0.6 of the sclera here).
        band = np.concatenate([out[int(l + 0.4 * (c[1] - r - l)):int(c[1] - 1.15 * r), x]
                               for x, l in zip(xs, lid)])
        assert len(band) > 20
        assert (band < 0.6 * sclera).mean() < 0.05, (band < 0.6 * sclera).mean()
        assert band.mean() > 0.7 * sclera
        # The iris is a disc of its own size: as tall as it is wide.
        ys, xw = window(np.array([c - 2 * r, c + 2 * r]), pad=0)
        patch = out[ys, xw]
        dark = patch < 0.5 * (np.percentile(patch, 95) + np.percentile(patch, 5))
        mid = dark.shape[0] // 2, dark.shape[1] // 2
        height, width = dark[:, mid[1]].sum(), dark[mid[0]].sum()
        assert 0.8 < height / width < 1.25, (height, width)
        assert 1.6 * r < height < 2.4 * r


def _lid_curve(points, xs):
    order = np.argsort(points[:, 0])
    return np.interp(xs + 0.5, points[order, 0], points[order, 1])


def test_a_widened_eye_does_not_carry_the_photos_sclera_up_as_streaks(renderer, portrait):
    """The photo's sclera is narrow; beyond it the uncovered eyeball is held from it. Stripes
    painted across the photo's sclera (vessels, noise, a glint) fade out within a few pixels of it:
    holding the band's edge row carried each column of it up the uncovered band as a vertical
    streak."""
    from skimage.draw import polygon2mask
    size = 512
    lm = rest(portrait) * size / SIZE
    wide = widened(lm, 1.2)
    look = renderer.prepare(portrait, size).look
    img = portrait.image.astype(np.float64)                    # at SIZE, as the landmarks
    gy, gx = np.mgrid[0:SIZE, 0:SIZE] + 0.5
    for rim, eye in zip(EYES, look.eyes):                      # every other column +-25, iris spared
        sclera = polygon2mask((SIZE, SIZE), rest(portrait)[rim.loop, 1::-1] - 0.5)
        sclera &= np.hypot(*(np.stack([gx, gy]) - eye.centre[:, None, None] * SIZE / size)) \
            > 1.4 * eye.radius * SIZE / size
        img[sclera] += np.where(gx[sclera] % 2 < 1, 25.0, -25.0)[:, None]
    striped = dataclasses.replace(portrait, image=np.clip(img, 0, 255).astype(np.uint8))
    diff = luminance(next(renderer.render(striped, wide[None], size)).astype(float)
                     - next(renderer.render(portrait, wide[None], size)).astype(float))
    for rim, eye in zip(EYES, look.eyes):
        a, b = lm[rim.corners[0], :2], lm[rim.corners[1], :2]
        w = np.linalg.norm(b - a)
        xs = np.arange(int(a[0] + 0.15 * w), int(a[0] + 0.85 * w))
        new_lid, old_lid = _lid_curve(wide[rim.upper], xs), _lid_curve(lm[rim.upper], xs)
        low = _lid_curve(lm[rim.lower], xs)
        rows = np.arange(int(new_lid.min()), int(old_lid.max()))[:, None]
        # uncovered: below the raised lid's margin and its shade, a little above the photo's clear
        # sclera (which starts a quarter of the lid gap below the portrait's lid)
        band = (rows + 0.5 > new_lid + 0.1 * w + 1) & (rows + 0.5 < old_lid + 0.25 * (low - old_lid) - 0.1 * w)
        band &= np.abs(xs + 0.5 - eye.centre[0])[None] > 1.3 * eye.radius
        # the stripes' part of the change: what alternates from column to column (the sclera's
        # colour read from the photo shifts as a whole)
        change = diff[rows[:, 0]][:, xs]
        stripes = np.abs(change[:, 1:-1] - 0.5 * (change[:, 2:] + change[:, :-2]))[band[:, 1:-1]]
        assert len(stripes) > 10, len(stripes)
        assert stripes.mean() < 1, stripes.mean()       # the stripes are +-25: 3-4 carried before


def test_a_raised_lid_tucks_under_a_crease(renderer, portrait, monkeypatch):
    """Above a raised lid's margin the warp only compresses the lid skin (a bare stretch of skin
    up to the brow); a real raised lid tucks under its crease, a shadow line a little above it."""
    from talkface_studio.render.mesh_warp import eyes
    size = 512
    lm = rest(portrait) * size / SIZE
    wide = widened(lm, 0.5)
    drawn = luminance(next(renderer.render(portrait, wide[None], size)).astype(float))
    monkeypatch.setattr(eyes, "WIDEN_ON", (1e6, 2e6))           # the warp's own lid skin
    bare = luminance(next(renderer.render(portrait, wide[None], size)).astype(float))
    for rim in EYES:
        a, b = lm[rim.corners[0], :2], lm[rim.corners[1], :2]
        w = np.linalg.norm(b - a)
        xs = np.arange(int(a[0] + 0.35 * w), int(a[0] + 0.65 * w))
        lid = _lid_curve(wide[rim.upper], xs)
        # darkening at each distance above the margin, past its lash line
        above = np.arange(int(np.ceil(0.05 * w)), int(0.4 * w))
        ratio = np.array([np.mean([drawn[int(y - d), x] / bare[int(y - d), x] for x, y in zip(xs, lid)])
                          for d in above])
        assert 0.05 * w < above[np.argmin(ratio)] < 0.12 * w, above[np.argmin(ratio)] / w
        assert ratio.min() < 0.85, ratio.min()                  # ~0.99 before
        assert ratio[above > 0.25 * w].min() > 0.98             # the skin further up is the warp's


def test_an_eye_opened_within_the_portraits_own_range_is_drawn_as_before(renderer, portrait, monkeypatch):
    from talkface_studio.render.mesh_warp import eyes
    size = 512
    lm = rest(portrait) * size / SIZE
    # within the portrait's own range, the head turned 30 degrees either way (a foreshortened eye
    # is narrower, not more open), and beyond the portrait's range
    for drive, same in ((widened(lm, 0.1), True), (rotate(lm, 30), True), (rotate(lm, -30), True),
                        (widened(lm, 0.8), False)):
        drawn = next(renderer.render(portrait, drive[None], size))
        with monkeypatch.context() as m:
            m.setattr(eyes, "WIDEN_ON", (1e6, 2e6))          # no eye counts as widened
            plain = next(renderer.render(portrait, drive[None], size))
        assert np.array_equal(drawn, plain) == same
