"""The mesh-warp renderer on every gallery portrait (the astronaut and each real photo in
tests/data/portraits: a broad smile, greyscale with glasses at low resolution, a tight crop), driven
through the real path (portrait fit -> neutralize -> relocate -> render), judged by behaviour that
must hold whatever the renderer's inner workings: the identity reproduces the photo, an open jaw
changes the mouth and only the mouth, and an independent tracker (MediaPipe on the rendered frame)
sees the mouth open."""

from __future__ import annotations


import numpy as np
import pytest

from gallery_portraits import fitted_portrait, gallery_names
from talkface_studio.face.relocate import relocate
from talkface_studio.face.topology import REGIONS
from talkface_studio.perform.blendshapes import compose
from talkface_studio.perform.neutralize import neutralize_identity
from talkface_studio.render.registry import get_renderer

SIZE = 256
INNER_UPPER, INNER_LOWER = 13, 14  # MediaPipe's inner lip midpoints
EYE_CORNERS = (33, 263)


def fitted(name: str):
    return fitted_portrait(name, SIZE)


@pytest.fixture(scope="module")
def renderer():
    return get_renderer("mesh_warp", device="cpu")


def render(renderer, fit, landmarks) -> np.ndarray:
    return next(renderer.render(fit, np.asarray(landmarks, np.float32)[None], SIZE)).astype(np.float64)


def performed(fit, jaw_open: float) -> np.ndarray:
    """Image landmarks of the portrait, neutralized, holding `jaw_open` (everything else at rest)."""
    identity, _ = neutralize_identity(np.asarray(fit.landmarks, np.float64))
    expression = compose({"jaw_open": np.array([jaw_open], np.float32)}, 1)
    return relocate(identity, expression, {})[0]


def box(points: np.ndarray, pad: float) -> tuple[slice, slice]:
    lo = np.clip(np.floor(points[:, :2].min(0) - pad), 0, SIZE).astype(int)
    hi = np.clip(np.ceil(points[:, :2].max(0) + pad), 0, SIZE).astype(int)
    return slice(lo[1], hi[1]), slice(lo[0], hi[0])


@pytest.mark.parametrize("name", gallery_names())
def test_identity_landmarks_reproduce_each_portrait(renderer, name):
    fit = fitted(name)
    diff = np.abs(render(renderer, fit, fit.landmarks) - fit.image.astype(np.float64))
    assert diff.mean() < 1.0 and np.percentile(diff, 99.5) <= 6, name


@pytest.mark.parametrize("name", gallery_names())
def test_an_open_jaw_changes_the_mouth_only_and_a_tracker_sees_it_open(renderer, name):
    from talkface_studio.face.mesh_tracker import detect_faces

    fit = fitted(name)
    rest, opened = performed(fit, 0.0), performed(fit, 0.8)
    out_rest, out_open = render(renderer, fit, rest), render(renderer, fit, opened)
    lips = np.concatenate([REGIONS["lips_outer"], REGIONS["lips_inner"]])
    mouth = box(np.concatenate([rest[lips], opened[lips]]), pad=2)
    eyes = box(rest[np.concatenate([REGIONS["left_eye"], REGIONS["right_eye"], REGIONS["left_brow"],
                                    REGIONS["right_brow"]])], pad=2)
    assert np.abs(out_open[mouth] - out_rest[mouth]).mean() > 10, name
    assert np.abs(out_open[eyes] - out_rest[eyes]).mean() < 2, name

    def gap(points):  # inner lip opening in eye-corner distances (~9 cm on a real face)
        eye = np.linalg.norm(points[EYE_CORNERS[0], :2] - points[EYE_CORNERS[1], :2])
        return np.linalg.norm(points[INNER_LOWER, :2] - points[INNER_UPPER, :2]) / eye

    def tracked_gap(img):
        faces = detect_faces(img.astype(np.uint8))
        assert faces, f"{name}: the tracker found no face in the render"
        return gap(faces[0])

    driven = gap(opened) - gap(rest)
    assert driven > 0.1
    # the tracker reads at least half the opening the landmarks asked for (the face of the tight
    # crop is ~60 px wide here, so its few-pixel mouth reads smallest)
    assert tracked_gap(out_open) - tracked_gap(out_rest) > 0.5 * driven, name
