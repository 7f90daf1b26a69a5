"""Festival voices (built from real speakers' recordings) as viseme training data: phone names
map to the right visemes, and a synthesized sentence comes back with phone times that tile the
audio and put its lip closures where the sound is a closure."""

import numpy as np
import pytest

from talkface_studio.audio.viseme_set import phone_to_visemes
from talkface_studio.training import festival_synth


@pytest.mark.parametrize("name, phoneset, visemes", [
    ("m", "radio", ("M",)), ("b", "radio", ("M",)), ("ay", "radio", ("AA", "IY")), ("y", "radio", ("Y",)),
    ("r", "radio", ("R",)), ("pau", "radio", ("SIL",)), ("uw", "radio", ("UW",)), ("f", "radio", ("F",)),
    ("a1", "sampa", ("AA",)), ("O1", "sampa", ("AO",)), ("tS", "sampa", ("SH",)), ("ax", "sampa", ("AH",)),
    ("r~", "czech", ("T",)), ("s~", "czech", ("SH",)), ("i:", "czech", ("IY",)), ("n*", "czech", ("Y",)),
    ("y", "finnish", ("UW",)), ("@", "finnish", ("AA",)), ("m:", "finnish", ("M",)), ("#", "finnish", ("SIL",)),
])
def test_festival_phone_names_become_the_right_visemes(name, phoneset, visemes):
    assert phone_to_visemes(festival_synth.phone_ipa(name, phoneset)) == visemes


def test_awb_is_never_a_training_voice():
    # CMU ARCTIC's awb is in the benchmark set (en_sc_m_arctic_awb_a0007): never train on his voice
    assert not any("awb" in name or "awb" in spec[0] for name, spec in festival_synth.VOICES.items())


@pytest.mark.skipif("kal" not in festival_synth.available_voices(), reason="Festival's kal voice is not installed")
def test_a_festival_sentence_has_tiling_phone_times_with_closures_on_quiet_sound():
    s = festival_synth.synthesize("Maybe Bob put the bumpy map by my pen.", "kal", stretch=1.1, f0_mean=140)
    assert s.samples.dtype == np.float32 and 2.0 < s.duration < 6.0
    assert s.phones[0].start == 0.0 and s.phones[-1].end == pytest.approx(s.duration, abs=0.011)
    assert all(a.end == pytest.approx(b.start) for a, b in zip(s.phones, s.phones[1:]))
    spoken = [p.phone for p in s.phones if p.phone != "_"]
    assert spoken[:4] == ["m", "eɪ", "b", "i"]  # "maybe"

    def level(a, b):
        seg = s.samples[int(a * 16000) : int(b * 16000)]
        return 10 * np.log10(np.mean(seg.astype(np.float64) ** 2) + 1e-12)

    vowels = [level(p.start, p.end) for p in s.phones if phone_to_visemes(p.phone)[0] in ("AA", "EH", "AH", "AO")]
    stops = [level(p.start, p.end) for p in s.phones if p.phone in ("p", "b")]
    assert len(stops) >= 8 and np.median(stops) < np.median(vowels) - 6


def test_a_missing_voice_is_one_clear_error():
    from talkface_studio.training.espeak_synth import SynthError

    with pytest.raises(SynthError, match="not installed"):
        festival_synth.synthesize("hello", "no-such-voice")
