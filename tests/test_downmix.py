"""A stereo take whose channels cancel when mixed (one polarity-inverted) is analysed, drawn and
scrubbed from one channel, not as the silence its mean is."""

import logging

import numpy as np
import pytest
import soundfile as sf

import espeak_events
from talkface_studio.audio.analysis import analyze
from talkface_studio.audio.downmix import cancelling_mix, to_mono
from talkface_studio.audio.loading import load_audio
from talkface_studio.ui.timeline.peaks import PeakPyramid
from talkface_studio.ui.viewer.scrub_audio import to_int16_mono


def _voice_like(n: int = 16000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (0.3 * np.sin(2 * np.pi * 150 * np.arange(n) / 16000) + 0.05 * rng.standard_normal(n)).astype(np.float32)


def test_channels_that_cancel_give_the_loudest_channel():
    x = _voice_like()
    assert cancelling_mix(np.stack([x, -x], 1)) == 0
    assert cancelling_mix(np.stack([-0.5 * x, x], 1)) == 1
    np.testing.assert_array_equal(to_mono(np.stack([-0.5 * x, x], 1)), x)


def test_a_usual_mix_stays_the_mean():
    x, y = _voice_like(seed=0), _voice_like(seed=1)
    noise = np.random.default_rng(2).standard_normal(len(x)).astype(np.float32) * 0.3
    for stereo in (np.stack([x, x], 1), np.stack([x, 0.2 * y], 1), np.stack([x, noise], 1),
                   np.zeros((100, 2), np.float32)):
        assert cancelling_mix(stereo) is None  # alike, unrelated or silent channels: -3 dB at worst
        np.testing.assert_allclose(to_mono(stereo), stereo.mean(axis=1), atol=1e-7)
    assert to_mono(x) is not None and to_mono(x).shape == x.shape
    assert cancelling_mix(x[:, None]) is None


def test_waveform_and_scrub_show_a_cancelling_take():
    x = _voice_like()
    stereo = np.stack([x, -x], 1)
    assert np.max(np.abs(to_int16_mono(stereo))) > 9000
    level = PeakPyramid(stereo, 16000).levels[0]
    assert level[2].max() > 0.3 and level[1].min() < -0.3


@pytest.mark.skipif(not espeak_events.available(), reason="libespeak-ng missing")
def test_polarity_inverted_speech_is_analysed_as_speech(tmp_path, caplog):
    spoken = espeak_events.speak("Maybe Bob put the map by my pen.")
    x = np.concatenate([np.zeros(4000, np.float32), spoken.samples, np.zeros(4000, np.float32)])
    mono, inverted = tmp_path / "mono.wav", tmp_path / "inverted.wav"
    sf.write(mono, x, spoken.sample_rate)
    sf.write(inverted, np.stack([x, -x], 1), spoken.sample_rate)
    with caplog.at_level(logging.WARNING, logger="talkface_studio.audio.loading"):
        np.testing.assert_allclose(load_audio(inverted).mono(16000), load_audio(mono).mono(16000), atol=1e-6)
    assert any("inverted.wav" in r.getMessage() and "cancel" in r.getMessage() for r in caplog.records)
    want = analyze(mono, 25, transcript="Maybe Bob put the map by my pen.", use_cache=False)
    got = analyze(inverted, 25, transcript="Maybe Bob put the map by my pen.", use_cache=False)
    assert sum(p.phone in ("M", "P", "B") for p in got.phones) >= 4  # maybe Bob map by my
    assert sum(p.end_frame - p.start_frame for p in got.phones if p.phone != "SIL") > 30
    assert got.phones == want.phones
    np.testing.assert_allclose(got.loudness, want.loudness, atol=1e-5)
