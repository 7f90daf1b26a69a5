"""What the person segmentation takes for the head but is coloured like nothing on the head stays
with the still background (``face.head_colours``): the car window beside the 3/4 face's far
cheek no longer moves with the head, and no other portrait loses hair, ears, beard, glasses or hat.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from talkface_studio.face import person_matte
from talkface_studio.face.head_colours import not_the_head
from talkface_studio.face.topology import REGIONS, TRIANGLES

DATA = Path(__file__).resolve().parent / "data" / "portraits"
PORTRAITS = sorted(p for folder in (DATA, DATA / "more") for p in folder.iterdir()
                   if p.suffix.lower() in (".jpg", ".png", ".ppm"))
SIZE = 512


@pytest.fixture(scope="module")
def fits():
    from talkface_studio.face.portrait import fit_portrait
    return {p.stem: fit_portrait(p, size=SIZE) for p in PORTRAITS}


def _mattes(fit, monkeypatch):
    """(matte with the colour test, matte without it)."""
    rgb, lm = np.asarray(fit.image)[..., :3], np.asarray(fit.landmarks, np.float64)
    with_test = person_matte.head_matte(rgb, lm)
    with monkeypatch.context() as m:
        m.setattr(person_matte, "not_the_head", lambda rgb, core, *a: np.zeros(core.shape, bool))
        without = person_matte.head_matte(rgb, lm)
    return with_test, without


def _window_beside_far_cheek(fit) -> np.ndarray:
    """The car window's teal within 40 px beside the 3/4 face's far cheek, above the chin."""
    rgb, lm = np.asarray(fit.image)[..., :3].astype(int), np.asarray(fit.landmarks, np.float64)
    face = np.zeros((SIZE, SIZE), np.uint8)
    for t in np.round((lm[np.asarray(TRIANGLES)][..., :2] - 0.5) * 16).astype(np.int32):
        cv2.fillConvexPoly(face, t, 1, cv2.LINE_8, shift=4)
    dist = cv2.distanceTransform((1 - face).astype(np.uint8), cv2.DIST_L2, 5)
    window = (rgb[..., 2] > rgb[..., 0] + 30) & (rgb[..., 1] > rgb[..., 0] + 30)
    cols = np.nonzero(face.any(0))[0]
    far = np.arange(SIZE)[None, :] < (cols[0] + cols[-1]) / 2          # he looks to the image's left
    above = np.arange(SIZE)[:, None] < lm[152, 1]
    return window & (dist > 0) & (dist <= 40) & far & above


def test_the_car_window_beside_a_turned_cheek_stays_still(fits, monkeypatch):
    """Before: the segmentation held all of the window beside his far cheek (matte 1.00 there: it
    moved with the head and held expressions dragged it through the moustache); now 0.2 (what
    is left is the soft edge right along the cheek)."""
    fit = fits["turned_glasses_beard_pair"]
    near = _window_beside_far_cheek(fit)
    assert near.sum() > 1000
    now, before = _mattes(fit, monkeypatch)
    assert before.matte[near].mean() > 0.9            # (the segmentation's own mistake)
    assert now.matte[near].mean() < 0.35, now.matte[near].mean()
    # and the neck's share of the motion, which climbs his far cheek under the jaw line
    assert now.neck[near].mean() < 0.5 * before.neck[near].mean() + 1e-6


@pytest.mark.parametrize("name", [p.stem for p in PORTRAITS if p.stem != "turned_glasses_beard_pair"])
def test_no_other_head_loses_hair_ears_or_hat(fits, monkeypatch, name):
    """Hair (white, grey, black), ears, beards, glasses and a hat keep their matte: on every other
    portrait the head (matte > 0.5) with and without the colour test overlaps by IoU >= 0.99
    (measured: 1.000 on all but the young man in his hoodie, 0.9986: a patch of the yellow hood
    beside his jaw)."""
    now, before = _mattes(fits[name], monkeypatch)
    a, b = now.matte > 0.5, before.matte > 0.5
    assert (a & b).sum() / (a | b).sum() >= 0.99
    # what is inside the face's outline never goes
    lm = np.asarray(fits[name].landmarks, np.float64)
    inside = cv2.erode(person_matte._face_inside(a.shape, lm), np.ones((5, 5), np.uint8)) > 0
    assert now.matte[inside].min() > 0.99


def test_a_patch_coloured_like_nothing_on_the_head_goes_and_hair_beside_the_face_stays():
    """Synthetic: a skin-coloured face, brown hair over and beside it, a teal patch beside the
    cheek with a hair-coloured cord across it, all in the segmented head: only the patch and
    the cord are not the head (thin strands elsewhere stay)."""
    h = w = 256
    rgb = np.full((h, w, 3), (40, 40, 40), np.uint8)
    lm = np.zeros((478, 3), np.float64)
    oval = REGIONS["face_oval"]
    t = np.linspace(0, 2 * np.pi, len(oval), endpoint=False)
    lm[oval, 0], lm[oval, 1] = 128 + 50 * np.cos(t), 130 + 65 * np.sin(t)
    for region in ("left_eye", "right_eye"):
        lm[REGIONS[region], :2] = (110 if region == "right_eye" else 146, 115)
    lm[152, :2] = (128, 195)
    core = np.zeros((h, w), bool)
    cv2.ellipse(rgb, (128, 110), (100, 110), 0, 0, 360, (90, 60, 30), -1)              # hair
    cv2.ellipse(core.view(np.uint8), (128, 110), (100, 110), 0, 0, 360, 1, -1)
    cv2.ellipse(rgb, (128, 130), (50, 65), 0, 0, 360, (210, 160, 130), -1)           # skin
    rgb[115:160, 45:72] = (60, 200, 200)                                                # a teal window beside the cheek
    rgb[60:100, 200:203] = (60, 200, 200)                                               # a thin teal line: too thin to go
    rgb[105:170, 55:57] = (90, 60, 30)                  # a hair-coloured cord hanging across the window: goes with it
    rgb[30:90, 70:72] = (210, 160, 130)                 # a thin skin-coloured strand elsewhere: stays
    face = np.zeros((h, w), np.float32)
    cv2.ellipse(face, (128, 130), (50, 65), 0, 0, 360, 1.0, -1)
    out = not_the_head(rgb, core, face, lm, h / 512)
    window = np.zeros((h, w), bool)
    window[115:160, 45:72] = True
    assert out[window & core].mean() > 0.9
    assert out[117:158, 55:57].mean() > 0.9            # the cord across it
    assert not out[~window].any()


def test_held_surprise_and_turns_leave_the_window_beside_the_cheek_still(fits):
    """The 3/4 face held surprised (its channel at 1) and turned -30 / +15 degrees: the window beside his
    far cheek, away from where the face itself moves, stays the photo's. Before: it moved with
    the head (mean change 17 / 25 / 15 grey levels there: the mirror's cords and the window
    dragged and bent); then 0.95 / 0.00 / 1.8. Since the ring starts at the photo's true profile
    (profile_reach: the nose tip and moustache past the mesh move with the face), 1.4 / 0.0 / 5.0:
    at +15 the photo's nose tip, which this mask counts as window, has moved away (as it should),
    and the near cord beside the chin shifts by a pixel where the ring now starts further out.
    Both render paths agree."""
    from talkface_studio.face.relocate import relocate
    from talkface_studio.face.topology import canonical_face
    from talkface_studio.perform.blendshapes import compose
    from talkface_studio.perform.procedural.visemes import REST
    from talkface_studio.render.mesh_warp.renderer import MeshWarpRenderer

    fit = fits["turned_glasses_beard_pair"]
    ident = np.asarray(fit.landmarks, np.float32)
    held = {"emo_surprised": np.array([1.0], np.float32), "lip_press": np.array([REST[3]], np.float32)}
    poses = [relocate(ident, compose(held, 1), held)[0]]
    poses += [relocate(ident, canonical_face()[None], {"head_yaw": np.array([y], np.float32)})[0] for y in (-30.0, 15.0)]
    lms = np.stack(poses).astype(np.float64)
    frames = np.stack(list(MeshWarpRenderer("cpu").render(fit, lms, SIZE))).astype(float)
    near = _window_beside_far_cheek(fit)
    photo = np.asarray(fit.image)[..., :3].astype(float)
    for lm, frame in zip(lms, frames):
        moved = np.zeros((SIZE, SIZE), np.uint8)
        for t in np.round((lm[np.asarray(TRIANGLES)][..., :2] - 0.5) * 16).astype(np.int32):
            cv2.fillConvexPoly(moved, t, 1, cv2.LINE_8, shift=4)
        still = near & ~(cv2.dilate(moved, np.ones((17, 17), np.uint8)) > 0)
        assert still.sum() > 300
        assert np.abs(frame - photo).mean(2)[still].mean() < 6.0
    batched = np.stack(list(MeshWarpRenderer("cpu", batch=3).render(fit, lms, SIZE))).astype(float)
    diff = np.abs(frames - batched)
    assert diff.max() <= 4 and diff.mean() < 0.2
