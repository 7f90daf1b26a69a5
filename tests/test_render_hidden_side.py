"""Symmetric texture completion (``render/mesh_warp/hidden_side``, ``mirror_fill``): what a turned
photo hides of the face is painted from its mirror side when the head turns back, instead of
repeating whatever stood in front of it (a second nose, a smeared eye)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from talkface_studio.face.geometry import rotation_from_angles
from talkface_studio.face.topology import MIRROR, TRIANGLES, canonical_face
from talkface_studio.render.mesh_warp.hidden_side import hidden_in_photo, mirror_sources
from talkface_studio.render.mesh_warp.raster import rasterize_grid, visible_triangles
from talkface_studio.render.mesh_warp.renderer import MeshWarpRenderer

DATA = Path(__file__).resolve().parent / "data" / "portraits"
TURNED = DATA / "more" / "turned_glasses_beard_pair.jpg"     # the face turned ~40 degrees
SIZE = 512
TRIS = np.asarray(TRIANGLES, np.int64)


def _photo_of_canonical(yaw: float) -> np.ndarray:
    """The canonical face turned by ``yaw`` degrees and placed in a 256 px frame (z in px too)."""
    c = canonical_face().astype(np.float64)
    c = c @ rotation_from_angles(yaw, 0.0, 0.0).T
    return c * 90.0 + np.array([128.0, 128.0, 0.0])


def test_mirror_map_pairs_symmetric_landmarks():
    assert MIRROR[33] == 263 and MIRROR[263] == 33        # outer eye corners
    assert MIRROR[61] == 291 and MIRROR[291] == 61        # mouth corners
    assert MIRROR[1] == 1                                  # the nose tip is on the midline
    # the tessellation is symmetric but for a dozen triangles by the eyes and mouth (those keep
    # their own pixels): nearly every triangle's mirror is a triangle of the mesh
    tris = {tuple(sorted(t)) for t in TRIS.tolist()}
    paired = [tuple(sorted(t)) in tris for t in MIRROR[TRIS].tolist()]
    assert np.mean(paired) > 0.98


def test_a_frontal_face_hides_nothing_a_turned_one_hides_its_far_side():
    front = _photo_of_canonical(0.0)
    assert not mirror_sources(front, TRIS)[0].any()
    turned = _photo_of_canonical(45.0)
    hidden = hidden_in_photo(turned, TRIS)
    done, corners = mirror_sources(turned, TRIS)
    assert done.sum() > 40
    # all on one side of the face (the far side): its mirror triangles are all shown
    side = np.sign(canonical_face()[TRIS[done], 0].mean(1))
    assert abs(side.sum()) >= 0.9 * len(side)
    assert not hidden[np.flatnonzero(done)].sum() < done.sum()      # completed ones are hidden ones
    # a completed triangle samples the photo where its mirror lies; the others where they lie
    np.testing.assert_allclose(corners[done], turned[MIRROR[TRIS[done]], :2])
    np.testing.assert_allclose(corners[~done], turned[TRIS[~done], :2])


@pytest.fixture(scope="module")
def turned():
    from talkface_studio.face.portrait import fit_portrait
    return fit_portrait(TURNED, size=SIZE)


def _turned_frame(portrait, yaw: float, renderer) -> tuple[np.ndarray, np.ndarray]:
    from talkface_studio.face.relocate import relocate
    ident = np.asarray(portrait.landmarks, np.float32)
    lm = relocate(ident, canonical_face()[None], {"head_yaw": np.array([yaw], np.float32),
                                                  "head_pitch": np.array([0.0], np.float32)})[0]
    return lm.astype(np.float64), next(renderer.render(portrait, lm[None], SIZE))


def _lum(img):
    return np.asarray(img, np.float64)[..., :3] @ np.array([0.299, 0.587, 0.114])


def _corr(a, b):
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum() + 1e-9))


@pytest.mark.parametrize("yaw", [20.0, 30.0])
def test_turning_back_shows_the_mirror_side_not_what_hid_it(turned, yaw):
    """Where the turn back reveals what the photo hid, the frame is the mirror side's skin and
    eye, not the photo's own pixels there (the nose and glasses that hid it). At 512 px, inside
    the revealed region, correlation with the mirror's pixels / with the photo's own pixels there:
    before 0.15 / 0.70 at +20, 0.47 / 0.64 at +30; now 0.96 / 0.08 and 0.97 / 0.37."""
    renderer = MeshWarpRenderer("cpu")
    lm, frame = _turned_frame(turned, yaw, renderer)
    prep = renderer.prepare(turned, SIZE)
    mesh = prep.mesh
    assert mesh.completed is not None and mesh.completed.sum() > 40
    pts, depth = renderer._mesh_points(prep, lm)
    keep = visible_triangles(mesh, pts, completed=True)
    # per pixel: which nodes a completed triangle wins, where its own and its mirror's source lie
    mirror_disp, _, winner, _ = rasterize_grid(mesh, pts, depth, keep, (0.5, 0.5), 1.0, SIZE, SIZE, mirrored=True)
    own_disp, _ = rasterize_grid(mesh, pts, depth, keep, (0.5, 0.5), 1.0, SIZE, SIZE)
    won = (winner >= 0).reshape(SIZE, SIZE)
    from scipy.ndimage import binary_erosion
    inner = binary_erosion(won, iterations=6)          # away from the soft seam (1.5 nodes)
    assert inner.sum() > 200                           # the turn does reveal a sizeable region
    ys, xs = np.nonzero(inner)
    photo = _lum(prep.cpu["layer4"])                  # the moving layer: the photo at frame size

    def at(disp):
        d = disp.reshape(SIZE, SIZE, 2)[ys, xs]
        sx = np.clip(np.round(xs + d[:, 0]).astype(int), 0, SIZE - 1)
        sy = np.clip(np.round(ys + d[:, 1]).astype(int), 0, SIZE - 1)
        return photo[sy, sx]
    shown = _lum(frame)[ys, xs]
    assert _corr(shown, at(mirror_disp)) > 0.8
    assert _corr(shown, at(own_disp)) < 0.5


def test_batched_path_agrees_on_a_turned_photo(turned):
    from talkface_studio.face.relocate import relocate
    ident = np.asarray(turned.landmarks, np.float32)
    lms = np.stack([relocate(ident, canonical_face()[None], {"head_yaw": np.array([y], np.float32),
                                                             "head_pitch": np.array([0.0], np.float32)})[0]
                    for y in (15.0, 30.0)])
    own = np.stack(list(MeshWarpRenderer("cpu").render(turned, lms, SIZE)))
    batched = np.stack(list(MeshWarpRenderer("cpu", batch=2).render(turned, lms, SIZE)))
    diff = np.abs(own.astype(int) - batched.astype(int))
    assert diff.max() <= 6 and diff.mean() < 0.3


def test_colour_gain_matches_the_hidden_sides_light():
    """A photo lit more on the hidden side than on the side it mirrors: the completed triangles
    are brightened by about that ratio (no seam where they meet the shown part of that side)."""
    from talkface_studio.render.mesh_warp.mirror_fill import mirror_gain
    from talkface_studio.render.mesh_warp.warp_mesh import build_warp_mesh
    lm = _photo_of_canonical(45.0)
    mesh = build_warp_mesh(TRIS, lm, 256)
    assert mesh.completed is not None
    far = canonical_face()[:, 0] * np.sign(canonical_face()[TRIS[mesh.completed[:len(TRIS)]], 0].mean()) > 0
    # the far side of the midline is 1.25x as bright in the photo as the near side
    split = lm[MIRROR == np.arange(len(MIRROR)), 0].mean()      # the midline
    texture = np.full((256, 256, 3), 100, np.uint8)
    brighter = (np.arange(256) > split) == (lm[far, 0].mean() > split)
    texture[:, brighter] = 125
    gain = mirror_gain(texture, lm, mesh, TRIS)
    np.testing.assert_allclose(gain, (125 + 8) / (100 + 8), atol=0.05)
    assert np.allclose(mirror_gain(np.full((256, 256, 3), 90, np.uint8), lm, mesh, TRIS), 1.0)


def test_the_far_eye_keeps_its_own_iris_when_the_gaze_moves(turned, monkeypatch):
    """The photo shows the far eye turned away beside the nose (its iris an ellipse, radius 0.30
    of the eye's width against ~0.2 from the front): a gaze change redraws the near eye's iris
    but leaves the far eye as the warp carries it. Redrawn, it was a round iris cut from beside
    the nose with a ring of lens and lashes, pasted over the bridge."""
    from talkface_studio.render.mesh_warp import eyes
    from talkface_studio.render.mesh_warp.face_loops import EYES
    renderer = MeshWarpRenderer("cpu")
    prep = renderer.prepare(turned, SIZE)
    facing = [eyes._facing(look, prep.look, rim) for rim, look in zip(EYES, prep.look.eyes)]
    assert sorted(facing) == [0.0, 1.0]
    lm = np.asarray(turned.landmarks, np.float64)
    looked = lm.copy()
    for rim in EYES:
        r = np.linalg.norm(lm[rim.iris_ring, :2] - lm[rim.iris_centre, :2], axis=1).mean()
        looked[[rim.iris_centre, *rim.iris_ring], 0] += 0.8 * r
    drawn = next(renderer.render(turned, looked[None], SIZE)).astype(int)
    monkeypatch.setattr(eyes, "_gaze_gate", lambda *a: 0.0)
    warped = next(renderer.render(turned, looked[None], SIZE)).astype(int)
    for rim, face in zip(EYES, facing):
        pts = lm[rim.loop, :2]
        lo, hi = np.floor(pts.min(0) - 4).astype(int), np.ceil(pts.max(0) + 4).astype(int)
        changed = np.abs(drawn - warped)[lo[1]:hi[1], lo[0]:hi[0]].max()
        assert (changed > 40) if face == 1.0 else (changed == 0)
