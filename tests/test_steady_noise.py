"""A steady background close to the voice is taken out before the analysis listens: a clean
recording, quiet hiss and a low hum are left exactly as they are, a noisy copy's pauses fall back
towards silence while its speech keeps its level, and an English line said over hiss aligns to its
script again."""

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio_fixtures import vowel, with_noise
from talkface_studio.audio import analysis, as_heard, steady_noise
from talkface_studio.audio.loading import load_audio
from talkface_studio.audio.speech_regions import frame_levels

SPEECH = Path(__file__).resolve().parent / "data" / "speech"

pytestmark = pytest.mark.usefixtures("private_cache")


def test_a_clean_recording_is_left_as_it_is_and_a_noisy_copy_loses_its_background():
    x = load_audio(SPEECH / "en_m_librivox_sense_0890.wav").mono(16000)
    assert steady_noise.without_steady_noise(x) is x
    quiet, hum = with_noise(x, 16000, 30.0), with_noise(x, 16000, 10.0, "hum")
    assert steady_noise.without_steady_noise(quiet) is quiet  # hiss 30 dB under the voice: left alone
    assert steady_noise.without_steady_noise(hum) is hum  # a fan's hum under the voice's band: left alone
    clean = frame_levels(x)
    pauses, loud = clean < np.percentile(clean, 15), clean > np.percentile(clean, 80)
    for kind in ("white", "pink"):
        hissy = with_noise(x, 16000, 10.0, kind)
        assert steady_noise.noisy(hissy), kind
        cleaned = steady_noise.without_steady_noise(hissy)
        assert cleaned.shape == x.shape and cleaned.dtype == x.dtype
        before, after = frame_levels(hissy), frame_levels(cleaned)
        assert np.median(before[pauses] - after[pauses]) > 10.0, kind  # the pauses fall towards silence
        assert abs(np.median(before[loud] - after[loud])) < 3.0, kind  # the voice keeps its level


def test_under_a_second_of_sound_or_a_held_vowel_is_never_read_as_a_background():
    assert not steady_noise.noisy(np.random.default_rng(0).standard_normal(8000).astype(np.float32))
    held = vowel(150, 2.0, 16000)  # steady from start to end: the voice itself
    assert steady_noise.without_steady_noise(held) is held


def test_a_line_said_over_hiss_aligns_to_its_script(tmp_path, monkeypatch):
    meta = json.loads((SPEECH / "en_m_goforward.json").read_text())
    x = load_audio(SPEECH / "en_m_goforward.wav").mono(16000)
    path = tmp_path / "hiss.wav"
    sf.write(str(path), with_noise(x, 16000, 5.0), 16000)  # white noise 5 dB under the speech

    def take():
        return analysis.analyze(path, "25", transcript=meta["text"], use_cache=False)

    heard = take()
    assert heard.report.fallbacks == () and heard.phone_source == "aligned"
    assert "M" in {span.phone for span in heard.phones}  # "ten meters": the lips close
    monkeypatch.setattr(as_heard, "without_steady_noise", lambda x16: x16)  # the noisy recording as it is
    assert len(take().report.fallbacks) >= 1  # words fell back to recognition
