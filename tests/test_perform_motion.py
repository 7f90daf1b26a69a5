"""Head motion eases within physiological bounds at every frame rate; gaze centres on the camera."""

import numpy as np
import pytest

from talkface_studio.core.emotion_track import EMOTIONS, EmotionTrack
from talkface_studio.perform.base import PerformRequest
from talkface_studio.perform.procedural.head import NOD_RETURN, _nod_profile, nod_duration
from talkface_studio.perform.procedural.motion_limits import MAX_ACCEL_DEG_S2, MAX_SPEED_DEG_S, limit_motion
from talkface_studio.perform.registry import get_performer
from talkface_studio.perform.synthetic import features_from_script, sentence_script

HEAD = ("head_yaw", "head_pitch", "head_roll")
RATES = ("23.976", "24", "25", "30", "60")


def _changing_emotions(n: int, fps: float) -> np.ndarray:
    """Neutral, then sad and angry and surprised painted with no transition: posture jumps."""
    track = EmotionTrack(default_transition=0)
    third = n // 4
    track.paint(third, 2 * third, "sad", 3)
    track.paint(2 * third, 3 * third, "angry", 3)
    track.paint(3 * third, n, "surprised", 3)
    return track.weights(n)


def _perform(features, weights, seed=0, **settings):
    return get_performer("procedural").perform(PerformRequest(features, weights, features.rate, seed, settings))


@pytest.mark.parametrize("rate", RATES)
def test_head_speed_and_acceleration_stay_physiological_at_every_frame_rate(rate):
    feats = features_from_script(sentence_script(30, seed=2), rate=rate, loudness=0.9)
    fps = feats.rate.fps
    weights = _changing_emotions(feats.n_frames, fps)
    for seed in range(3):
        ch = _perform(feats, weights, seed).channels
        head = np.stack([ch[k] for k in HEAD], axis=1).astype(np.float64)
        step = np.abs(np.diff(head, axis=0))
        accel = np.abs(np.diff(head, 2, axis=0)) * fps**2
        assert step.max() <= MAX_SPEED_DEG_S / fps + 1e-3, (rate, step.max())
        assert accel.max() <= MAX_ACCEL_DEG_S2 * 1.001 + 1e-3 * fps**2, (rate, accel.max())
        assert step.max() < 1.5  # degrees per frame, even at 23.976 fps
        # and it still moves: nods and drift are not flattened away
        assert np.ptp(head[:, 1]) > 4


def test_a_nod_eases_in_and_out():
    """A nod starts and ends at rest (no one-frame snap) and is slowed down when it is large."""
    for amp in (1.0, 4.0, 8.0):
        down = nod_duration(amp, 0.1)
        t = np.arange(0, (1 + NOD_RETURN) * down + 1e-9, 1 / 480)
        y = amp * _nod_profile(t, down)
        v = np.gradient(y, t)
        a = np.gradient(v, t)
        assert abs(y.max() - amp) < 1e-3 and abs(y[0]) < 1e-9 and abs(y[-1]) < 1e-3
        assert abs(v[0]) < 0.05 and abs(v[-1]) < 0.05  # from rest, to rest
        assert np.abs(v).max() <= MAX_SPEED_DEG_S and np.abs(a).max() <= MAX_ACCEL_DEG_S2 * 1.01
    assert nod_duration(8.0, 0.1) > nod_duration(1.0, 0.1) >= 0.1 == nod_duration(0.3, 0.1)


def test_a_posture_change_is_eased_not_cut():
    feats = features_from_script([("SIL", 4.0)], rate="25")
    n = feats.n_frames
    track = EmotionTrack(default_transition=0)
    track.paint(n // 2, n, "sad", 3)  # sad hangs the head ~7 degrees, switched on in one frame
    pitch = _perform(feats, track.weights(n), 1, head_amount=0.0).channels["head_pitch"].astype(np.float64)
    assert pitch[-1] < -5 and abs(pitch[0]) < 0.5
    moving = np.flatnonzero(np.abs(np.diff(pitch)) > 0.01)
    assert (moving[-1] - moving[0]) / 25 >= 0.4  # a postural shift over about half a second
    assert np.abs(np.diff(pitch)).max() <= MAX_SPEED_DEG_S / 25 + 1e-4


def test_limit_motion_keeps_slow_curves_and_brakes_fast_ones():
    for fps in (24.0, 60.0):
        t = np.arange(int(3 * fps)) / fps
        slow = 2.0 * np.sin(2 * np.pi * 1.0 * t) * np.clip(t, 0, 1) ** 3
        np.testing.assert_allclose(limit_motion(slow, fps), slow, atol=1e-9)
        jump = np.where(t > 1.0, 8.0, 0.0)
        out = limit_motion(jump, fps)
        assert np.abs(np.diff(out)).max() <= MAX_SPEED_DEG_S / fps + 1e-9
        assert np.abs(np.diff(out, 2)).max() <= MAX_ACCEL_DEG_S2 / fps**2 + 1e-9
        assert out.max() < 8.1 and abs(out[-1] - 8.0) < 1e-6  # arrives, barely overshoots
    two = limit_motion(np.stack([jump, -jump], axis=1), fps)
    np.testing.assert_allclose(two[:, 0], -two[:, 1])


def test_gaze_is_centred_on_the_camera_with_a_small_bias_that_differs_by_take():
    means, above, below = [], 0, 0
    for k, seed in enumerate(range(8)):
        feats = features_from_script(sentence_script(40, seed=10 + k % 2), rate="25")  # ~16 s
        w = np.zeros((feats.n_frames, 8), np.float32)
        w[:, 0] = 1
        yaw = _perform(feats, w, seed).channels["gaze_yaw"].astype(np.float64)
        means.append(yaw.mean())
        above += int((yaw > 3).sum())
        below += int((yaw < -3).sum())
        assert abs(np.median(yaw)) < 2.5, (seed, np.median(yaw))
        assert max(np.mean(yaw > 3), np.mean(yaw < -3)) < 0.45  # never a constant lean
    assert above > 0 and below > 0  # both sides are looked at
    assert abs(np.mean(means)) < 1.0 and np.std(means) > 0.2  # unbiased overall, different by take


def test_saccades_stay_fast_and_fixations_hold():
    feats = features_from_script(sentence_script(40, seed=3), rate="25")
    w = np.zeros((feats.n_frames, 8), np.float32)
    w[:, EMOTIONS.index("neutral")] = 1
    ch = _perform(feats, w, 2, head_amount=0.0).channels  # no head motion to counter
    gaze = np.stack([ch["gaze_yaw"], ch["gaze_pitch"]], axis=1).astype(np.float64)
    step = np.hypot(*np.diff(gaze, axis=0).T)
    assert step.max() > 4.0  # a look-away lands in one or two frames (saccade, not a glide)
    assert np.median(step) < 0.3  # most frames are a held fixation
