"""Lip sync: closures, jaw vs vowels and loudness, rest in silence, coarticulation."""

import numpy as np
import pytest

from talkface_studio.perform.base import PerformRequest
from talkface_studio.perform.blendshapes import inner_lip_gap
from talkface_studio.perform.face_fields import MM
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


def _three_vowels(louds=(0.95, 0.95, 0.95), pitches=(180, 180, 180), gap=0.15):
    """One take: three /aa/ between /t/s, each with its own loudness and pitch -> (features, spans)."""
    script = [("SIL", 0.3)]
    for _ in louds:
        script += [("T", 0.06), ("AA", 0.2), ("T", 0.06), ("SIL", gap)]
    f = features_from_script(script + [("SIL", 0.3)])
    spans = [sp for sp in f.phones if sp.phone == "AA"]
    for sp, loud, pitch in zip(spans, louds, pitches):
        f.loudness[sp.start_frame:sp.end_frame] = loud
        f.pitch_hz[sp.start_frame:sp.end_frame] = pitch
    return f, spans


def test_jaw_follows_loudness_and_pitch_emphasis_within_a_take():
    f, spans = _three_vowels(louds=(0.55, 0.75, 0.95))
    jaw = lip_sync(f, f.rate.fps)["jaw_open"]
    peaks = [jaw[sp.start_frame:sp.end_frame].max() for sp in spans]
    assert peaks[0] < peaks[1] - 0.05 < peaks[2] - 0.1
    # same loudness, the middle vowel on a pitch peak (stressed): it opens wider than its neighbours
    f, spans = _three_vowels(pitches=(170, 215, 170))
    jaw = lip_sync(f, f.rate.fps)["jaw_open"]
    peaks = [jaw[sp.start_frame:sp.end_frame].max() for sp in spans]
    assert peaks[1] > max(peaks[0], peaks[2]) + 0.05


def test_a_quiet_phrase_still_moves_the_mouth():
    """A phrase spoken 12 dB under the rest of the take keeps most of its opening."""
    f, spans = _three_vowels(louds=(0.95, 0.95, 0.75), gap=0.5)
    jaw = lip_sync(f, f.rate.fps)["jaw_open"]
    peaks = [jaw[sp.start_frame:sp.end_frame].max() for sp in spans]
    assert peaks[2] > 0.8 * peaks[0] and peaks[2] > 0.55


def test_short_vowels_between_closures_keep_their_opening():
    """'bob bab bib' spoken fast: one-frame vowels between bilabials still open the jaw."""
    script = [("SIL", 0.3)] + [("B", 0.06), ("AA", 0.05), ("B", 0.06), ("AE", 0.05), ("M", 0.06), ("AH", 0.05),
                                ("P", 0.06), ("SIL", 0.4)]
    f = features_from_script(script, rate="25", loudness=0.9)
    jaw = lip_sync(f, f.rate.fps)["jaw_open"]
    for sp in f.phones:
        if sp.phone in ("AA", "AE", "AH"):
            assert jaw[sp.start_frame:sp.end_frame].max() > 0.4, sp
    e = _perform(f).expression
    centre = (e[:, 14, 1] - e[:, 13, 1]) / MM  # the midline opening, what a viewer reads as "open"
    assert min(centre[sp.start_frame:sp.end_frame].max() for sp in f.phones if sp.phone in ("AA", "AE", "AH")) > 8.0


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


def test_safety_net_opens_a_jaw_held_shut_through_loud_speech():
    """Phones that hold the lips shut through 0.5 s of loud voiced sound (a mislabelled /m/, silence
    where the audio is loud): the jaw follows the loudness there; a real /m/ of 0.1 s stays closed."""
    script = [("SIL", 0.3), ("M", 0.5), ("AA", 0.15), ("M", 0.1), ("AA", 0.15), ("SIL", 0.5), ("SIL", 0.3)]
    f = features_from_script(script, rate="25", loudness=0.9)
    long_m, _, short_m = [sp for sp in f.phones if sp.phone in ("M", "AA")][:3]
    f.loudness[long_m.start_frame:long_m.end_frame] = 0.9  # loud voiced, like a vowel
    sil = [sp for sp in f.phones if sp.phone == "SIL"][-1]
    f.loudness[sil.start_frame:sil.start_frame + 8] = 0.85  # loud voiced audio labelled silence
    f.voicing[sil.start_frame:sil.start_frame + 8] = 1.0
    m = lip_sync(f, f.rate.fps)
    fps = f.rate.fps
    still = (m["jaw_open"] < 0.12) | (m["lip_press"] > 0.5)
    loud = (f.loudness >= 0.6) & (f.voicing >= 0.5)

    def longest(mask):
        best = run = 0
        for v in mask:
            run = run + 1 if v else 0
            best = max(best, run)
        return best / fps

    assert longest(still & loud) <= 0.25
    assert m["jaw_open"][long_m.start_frame + 5] > 0.15 and m["lip_press"][long_m.start_frame + 5] <= 0.21
    assert m["jaw_open"][sil.start_frame + 4] > 0.15
    assert m["lip_press"][(short_m.start_frame + short_m.end_frame) // 2] == pytest.approx(1.0)  # a real /m/


@pytest.mark.parametrize("setting, channel, phone, direction", [
    ("jaw_amount", "jaw_open", "AA", -1), ("round_amount", "mouth_round", "UW", +1),
    ("closure_strength", "lip_press", "B", -1)])
def test_per_take_mouth_settings_change_their_curves(setting, channel, phone, direction):
    f = features_from_script(sentence_script(12, seed=5) + [("UW", 0.2), ("B", 0.08), ("AA", 0.2), ("SIL", 0.3)])
    value = 0.5 if direction < 0 else 1.5
    base, changed = _perform(f).channels, _perform(f, **{setting: value}).channels
    frames = np.concatenate([np.arange(sp.start_frame, sp.end_frame) for sp in f.phones if sp.phone == phone])
    delta = changed[channel][frames].mean() - base[channel][frames].mean()
    assert direction * delta > 0.1
    if setting == "round_amount":  # rounding is independent of the jaw and the lip contact
        for c in ("jaw_open", "lip_press", "lip_tuck"):
            np.testing.assert_allclose(changed[c], base[c], atol=1e-6)
