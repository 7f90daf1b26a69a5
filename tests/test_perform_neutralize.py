"""Portrait neutralization: a held smile comes off, identity stays, pose and pixels are kept."""

import numpy as np
import pytest

from talkface_studio.core.errors import ValidationError
from talkface_studio.face.normalize import Pose, denormalize, normalize
from talkface_studio.face.topology import REGIONS, canonical_face
from talkface_studio.perform.blendshapes import BASES, EXPRESSION_CHANNELS, OPEN_PARTS
from talkface_studio.perform.expression_measures import measure
from talkface_studio.perform.face_fields import MM
from talkface_studio.perform.neutralize import (
    DERIVED_CHANNELS,
    TYPICAL_MOUTH_MM,
    FIT_CHANNELS,
    NEUTRALIZE_OPTION,
    estimate_expression,
    expression_field,
    neutralize_identity,
    wants_neutralize,
)

CANON = canonical_face().astype(np.float64)
POSE = Pose.from_angles(yaw=12.0, pitch=-9.0, roll=4.0, scale=150.0, translation=(256.0, 240.0, 0.0))
EXPRESSIVE = np.concatenate([REGIONS[r] for r in ("lips", "left_brow", "right_brow", "left_eye", "right_eye")])
UPPER_FACE = np.concatenate([REGIONS[r] for r in ("left_brow", "right_brow", "left_eye", "right_eye")])


def random_identity(rng) -> np.ndarray:
    """A neutral face that is not the canonical one: proportions, mouth, lips, brows, eyes, noise."""
    f = CANON.copy()
    f[:, 0] *= rng.uniform(0.92, 1.08)
    f[:, 1] *= rng.uniform(0.92, 1.08)
    lips = REGIONS["lips"]
    centre = f[lips].mean(axis=0)
    f[lips, 0] = centre[0] + (f[lips, 0] - centre[0]) * rng.uniform(0.92, 1.08)  # mouth width
    f[lips, 1] += rng.uniform(-3, 3) * MM  # upper-lip length
    line = f[REGIONS["lips_inner"], 1].mean()
    f[lips, 1] = line + (f[lips, 1] - line) * rng.uniform(0.8, 1.2)  # lip fullness
    for side in ("left", "right"):
        f[REGIONS[f"{side}_brow"], 1] += rng.uniform(-2.5, 2.5) * MM
        eye = REGIONS[f"{side}_eye"]
        ey = f[eye, 1].mean()
        f[eye, 1] = ey + (f[eye, 1] - ey) * rng.uniform(0.88, 1.12)  # eye size
    return f + rng.normal(0, 0.4 * MM, f.shape)  # tracker noise


def with_expression(identity_n, coefficients) -> np.ndarray:
    """The face holding an expression; emotions whole (an open-mouthed surprise with its jaw dropped),
    not only the part of them the estimator fits."""
    return identity_n + expression_field(coefficients, identity_n, whole_emotions=True)


def renormalized(face_n) -> np.ndarray:
    """The face as normalize() sees it once posed in pixels (a stretched face re-normalizes)."""
    return normalize(denormalize(face_n, POSE))[0]


def test_identity_is_not_mistaken_for_expression():
    rng = np.random.default_rng(3)
    for _ in range(25):
        face = random_identity(rng)
        coefficients = estimate_expression(face)
        assert set(coefficients) == set(FIT_CHANNELS + DERIVED_CHANNELS)
        assert max(coefficients.values()) < 0.25, coefficients
        neutral, _ = neutralize_identity(denormalize(face, POSE))
        moved = np.linalg.norm(normalize(neutral)[0] - renormalized(face), axis=1)[EXPRESSIVE] / MM
        assert moved.max() < 2.5, moved.max()


