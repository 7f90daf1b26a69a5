"""The procedural performer end to end: channels, determinism, blinks, head, gaze, registry."""

import numpy as np
import pytest

from talkface_studio.core.channels import CHANNEL_NAMES
from talkface_studio.core.emotion_track import EMOTIONS
from talkface_studio.core.errors import MissingCheckpointError, ValidationError
from talkface_studio.perform.base import Performance, Performer, PerformRequest
from talkface_studio.perform.blendshapes import compose
from talkface_studio.perform.procedural.blink import MIN_INTERVAL_S, blink_times
from talkface_studio.perform.procedural.gaze import gaze_motion
from talkface_studio.perform.registry import get_performer
from talkface_studio.perform.synthetic import features_from_script, sentence_script

FEATURES = features_from_script(sentence_script(60, seed=11))  # ~25 s of speech-like phones
FPS = FEATURES.rate.fps


def _weights(emotion="neutral", level=1.0, n=FEATURES.n_frames):
    w = np.zeros((n, 8), np.float32)
    k = EMOTIONS.index(emotion)
    w[:, k] = level
    w[:, 0] = 1.0 - (0 if k == 0 else level)
    return w


def _perform(emotion="neutral", seed=0, features=FEATURES, **settings):
    req = PerformRequest(features, _weights(emotion, n=features.n_frames), features.rate, seed, settings)
    return get_performer("procedural").perform(req)


def test_performance_has_every_channel_and_the_expression_it_describes():
    perf = _perform("happy")
    assert isinstance(get_performer("procedural"), Performer)
    assert isinstance(perf, Performance) and perf.n_frames == FEATURES.n_frames
    assert list(perf.channels) == list(CHANNEL_NAMES)
    for name, values in perf.channels.items():
        assert values.shape == (FEATURES.n_frames,) and values.dtype == np.float32, name
    assert perf.expression.shape == (FEATURES.n_frames, 478, 3) and perf.expression.dtype == np.float32
    np.testing.assert_allclose(perf.expression, compose(perf.channels, perf.n_frames), atol=1e-6)
    assert perf.channels["emo_happy"].mean() > 0.8 and perf.channels["emo_sad"].max() == 0


def test_deterministic_for_a_seed_and_different_across_seeds():
    a, b, c = _perform(seed=5), _perform(seed=5), _perform(seed=6)
    np.testing.assert_array_equal(a.expression, b.expression)
    for name in CHANNEL_NAMES:
        np.testing.assert_array_equal(a.channels[name], b.channels[name])
    for name in ("head_yaw", "gaze_yaw", "blink"):
        assert not np.array_equal(a.channels[name], c.channels[name]), name
    # lip sync follows the speech, not the seed
    np.testing.assert_array_equal(a.channels["jaw_open"], c.channels["jaw_open"])


def _blink_peaks(blink):
    return [i for i in range(1, len(blink) - 1) if blink[i] >= 0.95 and blink[i] >= blink[i - 1] and blink[i] > blink[i + 1]]


def test_blink_rate_is_natural_and_rises_with_anger():
    speech = features_from_script(sentence_script(240, seed=3))  # ~140 s of talking
    rest = features_from_script([("SIL", 90.0)])  # listening in silence

    def per_minute(emotion, f):
        counts = [len(_blink_peaks(_perform(emotion, seed, f).channels["blink"])) for seed in range(3)]
        return np.mean(counts) / (f.n_frames / FPS / 60)

    at_rest = per_minute("neutral", rest)
    assert 12 <= at_rest <= 21, at_rest  # ~15-20 per minute at rest
    assert at_rest < per_minute("neutral", speech) <= 28  # a little more while talking
    assert per_minute("angry", rest) > 1.2 * at_rest


def test_blinks_keep_a_minimum_interval_and_look_like_blinks():
    w = _weights("fear")
    rng = np.random.default_rng(1)
    times = [t for t, _ in blink_times(FEATURES, w, FPS, rng, rate_scale=3.0)]
    assert np.min(np.diff(times)) >= MIN_INTERVAL_S - 1e-9
    blink = _perform().channels["blink"]
    for p in _blink_peaks(blink):
        closed = np.flatnonzero(blink[max(0, p - 10) : p + 10] > 0.1)
        assert 2 <= len(closed) <= 10  # ~70-330 ms at 30 fps: a blink, not a wink of one frame or a nap


