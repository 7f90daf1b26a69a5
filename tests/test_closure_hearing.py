"""A take's "Hear lip closures" (closure_hearing): how readily recognition without a script closes
the lips for p/b/m. It reaches the decoder, 1 is today's decoding exactly, a change is never served
the old labels from the cache and does not run the recognizer network again, and aligned words of a
script keep their visemes."""

import json
from pathlib import Path

import numpy as np
import pytest

from audio_fixtures import needs_espeak
from talkface_studio.audio import cache, phone_pass, viseme_phones
from talkface_studio.audio.analysis import analyze
from talkface_studio.audio.viseme_decode import CLOSURE_BIAS, closure_bias_for

pytest.importorskip("torch")
pytestmark = pytest.mark.usefixtures("private_cache")
SPEECH = Path(__file__).parent / "data" / "speech"
VOICE = SPEECH / "en_m_librivox_sense_0890.wav"  # a real voice, 5 s, several p/b/m


def m_frames(features) -> int:
    return int((features.phone_at() == "M").sum())


def test_one_is_the_shipped_bias_and_each_unit_moves_it_one_nat():
    assert closure_bias_for(1.0) == CLOSURE_BIAS
    assert closure_bias_for(2.0) == pytest.approx(CLOSURE_BIAS + 1.0)
    assert closure_bias_for(0.0) == pytest.approx(CLOSURE_BIAS - 1.0)


def test_more_hearing_closes_the_lips_more_often_on_a_real_voice():
    frames = [m_frames(analyze(VOICE, 25, closure_hearing=h)) for h in (0.0, 1.0, 2.0)]
    assert frames[0] < frames[1] < frames[2], frames  # measured 2026-12-02: 6, 19, 26


def test_the_default_is_todays_decoding_bit_for_bit():
    """Hearing 1 (or none given) decodes exactly as the recognizer's labels did before the setting,
    and under the same cache key; posteriors read back from the cache decode the same."""
    x16 = analyze_clip_x16()
    post = viseme_phones.posteriors(x16)
    today = viseme_phones.decode(post.logp, post.level, closure_evidence=post.darkness)  # the call before
    digest = "d" * 32
    first = phone_pass.cached_phone_pass(lambda: x16, digest, None, closure_hearing=1.0)
    assert [(p.start, p.end, p.phone) for p in first.phones] == [(v.start, v.end, v.phone) for v in today]
    cached = sorted(cache.cache_dir().glob("phones-*.json"))
    assert [p.name for p in cached] == [
        f"phones-{digest}-free-en-{viseme_phones.model_version()}-p{phone_pass.PHONE_PASS_VERSION}.json"]
    cached[0].unlink()  # only the network pass is left in the cache
    again = phone_pass.cached_phone_pass(lambda: x16, digest, None)
    assert again.phones == first.phones
    assert analyze(VOICE, 25).phones == analyze(VOICE, 25, closure_hearing=1.0, use_cache=False).phones


def analyze_clip_x16() -> np.ndarray:
    from talkface_studio.audio.acoustic import SR
    from talkface_studio.audio.loading import load_audio

    return load_audio(VOICE).mono(SR)


def test_a_changed_hearing_decodes_again_without_the_network_and_never_gets_old_labels(monkeypatch):
    shipped = analyze(VOICE, 25)
    fresh = analyze(VOICE, 25, closure_hearing=2.0, use_cache=False)
    assert m_frames(fresh) > m_frames(shipped)
    monkeypatch.setattr(viseme_phones, "posteriors", lambda *a, **k: pytest.fail("the network ran again"))
    heard = analyze(VOICE, 25, closure_hearing=2.0)
    assert heard.phones == fresh.phones  # decoded from the cached posteriors, not the shipped labels
    assert analyze(VOICE, 25).phones == shipped.phones  # and back: the shipped labels, not the new ones
    assert analyze(VOICE, 25, closure_hearing=2.0).phones == fresh.phones


def test_a_take_aligned_to_its_english_script_reuses_its_pass_at_any_hearing(monkeypatch):
    """Pocketsphinx placed every word: the setting cannot change it, so nothing is run again."""
    text = json.loads(VOICE.with_suffix(".json").read_text())["text"]
    aligned = analyze(VOICE, 25, transcript=text)
    assert {s.path for s in aligned.report.stretches} == {"aligned"}
    monkeypatch.setattr(phone_pass, "run_phone_pass", lambda *a, **k: pytest.fail("aligned again"))
    assert analyze(VOICE, 25, transcript=text, closure_hearing=2.0).phones == aligned.phones


FRENCH_WRONG_SCRIPT = ("Le chat noir dort sur le canapé rouge pendant que les enfants jouent dehors sous la pluie "
                       "fine du matin. Mon oncle achète du pain frais chaque jour à la boulangerie du village "
                       "voisin, puis il rentre à pied.")


@needs_espeak
def test_with_a_script_only_the_stretches_that_fell_back_to_recognition_change():
    """A real French prompt with a script that matches only in places: the aligned words keep their
    visemes at any hearing; the recognized stretches close the lips more as it goes up."""
    labels, stretches = {}, None
    for h in (0.0, 1.0, 2.0):
        f = analyze(SPEECH / "fr_f_asterisk_dir_intro.wav", 25, transcript=FRENCH_WRONG_SCRIPT, language="fr-CA",
                    closure_hearing=h)
        labels[h] = f.phone_at()
        assert stretches in (None, f.report.stretches)  # the same stretches fall back
        stretches = f.report.stretches
    recognized = np.zeros(len(labels[1.0]), bool)
    for s in stretches:
        if s.path == "recognized":
            recognized[s.start_frame:s.end_frame] = True
    assert recognized.any() and not recognized.all()
    for h in (0.0, 2.0):
        np.testing.assert_array_equal(labels[h][~recognized], labels[1.0][~recognized])
    closed = [int((labels[h][recognized] == "M").sum()) for h in (0.0, 1.0, 2.0)]
    assert closed[0] < closed[2] and closed[0] <= closed[1] <= closed[2], closed  # measured: 1, 3, 5


def test_a_damaged_posteriors_entry_runs_the_network_again():
    x16 = analyze_clip_x16()
    key = "posteriors-test"
    post = phone_pass.cached_posteriors(x16, key)
    (cache.cache_dir() / f"{key}.npz").write_bytes(b"not an npz")
    again = phone_pass.cached_posteriors(x16, key)
    np.testing.assert_array_equal(again.logp, post.logp)
    arrays = cache.load_arrays(key)
    assert cache.valid_posteriors(arrays)
    arrays["gaps"] = arrays["gaps"][:-1]
    assert not cache.valid_posteriors(arrays)
