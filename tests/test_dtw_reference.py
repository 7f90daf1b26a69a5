"""The DTW reference of the lip-sync benchmark (benchmarks/dtw_reference.py) recovers phone times
through a known non-uniform time warp, spoken by another voice than the one it synthesizes."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import espeak_events  # noqa: E402

pytestmark = pytest.mark.skipif(not espeak_events.available(), reason="libespeak-ng is not installed")

TEXT = "Maybe Bob put the bumpy map by my pen, and then we all went home for a late supper."
SR = 16_000


def warp_map(duration: float) -> tuple[np.ndarray, np.ndarray]:
    """A known monotone map from original to warped seconds: the speaking rate swings between 0.6x and
    1.6x over ~1.7 s, so phones drift by over 100 ms from where a uniform stretch would put them."""
    t = np.linspace(0.0, duration, 4001)
    speed = 1.0 + 0.45 * np.sin(2 * np.pi * t / 1.7) + 0.15 * np.sin(2 * np.pi * t / 0.55)  # original s per warped s
    warped = np.concatenate([[0.0], np.cumsum(np.diff(t) / speed[1:])])
    return t, warped


def warped_speech() -> tuple[np.ndarray, list, np.ndarray, np.ndarray]:
    """Speech by a female espeak-ng voice, time-warped by warp_map, after 0.5 s of low noise."""
    spoken = espeak_events.speak(TEXT, "en-us+f4", 150, pitch=75)
    x = spoken.samples.astype(np.float64)
    t, w = warp_map(len(x) / SR)
    u = np.arange(int(w[-1] * SR)) / SR  # output sample times
    y = np.interp(np.interp(u, w, t) * SR, np.arange(len(x)), x)  # sample the original at g^-1(u)
    rng = np.random.default_rng(0)
    lead = int(0.5 * SR)
    out = np.concatenate([np.zeros(lead), y, np.zeros(int(0.3 * SR))])
    out += 10 ** (-50 / 20) * rng.standard_normal(len(out))  # a quiet room, not digital silence
    return out.astype(np.float32), spoken.phonemes, t, w + lead / SR


def test_phone_times_survive_a_non_uniform_warp():
    import dtw_reference as dr

    x, phones, t, w = warped_speech()
    truth = np.array([np.interp(p.start, t, w) for p in phones])
    # What a uniform stretch of the speech would give: the warp must matter for this test to mean anything.
    linear = w[0] + (np.array([p.start for p in phones]) - t[0]) * (w[-1] - w[0]) / (t[-1] - t[0])
    assert np.percentile(np.abs(linear - truth), 90) > 0.1

    ref = dr.reference_phones(x, TEXT, "en")
    got = ref.phones
    assert [p.ipa for p in got] == [p.ipa for p in phones]  # same script, same language: same phones
    err = np.abs(np.array([p.start for p in got]) - truth)
    assert np.median(err) < 0.025
    assert np.percentile(err, 90) < 0.05
    bilabial = [i for i, p in enumerate(phones) if p.ipa[:1] in "pbm"]
    assert len(bilabial) >= 8 and np.median(err[bilabial]) < 0.025 and np.max(err[bilabial]) < 0.1


def test_reference_phones_are_ordered_and_inside_the_speech():
    import dtw_reference as dr

    x, _, _, w = warped_speech()
    ref = dr.reference_phones(x, TEXT, "en")
    starts = np.array([p.start for p in ref.phones])
    assert np.all(np.diff(starts) >= 0) and all(p.end > p.start for p in ref.phones)
    assert 0.45 < starts[0] < 0.6 and ref.phones[-1].end < w[-1] + 0.1
    assert 80 <= ref.rate <= 450 and ref.voice == "en-us"


def test_agreement_matches_phones_of_a_kind_in_order_and_measures_both_boundaries():
    import bench_dtw_reference as bd
    import lipsync_measures as lm

    ref = [lm.RefPhone(0.10, 0.20, "bilabial"), lm.RefPhone(0.30, 0.40, "open"), lm.RefPhone(1.00, 1.08, "bilabial"),
           lm.RefPhone(2.00, 2.10, "bilabial")]
    dtw = [lm.RefPhone(0.12, 0.21, "bilabial"), lm.RefPhone(0.25, 0.45, "open"), lm.RefPhone(1.06, 1.20, "bilabial"),
           lm.RefPhone(2.60, 2.70, "bilabial")]  # the last is 600 ms away: not a match
    got = bd.agreement(ref, dtw)
    matched, total, errs, within = got["bilabial"]
    assert (matched, total, within) == (2, 3, 1)
    assert np.allclose(sorted(errs), [0.01, 0.02, 0.06, 0.12])
    assert got["open"][0:2] == (1, 1) and got["open"][3] == 0  # 50 ms off at both ends


def test_espeak_vowel_marks_do_not_hide_an_open_vowel():
    import lipsync_measures as lm

    assert [lm.classify_ipa(p) for p in ("ä", "o̞", "a", "ɑ̃", "b")] == ["open", "round", "open", "", "bilabial"]
