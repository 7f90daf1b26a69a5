"""The phone-loop experiment (benchmarks/phone_loop_evidence.py, not shipped): the loop hears the
bilabials of English speech, the take is cut where it is quiet, and the patch moves only the M
class of recognition without a script (the script aligner keeps the networks' posteriors)."""

import sys
from pathlib import Path

import numpy as np
from audio_fixtures import needs_espeak

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import phone_loop_evidence as ple  # noqa: E402

from talkface_studio.audio import viseme_phones  # noqa: E402
from talkface_studio.audio.viseme_set import CLASS_INDEX  # noqa: E402


def test_cuts_fall_in_the_quiet_between_two_sounds():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 0.1, 16000 * 4).astype(np.float32)
    x[int(1.9 * 16000): int(2.3 * 16000)] = 0  # a pause around the middle
    cuts = ple._cuts(x, 2)
    assert cuts[0] == 0 and cuts[-1] == 400
    assert 190 <= cuts[1] < 230


@needs_espeak
def test_the_loop_hears_spoken_bilabials_and_the_patch_moves_only_m(monkeypatch):
    import espeak_events
    import lipsync_measures as lm

    # espeak-ng's formant voice is not the real speech the loop was trained on: it hears about half
    # of its bilabials (real voices: 45 of 64), but it must not call other phones bilabial
    spoken = espeak_events.speak("Maybe Bob put the bumpy map by my pen. Mom made a bubbly apple pie for the "
                                 "party.", "en", 140)
    pad = np.zeros(4800, np.float32)  # 0.3 s of silence each side, as a recording has
    x = np.concatenate([pad, spoken.samples.astype(np.float32), pad])
    heard = ple.bilabial_frames(x, int(np.ceil(len(x) / ple.HOP)))

    def frames(p, margin=0):
        return heard[int((p.start + 0.3) * 100) - margin: int((p.end + 0.3) * 100) + margin]

    bilabials = [p for p in spoken.phonemes if lm.classify_ipa(p.ipa) == "bilabial"]
    others = [p for p in spoken.phonemes if lm.classify_ipa(p.ipa) != "bilabial" and p.ipa.strip()]
    found = np.mean([frames(p, 2).any() for p in bilabials])
    called = np.mean([frames(p).mean() > 0.5 for p in others])
    assert len(bilabials) >= 15 and found >= 0.35 and called <= 0.05, (len(bilabials), found, called)

    # install() replaces viseme_phones.posteriors; setting it to itself makes monkeypatch restore it
    monkeypatch.setattr(viseme_phones, "posteriors", viseme_phones.posteriors)
    before = viseme_phones.posteriors(x)
    ple.install(4.0, 1.0, 1e-20)
    after = viseme_phones.posteriors(x)
    m = CLASS_INDEX["M"]
    delta = after.logp - before.logp
    assert np.allclose(np.delete(delta, m, axis=1), 0)
    assert np.allclose(delta[heard, m], 4.0) and np.allclose(delta[~heard, m], -1.0)
    assert np.allclose(after.for_alignment, before.for_alignment)
