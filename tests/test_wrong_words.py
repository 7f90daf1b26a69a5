"""A single script word the speaker did not say is reported like a fallen-back stretch and its
mouth comes from recognition; correct scripts of real voices get no such report."""

import json
from pathlib import Path

import pytest

from talkface_studio.audio import piecewise
from talkface_studio.audio.analysis import analyze
from talkface_studio.audio.sphinx_align import TimedWord
from talkface_studio.audio.wrong_words import WRONG_WORD_COST, word_costs, wrong_stretches
from talkface_studio.core.timebase import FrameRate

SPEECH = Path(__file__).parent / "data" / "speech"
RATE = FrameRate(25)


pytestmark = pytest.mark.usefixtures("private_cache")  # analyses cached in tmp_path


def script(name: str) -> str:
    return json.loads((SPEECH / f"{name}.json").read_text())["text"]


def wrong_word_notes(features) -> list:
    return [s for s in features.report.fallbacks if "does not sound like the script" in s.reason]


def test_a_short_word_is_judged_with_its_neighbours_and_neighbouring_wrong_words_merge():
    good, bad = -1.0, -12.0
    words = [TimedWord(0.0, 0.3, "go", good), TimedWord(0.3, 0.34, "a", bad),  # 40 ms: judged over 0.15 s
             TimedWord(0.34, 0.66, "forward", good), TimedWord(0.8, 1.1, "mop", bad),
             TimedWord(1.2, 1.5, "bump", bad), TimedWord(1.5, 2.0, "meters", good)]
    costs = word_costs(words)
    assert costs[1] < WRONG_WORD_COST < costs[3]
    # one stretch, widened by up to 0.1 s into its neighbours but never past their middle
    [(start, end, text, cost)] = wrong_stretches(words)
    assert (start, end, text, cost) == (pytest.approx(0.7), pytest.approx(1.6), "mop bump", pytest.approx(12.0))
    words[2] = TimedWord(0.66, 0.78, "forward", good)  # its middle is under 0.1 s before "mop"
    assert wrong_stretches(words)[0][0] == pytest.approx(0.72)
    assert wrong_stretches([]) == []


def test_a_wrong_word_cut_out_of_a_noted_stretch_leaves_the_note_on_one_part():
    from talkface_studio.audio.alignment_report import TimedStretch, join_reasons, unheard_note
    from talkface_studio.audio.wrong_words import lay_over

    words = [TimedWord(0.2, 0.8, "cut"), TimedWord(1.0, 1.5, "thank"), TimedWord(1.6, 2.0, "you")]
    note = unheard_note("scene twelve take three")
    noted = [TimedStretch(0.0, 2.5, "aligned", note, "cut thank you")]
    parts = lay_over(noted, TimedStretch(0.9, 1.55, "recognized", "wrong word", "thank"), words)
    assert [(p.start, p.end, p.reason, p.words) for p in parts] == [
        (0.0, 0.9, note, "cut"), (0.9, 1.55, "wrong word", "thank"), (1.55, 2.5, "", "you")]
    # a fallen-back stretch keeps why it fell back on both parts; a cut at its start keeps the note after
    fell = [TimedStretch(0.0, 2.5, "recognized", join_reasons(note, "no alignment"), "cut thank you")]
    first, _, last = lay_over(fell, TimedStretch(0.9, 1.55, "recognized", "wrong word", "thank"), words)
    assert first.reason == join_reasons(note, "no alignment") and last.reason == "no alignment"
    _, rest = lay_over(noted, TimedStretch(0.0, 0.9, "recognized", "wrong word", "cut"), words)
    assert rest.reason == note and rest.words == "thank you"


