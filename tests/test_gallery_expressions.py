"""On every gallery portrait (`make gallery`: skimage's astronaut + tests/data/portraits/*), each
emotion at level 3 moves each region the right way, measured on the relocated landmarks a renderer
receives (portrait neutralized first, as takes do by default); the smiling portrait can be made
neutral, sad and angry. Landmarks only: each portrait is fitted once per session."""

import numpy as np
import pytest

from gallery_portraits import fitted_landmarks, gallery_names
from talkface_studio.face.relocate import relocate
from talkface_studio.perform.blendshapes import compose
from talkface_studio.perform.expression_measures import measure
from talkface_studio.perform.neutralize import neutralize_identity
from talkface_studio.perform.procedural.visemes import REST

PORTRAITS = gallery_names()
REST_MOUTH = {"lip_press": np.array([REST[3]], np.float32)}  # lips lightly together, no speech

# (measure, lower bound, upper bound) of the change from the neutral face, in mm (the project's scale:
# outer eye corners 88.5 mm apart), for the emotion held at level 3 with the mouth at rest.
CUES = {
    "happy": [("corner_height", 6, None), ("corner_lift", 6, None), ("mouth_width", 10, None),
              ("cheek_height", 2.5, None), ("lower_lid", 1.5, None), ("lip_gap", 3, None),
              ("nose_to_lip", None, -2.5)],  # AU6+12, lips parted over the upper teeth (AU25/10)
    "sad": [("inner_brow", 5, None), ("outer_brow", None, 0), ("brow_gap", None, -6),
            ("corner_height", None, -4), ("corner_lift", None, -4), ("upper_lid", None, -0.8)],
    "angry": [("inner_brow", None, -7), ("outer_brow", None, -2.5), ("brow_gap", None, -9),
              ("upper_lid", 1.5, None), ("lower_lid", 1.0, None), ("eye_open", -1.0, None),
              ("sclera_above_iris", 1.5, None), ("lip_thickness", None, -4), ("corner_lift", None, -1.5),
              ("lip_gap", None, 0.5)],
    "surprised": [("inner_brow", 7, None), ("outer_brow", 6, None), ("upper_lid", 3, None),
                  ("sclera_above_iris", 3, None), ("eye_open", 3, None), ("lip_gap", 6, None),
                  ("mouth_width", None, -5)],  # AU1+2+5 and an oval jaw drop (AU26/27)
    "fear": [("inner_brow", 4, None), ("outer_brow", 3, None), ("brow_gap", None, -6),
             ("upper_lid", 3, None), ("mouth_width", 10, None), ("lip_gap", 2, None),
             ("corner_lift", None, 0.5)],
    "disgusted": [("ala_drop", None, -3), ("nose_to_lip", None, -2), ("corner_lift", None, -1.5),
                  ("inner_brow", None, -2.5), ("lower_lid", 0.5, None), ("lip_gap", 1.5, None)],
    "contempt": [("corner_asym", 10, None), ("corner_lift", None, 12)],
}


def _measured(identity_px, emotion=None, level=1.0) -> dict[str, float]:
    channels = dict(REST_MOUTH)
    if emotion:
        channels[f"emo_{emotion}"] = np.array([level], np.float32)
    return {k: float(v[0]) for k, v in measure(relocate(identity_px, compose(channels, 1), {})).items()}


def _change(identity_px, emotion, level=1.0) -> dict[str, float]:
    base, held = _measured(identity_px), _measured(identity_px, emotion, level)
    return {k: held[k] - base[k] for k in held}


@pytest.fixture(scope="module")
def neutral_identities():
    return {name: neutralize_identity(fitted_landmarks(name))[0] for name in PORTRAITS}


def test_the_gallery_has_the_hard_portraits():
    assert {"astronaut", "smiling_man", "glasses_greyscale_small", "tight_crop_112"} <= set(PORTRAITS)


