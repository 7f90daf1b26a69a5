"""A quiet recording is raised to a working level before the analysis listens, so a voice recorded
with 40 or 60 dB of headroom is lip-synced as it is at an ordinary level; recordings at an ordinary
level, and digital silence, are left exactly as they are."""

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from talkface_studio.audio import quiet_recording
from talkface_studio.audio.analysis import analyze
from talkface_studio.audio.loading import load_audio
from talkface_studio.audio.speech_regions import frame_levels

SPEECH = Path(__file__).resolve().parent / "data" / "speech"

pytestmark = pytest.mark.usefixtures("private_cache")


def test_an_ordinary_level_and_silence_are_left_and_a_quiet_voice_is_raised():
    x = load_audio(SPEECH / "en_m_librivox_sense_0890.wav").mono(16000)
    assert quiet_recording.at_working_level(x) is x
    silence = np.zeros(16000, np.float32)
    assert quiet_recording.at_working_level(silence) is silence
    quiet = x * np.float32(0.01)  # 40 dB down
    raised = quiet_recording.at_working_level(quiet)
    assert raised.dtype == x.dtype and np.abs(raised).max() <= quiet_recording.PEAK + 1e-6
    loud = np.percentile(frame_levels(raised)[frame_levels(raised) > -110], 95)
    assert abs(loud - quiet_recording.WORKING_DB) < 0.5
    assert np.allclose(raised / np.abs(raised).max(), x / np.abs(x).max(), atol=1e-4)  # the same sound, louder
    deep = quiet_recording.at_working_level(x * np.float32(1e-4))  # 80 dB down: raised by MAX_GAIN_DB at most
    assert np.abs(deep).max() == pytest.approx(np.abs(x).max() * 1e-4 * 10 ** (quiet_recording.MAX_GAIN_DB / 20), rel=1e-3)


@pytest.mark.parametrize("down_db", [40, 60])
def test_a_voice_recorded_far_under_full_scale_is_lip_synced_as_at_an_ordinary_level(tmp_path, down_db):
    meta = json.loads((SPEECH / "en_m_librivox_sense_0890.json").read_text())
    x = load_audio(SPEECH / "en_m_librivox_sense_0890.wav").mono(16000)
    ordinary, quiet = tmp_path / "ordinary.wav", tmp_path / "quiet.wav"
    sf.write(str(ordinary), x, 16000, subtype="FLOAT")
    sf.write(str(quiet), x * 10 ** (-down_db / 20), 16000, subtype="FLOAT")  # 32-bit float keeps every step
    for script in (meta["text"], None):
        a = analyze(ordinary, "25", transcript=script, use_cache=False)
        b = analyze(quiet, "25", transcript=script, use_cache=False)
        assert [(s.phone, s.start_frame, s.end_frame) for s in a.phones] == \
            [(s.phone, s.start_frame, s.end_frame) for s in b.phones], (down_db, script is None)
        assert a.report.summary() == b.report.summary()
        np.testing.assert_allclose(a.loudness, b.loudness, atol=0.02)
