"""Each emotion reads as itself on a smiling portrait once it is neutralized, by geometric cues a
classifier relies on (corners vs mouth centre, brow height and gap, eye and lip opening).

The smile is a real one: MediaPipe's landmarks of tests/data/portraits/smiling_man.jpg (a broad,
teeth-showing smile), not a face built from the very fields the neutralizer fits, so a neutralizer
that only undid its own basis would fail here.
"""

import functools

import numpy as np
import pytest

from gallery_portraits import fitted_landmarks
from talkface_studio.core.emotion_track import EMOTIONS
from talkface_studio.face.relocate import relocate
from talkface_studio.perform.base import PerformRequest
from talkface_studio.perform.blendshapes import compose
from talkface_studio.perform.expression_measures import MEASURES, measure
from talkface_studio.perform.neutralize import neutralize_identity
from talkface_studio.perform.registry import get_performer
from talkface_studio.perform.synthetic import features_from_script, sentence_script


def smiling_px() -> np.ndarray:
    """The smiling portrait's own landmarks (crop pixels), fitted by MediaPipe once per session."""
    return np.asarray(fitted_landmarks("smiling_man"), np.float64)


@functools.lru_cache(maxsize=1)
def neutral_px() -> np.ndarray:
    return neutralize_identity(smiling_px())[0]


def _read(identity_px, emotion: str, level: float) -> dict[str, float]:
    """Measures of the relocated face holding one emotion (no speech, no pose change)."""
    channels = {} if emotion == "neutral" else {f"emo_{emotion}": np.array([level], np.float32)}
    lm = relocate(identity_px, compose(channels, 1), {})
    return {k: float(v[0]) for k, v in measure(lm).items()}


def _change(emotion, level=1.0, identity_px=None):
    identity_px = neutral_px() if identity_px is None else identity_px
    base, held = _read(identity_px, "neutral", 0), _read(identity_px, emotion, level)
    return {k: held[k] - base[k] for k in MEASURES}, held


def test_the_neutralized_smiling_portrait_is_a_closed_relaxed_mouth():
    before, after = _read(smiling_px(), "neutral", 0), _read(neutral_px(), "neutral", 0)
    assert before["corner_lift"] > 4 and before["lip_gap"] > 8
    assert -2.5 < after["corner_lift"] < 1.5 and after["lip_gap"] < 1.0


def test_sad_reads_sad_not_a_smile():
    d, held = _change("sad")
    assert held["corner_lift"] < -3 and d["corner_lift"] < -4  # AU15: corners below the centre
    assert d["inner_brow"] > 3 and d["inner_brow"] > d["outer_brow"] + 3  # AU1+4: oblique brows
    assert d["brow_gap"] < -4
    # without neutralization the same sad face keeps its corners above the mouth's centre
    assert _read(smiling_px(), "sad", 1.0)["corner_lift"] > held["corner_lift"] + 4


def test_angry_brows_down_and_together_a_glare_lips_pressed():
    d, held = _change("angry")
    assert d["inner_brow"] < -4 and d["brow_gap"] < -8
    # a glare: upper lids held up (AU5) under the lowered brows, lower lids tensed up (AU7), and
    # the eyes never narrowed toward a squint (which read as a wink or as sleepy)
    assert d["upper_lid"] > 1.5 and d["lower_lid"] > 1.5 and d["eye_open"] > -1.0
    assert d["sclera_above_iris"] > 1.5
    assert d["lip_thickness"] < -4 and d["mouth_width"] < -3  # AU23+24: lips pressed thin
    assert -5.0 < d["corner_lift"] < -1.5  # corners pulled down: never a smile
    assert d["nose_width"] > 2  # AU38: nostrils flared


def test_happy_corners_up_and_cheeks_squeeze_the_eyes():
    d, held = _change("happy")
    assert d["corner_lift"] > 5 and held["corner_lift"] > 4
    assert d["eye_open"] < -1.5 and d["mouth_width"] > 6


def test_surprised_brows_up_eyes_wide_jaw_drop():
    d, _ = _change("surprised")
    assert d["inner_brow"] > 5 and d["outer_brow"] > 4
    assert d["eye_open"] > 2 and d["lip_gap"] > 4


def test_fear_brows_up_and_together_eyes_wide_lips_stretched():
    d, _ = _change("fear")
    assert d["inner_brow"] > 3 and d["brow_gap"] < -5
    assert d["eye_open"] > 2 and d["mouth_width"] > 6


def test_disgusted_nose_wrinkles_and_upper_lip_rises():
    d, _ = _change("disgusted")
    assert d["ala_drop"] < -3  # AU9: the nose wings lift
    assert d["nose_to_lip"] < -2.5  # AU10
    assert d["corner_lift"] < -2
    assert d["lower_lip_drop"] > 3 and d["lip_gap"] > 2  # AU16: the lower lip pulled down


def test_contempt_is_one_sided():
    d, _ = _change("contempt")
    assert abs(d["corner_asym"]) > 8
    assert abs(d["corner_lift"]) < 0.6 * abs(d["corner_asym"])  # one corner, not a smile


CUES = {"happy": "corner_lift", "sad": "corner_lift", "angry": "inner_brow", "surprised": "inner_brow",
        "fear": "inner_brow", "disgusted": "ala_drop", "contempt": "corner_asym"}


@pytest.mark.parametrize("emotion", sorted(CUES))
def test_level_one_is_subtle_but_visible(emotion):
    cue = CUES[emotion]
    full, low = _change(emotion, 1.0)[0][cue], _change(emotion, 1 / 3)[0][cue]
    assert abs(low) >= 1.0  # ~1 px on a 512 px head-and-shoulders portrait, more on a close-up
    assert 0.2 < low / full < 0.5


def test_speech_stays_readable_under_every_emotion():
    feats = features_from_script(sentence_script(16, seed=4))
    n = feats.n_frames

    def lip_motion(emotion):
        w = np.zeros((n, 8), np.float32)
        w[:, EMOTIONS.index(emotion)] = 1.0
        perf = get_performer("procedural").perform(PerformRequest(feats, w, feats.rate, 1, {}))
        gap = measure(perf.expression, normalized=True)["lip_gap"]
        return np.percentile(gap, 90) - np.percentile(gap, 10)

    neutral = lip_motion("neutral")
    assert neutral > 4
    for emotion in EMOTIONS[1:]:
        assert lip_motion(emotion) > 0.7 * neutral, emotion