@pytest.mark.parametrize("emotion", sorted(CUES))
def test_each_emotion_moves_each_region_the_right_way_on_every_portrait(emotion, neutral_identities):
    for name, identity in neutral_identities.items():
        d = _change(identity, emotion)
        for cue, low, high in CUES[emotion]:
            if low is not None:
                assert d[cue] > low, (name, emotion, cue, round(d[cue], 2))
            if high is not None:
                assert d[cue] < high, (name, emotion, cue, round(d[cue], 2))


@pytest.mark.parametrize("emotion", sorted(CUES))
def test_levels_one_and_two_scale_down_from_three(emotion, neutral_identities):
    identity = neutral_identities["astronaut"]
    cue = CUES[emotion][0][0]
    full, two, one = (_change(identity, emotion, lv)[cue] for lv in (1.0, 2 / 3, 1 / 3))
    assert abs(one) >= 1.0  # ~1 px on a 512 px head-and-shoulders portrait: subtle but visible
    assert 0.25 < one / full < 0.45 and 0.55 < two / full < 0.75


def test_the_smiling_portrait_is_made_neutral(neutral_identities):
    own = {k: float(v[0]) for k, v in measure(fitted_landmarks("smiling_man")).items()}
    neutral = _measured(neutral_identities["smiling_man"])
    # the portrait holds a broad, toothy Duchenne smile ...
    assert own["corner_lift"] > 4 and own["lip_gap"] > 8
    # ... the driving face closes the lips over the teeth, levels the corners with the mouth's
    # centre, narrows the mouth, and drops the cheeks and lower lids
    assert -2.0 < neutral["corner_lift"] < 1.0 and neutral["lip_gap"] < 1.0
    assert neutral["mouth_width"] < own["mouth_width"] - 4
    assert neutral["corner_height"] < own["corner_height"] - 3
    assert neutral["lower_lid"] < own["lower_lid"] - 0.5 and neutral["cheek_height"] < own["cheek_height"] - 0.5
    assert neutral["eye_open"] > own["eye_open"] + 0.8


def test_a_smiling_portrait_can_be_sad_or_angry_not_a_pained_grin(neutral_identities):
    smiling = np.asarray(fitted_landmarks("smiling_man"))
    neutralized = neutral_identities["smiling_man"]
    sad, angry = _measured(neutralized, "sad"), _measured(neutralized, "angry")
    assert sad["corner_lift"] < -5 and sad["lip_gap"] < 1.0
    assert angry["corner_lift"] < -2 and angry["lip_gap"] < 1.0
    # driven from the portrait as it is, the same sad face would keep its corners up and teeth bare
    unneutralized = _measured(smiling, "sad")
    assert unneutralized["corner_lift"] > sad["corner_lift"] + 4 and unneutralized["lip_gap"] > 8


def test_portraits_without_a_smile_are_left_as_they_are():
    for name in ("glasses_greyscale_small", "tight_crop_112"):
        own = fitted_landmarks(name)
        neutral, coefficients = neutralize_identity(own)
        assert coefficients["cheek_raise"] == 0.0, name  # narrow eyes are identity, not a smile
        eyes = measure(neutral)["eye_open"][0] - measure(own)["eye_open"][0]
        assert abs(eyes) < 0.3, name


def test_a_smiling_portrait_speaks_an_open_vowel_with_a_neutral_mouth(neutral_identities):
    """An open /a/ from the neutralized smiling portrait: a mouth of typical width whose opening is
    an oval, like the non-smiling gallery faces' (the smile's widened mouth was kept as the face's
    own, and a neutral take spoke its vowels as a ~52 mm wide, flat slot: a grin)."""
    vowel = {"jaw_open": np.array([0.55], np.float32)}

    def opened(name):
        lm = relocate(neutral_identities[name], compose(vowel, 1), {})[0]
        m = {k: float(v[0]) for k, v in measure(lm).items()}
        return m["mouth_width"], m["lip_gap"] / m["mouth_width"]

    width, ratio = opened("smiling_man")
    plain = [opened(n) for n in ("glasses_greyscale_small", "tight_crop_112") if n in neutral_identities]
    assert width < 48.0, (width, ratio, plain)
    assert ratio > 0.8 * min(r for _, r in plain), (ratio, plain)
    assert width < max(w for w, _ in plain) + 4.0, (width, plain)
