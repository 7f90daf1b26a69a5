"""Speech and emotion combine: a happy line is spoken through a smile, surprised speech keeps its
brows and lids, an emotion's open mouth gives way to speech, and p/b/m close under every emotion."""

import numpy as np
import pytest

from talkface_studio.core.emotion_track import EMOTIONS
from talkface_studio.perform.base import PerformRequest
from talkface_studio.perform.blendshapes import (
    OPEN_PARTS,
    apply_channel_edits,
    compose,
    inner_lip_gap,
    mouth_freedom,
    seal_lips,
)
from talkface_studio.perform.expression_measures import measure
from talkface_studio.perform.registry import get_performer
from talkface_studio.perform.synthetic import features_from_script, sentence_script

FEATURES = features_from_script(sentence_script(24, seed=5), rate="25")


def _take(emotion: str, seed: int = 3):
    n = FEATURES.n_frames
    w = np.zeros((n, 8), np.float32)
    w[:, EMOTIONS.index(emotion)] = 1.0
    perf = get_performer("procedural").perform(PerformRequest(FEATURES, w, FEATURES.rate, seed, {"liveliness": 0.0}))
    return perf, measure(perf.expression, normalized=True)


def _held(emotion: str) -> dict[str, float]:
    """The emotion held with the mouth at rest (lips lightly together), minus the rest face."""
    rest = {"lip_press": np.array([0.25], np.float32)}
    held = measure(compose({**rest, f"emo_{emotion}": np.ones(1, np.float32)}, 1), normalized=True)
    base = measure(compose(rest, 1), normalized=True)
    return {k: float(held[k][0] - base[k][0]) for k in held}


NEUTRAL_PERF, NEUTRAL = _take("neutral")


def test_a_happy_line_is_spoken_through_a_smile():
    perf, happy = _take("happy")
    held = _held("happy")
    assert held["corner_height"] > 6 and held["mouth_width"] > 10
    # every frame, open vowels and rounded ones included: the corners stay up and back
    rise = happy["corner_height"] - NEUTRAL["corner_height"]
    wider = happy["mouth_width"] - NEUTRAL["mouth_width"]
    assert rise.min() > 0.8 * held["corner_height"]
    assert wider.min() > 0.8 * held["mouth_width"]
    # the jaw still moves as much as in the neutral take
    jaw = perf.channels["jaw_open"]
    np.testing.assert_array_equal(jaw, NEUTRAL_PERF.channels["jaw_open"])
    assert np.ptp(happy["lip_gap"]) > 0.7 * np.ptp(NEUTRAL["lip_gap"])


def test_a_free_happy_mouth_shows_the_upper_teeth_and_closures_still_seal():
    perf, happy = _take("happy")
    ch = perf.channels
    free = mouth_freedom(ch, perf.n_frames) > 0.95  # pauses: the mouth at rest
    talking = mouth_freedom(ch, perf.n_frames) < 0.05
    assert free.sum() >= 5 and talking.sum() > free.sum()
    assert happy["lip_gap"][free].min() > 3.0 and NEUTRAL["lip_gap"][free].max() < 1.0
    assert happy["nose_to_lip"][free].max() < NEUTRAL["nose_to_lip"][free].min() - 1.5  # upper lip raised
    # while talking the speech owns the opening: about the same gaps as the neutral take (the
    # smile's corner pull alone parts the lips a little near the corners)
    assert np.abs(happy["lip_gap"][talking] - NEUTRAL["lip_gap"][talking]).max() < 1.5


@pytest.mark.parametrize("emotion", EMOTIONS)
def test_lip_closures_seal_under_every_emotion(emotion):
    perf, m = _take(emotion)
    closed = perf.channels["lip_press"] >= 0.999
    assert closed.sum() >= 5
    assert m["lip_gap"][closed].max() < 0.5, (emotion, m["lip_gap"][closed].max())


def test_surprised_speech_keeps_the_brows_and_lids_up_and_the_jaw_talks():
    perf, surprised = _take("surprised")
    held = _held("surprised")
    for cue in ("inner_brow", "outer_brow", "upper_lid", "sclera_above_iris"):
        lift = surprised[cue] - NEUTRAL[cue]
        assert lift.min() > 0.8 * held[cue] > 2.0, cue
    # the dropped jaw gives way to speech: gaps are larger than neutral, yet still open and close
    gap = surprised["lip_gap"]
    assert np.median(gap) > np.median(NEUTRAL["lip_gap"]) + 2
    assert np.percentile(gap, 90) - np.percentile(gap, 10) > 0.5 * (np.percentile(NEUTRAL["lip_gap"], 90)
                                                                    - np.percentile(NEUTRAL["lip_gap"], 10))
    # and never opens further than the widest neutral vowel plus a few millimetres
    assert gap.max() < NEUTRAL["lip_gap"].max() + 6


def test_mouth_freedom_and_the_seal():
    ch = {"lip_press": np.array([0.0, 0.25, 0.6, 1.0, 0.0, 0.0], np.float32),
          "lip_tuck": np.array([0, 0, 0, 0, 0.9, 0], np.float32),
          "jaw_open": np.array([0, 0, 0, 0, 0, 0.8], np.float32)}
    free = mouth_freedom(ch, 6)
    assert free[0] == 1 and free[1] == 1 and 0 < free[2] < 1 and free[3] == 0 and free[4] == 0 and free[5] == 0
    assert set(OPEN_PARTS) == {"emo_happy", "emo_surprised", "emo_fear"}
    # a full press closes any mix, and sealing twice changes nothing more
    mix = {"jaw_open": np.array([0.6], np.float32), "emo_disgusted": np.ones(1, np.float32),
           "emo_surprised": np.ones(1, np.float32), "lip_press": np.ones(1, np.float32)}
    expr = compose(mix, 1)
    assert abs(inner_lip_gap(expr)[0]) < 0.05
    again = seal_lips(expr.copy(), np.ones(1, np.float32))
    np.testing.assert_allclose(again, expr, atol=1e-6)  # float32 rounding only


def test_channel_edits_through_the_open_mouth_and_seal_are_exact_and_reversible():
    perf, _ = _take("neutral")
    base = perf.channels
    final = {k: v.copy() for k, v in base.items()}
    final["emo_happy"][:] = 1.0  # paint happy over a take with closures
    final["emo_surprised"][40:80] = 0.7
    edited = apply_channel_edits(perf.expression, base, final)
    np.testing.assert_allclose(edited, compose(final, len(edited)), atol=2e-5)
    np.testing.assert_allclose(apply_channel_edits(edited, final, base), perf.expression, atol=2e-5)
