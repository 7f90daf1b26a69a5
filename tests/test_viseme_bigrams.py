"""Viseme phonotactics (benchmarks/viseme_bigrams.py, an experiment kept off the product path) and
their use through the decoder's switch_costs: the tables, the language choosing one, what a weight
changes, and free recognition decoding with them only while asked to."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from audio_fixtures import needs_espeak

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import viseme_bigrams as vb  # noqa: E402

from talkface_studio.audio import viseme_phones  # noqa: E402
from talkface_studio.audio.viseme_decode import decode  # noqa: E402
from talkface_studio.audio.viseme_set import CLASS_INDEX, VISEME_CLASSES, VOWEL_CLASSES  # noqa: E402

from test_viseme_switch_costs import _random_logp, _vowel_vowel_reading  # noqa: E402

K = len(VISEME_CLASSES)
C = CLASS_INDEX


def test_tables_are_distributions_over_other_classes():
    for lang in ("en", "fr", "ja", None):
        p = vb.transition_probs(lang)
        assert np.allclose(p.sum(axis=1), 1.0) and (np.diag(p) == 0).all() and (p[~np.eye(K, dtype=bool)] > 0).all()
        assert np.isneginf(np.diag(vb.switch_bonus(lang))).all()


def test_tables_hold_the_phonotactics_a_recognizer_needs():
    """A lip closure is followed mostly by a vowel; a vowel rarely by another vowel of a class
    that no diphthong gives (AA -> EH), much more often by a consonant (AA -> T)."""
    vowels = [C[v] for v in VOWEL_CLASSES]
    for lang in ("en", "es", "de", "fr", "it", "ja"):
        p = vb.transition_probs(lang)
        assert p[C["M"], vowels].sum() > 0.5, lang
        assert p[C["AA"], C["T"]] > 10 * p[C["AA"], C["EH"]], lang
        assert vb.switch_bonus(lang)[C["AA"], C["EH"]] < 0 < vb.switch_bonus(lang)[C["AA"], C["T"]], lang


def test_the_language_selects_its_table():
    assert not np.array_equal(vb.switch_bonus("en"), vb.switch_bonus("fr"))
    assert np.array_equal(vb.switch_bonus("fr-CA"), vb.switch_bonus("fr"))  # the primary language's table
    assert np.array_equal(vb.switch_bonus("ko"), vb.switch_bonus("sw"))  # no table of their own: the pooled one
    assert not np.array_equal(vb.switch_bonus("ko"), vb.switch_bonus("en"))


def test_a_bigram_makes_a_vowel_after_a_vowel_costlier():
    logp = _vowel_vowel_reading()
    assert [s.phone for s in decode(logp)] == ["SIL", "AA", "EH", "AA", "SIL"]
    weighed = decode(logp, switch_costs=vb.switch_costs("en", 1.0))
    assert [s.phone for s in weighed] == ["SIL", "AA", "T", "AA", "SIL"]


def test_weight_zero_or_no_language_is_the_flat_decoder():
    assert vb.switch_costs("en", 0.0) is None and vb.switch_costs(None, 2.0) is None
    logp, level = _random_logp()
    assert decode(logp, level, switch_costs=vb.switch_costs("en", 2.0)) != decode(logp, level)  # the weight acts


def test_free_recognition_decodes_with_the_costs_only_inside_the_block(monkeypatch):
    seen = []

    def flat_decode(*args, **kwargs):
        seen.append(kwargs.get("switch_costs"))
        return []

    monkeypatch.setattr(viseme_phones, "decode", flat_decode)
    n = 50
    post = viseme_phones.Posteriors(np.zeros((n, K), np.float32), np.zeros(n), np.full(n, -30.0), np.zeros(n),
                                    np.zeros(n, bool))
    costs = vb.switch_costs("fr-CA", 2.0)
    with vb.free_recognition_with(costs):
        viseme_phones.viseme_phone_pass(np.zeros(n * 160, np.float32), None, "fr-CA", post=post)
        assert viseme_phones.decode is flat_decode  # the script's own decoding never sees the costs
    viseme_phones.viseme_phone_pass(np.zeros(n * 160, np.float32), None, "fr-CA", post=post)
    assert seen[0] is costs and seen[1] is None
    assert viseme_phones.free_recognition.__module__ == viseme_phones.__name__  # put back


@needs_espeak
def test_committed_table_is_what_the_builder_counts():
    committed = json.loads(vb.DEFAULT_TABLE.read_text())
    assert committed["classes"] == list(VISEME_CLASSES)
    assert committed["counts"]["it"] == vb.count_voice("it").tolist()  # one voice, ~3 s
    with pytest.raises(KeyError):
        committed["counts"]["en-us"]  # voices are pooled under their primary language
