"""Late reverberation is taken out of what the viseme recognizer hears: a reverberant recording's
room is read from its own falls, a dry one is left exactly as it is, and without a script the lips
close on more of a live room's p/b/m than before."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio_fixtures import reverberant
from espeak_events import available, speak
from talkface_studio.audio import dereverb
from talkface_studio.audio.analysis import analyze
from talkface_studio.audio.loading import load_audio
from talkface_studio.audio.viseme_features import frame_level_db, log_mel

SPEECH = Path(__file__).resolve().parent / "data" / "speech"

pytestmark = pytest.mark.usefixtures("private_cache")


def test_a_dry_recording_is_left_as_it_is_and_its_far_copy_reads_as_a_room():
    x = load_audio(SPEECH / "en_m_librivox_sense_0890.wav").mono(16000)
    level = frame_level_db(x)
    dry = dereverb.reverberation_time(level)
    assert dry is not None and dry < dereverb.DRY_S
    mel = log_mel(x)
    assert dereverb.dereverberate(mel, level) is mel

    far = reverberant(x, 16000, rt60=0.7)
    read = dereverb.reverberation_time(frame_level_db(far))
    assert read is not None and dereverb.DRY_S <= read <= 0.7
    far_mel = log_mel(far)
    cleaned = dereverb.dereverberate(far_mel, frame_level_db(far))
    assert cleaned.shape == far_mel.shape
    assert (cleaned <= far_mel + 1e-4).all() and (cleaned < far_mel - 1.0).mean() > 0.2  # power taken, not added
    assert (cleaned >= far_mel + np.log(dereverb.FLOOR) - 1e-4).all()  # never below the floor
    assert dereverb.reverberation_time(np.full(20, -30.0)) is None  # nothing falls: too little to read


@pytest.mark.skipif(not available(), reason="espeak-ng is not installed")
def test_without_a_script_a_live_rooms_lips_close_on_its_bilabials(tmp_path, monkeypatch):
    spoken = speak("Maybe Bob put the bumpy map by my pen. Mom made a bubbly apple pie for me.", "en-us")
    path = tmp_path / "far.wav"
    sf.write(str(path), reverberant(spoken.samples, spoken.sample_rate), spoken.sample_rate)
    bilabials = [p for p in spoken.phonemes if p.ipa.strip("ˈˌ")[:1] in "pbm"]
    assert len(bilabials) >= 20

    def closed() -> int:
        f = analyze(path, "25", language="en", use_cache=False)
        labels = np.full(f.n_frames, "", dtype="<U3")
        for span in f.phones:
            labels[span.start_frame:span.end_frame] = span.phone
        return sum(np.isin(labels[max(0, int(p.start * 25) - 1):int(p.end * 25) + 2], ["M", "P", "B"]).any()
                   for p in bilabials)

    with_it = closed()
    monkeypatch.setattr(dereverb, "DRY_S", 99.0)  # every recording read as dry: nothing subtracted
    without = closed()
    assert with_it >= 0.65 * len(bilabials) and with_it >= without + 4, (with_it, without, len(bilabials))
