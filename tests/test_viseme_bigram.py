"""Viseme phonotactics (audio/viseme_bigram) and their use in the decoder without a script
(viseme_decode.switch_costs): the tables, the language choosing one, and what a weight changes."""

import json

import numpy as np
import pytest
from audio_fixtures import needs_espeak

from talkface_studio.audio import viseme_decode, viseme_phones
from talkface_studio.audio.viseme_bigram import DEFAULT_TABLE, switch_bonus, transition_probs
from talkface_studio.audio.viseme_decode import decode
from talkface_studio.audio.viseme_set import CLASS_INDEX, VISEME_CLASSES, VOWEL_CLASSES

from test_viseme_decoding import frames, posteriors  # noqa: E402  (tests/ is on sys.path)

K = len(VISEME_CLASSES)
C = CLASS_INDEX


def test_tables_are_distributions_over_other_classes():
    for lang in ("en", "fr", "ja", None):
        p = transition_probs(lang)
        assert np.allclose(p.sum(axis=1), 1.0) and (np.diag(p) == 0).all() and (p[~np.eye(K, dtype=bool)] > 0).all()
        assert np.isneginf(np.diag(switch_bonus(lang))).all()


def test_tables_hold_the_phonotactics_a_recognizer_needs():
    """A lip closure is followed mostly by a vowel; a vowel rarely by another vowel of a class
    that no diphthong gives (AA -> EH), much more often by a consonant (AA -> T)."""
    vowels = [C[v] for v in VOWEL_CLASSES]
    for lang in ("en", "es", "de", "fr", "it", "ja"):
        p = transition_probs(lang)
        assert p[C["M"], vowels].sum() > 0.5, lang
        assert p[C["AA"], C["T"]] > 10 * p[C["AA"], C["EH"]], lang
        assert switch_bonus(lang)[C["AA"], C["EH"]] < 0 < switch_bonus(lang)[C["AA"], C["T"]], lang


def test_the_language_selects_its_table():
    assert not np.array_equal(switch_bonus("en"), switch_bonus("fr"))
    assert np.array_equal(switch_bonus("fr-CA"), switch_bonus("fr"))  # the primary language's table
    assert np.array_equal(switch_bonus("ko"), switch_bonus("sw"))  # no table of their own: the pooled one
    assert not np.array_equal(switch_bonus("ko"), switch_bonus("en"))


def _ambiguous():
    """AA, then 4 frames the network thinks slightly more EH than T, then AA: a vowel -> vowel
    reading that phonotactics says is unlikely."""
    labels = frames(("SIL", 10), ("AA", 12), ("EH", 4), ("AA", 12), ("SIL", 10))
    logp = posteriors(labels)
    logp[22:26, C["T"]] = logp[22:26, C["EH"]] - 0.3
    return logp


def test_a_bigram_makes_a_vowel_after_a_vowel_costlier():
    logp = _ambiguous()
    flat = [s.phone for s in decode(logp, language="en", bigram_weight=0.0)]
    weighed = [s.phone for s in decode(logp, language="en", bigram_weight=1.0)]
    assert flat == ["SIL", "AA", "EH", "AA", "SIL"]
    assert weighed == ["SIL", "AA", "T", "AA", "SIL"]


def test_weight_zero_or_no_language_is_the_flat_decoder_bit_for_bit():
    rng = np.random.default_rng(3)
    logits = rng.normal(0, 2, (800, K)).astype(np.float32)
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    level = rng.uniform(-70, -10, 800)
    flat = decode(logp, level)
    assert decode(logp, level, language="en", bigram_weight=0.0) == flat
    assert decode(logp, level, language=None, bigram_weight=2.0) == flat
    assert decode(logp, level, language="en", bigram_weight=2.0) != flat  # the weight does act


def test_free_recognition_passes_the_takes_language(monkeypatch):
    seen = []
    monkeypatch.setattr(viseme_phones, "decode", lambda *a, **kw: seen.append(kw.get("language")) or [])
    n = 50
    post = viseme_phones.Posteriors(np.zeros((n, K), np.float32), np.zeros(n), np.full(n, -30.0), np.zeros(n),
                                    np.zeros(n, bool))
    viseme_phones.viseme_phone_pass(np.zeros(n * 160, np.float32), None, "fr-CA", post=post)
    assert seen == ["fr-CA"]


def test_shipped_weight_is_off():
    """Not shipped (README, "Phonotactics in the decoder"): recognition decodes as before."""
    assert viseme_decode.BIGRAM_WEIGHT == 0.0


@needs_espeak
def test_committed_table_is_what_the_builder_counts():
    from talkface_studio.training.viseme_bigrams import count_voice

    committed = json.loads(DEFAULT_TABLE.read_text())
    assert committed["classes"] == list(VISEME_CLASSES)
    assert committed["counts"]["it"] == count_voice("it").tolist()  # one voice, ~3 s
    with pytest.raises(KeyError):
        committed["counts"]["en-us"]  # voices are pooled under their primary language
