"""A head that fills its photo, turned: beside the face there is no second copy of the face.

Where the photo's head is turned, its face mesh wraps past the cheek's visible outline and folds
back to the face oval. The warp's background ring used to start at the oval, and the mesh's
folded-back triangles were drawn where they stuck out of the front: turning the head back toward
the camera showed the strip of cheek (and the eye's outer corner) a second time beside the face.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from painted_face import SIZE, assert_render_paths_agree, covered, painted_frame, turned

from talkface_studio.face.relocate import relocate
from talkface_studio.face.topology import TRIANGLES, canonical_face
from talkface_studio.render.mesh_warp.face_outline import outline_reach
from talkface_studio.render.mesh_warp.face_loops import FACE_OVAL
from talkface_studio.render.registry import get_renderer

DATA = Path(__file__).resolve().parent / "data" / "portraits"


@pytest.fixture(scope="module")
def renderer():
    return get_renderer("mesh_warp", device="cpu")


@pytest.fixture(scope="module")
def fits(tmp_path_factory):
    """The test portraits, and the 112-px crop mirrored (so the other side is checked too)."""
    from talkface_studio.face.portrait import fit_portrait
    mirrored = tmp_path_factory.mktemp("mirrored") / "tight_crop_112_mirrored.png"
    Image.fromarray(np.ascontiguousarray(np.asarray(Image.open(DATA / "tight_crop_112.png").convert("RGB"))[:, ::-1])).save(mirrored)
    paths = {"tight": DATA / "tight_crop_112.png", "mirrored": mirrored,
             "smiling": DATA / "smiling_man.jpg", "glasses": DATA / "glasses_greyscale_small.ppm"}
    return {k: fit_portrait(p, size=SIZE) for k, p in paths.items()}


def _ghost(renderer, fit, yaw: float) -> float:
    """The share of the photo's face in the band beside the turned face: from 2 px beyond the
    turned face mesh (all of it, front and back) to 0.2 face widths, from the forehead's top to
    the chin. The frame is rendered with the photo's face (its mesh's extent, 2 px in from its
    edge) painted FACE and everything else ELSE, through every pass of the renderer."""
    lm = turned(fit, yaw)
    frame = painted_frame(renderer, renderer.prepare(fit, SIZE), lm)
    share = frame[..., 0] / np.maximum(frame[..., 0] + frame[..., 2], 1.0)
    beyond = cv2.distanceTransform(1 - covered(lm[:, :2]), cv2.DIST_L2, 5)
    band = (beyond > 2.0) & (beyond < 0.2 * np.ptp(lm[FACE_OVAL, 0]))
    band[:int(lm[10, 1])] = False
    band[int(lm[152, 1]):] = False
    return float(share[band].mean())


def test_the_photos_face_reaches_past_the_oval_only_where_its_head_is_turned(fits):
    """The 112-px crop's head is turned toward the image's right: there its mesh reaches up to
    ~20 px past the oval; the mirrored crop on the other side; a frontal face nowhere."""
    def reach(fit):
        lm = np.asarray(fit.landmarks, np.float64)[:, :2] * SIZE / fit.image.shape[1]
        got = outline_reach(lm, np.asarray(TRIANGLES), FACE_OVAL, SIZE)
        right = lm[FACE_OVAL, 0] > lm[FACE_OVAL, 0].mean()
        return got[right].max(), got[~right].max()
    assert reach(fits["tight"])[0] > 12 and reach(fits["tight"])[1] < 1
    assert reach(fits["mirrored"])[1] > 12 and reach(fits["mirrored"])[0] < 1
    assert max(reach(fits["smiling"])) == 0.0


@pytest.mark.parametrize("name, yaw", [("tight", -10.0), ("tight", -20.0), ("tight", -25.0),
                                       ("mirrored", 10.0), ("mirrored", 20.0), ("mirrored", 25.0)])
def test_a_turned_tight_crop_shows_no_second_copy_of_its_face(renderer, fits, name, yaw):
    """Turned back toward the camera, the 112-px crop showed the strip of its cheek and the eye's
    outer corner again beside the face (on this measure 0.044 / 0.076 / 0.108 at -10 / -20 / -25
    and 0.052 / 0.087 / 0.096 mirrored; 0.000 at rest); now the background begins where what the
    photo showed of the face ends (0.011-0.014, the anti-aliased edge)."""
    assert _ghost(renderer, fits[name], yaw) < 0.025


@pytest.mark.parametrize("name, yaw", [("smiling", -25.0), ("smiling", 25.0), ("glasses", -25.0),
                                       ("glasses", 25.0)])
def test_portraits_that_do_not_fill_their_photo_stay_as_they_were(renderer, fits, name, yaw):
    """Their rings start at the oval as before (0.027 / 0.027 / 0.007 / 0.009 before, the same
    or less now)."""
    assert _ghost(renderer, fits[name], yaw) < 0.03


def test_a_still_frame_of_a_tight_crop_is_the_photo(renderer, fits):
    fit = fits["tight"]
    frame = next(renderer.render(fit, np.asarray(fit.landmarks, np.float64)[None], SIZE))
    assert np.array_equal(frame, np.asarray(fit.image))


def _luminance(rgb) -> np.ndarray:
    return np.asarray(rgb, np.float64) @ np.array([0.299, 0.587, 0.114])


def _uncovered_against_the_surround(renderer, fit, yaw: float) -> float:
    """Mean luminance distance of what the turned head uncovers (the moving layer there at rest,
    gone now; above the chin) from the crop's filled surround beyond the photo on those rows."""
    lm = turned(fit, yaw)
    rest = renderer.layer_alpha(fit, np.asarray(fit.landmarks, np.float64), SIZE)
    uncovered = (rest > 0.95) & (renderer.layer_alpha(fit, lm, SIZE) < 0.05)
    uncovered[int(lm[152, 1]):] = False
    assert uncovered.sum() > 2000, "the turn should uncover what lay behind the head"
    x0, y0, x1, y1 = fit.crop_box
    w, h = fit.source_size
    at = np.arange(SIZE) + 0.5
    xs, ys = x0 + at * (x1 - x0) / SIZE, y0 + at * (y1 - y0) / SIZE
    filled = ~(((ys >= 0) & (ys < h))[:, None] & ((xs >= 0) & (xs < w))[None, :])
    rows = np.flatnonzero(uncovered.any(1))
    surround = filled.copy()
    surround[:rows.min()] = surround[rows.max():] = False
    surround &= np.abs(np.arange(SIZE) - np.flatnonzero(uncovered.any(0)).mean())[None, :] < 0.3 * SIZE
    frame = _luminance(next(renderer.render(fit, lm[None], SIZE)))
    return float(np.abs(frame[uncovered] - np.median(_luminance(fit.image)[surround])).mean())