def test_a_teeth_showing_smile_is_removed_and_the_lips_close():
    rng = np.random.default_rng(5)
    face = random_identity(rng)
    # as fitted on the demo portrait: corners pulled ~6 mm up, lips ~11 mm apart
    smiling = with_expression(face, {"corner_pull": 0.75, "lips_part": 1.1, "emo_happy": 0.3})
    before, truth = measure(smiling, normalized=True), measure(face, normalized=True)
    assert before["corner_lift"][0] - truth["corner_lift"][0] > 5 and before["lip_gap"][0] > 8

    neutral_px, coefficients = neutralize_identity(denormalize(smiling, POSE))
    after = measure(neutral_px)
    assert coefficients["lips_part"] > 0.7 and coefficients["corner_pull"] + coefficients["emo_happy"] > 0.6
    assert abs(after["corner_lift"][0] - truth["corner_lift"][0]) < 1.5
    assert after["lip_gap"][0] < 1.0
    # A smile's widened mouth comes back to the face's own width; a width beyond a typical mouth's
    # is ambiguous (a wide mouth, or a smile wider than the fitted shape), so with a clear smile
    # it comes back to at least the typical width, never narrower than that or than the face's.
    floor = min(truth["mouth_width"][0], TYPICAL_MOUTH_MM)
    assert floor - 2.5 < after["mouth_width"][0] < truth["mouth_width"][0] + 2.5, (after["mouth_width"], truth["mouth_width"])


def test_a_smile_on_a_typical_mouth_keeps_its_width_and_a_wide_smile_narrows():
    """The fit reads the mouth's width as identity; a broad smile's widening beyond what its
    fitted shape explains (real smiles pull the corners out further) is not the face's own."""
    rng = np.random.default_rng(11)
    face = random_identity(rng)
    lips = REGIONS["lips"]
    centre = face[lips, 0].mean()
    width = (face[291, 0] - face[61, 0]) / MM
    narrow = face.copy()
    narrow[lips, 0] = centre + (face[lips, 0] - centre) * (TYPICAL_MOUTH_MM - 2) / width
    truth = measure(renormalized(narrow), normalized=True)["mouth_width"][0]
    smiling = with_expression(narrow, {"corner_pull": 0.7, "lips_part": 1.0})
    after = measure(neutralize_identity(denormalize(smiling, POSE))[0])["mouth_width"][0]
    assert abs(after - truth) < 2.5, (after, truth)                  # a typical mouth is kept
    # the same smile pulled 8 mm wider than its shape: back to a typical width, not kept as identity
    wide = smiling.copy()
    wide[lips, 0] = centre + (smiling[lips, 0] - centre) * 1.14
    kept = measure(neutralize_identity(denormalize(wide, POSE))[0])["mouth_width"][0]
    assert kept < TYPICAL_MOUTH_MM + 2.5, kept
    # and a mouth that does not smile keeps its width, however wide
    plain = face.copy()
    plain[lips, 0] = centre + (face[lips, 0] - centre) * 1.12
    own = measure(renormalized(plain), normalized=True)["mouth_width"][0]
    assert abs(measure(neutralize_identity(denormalize(plain, POSE))[0])["mouth_width"][0] - own) < 0.5


@pytest.mark.parametrize("emotion", ["emo_sad", "emo_surprised", "emo_angry", "emo_disgusted"])
def test_a_held_emotion_is_recognised_and_taken_off(emotion):
    face = random_identity(np.random.default_rng(7))
    held = with_expression(face, {emotion: 0.7})
    coefficients = estimate_expression(held)
    assert max(EXPRESSION_CHANNELS, key=coefficients.get) == emotion
    assert 0.4 < coefficients[emotion] <= 1.0
    neutral, _ = neutralize_identity(denormalize(held, POSE))
    residual = np.linalg.norm(normalize(neutral)[0] - renormalized(face), axis=1) / MM
    held_off = np.linalg.norm(renormalized(held) - renormalized(face), axis=1) / MM
    # surprise's dropped jaw is closed by bringing the lips together (lips_part): the lips meet, but
    # in another shape than the jaw's, so the mouth is checked by its opening there
    points = EXPRESSIVE if emotion not in OPEN_PARTS else UPPER_FACE
    assert residual[points].mean() < 0.35 * held_off[points].mean()
    assert measure(neutral)["lip_gap"][0] < 1.0


def test_pose_stable_points_and_eyes_are_kept():
    face = with_expression(random_identity(np.random.default_rng(9)), {"corner_pull": 0.8, "lips_part": 1.0})
    px = denormalize(face, POSE)
    neutral, _ = neutralize_identity(px)
    assert neutral.shape == (478, 3) and neutral.dtype == np.float32
    pose = normalize(neutral)[1]
    assert abs(pose.yaw - POSE.yaw) < 0.3 and abs(pose.pitch - POSE.pitch) < 0.3 and abs(pose.roll - POSE.roll) < 0.3
    stable = REGIONS["stable"]
    assert np.abs(neutral[stable] - px[stable]).max() < 1.0  # pixels, on a 150 px eye distance
    irises = np.concatenate([REGIONS["left_iris"], REGIONS["right_iris"]])
    assert np.abs(neutral[irises] - px[irises]).max() < 0.5


