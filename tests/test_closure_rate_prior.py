"""The per-recording closure-rate prior (benchmarks/bench_closure_rate.py, an experiment kept off
the product path): the bias it finds brings the expected bilabial share to the wanted one and
leaves a recording that is there already untouched."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_closure_rate as cr  # noqa: E402

from talkface_studio.audio.viseme_set import CLASS_INDEX, VISEME_CLASSES  # noqa: E402


def _posteriors(p_m: float, p_sil: float, frames: int = 500) -> np.ndarray:
    """Log-posteriors with P(M) = p_m and P(SIL) = p_sil on every frame, the rest spread evenly."""
    p = np.full((frames, len(VISEME_CLASSES)), (1 - p_m - p_sil) / (len(VISEME_CLASSES) - 2))
    p[:, CLASS_INDEX["M"]] = p_m
    p[:, CLASS_INDEX["SIL"]] = p_sil
    return np.log(p).astype(np.float32)


def test_expected_share_is_bilabial_mass_over_speech_mass():
    assert abs(cr.expected_share(_posteriors(0.04, 0.2)) - 0.05) < 1e-6


def test_a_recording_that_calls_enough_closures_is_untouched():
    assert cr.prior_bias(_posteriors(0.1, 0.2), wanted=0.1) == 0.0


def test_an_under_calling_recording_is_raised_to_the_wanted_share():
    logp = _posteriors(0.02, 0.2)
    bias = cr.prior_bias(logp, wanted=0.06)
    assert 0 < bias < cr.MAX_BIAS
    assert abs(cr.expected_share(logp, bias) - 0.06) < 1e-4
    # P(M) raised by the bias and renormalised, as the decoder would see it
    raised = logp.copy()
    raised[:, CLASS_INDEX["M"]] += bias
    raised -= np.log(np.exp(raised).sum(axis=1, keepdims=True))
    assert abs(cr.expected_share(raised) - 0.06) < 1e-4


def test_the_bias_is_clamped():
    assert cr.prior_bias(_posteriors(0.001, 0.2), wanted=0.5) == cr.MAX_BIAS
