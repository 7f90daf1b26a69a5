"""MBROLA's diphone voices as viseme training data (recipe 5): MBROLA's SAMPA names read into IPA
(nasal vowels do not close the lips), a sentence comes back with phones that tile it and lip
closures on its quiet stretches, recipe 5 mixes such clips into the stream; without MBROLA, one
clear error."""

import numpy as np
import pytest

from talkface_studio.audio.viseme_features import FPS, frame_level_db
from talkface_studio.audio.viseme_set import phone_to_visemes
from talkface_studio.training import mbrola_synth, viseme_data
from talkface_studio.training.espeak_synth import SynthError

needs_mbrola = pytest.mark.skipif("mb-us2" not in mbrola_synth.available_voices(),
                                  reason="MBROLA and mbrola-us2 are not installed (Debian contrib / non-free)")


@pytest.mark.parametrize("name, ipa", [
    ("p", "p"), ("b", "b"), ("m", "m"), ("tS", "tʃ"), ("aI", "aɪ"), ("@U", "əʊ"), ("e/", "e"), ("i:", "i"),
    ("O2", "ɔ"), ("E1", "ɛ"), ("9~", "œ"), ("2:", "ø"), ("6~j~", "ɐj"), ("?aI", "aɪ"), ("t_h", "t"), ("ph", "p"),
    ("nf", "ɱ"), ("T", "θ"), ("D", "ð"), ("N", "ŋ"), ("R", "ʁ"), ("4", "ɾ"), ("{", "æ"), ("h\\", "ɦ"),
])
def test_mbrola_phone_names_read_as_ipa(name, ipa):
    assert mbrola_synth.sampa_to_ipa(name) == ipa


def test_nasal_vowels_and_unknown_names():
    # Brazilian 'em', 'am', 'un' are nasal vowels: no lip closure, unlike a vowel followed by m
    for name in ("em", "am", "om", "un", "an"):
        assert "M" not in phone_to_visemes(mbrola_synth.sampa_to_ipa(name)), name
    assert phone_to_visemes(mbrola_synth.sampa_to_ipa("m")) == ("M",)
    assert mbrola_synth.sampa_to_ipa("%") is None and mbrola_synth.sampa_to_ipa("b%") is None


def test_a_missing_voice_is_one_clear_error(monkeypatch):
    monkeypatch.setattr(mbrola_synth, "available_voices", lambda: ())
    with pytest.raises(SynthError, match=r"MBROLA voice mb-us1 is not installed \(Debian: mbrola-us1\)"):
        mbrola_synth.synthesize("Bob", "mb-us1")
    with pytest.raises(SynthError, match=r"recipe 5 needs MBROLA and its voices"):
        viseme_data.make_clips(seed=0, seconds=1.0, recipe=5)


@needs_mbrola
def test_an_mbrola_sentence_has_exact_phones_with_closures_on_its_quiet_stretches():
    s = mbrola_synth.synthesize("Maybe Bob put the bumpy map by my pen.", "mb-us2")
    assert s.samples.dtype == np.float32 and 1.2 < len(s.samples) / 16000 < 4.0
    assert s.phones[0].start == 0.0 and s.phones[-1].end == pytest.approx(len(s.samples) / 16000, abs=0.01)
    assert all(a.end == pytest.approx(b.start) for a, b in zip(s.phones, s.phones[1:]))
    bilabials = [p for p in s.phones if p.phone in ("p", "b", "m")]
    assert len(bilabials) == 13  # m b b b p b m p m p b m p
    # a stop's silent hold lies inside its own span: its quietest 10 ms is far below the vowel after it
    level = frame_level_db(s.samples)
    held = [level[int(p.start * FPS):int(p.end * FPS)].min() for p in bilabials if p.phone != "m"]
    after = [level[int(p.end * FPS):int(p.end * FPS) + 8].max() for p in bilabials if p.phone != "m"]
    assert np.median(np.subtract(after, held)) >= 20.0
    # tempo stretches every span, and the labels with it
    slow = mbrola_synth.synthesize("Maybe Bob put the bumpy map by my pen.", "mb-us2", tempo=1.3)
    assert len(slow.samples) == pytest.approx(1.3 * len(s.samples), rel=0.03)
    assert [p.phone for p in slow.phones] == [p.phone for p in s.phones]


@needs_mbrola
def test_recipe_5_mixes_mbrola_clips_into_the_stream(monkeypatch):
    said = []
    synthesize = mbrola_synth.synthesize

    def counted(text, voice, tempo, pitch):
        out = synthesize(text, voice, tempo, pitch)
        said.append((voice, tempo, pitch, out.duration))
        return out

    monkeypatch.setattr(mbrola_synth, "synthesize", counted)
    clips = viseme_data.make_clips(seed=3, seconds=60.0, recipe=5)
    assert sum(len(c.labels) for c in clips) >= 60 * FPS
    spoken = sum(d for *_, d in said)
    assert 0.2 * 60 < spoken < 0.9 * 60  # about half the audio is MBROLA's (the rest espeak-ng's)
    assert all(viseme_data.MBROLA_TEMPO[0] <= t <= viseme_data.MBROLA_TEMPO[1] for _, t, _, _ in said)
    assert len({v for v, *_ in said}) >= 2
