"""Channels: specs, keyed layers (override / additive / reset), interpolation and blends."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talkface_studio.core.channels import (CHANNEL_NAMES, CHANNEL_SPECS, Channel, EditLayer, Key,
                                           interpolate)
from talkface_studio.core.errors import ValidationError

CONTRACT = {
    "Head": ["head_yaw", "head_pitch", "head_roll"],
    "Gaze": ["gaze_yaw", "gaze_pitch"],
    "Blink": ["blink"],
    "Mouth": ["jaw_open", "mouth_wide", "mouth_round", "lip_press", "lip_tuck"],
    "Expression": ["emo_angry", "emo_contempt", "emo_disgusted", "emo_fear", "emo_happy", "emo_sad",
                   "emo_surprised"],
}


def test_specs_follow_the_contract():
    assert list(CHANNEL_NAMES) == [n for names in CONTRACT.values() for n in names]
    for s in CHANNEL_SPECS:
        assert s.name in CONTRACT[s.group]
        assert s.min <= s.default <= s.max
        assert s.unit == ("deg" if s.group in ("Head", "Gaze") else "")
        if s.group not in ("Head", "Gaze"):
            assert (s.min, s.max) == (0.0, 1.0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-40, 40, width=32), min_size=1, max_size=200))
def test_final_equals_base_without_layers(values):
    ch = Channel("head_yaw", np.array(values, np.float32))
    assert np.array_equal(ch.final(), np.array(values, np.float32))


keys_strategy = st.dictionaries(st.integers(0, 150), st.tuples(st.floats(-30, 30), st.sampled_from(
    ["step", "linear", "smooth"])), min_size=1, max_size=10)


@settings(max_examples=60, deadline=None)
@given(keys_strategy, st.integers(0, 10), st.integers(0, 10))
def test_override_keys_are_hit_exactly_over_any_base(keys, blend_in, blend_out):
    rng = np.random.default_rng(len(keys))
    ch = Channel("head_pitch", rng.uniform(-20, 20, 160))
    ch.layers = [EditLayer(keys=tuple(Key(f, v, i) for f, (v, i) in keys.items()), blend_in=blend_in,
                           blend_out=blend_out)]
    final = ch.final()
    for f, (v, _) in keys.items():
        assert final[f] == pytest.approx(v, abs=1e-4)


@settings(max_examples=60, deadline=None)
@given(keys_strategy)
def test_smooth_curves_never_overshoot_their_keys(keys):
    frames = np.array(sorted(keys), float)
    values = np.array([keys[int(f)][0] for f in frames])
    t = np.arange(0, 151, 0.25)
    y = interpolate(frames, values, np.full(len(frames), 2, np.int8), t)
    for a, b in zip(range(len(frames)), range(1, len(frames))):
        inside = (t >= frames[a]) & (t <= frames[b])
        lo, hi = sorted((values[a], values[b]))
        assert np.all(y[inside] >= lo - 1e-9) and np.all(y[inside] <= hi + 1e-9)


def test_step_linear_smooth_between_two_keys():
    frames, values, t = np.array([0.0, 10.0]), np.array([0.0, 10.0]), np.array([2.0, 5.0, 8.0])
    step = interpolate(frames, values, np.array([0, 0], np.int8), t)
    linear = interpolate(frames, values, np.array([1, 1], np.int8), t)
    smooth = interpolate(frames, values, np.array([2, 2], np.int8), t)
    assert np.allclose(step, 0) and np.allclose(linear, t)
    assert smooth[1] == pytest.approx(5.0) and smooth[0] < 2.0 and smooth[2] > 8.0  # eases in and out


def test_smooth_passes_through_a_monotone_run_without_flattening_interior_keys():
    frames, values = np.array([0.0, 10, 20, 30]), np.array([0.0, 1, 2, 3])
    y = interpolate(frames, values, np.full(4, 2, np.int8), np.arange(31.0))
    assert np.all(np.diff(y) > 0)  # interior tangents follow the slope: no plateaus at keys
    assert y[15] == pytest.approx(1.5)


def test_override_blends_from_the_value_below_at_its_edges():
    ch = Channel("head_roll", np.full(100, 10.0))
    ch.layers = [EditLayer(keys=(Key(40, -10.0), Key(60, -10.0)), blend_in=10, blend_out=4)]
    f = ch.final()
    assert f[30] == pytest.approx(10) and f[65] == pytest.approx(10)
    assert np.allclose(f[40:61], -10)
    assert np.all(np.diff(f[29:41]) <= 0) and 10 > f[35] > -10
    assert np.all(np.diff(f[60:66]) >= 0)


def test_additive_layer_adds_and_disabled_layer_does_nothing():
    base = np.linspace(0, 0.5, 50)
    ch = Channel("jaw_open", base)
    layer = EditLayer(mode="additive", keys=(Key(10, 0.2, "linear"), Key(20, 0.2)), blend_in=0, blend_out=0)
    ch.layers = [layer]
    f = ch.final()
    assert np.allclose(f[10:21], base[10:21] + 0.2, atol=1e-6)
    assert np.allclose(f[:10], base[:10], atol=1e-6) and np.allclose(f[21:], base[21:], atol=1e-6)
    ch.replace_layer(EditLayer(id=layer.id, mode="additive", keys=layer.keys, enabled=False))
    assert np.allclose(ch.final(), base, atol=1e-6)


def test_final_is_clipped_to_the_channel_range():
    ch = Channel("blink", np.full(10, 0.9))
    ch.layers = [EditLayer(mode="additive", keys=(Key(0, 0.5), Key(9, 0.5)))]
    assert ch.final().max() == pytest.approx(1.0)


def test_reset_layer_follows_the_base_after_regeneration():
    ch = Channel("head_yaw", np.zeros(60))
    ch.layers = [EditLayer(keys=(Key(0, 30.0), Key(59, 30.0))),
                 EditLayer(mode="reset", keys=(Key(20, 0.0), Key(29, 0.0)), blend_in=0, blend_out=0)]
    assert np.allclose(ch.final()[20:30], 0) and np.allclose(ch.final()[:20], 30)
    ch.base = np.linspace(-5, 5, 60)
    assert np.allclose(ch.final()[20:30], np.linspace(-5, 5, 60)[20:30], atol=1e-5)
    assert np.allclose(ch.final()[:20], 30)


def test_cache_is_invalidated_and_read_only():
    ch = Channel("gaze_yaw", np.zeros(20))
    first = ch.final()
    assert ch.final() is first and not first.flags.writeable
    ch.layers = [EditLayer(keys=(Key(5, 3.0),), blend_in=0, blend_out=0)]
    assert ch.final()[5] == 3.0 and ch.final() is not first
    ch.base = np.ones(20)
    assert ch.final()[0] == 1.0


def test_keys_beyond_a_shorter_take_stay_put():
    ch = Channel("head_yaw", np.zeros(100))
    layer = EditLayer(keys=(Key(10, 5.0), Key(90, 5.0)), blend_in=0, blend_out=0)
    ch.layers = [layer]
    ch.resize(50)
    assert len(ch.final()) == 50 and np.allclose(ch.final()[10:], 5)
    ch.resize(100)
    assert ch.layers == (layer,) and np.allclose(ch.final()[10:91], 5)


def test_invalid_keys_and_layers_are_refused():
    with pytest.raises(ValidationError):
        Key(1, float("nan"))
    with pytest.raises(ValidationError):
        Key(1, 0.0, "bezier")
    with pytest.raises(ValidationError, match="same frame"):
        EditLayer(keys=(Key(3, 0.0), Key(3, 1.0)))
    with pytest.raises(ValidationError):
        EditLayer(mode="multiply")
    with pytest.raises(ValidationError):
        Channel("nose_wiggle")


def test_a_long_take_evaluates_dense_layers():
    n = 36000  # ten minutes at 60 fps
    rng = np.random.default_rng(0)
    ch = Channel("head_yaw", rng.normal(0, 5, n))
    frames = np.unique(rng.integers(0, n, 2000))
    ch.layers = [EditLayer(keys=tuple(Key(int(f), float(v)) for f, v in zip(frames, rng.normal(0, 5, len(frames))))),
                 EditLayer(mode="additive", keys=(Key(0, 1.0), Key(n - 1, 1.0)))]
    final = ch.final()
    assert final.shape == (n,) and np.all(np.isfinite(final))
    assert final[frames[5]] == pytest.approx(ch.layers[0].keys[5].value + 1.0, abs=1e-4)
