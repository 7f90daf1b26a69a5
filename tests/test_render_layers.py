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
    """The head moved 12 px to the right: where it was and no longer is, the frame shows the
    made-up background (the plate), not the old head (its soft fringe, ~4 px here, moves too)."""
    lm = np.asarray(smiling.landmarks, float)
    m = head_matte(smiling.image, lm)
    moved = lm.copy()
    moved[:, 0] += 12
    out = next(renderer.render(smiling, moved[None], SIZE)).astype(float)
    gone = (m.matte >= 1.0) & (np.roll(m.matte, 6, axis=1) == 0)        # (the hair edge follows ~95 %)
    gone[:, :6] = False
    assert gone.sum() > 30
    to_plate = np.abs(out[gone] - m.plate[gone]).mean()
    to_photo = np.abs(out[gone] - smiling.image[gone]).mean()
    assert to_plate < 6 and to_photo > 2 * to_plate, (to_plate, to_photo)


def _uncovered_vs_background(frame, matte, moved_alpha, level_y):
    """Pixels the moved head uncovered (inside the portrait's head layer, above ``level_y``, clear
    of the moved layer) against the local mean of the true background around them: (their count,
    mean RGB distance, mean luminance difference, gradient strength over them / over background)."""
    size = frame.shape[0]
    above = np.arange(size)[:, None] < level_y
    near_new = cv2.dilate((moved_alpha > 0.02).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    uncovered = (matte > 0.5) & ~near_new & above
    dist = cv2.distanceTransform((matte == 0).astype(np.uint8), cv2.DIST_L2, 5)
    true_bg = (dist > 0.03 * size) & ~near_new & above
    sigma = 0.03 * size
    w = cv2.GaussianBlur(true_bg.astype(np.float32), (0, 0), sigma)
    f = frame.astype(np.float32)
    local = cv2.GaussianBlur(f * true_bg[..., None], (0, 0), sigma) / np.maximum(w, 1e-6)[..., None]
    u = uncovered & (w > 0.05)
    if not u.any():
        return 0, 0.0, 0.0, 0.0
    luma = np.array([0.299, 0.587, 0.114], np.float32)
    lum = f @ luma
    grad = np.hypot(cv2.Sobel(lum, cv2.CV_32F, 1, 0), cv2.Sobel(lum, cv2.CV_32F, 0, 1))
    ring = true_bg & (dist < 0.1 * size) & (w > 0.05)
    return (int(u.sum()), float(np.linalg.norm(f - local, axis=2)[u].mean()),
            float((lum - local @ luma)[u].mean()), float(grad[u].mean() / max(grad[ring].mean(), 1e-6)))


def test_a_nodding_head_uncovers_plain_background_not_a_halo(renderer):
    """The astronaut's studio backdrop is smooth. With the head pitched 10 degrees down (the top
    of the hair drops ~9 px at 256 px), what the hair uncovers must look like the backdrop around
    it: no pale or hair-coloured band, and no hard line along the old outline (a hard-edged band
    there was the halo of the first still-background renderer: RGB distance ~40, gradient ~10x
    the backdrop's)."""
    from skimage import data
    from talkface_studio.face.portrait import fit_portrait
    import tempfile
    from PIL import Image
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "astronaut.png"
        Image.fromarray(data.astronaut()).save(path)
        fit = fit_portrait(path, size=SIZE)
    lm = np.asarray(fit.landmarks, float)
    matte = head_matte(fit.image, lm).matte
    for pitch in (-10.0, 10.0):
        moved = _posed(fit, pitch=pitch)
        out = next(renderer.render(fit, moved[None], SIZE))
        alpha = renderer.layer_alpha(fit, moved, SIZE)
        n, colour, bright, edge = _uncovered_vs_background(out, matte, alpha, lm[[61, 291], 1].mean())
        if pitch < 0:
            assert n > 30, n                                  # the nod does uncover the backdrop
        if n > 10:
            assert colour < 12 and abs(bright) < 6 and edge < 2.5, (pitch, n, colour, bright, edge)


def test_the_head_layer_has_a_soft_edge_and_no_holes(smiling, glasses):
    """Across the hair's outline the matte falls over several pixels (no hard cut), and inside the
    head (ears, half-lit hair the segmentation hesitates on) it is solid."""
    from talkface_studio.face.topology import REGIONS
    for fit in (smiling, glasses):
        lm = np.asarray(fit.landmarks, float)
        m = head_matte(fit.image, lm)
        top = int(lm[10, 0])
        assert fit is glasses or m.matte[0, top] == 0                                  # the column through the forehead
        col = m.matte[:int(lm[10, 1]), top]
        if col[0] == 0:                                       # (the hair's top is in the frame)
            ramp = np.flatnonzero((col > 0.05) & (col < 0.95))
            assert len(ramp) >= 2, col                        # soft: more than one pixel
            assert np.all(np.diff(col[col > 0.02]) >= -0.05)   # rising toward the head, no ring
        # solid from the hair down to the mouth between the eyes' outer corners
        xs = slice(int(lm[33, 0]), int(lm[263, 0]))
        first = np.argmax(m.matte[:, xs] > 0.99, axis=0).max()
        assert (m.matte[first:int(lm[0, 1]), xs] > 0.98).all()
        oval = lm[REGIONS["face_oval"], :2]
        # the ears' height, just outside the face outline on both sides: solid too
        y = int(lm[234, 1])
        for x in (int(oval[:, 0].min()) - 2, int(oval[:, 0].max()) + 1):
            assert m.matte[y, x] > 0.9, (x, y, m.matte[y, x - 3:x + 4])


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
    # the bridge (on the nose between the eyes, landmark 168) lands where the head's rigid motion
    # puts that point, with what the photo showed there
    x, y = (int(round(v)) for v in moved[168, :2])
    sx, sy = (int(round(v)) for v in lm[168, :2])
    win = out[y - 6:y + 6, x - 6:x + 6].astype(float)
    ref = glasses.image[sy - 6:sy + 6, sx - 6:sx + 6].astype(float)
    assert np.abs(win - ref).mean() < 12


@pytest.mark.parametrize("yaw", [-25.0, -20.0, 20.0, 25.0])
def test_a_turned_heads_glasses_stay_on_the_head(renderer, glasses, yaw):
    """Turned 20-25 degrees, the far lens and arm are foreshortened with the face they sit on and
    fold behind it; a rigid map in the image plane alone carried them far past the cheek's
    outline, a wing over the background (260-620 pixels beyond the outline that the glasses
    changed by more than 30 levels, at 256 px). Beyond the face's outline the frame shows what
    the warp itself carries there (background, hair, ears)."""
    import dataclasses
    from talkface_studio.render.mesh_warp.face_loops import FACE_OVAL
    lm = np.asarray(_posed(glasses, yaw=yaw), np.float64)
    prep = renderer.prepare(glasses, SIZE)
    held = renderer.render_frame(prep, lm).astype(float)
    plain = renderer.render_frame(dataclasses.replace(prep, glasses=None), lm).astype(float)
    face = np.zeros((SIZE, SIZE), np.uint8)
    cv2.fillPoly(face, [np.round(lm[FACE_OVAL, :2]).astype(np.int32)], 1)
    beyond = cv2.dilate(face, np.ones((7, 7), np.uint8)) == 0        # ~3 px past the outline
    moved = np.abs(held - plain).max(2)[beyond]
    assert np.count_nonzero(moved > 30) < 20, (yaw, np.count_nonzero(moved > 30))
