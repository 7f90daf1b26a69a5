"""Lip sync: closures, jaw vs vowels and loudness, rest in silence, coarticulation."""

import numpy as np
import pytest

from talkface_studio.perform.base import PerformRequest
from talkface_studio.perform.blendshapes import inner_lip_gap
from talkface_studio.perform.procedural.lipsync import lip_sync
from talkface_studio.perform.registry import get_performer
from talkface_studio.perform.synthetic import features_from_script, sentence_script


def _neutral(n):
    w = np.zeros((n, 8), np.float32)
    w[:, 0] = 1
    return w


def _perform(features, seed=0, weights=None, **settings):
    w = _neutral(features.n_frames) if weights is None else weights
    return get_performer("procedural").perform(PerformRequest(features, w, features.rate, seed, settings))


@pytest.mark.parametrize("rate", ["24", "30", "60"])
def test_every_bilabial_closes_the_lips_at_its_centre(rate):
    feats = features_from_script(sentence_script(30, seed=4), rate=rate)
    perf = _perform(feats)
    gap = inner_lip_gap(perf.expression)
    bilabials = [s for s in feats.phones if s.phone in ("P", "B", "M")]
    assert len(bilabials) > 5
    for span in bilabials:
        centre = (span.start_frame + span.end_frame - 1) // 2
        assert perf.channels["lip_press"][centre] == pytest.approx(1.0)
        assert abs(gap[centre]) < 0.3, (span, gap[centre])  # millimetres
    # and the lips really are open on the loud open vowels around them
    opens = [s for s in feats.phones if s.phone in ("AA", "AE", "AH") and s.end_frame - s.start_frame >= 3]
    assert np.median([gap[(s.start_frame + s.end_frame) // 2] for s in opens]) > 5.0


def test_open_vowels_open_the_jaw_more_than_closed_ones_and_scale_with_loudness():
    def jaw_for(vowel, loud):
        f = features_from_script([("SIL", 0.3), ("T", 0.06), (vowel, 0.25), ("T", 0.06), ("SIL", 0.3)], loudness=loud)
        s = next(sp for sp in f.phones if sp.phone == vowel)
        return lip_sync(f, f.rate.fps)["jaw_open"][(s.start_frame + s.end_frame) // 2]

    for open_v in ("AA", "AE", "AH", "AO"):
        for closed_v in ("IY", "UW", "IH"):
            assert jaw_for(open_v, 0.7) > jaw_for(closed_v, 0.7) + 0.15
    assert jaw_for("AA", 0.3) < jaw_for("AA", 0.6) < jaw_for("AA", 0.95)


def test_rounded_vowels_round_and_fv_tuck():
    f = features_from_script([("SIL", 0.3), ("UW", 0.2), ("F", 0.1), ("IY", 0.2), ("SIL", 0.3)])
    m = lip_sync(f, f.rate.fps)
    mid = {sp.phone: (sp.start_frame + sp.end_frame) // 2 for sp in f.phones}
    assert m["mouth_round"][mid["UW"]] > 0.6 > m["mouth_round"][mid["IY"]]
    assert m["mouth_wide"][mid["IY"]] > 0.45 > m["mouth_wide"][mid["UW"]]
    assert m["lip_tuck"][mid["F"]] >= 0.85


def test_rounding_is_anticipated_before_the_vowel():
    f = features_from_script([("SIL", 0.4), ("S", 0.12), ("UW", 0.25), ("SIL", 0.4)])
    m = lip_sync(f, f.rate.fps)
    s_span = next(sp for sp in f.phones if sp.phone == "S")
    assert m["mouth_round"][s_span.start_frame + 1] > 0.2  # lips round during the /s/ of "soo"


def test_silence_relaxes_the_mouth():
    f = features_from_script([("SIL", 0.2), ("AA", 0.3), ("SIL", 1.5)])
    m = lip_sync(f, f.rate.fps)
    late = slice(f.n_frames - 20, f.n_frames)
    assert m["jaw_open"][late].max() < 0.02
    assert np.all(np.abs(m["mouth_wide"][late]) < 0.02) and np.all(m["mouth_round"][late] < 0.02)
    perf = _perform(f)
    assert np.abs(inner_lip_gap(perf.expression[late])).max() < 0.3  # lightly closed


def test_acoustic_only_phones_still_move_the_jaw_with_loudness():
    script = sentence_script(10, seed=2)
    f = features_from_script(script, phone_source="acoustic")
    f.phones = []  # no phone track at all: the jaw must come from the acoustics
    m = lip_sync(f, f.rate.fps)
    loud = f.loudness > 0.5
    assert m["jaw_open"][loud].mean() > 0.2
    assert m["jaw_open"][f.loudness == 0].mean() < 0.05
    assert np.corrcoef(m["jaw_open"], f.loudness)[0, 1] > 0.6


def test_articulation_amount_scales_motion_but_keeps_closures():
    f = features_from_script(sentence_script(12, seed=5))
    full, half = lip_sync(f, f.rate.fps), lip_sync(f, f.rate.fps, amount=0.5)
    assert half["jaw_open"].mean() < 0.7 * full["jaw_open"].mean()
    for sp in f.phones:
        if sp.phone in ("P", "B", "M"):
            assert half["lip_press"][sp.start_frame] == 1.0