def test_strength_scales_the_removal_and_bad_input_is_refused():
    face = with_expression(random_identity(np.random.default_rng(2)), {"corner_pull": 0.8})
    px = denormalize(face, POSE)
    same, _ = neutralize_identity(px, strength=0.0)
    np.testing.assert_allclose(same, px, atol=1e-3)
    half, _ = neutralize_identity(px, strength=0.5)
    full, _ = neutralize_identity(px)
    lift = [measure(x)["corner_lift"][0] for x in (px, half, full)]
    assert lift[0] > lift[1] > lift[2]
    with pytest.raises(ValidationError):
        neutralize_identity(px, strength=1.5)
    with pytest.raises(ValidationError):
        estimate_expression(np.zeros((10, 3)))


def test_the_take_option_defaults_on_and_is_checked():
    assert wants_neutralize({}) is True and wants_neutralize(None) is True
    assert wants_neutralize({NEUTRALIZE_OPTION: False}) is False
    with pytest.raises(ValidationError):
        wants_neutralize({NEUTRALIZE_OPTION: "maybe"})


def test_every_expression_channel_can_be_estimated():
    assert set(EXPRESSION_CHANNELS) <= set(FIT_CHANNELS) and set(FIT_CHANNELS) - set(BASES) == {"lips_part", "corner_pull"}


def test_the_demo_portraits_own_smile_comes_off():
    """On real tracked landmarks (not only synthetic faces): the shipped portrait smiles with parted
    lips; after neutralization the lips meet and the corners sit level with the mouth centre."""
    from pathlib import Path

    from talkface_studio.face.portrait import fit_portrait

    fit = fit_portrait(Path(__file__).resolve().parents[1] / "resources" / "demo" / "portrait.png", size=512)
    before = measure(np.asarray(fit.landmarks, np.float64))
    neutral_px, _ = neutralize_identity(np.asarray(fit.landmarks, np.float32))
    after = measure(neutral_px)
    assert before["lip_gap"][0] > 5 and before["corner_lift"][0] > 4
    assert after["lip_gap"][0] < 1.0
    assert abs(after["corner_lift"][0]) < 1.5


def _corner_lifts(landmarks) -> np.ndarray:
    """Each mouth corner's height above the inner lips' centre beyond the canonical face's, mm
    ([subject's right (61), left (291)])."""
    m, c = measure(np.asarray(landmarks, np.float64)), measure(CANON, normalized=True)
    lift, asym = m["corner_lift"][0] - c["corner_lift"][0], m["corner_asym"][0] - c["corner_asym"][0]
    return np.array([lift + asym / 2, lift - asym / 2])


def test_what_a_smile_leaves_at_each_corner_comes_off_and_no_more():
    """The fit weighs the whole face, so a real (often lopsided) smile kept 1-2 mm of lift at a
    corner: the astronaut's neutral take still had +1.1 / +2.1 mm, the smiling man's +1.7 at one
    corner. A smiling portrait's corners come down to a typical mouth line, never below it; a
    portrait that does not smile keeps its own."""
    from gallery_portraits import fitted_portrait

    for name in ("astronaut", "smiling_man"):
        photo = np.asarray(fitted_portrait(name).landmarks, np.float32)
        neutral, coefficients = neutralize_identity(photo)
        assert _corner_lifts(photo).min() > 4.0                        # it smiles
        lifts = _corner_lifts(neutral)
        assert lifts.max() < 0.5, (name, lifts)
        assert lifts.min() > -1.0, (name, lifts)
        assert coefficients["corner_pull_left"] + coefficients["corner_pull_right"] > 0.05
    for name in ("glasses_greyscale_small", "tight_crop_112"):
        coefficients = estimate_expression(normalize(np.asarray(fitted_portrait(name).landmarks, np.float64))[0])
        assert coefficients["corner_pull_left"] == coefficients["corner_pull_right"] == 0.0
