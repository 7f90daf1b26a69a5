"""A voice with a shorter vocal tract than pocketsphinx's adults (a child's) is read through a
frequency warp: its English script's words are placed instead of falling back."""

import numpy as np
import pytest
from scipy.signal import resample_poly

from espeak_events import available, speak
from talkface_studio.audio.alignment_report import TimedStretch
from talkface_studio.audio.phones import TimedPhone
from talkface_studio.audio.piecewise import PhonePass
from talkface_studio.audio.sphinx_align import TimedWord
from talkface_studio.audio.voice_warp import MIN_GAIN, POOR_SCORE, WARPS, best_heard, median_score, unwarped


def _pass(score: float, seconds: float = 2.0) -> PhonePass:
    return PhonePass([TimedPhone(0.2, 0.5, "AA")], [TimedStretch(0.0, seconds, "aligned")],
                     [TimedWord(0.2, 0.5, "ah", score), TimedWord(0.6, 0.9, "ah", score)])


def test_a_warped_pass_comes_back_in_the_takes_time():
    warp = 1.3
    back = unwarped(PhonePass([TimedPhone(1.3, 2.6, "M")], [TimedStretch(0.0, 2.6 + 1e-4, "aligned")],
                              [TimedWord(1.3, 2.6, "me", -1.0)]), warp, duration=2.0)
    assert back.phones == [TimedPhone(pytest.approx(1.0), pytest.approx(2.0), "M")]
    assert back.stretches[-1].end == 2.0 and back.words[0].start == pytest.approx(1.0)
    assert median_score(back) == -1.0 and median_score(PhonePass([], [], [])) is None


def test_only_a_poorly_heard_take_is_tried_at_other_warps_and_the_best_kept():
    x16 = np.zeros(32000, np.float32)
    tried = []

    def align(scores):
        def run(audio):
            warp = round(len(audio) / len(x16), 2)
            tried.append(warp)
            return _pass(scores[warp], len(audio) / 16000)
        return run

    result, warp = best_heard(align({1.0: POOR_SCORE + 0.5}), x16)
    assert warp == 1.0 and tried == [1.0] and median_score(result) == POOR_SCORE + 0.5  # well heard: nothing more

    tried.clear()
    scores = {1.0: -4.0, WARPS[0]: -3.0, WARPS[1]: -1.5}
    result, warp = best_heard(align(scores), x16)
    assert tried == [1.0, *WARPS] and warp == WARPS[1] and median_score(result) == -1.5
    assert result.stretches[-1].end == 2.0  # in the take's own seconds

    tried.clear()
    result, warp = best_heard(align({1.0: -4.0, WARPS[0]: -4.0 + MIN_GAIN / 2, WARPS[1]: -4.5}), x16)
    assert warp == 1.0 and median_score(result) == -4.0  # a gain within the noise keeps the recording as it is


def test_a_warp_that_scores_better_but_falls_back_longer_is_not_kept():
    """A better median can hide one word that now fails the wrong-word limit: the warp must not
    add a fallen-back stretch the recording as it is did not have."""
    x16 = np.zeros(32000, np.float32)

    def align(audio):
        warp = round(len(audio) / len(x16), 2)
        seconds = len(audio) / 16000
        result = _pass({1.0: -3.5, WARPS[0]: -3.3, WARPS[1]: -2.0}[warp], seconds)
        if warp == WARPS[1]:  # best median, but a word of it falls back
            result = PhonePass(result.phones, [TimedStretch(0.0, 0.6, "aligned"),
                                               TimedStretch(0.6, 0.9, "recognized", "mismatch"),
                                               TimedStretch(0.9, seconds, "aligned")], result.words)
        return result

    result, warp = best_heard(align, x16)
    assert warp == 1.0 and median_score(result) == -3.5
    assert all(s.path == "aligned" for s in result.stretches)


@pytest.mark.parametrize("fallen_back_s, aligned_again", [(0.0, False), (1.5, True)])
def test_the_warps_are_tried_by_the_cheaper_pass_and_the_one_kept_aligned_again_where_words_fell_back(
        fallen_back_s, aligned_again):
    """The warped takes are aligned without the search for words that slid (a pass per piece tried):
    two of three are thrown away. The warp kept is aligned again with it only where words fell back."""
    x16 = np.zeros(32000, np.float32)
    calls = []

    def run(kind):
        def go(audio):
            warp = round(len(audio) / len(x16), 2)
            calls.append((kind, warp))
            result = _pass({1.0: -4.0, WARPS[0]: -3.0, WARPS[1]: -3.5}[warp], len(audio) / 16000)
            back = 1.8 if warp == 1.0 else fallen_back_s  # as recorded more falls back
            result = PhonePass(result.phones, [TimedStretch(0.0, back, "recognized", "mismatch", "ah"),
                                               TimedStretch(back, len(audio) / 16000, "aligned")], result.words)
            return result
        return go

    result, warp = best_heard(run("full"), x16, run("trial"))
    assert warp == WARPS[0]
    assert calls == [("full", 1.0), ("trial", WARPS[0]), ("trial", WARPS[1])] + [("full", WARPS[0])] * aligned_again


@pytest.mark.skipif(not available(), reason="espeak-ng is not installed")
def test_a_childs_voice_keeps_its_script(tmp_path):
    """espeak-ng's English with every frequency x1.3 (a plain resample: a child's formants are
    15-35 % higher, and it speaks faster too): as recorded, pocketsphinx scores its words so poorly
    that stretches fall back; read 1.3x lower, every word is placed and every p/b/m closes."""
    from talkface_studio.audio.phone_pass import run_phone_pass

    text = "Maybe Bob put the bumpy map by my pen. Mom made a bubbly apple pie for me."
    spoken = speak(text, "en")
    x = resample_poly(spoken.samples.astype(np.float64), 16000, spoken.sample_rate)
    child = resample_poly(x, 10, 13).astype(np.float32)
    bilabials = [p for p in spoken.phonemes if p.ipa.strip("ˈˌ")[:1] in "pbm"]
    assert len(bilabials) == 21

    result = run_phone_pass(child, text, "en")
    assert all(s.path == "aligned" for s in result.stretches), result.stretches
    closed = 0
    for p in bilabials:  # espeak-ng's times, 1.3x faster
        mid = (p.start + p.end) / 2 / 1.3
        closed += any(q.phone in ("P", "B", "M") and q.start - 0.04 <= mid <= q.end + 0.04 for q in result.phones)
    assert closed == len(bilabials)
