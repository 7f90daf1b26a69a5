"""The head moves over a still background; glasses move with the skull, not with the brows."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from talkface_studio.face.glasses import detect, footprint
from talkface_studio.face.person_matte import head_matte
from talkface_studio.face.relocate import relocate
from talkface_studio.face.topology import canonical_face
from talkface_studio.render.registry import get_renderer

DATA = Path(__file__).resolve().parent / "data" / "portraits"
DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo" / "portrait.png"
SIZE = 256


def _fit(path):
    from talkface_studio.face.portrait import fit_portrait
    return fit_portrait(path, size=SIZE)


@pytest.fixture(scope="module")
def renderer():
    return get_renderer("mesh_warp", device="cpu")


@pytest.fixture(scope="module")
def smiling():
    return _fit(DATA / "smiling_man.jpg")


@pytest.fixture(scope="module")
def glasses():
    return _fit(DATA / "glasses_greyscale_small.ppm")


@pytest.fixture(scope="module")
def demo():
    return _fit(DEMO)


def _posed(fit, yaw=0.0, pitch=0.0, roll=0.0):
    lm = np.asarray(fit.landmarks, np.float32)
    ch = {"head_yaw": np.array([yaw], np.float32), "head_pitch": np.array([pitch], np.float32),
          "head_roll": np.array([roll], np.float32)}
    return relocate(lm, canonical_face()[None], ch)[0]


# -- the still background ----------------------------------------------------------------------

@pytest.mark.parametrize("pose", [dict(yaw=15), dict(yaw=-12, pitch=8), dict(roll=10)])
def test_background_far_from_the_head_stays_exactly_still(renderer, smiling, pose):
    out = next(renderer.render(smiling, _posed(smiling, **pose)[None], SIZE))
    matte = head_matte(smiling.image, np.asarray(smiling.landmarks, float)).matte
    # pixels more than ~10 % of the frame away from anything that moves with the head
    far = cv2.dilate((matte > 0).astype(np.uint8), np.ones((27, 27), np.uint8)) == 0
    assert far.mean() > 0.25
    assert np.array_equal(out[far], smiling.image[far])
    # ... while the head did move
    assert np.abs(out.astype(int) - smiling.image.astype(int))[matte > 0.99].mean() > 3


def test_the_head_layer_is_head_hair_and_neck_not_shoulders(smiling):
    from talkface_studio.face.topology import REGIONS
    lm = np.asarray(smiling.landmarks, float)
    m = head_matte(smiling.image, lm)
    assert m.matte[int(lm[1, 1]), int(lm[1, 0])] == 1.0                   # the nose
    assert m.matte[int(lm[10, 1]) - 8, int(lm[10, 0])] > 0.9               # hair above the forehead
    chin = lm[152, :2]
    face_h = np.ptp(lm[REGIONS["face_oval"], 1])
    assert m.neck[int(chin[1] + 0.1 * face_h), int(chin[0])] > 0.7         # the neck follows ...
    low = int(chin[1] + 0.55 * face_h)
    if low < SIZE:
        assert m.neck[low, int(chin[0])] == 0.0                            # ... the chest does not
    shoulder = (min(SIZE - 1, int(chin[1] + 0.3 * face_h)), max(0, int(chin[0] - 1.1 * np.ptp(lm[:, 0]))))
    assert m.matte[shoulder] == 0.0 and m.neck[shoulder] == 0.0
    # the plate under the head is made up from the background, the photo everywhere else
    assert np.array_equal(m.plate[m.matte == 0], smiling.image[m.matte == 0].astype(np.float32))


def test_head_motion_uncovers_background_not_a_ghost_head(renderer, smiling):
    """The head moved 8 px to the right: where it was and no longer is, the frame shows the
    made-up background (the plate), not the old head."""
    lm = np.asarray(smiling.landmarks, float)
    m = head_matte(smiling.image, lm)
    moved = lm.copy()
    moved[:, 0] += 8
    out = next(renderer.render(smiling, moved[None], SIZE)).astype(float)
    gone = (m.matte >= 1.0) & (np.roll(m.matte, 6, axis=1) == 0)        # (the hair edge follows ~95 %)
    gone[:, :6] = False
    assert gone.sum() > 30
    to_plate = np.abs(out[gone] - m.plate[gone]).mean()
    to_photo = np.abs(out[gone] - smiling.image[gone]).mean()
    assert to_plate < 6 and to_photo > 2 * to_plate, (to_plate, to_photo)


# -- glasses ------------------------------------------------------------------------------------

def _drawn_glasses(fit):
    """The portrait with a pair of dark round frames drawn on (a test stand-in for real ones)."""
    img = fit.image.copy()
    lm = np.asarray(fit.landmarks, float)
    mm = np.linalg.norm(lm[263, :2] - lm[33, :2]) / 63
    t = max(1, int(round(1.2 * mm)))
    ends = []
    for a, b in ((33, 133), (362, 263)):
        c = 0.5 * (lm[a, :2] + lm[b, :2]) + [0, 1.5 * mm]
        w = 0.5 * np.linalg.norm(lm[b, :2] - lm[a, :2]) + 7 * mm
        cv2.ellipse(img, (int(c[0]), int(c[1])), (int(w), int(0.65 * w)), 0, 0, 360, (30, 30, 30), t, cv2.LINE_AA)
        ends.append((c, w))
    (c0, w0), (c1, w1) = ends
    cv2.line(img, (int(c0[0] + w0), int(c0[1] - 2 * mm)), (int(c1[0] - w1), int(c1[1] - 2 * mm)), (30, 30, 30), t)
    cv2.line(img, (int(c0[0] - w0), int(c0[1])), (int(lm[127, 0]), int(lm[127, 1])), (30, 30, 30), t)
    cv2.line(img, (int(c1[0] + w1), int(c1[1])), (int(lm[356, 0]), int(lm[356, 1])), (30, 30, 30), t)
    return img


def test_glasses_are_found_on_faces_with_glasses_only(glasses, smiling, demo):
    assert detect(glasses.image, glasses.landmarks).present                 # rimless, greyscale
    for fit in (smiling, demo):
        assert not detect(fit.image, fit.landmarks).present, detect(fit.image, fit.landmarks)
        assert detect(_drawn_glasses(fit), fit.landmarks).present           # ... until they wear some
    tight = _fit(DATA / "tight_crop_112.png")
    assert not detect(tight.image, tight.landmarks).present


def test_glasses_stay_put_when_the_brows_move(renderer, glasses):
    """Brows raised 5 mm and lowered 4 mm, head still: the frame's band (the footprint outside the
    lenses and brows) keeps its pixels; without glasses handling the warp drags it along."""
    import dataclasses
    lm = np.asarray(glasses.landmarks, float)
    mm = np.linalg.norm(lm[263, :2] - lm[33, :2]) / 63
    brows = [46, 53, 52, 65, 55, 70, 63, 105, 66, 107, 276, 283, 282, 295, 285, 300, 293, 334, 296, 336]
    band = footprint((SIZE, SIZE), lm) > 0.9
    plain = get_renderer("mesh_warp", device="cpu")
    for shift in (-5.0, 4.0):
        moved = lm.copy()
        moved[brows, 1] += shift * mm
        out = next(renderer.render(glasses, moved[None], SIZE)).astype(float)
        held = np.abs(out - glasses.image)[band].mean()
        # the same portrait with the detection switched off
        bare = plain.prepare(glasses, SIZE)
        bent = dataclasses.replace(bare, glasses=None)
        bent_out = plain.render_frame(bent, moved).astype(float)
        dragged = np.abs(bent_out - glasses.image)[band].mean()
        assert held < 0.5 * dragged, (shift, held, dragged)


def test_a_turned_head_carries_its_glasses_rigidly(renderer, glasses):
    lm = np.asarray(glasses.landmarks, float)
    moved = _posed(glasses, yaw=8, roll=5)
    out = next(renderer.render(glasses, moved[None], SIZE))
    # the bridge (between the inner eye corners) lands where the rigid head motion puts it
    from talkface_studio.render.rigid_glasses import rigid_map
    m = rigid_map(lm, moved)
    inner = 0.5 * (moved[133, :2] + moved[362, :2])
    src = m[:, :2] @ inner + m[:, 2]
    x, y = int(inner[0]), int(inner[1])
    sx, sy = int(round(src[0])), int(round(src[1]))
    win = out[y - 6:y + 6, x - 6:x + 6].astype(float)
    ref = glasses.image[sy - 6:sy + 6, sx - 6:sx + 6].astype(float)
    assert np.abs(win - ref).mean() < 12