@pytest.mark.parametrize("name, yaw", [("tight", 10.0), ("tight", 20.0), ("mirrored", -20.0),
                                       ("mirrored", -25.0)])
def test_a_head_cut_by_its_photos_edge_uncovers_the_surround_not_a_dark_band(renderer, fits, name, yaw):
    """The 112-px crop cuts the head at the photo's left edge; the crop is filled beyond it with
    the photo mirrored (its dark temple) and then smoothly. Turned toward the image's right, the
    head's cut edge (a straight line) slid across the temple and uncovered a flat dark band made
    up from that mirror of skin (on this measure 52.0 / 52.4 at +10 / +20, mirrored 53.8 / 52.3
    at -20 / -25); the mirrored band now moves with the head, and what it uncovers is made up
    from the fill beyond it (24-26)."""
    assert _uncovered_against_the_surround(renderer, fits[name], yaw) < 35.0


def test_the_cpu_and_batched_paths_agree_on_a_turned_tight_crop(fits):
    """The outline anchors, the dropped folded-back sheet and the extended head layer live in
    the mesh and the layers both paths share: the GPU's batched code (run here on the CPU) draws
    what the CPU's own path draws, and batches of 1 and 3 alike."""
    fit = fits["tight"]
    lms = np.stack([relocate(np.asarray(fit.landmarks, np.float32), canonical_face()[None],
                             {"head_yaw": np.array([y], np.float32)})[0] for y in (-25.0, -10.0, 20.0)])
    assert_render_paths_agree(fit, lms)


def test_the_frame_edge_follows_only_a_head_that_runs_past_its_photo(renderer, fits):
    """The 112-px crop's forehead and hair run past the photo's top into the crop's fill: the
    frame's top edge there follows the turned head along the edge (pinned, it sheared the head's
    top into a diagonal streak), never past a neighbouring edge point; a portrait inside its photo
    keeps every edge point where it is."""
    for name, moves in (("tight", True), ("smiling", False), ("glasses", False)):
        fit = fits[name]
        mesh = renderer.prepare(fit, SIZE).mesh
        lm = relocate(np.asarray(fit.landmarks, np.float32), canonical_face()[None],
                      {"head_yaw": np.array([25.0], np.float32)})[0].astype(np.float64)
        first = len(lm) + len(mesh.ring_parent)
        before, after = mesh.src[first:], mesh.target_points(lm)[0][first:]
        moved = np.abs(after - before).max(1)
        assert (moved.max() > 10.0) == moves, name
        top = np.flatnonzero(before[:, 1] < 0)
        xs = after[top[np.argsort(before[top, 0])], 0]
        assert np.all(np.diff(xs) > 0) and np.allclose(after[:, 1][top], before[:, 1][top])


def test_the_rings_inner_edge_moves_smoothly_through_a_slow_turn(renderer, fits):
    """The outline anchors switch between following the surface and staying level with the oval
    without a step: through a turn from -25 to +25 degrees in 0.25-degree steps none jumps."""
    for name in ("tight", "glasses"):
        fit = fits[name]
        mesh = renderer.prepare(fit, SIZE).mesh
        k = len(mesh.outline_corners)
        assert k > 0, name
        yaws = np.arange(-25.0, 25.01, 0.25, dtype=np.float32)
        lms = relocate(np.asarray(fit.landmarks, np.float32), canonical_face()[None].repeat(len(yaws), 0),
                       {"head_yaw": yaws})
        inner = np.stack([mesh.target_points(np.asarray(lm, np.float64))[0][478:478 + k] for lm in lms])
        assert np.abs(np.diff(inner, axis=0)).max() < 2.0, name
