"""viseme_decode.decode's `switch_costs`: a class change may cost more or less than the flat
SWITCH_PENALTY, per pair of classes (the hook experiments such as benchmarks/viseme_bigrams.py use);
without it the decoder is the product's, bit for bit."""

import numpy as np
import pytest

from talkface_studio.audio.viseme_decode import SWITCH_PENALTY, decode
from talkface_studio.audio.viseme_set import CLASS_INDEX, VISEME_CLASSES, VOWEL_CLASSES

from test_viseme_decoding import frames, posteriors  # noqa: E402  (tests/ is on sys.path)

K = len(VISEME_CLASSES)
C = CLASS_INDEX


def _vowel_vowel_reading():
    """AA, then 4 frames the network thinks slightly more EH than T, then AA."""
    logp = posteriors(frames(("SIL", 10), ("AA", 12), ("EH", 4), ("AA", 12), ("SIL", 10)))
    logp[22:26, C["T"]] = logp[22:26, C["EH"]] - 0.3
    return logp


def _random_logp(n=800, seed=3):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 2, (n, K)).astype(np.float32)
    return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True)), rng.uniform(-70, -10, n)


def test_costly_vowel_to_vowel_changes_turn_a_vowel_vowel_reading_into_vowel_consonant_vowel():
    vowels = [C[v] for v in VOWEL_CLASSES]
    costs = np.full((K, K), SWITCH_PENALTY, np.float32)
    costs[np.ix_(vowels, vowels)] = SWITCH_PENALTY - 10.0
    logp = _vowel_vowel_reading()
    assert [s.phone for s in decode(logp)] == ["SIL", "AA", "EH", "AA", "SIL"]
    assert [s.phone for s in decode(logp, switch_costs=costs)] == ["SIL", "AA", "T", "AA", "SIL"]


def test_no_costs_is_the_flat_decoder_bit_for_bit_and_flat_costs_decode_the_same():
    logp, level = _random_logp()
    flat = decode(logp, level)
    assert decode(logp, level, switch_costs=None) == flat
    # the general path with every change at SWITCH_PENALTY is the same model (its diagonal ignored)
    assert decode(logp, level, switch_costs=np.full((K, K), SWITCH_PENALTY)) == flat
    uneven = np.full((K, K), SWITCH_PENALTY, np.float32)
    uneven[C["M"], :] -= 3.0  # leaving a closure is costly: the costs do act
    assert decode(logp, level, switch_costs=uneven) != flat


def test_costs_of_the_wrong_shape_are_refused():
    logp, _ = _random_logp(50)
    with pytest.raises(ValueError):
        decode(logp, switch_costs=np.zeros((K - 1, K - 1)))