@pytest.mark.parametrize("name, said, wrong", [
    ("en_m_goforward", "ten", "mop"),  # open /e/ and a tongue tip -> a lip closure and a rounded vowel
    ("en_m_librivox_sense_0890", "selfish", "mumble"),
])
def test_a_substituted_word_is_reported_where_it_was_said_and_recognized(name, said, wrong, monkeypatch):
    path, text = SPEECH / f"{name}.wav", script(name)
    said_at = next(w for w in _aligned_words(path, text) if w.word == said)
    edited = analyze(path, RATE, transcript=text.replace(said, wrong, 1), use_cache=False)
    notes = wrong_word_notes(edited)
    assert len(notes) == 1 and wrong in notes[0].words and notes[0].path == "recognized"
    start, end = notes[0].start_frame / RATE.fps, notes[0].end_frame / RATE.fps
    assert start < said_at.end and end > said_at.start  # on the word that was said
    assert edited.report.summary().endswith("1 stretch fell back")
    line = next(w for w in edited.report.warnings(RATE) if wrong in w)
    assert "phones recognized without the script" in line
    # the mouth there is recognized, not the wrong word's phones; elsewhere the alignment is kept
    monkeypatch.setattr(piecewise, "mark_wrong_words", lambda x16, phones, stretches, words, *chain: (phones, stretches))
    unchecked = analyze(path, RATE, transcript=text.replace(said, wrong, 1), use_cache=False)
    a, b = notes[0].start_frame, notes[0].end_frame
    assert list(edited.phone_at()[a:b]) != list(unchecked.phone_at()[a:b])
    assert (edited.phone_at()[:a - 1] == unchecked.phone_at()[:a - 1]).all()
    assert (edited.phone_at()[b + 1:] == unchecked.phone_at()[b + 1:]).all()


@pytest.mark.parametrize("name", ["en_m_goforward", "en_m_librivox_sense_0890", "en_m_praatio_bobby",
                                  "en_m_praatio_mary"])
def test_a_correct_script_of_a_real_voice_gets_no_wrong_word_report(name):
    features = analyze(SPEECH / f"{name}.wav", RATE, transcript=script(name), use_cache=False)
    assert wrong_word_notes(features) == [] and features.report.fallbacks == ()


def _aligned_words(path, text):
    from talkface_studio.audio.loading import load_audio
    from talkface_studio.audio.piecewise import align_script

    return align_script(load_audio(path).mono(16000), text).words


def test_a_word_holding_a_short_consonant_over_speech_is_found_and_a_held_vowel_or_hum_is_not():
    import numpy as np

    from talkface_studio.audio.alignment_report import TimedStretch
    from talkface_studio.audio.phones import TimedPhone
    from talkface_studio.audio.wrong_words import HELD_SPEECH_S, held_words

    speech = np.ones(1000, bool)  # 10 s of loud speech
    speech[300:400] = False  # a pause at 3-4 s
    phones = [TimedPhone(0.0, 0.2, "S"), TimedPhone(0.2, 1.9, "AH"), TimedPhone(1.9, 2.7, "M"),  # "sum", held
              TimedPhone(2.7, 4.0, "T"),  # "it": a t over 0.3 s of speech and the pause: a stop before a pause
              TimedPhone(4.0, 4.1, "IH"), TimedPhone(4.1, 5.5, "S"),  # "is": its s over 1.4 s of speech
              TimedPhone(5.5, 6.3, "SH"),  # "shh": a word of consonants alone, held by nature
              TimedPhone(6.3, 7.5, "P")]  # in a stretch already recognized: not judged again
    words = [TimedWord(0.0, 2.7, "sum"), TimedWord(2.7, 4.0, "it"), TimedWord(4.0, 5.5, "is"),
             TimedWord(5.5, 6.3, "shh"), TimedWord(6.3, 7.5, "up")]
    stretches = [TimedStretch(0.0, 6.3, "aligned", "", "sum it is shh"),
                 TimedStretch(6.3, 10.0, "recognized", "why", "up")]
    assert held_words(phones, stretches, words, speech) == [(4.0, 5.5, "is")]
    # just over the limit counts, just under does not
    edge = int(100 * (4.1 + HELD_SPEECH_S))
    assert held_words(phones, stretches, words, np.r_[speech[:edge + 2], np.zeros(1000 - edge - 2, bool)]) == \
        [(4.0, 5.5, "is")]
    assert held_words(phones, stretches, words, np.r_[speech[:edge - 2], np.zeros(1000 - edge + 2, bool)]) == []