def test_sad_head_hangs_lower_and_moves_slower_than_neutral():
    neutral = [_perform("neutral", s).channels for s in range(3)]
    sad = [_perform("sad", s).channels for s in range(3)]
    surprised = [_perform("surprised", s).channels for s in range(3)]
    mean = lambda runs, k: np.mean([r[k].mean() for r in runs])  # noqa: E731
    speed = lambda runs: np.mean([np.abs(np.diff(r["head_yaw"])).mean() for r in runs])  # noqa: E731
    assert mean(sad, "head_pitch") < mean(neutral, "head_pitch") - 3
    assert mean(surprised, "head_pitch") > mean(neutral, "head_pitch") + 3
    assert speed(sad) < speed(neutral)


def test_head_nods_on_stressed_syllables_and_rests_in_pauses():
    script = [("SIL", 1.0)] + [("B", 0.06), ("AA", 0.25), ("SIL", 0.25)] * 6 + [("SIL", 3.0)]
    f = features_from_script(script)
    pitch = np.mean([_perform(seed=s, features=f, head_amount=1.0).channels["head_pitch"] for s in range(4)], axis=0)
    still = np.mean([_perform(seed=s, features=f, head_amount=0.0).channels["head_pitch"] for s in range(4)], axis=0)
    nods = pitch - still
    speaking = slice(int(1.0 * FPS), int(4.5 * FPS))
    assert nods[speaking].min() < -1.5  # pitch dips (nods down) while speaking
    quiet = slice(f.n_frames - int(2.0 * FPS), f.n_frames)
    assert np.abs(np.diff(pitch[quiet])).mean() < np.abs(np.diff(pitch[speaking])).mean()


def test_gaze_saccade_statistics():
    long = features_from_script(sentence_script(240, seed=8))
    sizes, fixations, at_camera = [], [], []
    for seed in range(3):
        world, saccades = gaze_motion(long, _weights(n=long.n_frames), FPS, np.random.default_rng(seed))
        sizes += [s.amplitude for s in saccades]
        fixations += list(np.diff([s.start for s in saccades]))
        at_camera.append(np.mean(np.hypot(world[:, 0], world[:, 1]) < 6.0))
        assert all(0.02 <= s.duration <= 0.08 for s in saccades)  # main sequence: 20-80 ms
    sizes = np.array(sizes)
    assert np.mean(sizes <= 6.0) > 0.5  # mostly small re-fixations
    assert 0.05 < np.mean((sizes >= 9) & (sizes <= 17)) < 0.45  # occasional aversions
    assert 0.3 < np.median(fixations) < 2.0
    assert np.mean(at_camera) > 0.6  # the speaker mostly looks at the listener


def test_sad_looks_down_and_fear_darts():
    def stats(emotion):
        runs = [gaze_motion(FEATURES, _weights(emotion), FPS, np.random.default_rng(s)) for s in range(4)]
        pitch = np.mean([w[:, 1].mean() for w, _ in runs])
        rate = np.mean([len(sac) for _, sac in runs])
        return pitch, rate

    (n_pitch, n_rate), (s_pitch, _), (_, f_rate) = stats("neutral"), stats("sad"), stats("fear")
    assert s_pitch < n_pitch - 1.0
    assert f_rate > 1.4 * n_rate


def test_settings_are_checked_and_shape_the_motion():
    quiet = _perform(head_amount=0.0, gaze_amount=0.0, blink_rate=0.0, emotion_amount=1.0)
    assert np.ptp(quiet.channels["head_yaw"]) == 0 and quiet.channels["blink"].max() == 0
    with pytest.raises(ValidationError, match="head_amount"):
        _perform(head_amount=-1)
    with pytest.raises(ValidationError, match="frames"):
        get_performer("procedural").perform(PerformRequest(FEATURES, _weights(n=5), FEATURES.rate))


def test_registry_names_and_missing_checkpoint():
    assert get_performer().name == "procedural"
    with pytest.raises(MissingCheckpointError, match="checkpoint"):
        get_performer("neural")
    with pytest.raises(ValidationError, match="unknown performer"):
        get_performer("nope")


def test_zero_length_and_silent_takes_do_not_fail():
    empty = features_from_script([])
    perf = _perform(features=empty)
    assert perf.expression.shape == (0, 478, 3)
    silent = features_from_script([("SIL", 2.0)])
    perf = _perform(features=silent)
    assert perf.channels["jaw_open"].max() < 0.01
