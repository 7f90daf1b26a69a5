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


@pytest.mark.parametrize("name, phoneset, visemes", [
    ("aa", "iiit", ("AA",)), ("a", "iiit", ("AH",)), ("bh", "iiit", ("M",)), ("m", "iiit", ("M",)),
    ("uw", "iiit", ("UW",)), ("ch", "iiit", ("SH",)), ("v", "iiit", ("F",)), ("pau", "iiit", ("SIL",)),
    ("mm", "msu_ru", ("M",)), ("pp", "msu_ru", ("M",)), ("yy", "msu_ru", ("IY",)), ("aa", "msu_ru", ("AA",)),
    ("uu", "msu_ru", ("UW",)), ("sch", "msu_ru", ("SH",)), ("ll", "msu_ru", ("T",)),
])
def test_held_out_voices_phone_names_become_the_right_visemes(name, phoneset, visemes):
    assert phone_to_visemes(festival_synth.phone_ipa(name, phoneset)) == visemes


def test_held_out_voices_are_never_training_voices():
    # the Hindi, Marathi, Telugu and Russian voices are only measured (bench_lipsync.py --festvox)
    assert not set(festival_synth.MEASURED_ONLY) & set(festival_synth.VOICES)
    assert not set(festival_synth.measured_only_voices()) & set(festival_synth.available_voices())


@pytest.mark.skipif("te_nsk" not in festival_synth.measured_only_voices(),
                    reason="Festival's Telugu voice is not installed (festvox-te-nsk)")
def test_a_held_out_voice_says_its_script_with_phone_times():
    s = festival_synth.synthesize("బాబు పుస్తకం చదువుతున్నాడు.", "te_nsk")
    spoken = [p.phone for p in s.phones if p.phone != "_"]
    assert spoken[:4] == ["b", "aː", "b", "ʊ"] and spoken[8:11] == ["ə", "k", "ə"] and spoken[11] == "m"


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


def _fake_espeak(rng):
    """Deterministic stand-in for espeak-ng (whose output drifts a little between calls in one
    process): draws from `rng` like the real one and returns a vowel-consonant chain."""
    from talkface_studio.training.espeak_synth import TimedPhone

    lang = ("en-us", "de", "it")[rng.integers(3)]
    n = int(rng.integers(4, 9))
    t = np.arange(int(0.15 * n * 16000)) / 16000
    x = (0.3 * np.sin(2 * np.pi * 180 * t) * (np.sin(np.pi * t / 0.15) ** 2)).astype(np.float32)
    phones = [TimedPhone(0.15 * i, 0.15 * (i + 1), "a" if i % 2 else "m") for i in range(n)]
    return x, phones, lang


def _stream_digest(clips) -> str:
    import hashlib

    h = hashlib.sha256()
    for c in clips:
        h.update(c.language.encode() + np.asarray(c.labels, np.int8).tobytes() + str(len(c.feats)).encode())
    return h.hexdigest()[:16]


# The digest of recipe 2's augmentation stream (labels after speed changes, clip lengths) over the
# fake voice above, computed with viseme_data as it was when the packaged weights were trained
# (commit bbcddaf): a change to recipe 2's random draws changes it.
RECIPE_2_DIGEST = "179b38538e56cc2a"


def test_recipe_2_is_the_packaged_weights_data_and_never_consults_festival(monkeypatch):
    from talkface_studio.training import viseme_data

    monkeypatch.setattr(viseme_data, "_espeak_speech", _fake_espeak)
    monkeypatch.setattr(festival_synth, "synthesize", lambda *a, **k: pytest.fail("recipe 2 called Festival"))
    with_festival = viseme_data.make_clips(seed=3, seconds=20.0, recipe=2)
    monkeypatch.setattr(festival_synth, "available_voices", lambda: ())
    without = viseme_data.make_clips(seed=3, seconds=20.0, recipe=2)
    assert _stream_digest(with_festival) == _stream_digest(without) == RECIPE_2_DIGEST
    assert all(np.array_equal(a.feats, b.feats) for a, b in zip(with_festival, without))


def test_recipe_3_without_its_voices_and_unknown_recipes_are_one_clear_error(monkeypatch):
    from talkface_studio.training import viseme_data
    from talkface_studio.training.espeak_synth import SynthError

    with pytest.raises(SynthError, match="unknown viseme training recipe 7"):
        viseme_data.make_clips(seed=0, seconds=1.0, recipe=7)
    monkeypatch.setattr(festival_synth, "available_voices", lambda: ("kal",))
    with pytest.raises(SynthError, match=r"recipe 3 needs Festival voices .*ked.*APT_PACKAGES"):
        viseme_data.make_clips(seed=0, seconds=1.0, recipe=3)


@pytest.mark.skipif(len(festival_synth.available_voices()) < len(festival_synth.VOICES),
                    reason="recipe 3 needs every Festival voice of festival_synth.VOICES (make system-deps)")
def test_recipe_3_mixes_festival_voices_into_the_training_clips():
    from talkface_studio.training import viseme_data

    clips = viseme_data.make_clips(seed=11, seconds=40.0, recipe=3)
    assert len({c.language for c in clips}) >= 2
    for c in clips:
        assert len(c.labels) == len(c.feats) == len(c.jaw) and (c.labels != 0).mean() > 0.3


def _fake_festival(rng, voices):
    """Stand-in for a Festival voice (like _fake_espeak): a lower, slower chain from the voice drawn."""
    from talkface_studio.training.espeak_synth import TimedPhone

    voice = voices[rng.integers(len(voices))]
    n = int(rng.integers(3, 7))
    t = np.arange(int(0.2 * n * 16000)) / 16000
    x = (0.2 * np.sin(2 * np.pi * 110 * t) * (np.sin(np.pi * t / 0.2) ** 2)).astype(np.float32)
    phones = [TimedPhone(0.2 * i, 0.2 * (i + 1), "o" if i % 2 else "b") for i in range(n)]
    return x, phones, festival_synth.VOICES[voice][2]


# The digest of recipe 3's stream (which clips Festival speaks, overlapping talkers, its effects)
# over the fake voices above, computed with viseme_data as it was when the packaged recipe-3 weights
# (audio/models/viseme_recognizer_r3.*) were trained (unchanged since af267cb): a change to recipe 3's random
# draws changes it.
RECIPE_3_DIGEST = "65f56aa1a94387f6"


def test_recipe_3_is_the_packaged_r3_weights_data(monkeypatch):
    from talkface_studio.training import viseme_data

    monkeypatch.setattr(viseme_data, "_espeak_speech", _fake_espeak)
    monkeypatch.setattr(viseme_data, "_festival_speech", _fake_festival)
    monkeypatch.setattr(festival_synth, "available_voices", lambda: tuple(festival_synth.VOICES))
    clips = viseme_data.make_clips(seed=3, seconds=30.0, recipe=3)
    assert {c.language for c in clips} & {spec[2] for spec in festival_synth.VOICES.values()} - {"en-us", "de", "it"}
    assert _stream_digest(clips) == RECIPE_3_DIGEST
