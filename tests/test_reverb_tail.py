"""A far microphone in a live room: each word rings on into the pause after it, within the loud
range the silence guards read as speech. The ring is a pause: a script's words are not stretched
over it, free recognition does not fill it, the lips rest there, and no stretch is reported."""

import numpy as np
import pytest
import soundfile as sf

from audio_fixtures import reverberant
from espeak_events import available, speak
from talkface_studio.audio.analysis import analyze
from talkface_studio.audio.reverb_tail import decaying
from talkface_studio.audio.viseme_set import VOWEL_CLASSES

pytestmark = pytest.mark.usefixtures("private_cache")


def test_a_falling_ring_is_a_tail_and_a_held_or_rising_sound_is_not():
    fps = 100.0
    rng = np.random.default_rng(0)
    speech = np.zeros(20)
    ring = -0.9 * np.arange(1, 31) + rng.normal(0.0, 0.7, 30)  # 90 dB/s (a 0.7 s room) with flutter
    level = np.r_[speech, ring, np.full(10, -60.0)]
    candidate = np.zeros(len(level), bool)
    candidate[20:50] = True
    assert decaying(level, candidate, fps)[20:50].all()

    onset = level.copy()
    onset[35:50] = onset[34] + 8.0  # the next word starts in the run
    tail = decaying(onset, candidate, fps)
    assert tail[20:35].all() and not tail[35:50].any()

    held = np.r_[speech, np.full(30, -1.0)]  # a held vowel does not fall
    assert not decaying(held, candidate[:50], fps).any()

    assert not decaying(level, np.zeros(len(level), bool), fps).any()  # only candidates are tails
    first = np.zeros(len(level), bool)
    first[:10] = True
    assert not decaying(level, first, fps).any()  # a run at the start follows nothing


@pytest.mark.skipif(not available(), reason="espeak-ng is not installed")
@pytest.mark.parametrize("scripted", [True, False])
def test_pauses_in_a_live_room_stay_pauses(tmp_path, scripted):
    text = "Vous pouvez entrer, mais pas maintenant. Merci beaucoup, à bientôt."
    spoken = speak(text, "fr")
    path = tmp_path / "far.wav"
    sf.write(str(path), reverberant(spoken.samples, spoken.sample_rate), spoken.sample_rate)
    pauses = [(a.end, b.start) for a, b in zip(spoken.phonemes, spoken.phonemes[1:]) if b.start - a.end >= 0.12]
    assert len(pauses) == 3  # after each comma and the full stop

    f = analyze(path, "25", transcript=text if scripted else None, language="fr")
    labels = np.full(f.n_frames, "", dtype="<U3")
    for span in f.phones:
        labels[span.start_frame:span.end_frame] = span.phone
    for a, b in pauses:  # inside each pause (a frame in from either end) the lips rest
        inside = labels[int(np.ceil(a * 25)) + 1 : int(b * 25)]
        assert len(inside) >= 2 and (inside == "SIL").all(), (a, b, inside)
    assert not f.report.fallbacks, f.report.warnings(f.rate)
    if scripted:
        assert f.phone_source == "aligned"
    speech = np.isin(labels, sorted(VOWEL_CLASSES))
    assert speech.sum() >= 0.25 * f.n_frames  # and the words are still spoken


def test_a_ring_held_in_a_word_edge_phone_is_given_back_to_the_pause():
    from talkface_studio.audio.phones import TimedPhone
    from talkface_studio.audio.reverb_tail import release_word_ends
    from talkface_studio.audio.sphinx_align import TimedWord

    fps = 100.0
    level = np.full(100, -15.0)
    level[40:60] = -15.0 - 1.2 * np.arange(1, 21)  # "now" rings on from 0.40 s (120 dB/s) ...
    silent = np.zeros(100, bool)
    silent[42:60] = True  # ... and the recognizer hears silence from 0.42 s
    words = [TimedWord(0.10, 0.60, "now"), TimedWord(0.60, 0.90, "and")]
    held = [TimedPhone(0.10, 0.25, "N"), TimedPhone(0.25, 0.60, "AW"), TimedPhone(0.60, 0.90, "AE")]
    assert release_word_ends(held, words, level, silent, fps) == [held[0], TimedPhone(0.25, 0.42, "AW"), held[2]]

    early = [TimedPhone(0.10, 0.40, "AW"), TimedPhone(0.40, 0.90, "AE")]  # the next word started in the ring
    words = [TimedWord(0.10, 0.40, "now"), TimedWord(0.40, 0.90, "and")]
    assert release_word_ends(early, words, level, silent, fps) == [early[0], TimedPhone(0.60, 0.90, "AE")]

    closure = [TimedPhone(0.10, 0.40, "AW"), TimedPhone(0.40, 0.90, "B")]  # lips shut early look at rest
    assert release_word_ends(closure, words, level, silent, fps) == closure
    inside = [TimedPhone(0.10, 0.90, "AW")]  # not at a word's edge: a stop's hold, not a ring
    assert release_word_ends(inside, [TimedWord(0.0, 0.05, "a"), TimedWord(0.95, 1.0, "b")], level, silent,
                             fps) == inside
    short = silent.copy()
    short[48:] = False  # 60 ms of ring between two words would be a frame of flicker, not a pause
    assert release_word_ends(held, [TimedWord(0.10, 0.60, "now"), TimedWord(0.60, 0.90, "and")], level, short,
                             fps) == held
    flat = np.full(100, -15.0)  # a held vowel the recognizer doubts does not fall: no ring
    assert release_word_ends(held, [TimedWord(0.10, 0.60, "now"), TimedWord(0.60, 0.90, "and")], flat, silent,
                             fps) == held


@pytest.mark.skipif(not available(), reason="espeak-ng is not installed")
def test_an_english_script_in_a_live_room_rests_the_lips_in_its_pauses(tmp_path):
    """The English script path aligns with pocketsphinx, which has no silence for a room's ring: the
    vowel of "there" and "now" was held through the pause after it, and "and" started in the ring."""
    text = "We can go down there, and not now. Thank you very much, see you soon."
    spoken = speak(text, "en")
    path = tmp_path / "far.wav"
    sf.write(str(path), reverberant(spoken.samples, spoken.sample_rate), spoken.sample_rate)
    pauses = [(a.end, b.start) for a, b in zip(spoken.phonemes, spoken.phonemes[1:]) if b.start - a.end >= 0.12]
    assert len(pauses) == 3

    f = analyze(path, "25", transcript=text, language="en")
    assert f.phone_source == "aligned" and not f.report.fallbacks, f.report.warnings(f.rate)
    labels = np.full(f.n_frames, "", dtype="<U3")
    for span in f.phones:
        labels[span.start_frame:span.end_frame] = span.phone
    centres = (np.arange(f.n_frames) + 0.5) / 25
    for a, b in pauses:  # the lips rest from 60 ms into each pause until 30 ms before the next word
        inside = labels[(centres >= a + 0.06) & (centres <= b - 0.03)]
        assert len(inside) and (inside == "SIL").all(), (a, b, inside)
    assert (labels != "SIL").sum() >= 0.6 * f.n_frames  # and the words are still spoken (ARPAbet phones here)
