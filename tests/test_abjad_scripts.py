"""Scripts that leave their vowels unwritten (Arabic, Persian, Urdu, Hebrew): the aligner may put a
vowel the speaker says between any two consonants, and Hebrew's b/v and p/f letters are settled
from the recording."""

import numpy as np
import pytest

import espeak_events
from audio_fixtures import needs_espeak
from talkface_studio.audio import g2p as g2p_module
from talkface_studio.audio.g2p import Word, g2p
from talkface_studio.audio.languages import check_language, language_name
from talkface_studio.audio.script_language import script_language
from talkface_studio.audio.viseme_align import align
from talkface_studio.audio.viseme_phones import viseme_phone_pass
from talkface_studio.audio.viseme_set import CLASS_INDEX, OPEN_CLASSES, VISEME_CLASSES, phones_to_visemes

needs_synth = pytest.mark.skipif(not espeak_events.available(), reason="libespeak-ng is not installed")


def test_abjad_languages_are_supported_and_named():
    assert [language_name(check_language(c)) for c in ("ar", "fa-IR", "he", "ur-PK")] == \
        ["Arabic", "Persian", "Hebrew", "Urdu"]


@pytest.mark.parametrize("text, language", [
    ("ذهب أبي إلى السوق واشترى موزا وبرتقالا.", "ar"),
    ("پدرم امروز با مادرم به بازار رفت.", "fa"),
    ("میرے ابو بازار سے آم لائے۔", "ur"),
    ("אבא שלי מביא לחם ומים הביתה.", "he"),
])
def test_the_writing_tells_the_language(text, language):
    assert script_language(text) == language


@needs_espeak
def test_hebrew_vowel_points_are_not_read_aloud_by_name():
    """espeak-ng 1.51 reads a pointed Hebrew word's marks as English words ("hiːbɹuː ʃvˈɑː"): the
    points come off, so a pointed script reads as its plain letters do."""
    pointed, plain = g2p("אֲנִי מְבַקֵּשׁ לֶחֶם", "he"), g2p("אני מבקש לחם", "he")
    assert [w.phones for w in pointed] == [w.phones for w in plain]
    assert [w.text for w in pointed] == ["אֲנִי", "מְבַקֵּשׁ", "לֶחֶם"]  # the script's words as written
    assert all(w.vowels_unwritten for w in pointed) and all(p.isascii() or "(" not in p
                                                             for w in pointed for p in w.phones)
    assert phones_to_visemes(plain[1].phones)[:2] == ["M", "M|F"]  # mevakesh: ב may be b or v


@needs_espeak
def test_only_abjad_words_leave_room_for_vowels():
    assert all(w.vowels_unwritten for w in g2p("ذهب أبي إلى السوق", "ar"))
    assert not any(w.vowels_unwritten for w in g2p("Maybe Bob put the map", "en") + g2p("mamma mia", "it"))


def posteriors(plan: list[tuple[str, int]], other: float = 0.02) -> np.ndarray:
    """[T, K] log-posteriors: each (class, frames) of the plan favoured at 0.8."""
    rows = []
    for name, frames in plan:
        row = np.full(len(VISEME_CLASSES), other)
        for c in name.split("|"):
            row[CLASS_INDEX[c]] = 0.8 / len(name.split("|"))
        rows += [row / row.sum()] * frames
    return np.log(np.array(rows, np.float32))


def labels(alignment) -> list[str]:
    return [v.phone for v in alignment.visemes]


def test_the_aligner_finds_the_vowels_a_script_left_out():
    """"mvkʃ" (mevakesh) said with its vowels: with room for them the vowels get the vowel the
    recognizer hears; without, the consonants had to stretch over them."""
    logp = posteriors([("SIL", 10), ("M", 6), ("EH", 8), ("F", 6), ("AA", 10), ("K", 6), ("EH", 8), ("SH", 8),
                       ("AA", 9), ("SIL", 10)])
    word = Word("מבקש", ("m", "v", "k", "ʃ"), vowels_unwritten=True)
    found = align(logp, [word, Word("אבא", ("ʔ",), vowels_unwritten=True)])
    assert labels(found)[:9] == ["SIL", "M", "EH", "F", "AA", "K", "EH", "SH", "AA"]
    assert found.words[0].confidence > 0.9
    without = align(logp, [Word("מבקש", ("m", "v", "k", "ʃ")), Word("אבא", ("ʔ",))])
    assert not set(labels(without)) & {"EH", "AA"} and without.words[0].confidence < 0.5


def test_an_unwritten_vowel_is_skipped_where_the_consonants_meet():
    logp = posteriors([("SIL", 10), ("S", 8), ("T", 8), ("AA", 10), ("SIL", 10)])
    found = align(logp, [Word("x", ("s", "t", "a"), vowels_unwritten=True)])
    assert labels(found) == ["SIL", "S", "T", "AA", "SIL"]


def test_a_choice_takes_the_class_the_recording_has():
    for heard in ("M", "F"):
        logp = posteriors([("SIL", 10), ("AA", 10), (heard, 8), ("AA", 10), ("SIL", 10)])
        assert labels(align(logp, [Word("אבא", ("a", "b|v", "a"))])) == ["SIL", "AA", heard, "AA", "SIL"]


# (what espeak-ng speaks, the script as a user types it): Hebrew spoken from phoneme mnemonics
# (espeak-ng reads unpointed Hebrew without most vowels), Arabic from the vowelled text
SPOKEN = {
    "he": (["[[?an'i mevak'eS p'ita ?im b'amba]].", "[[maX'ar nifg'oS ?et ?'aba bamuze'on]]."],
           "אני מבקש פיתה עם במבה. מחר נפגוש את אבא במוזיאון."),
    "ar": (["أُحِبُّ أَنْ أَشْرَبَ الْمَاءَ مَعَ أُمِّي.", "ذَهَبَ أَبِي إِلَى السُّوقِ وَاشْتَرَى مَوْزًا وَبُرْتُقَالًا."],
           "أحب أن أشرب الماء مع أمي. ذهب أبي إلى السوق واشترى موزا وبرتقالا."),
}
_OPEN_IPA = ("a", "e", "o")


def spoken(language):
    parts, refs, t = [], [], 0.0
    for sentence in SPOKEN[language][0]:
        said = espeak_events.speak(sentence, language, 165)
        refs += [(t + p.start, t + p.end, p.ipa.strip("ˈˌː")) for p in said.phonemes]
        parts += [said.samples, np.zeros(espeak_events.SAMPLE_RATE // 2, np.float32)]
        t += len(said.samples) / espeak_events.SAMPLE_RATE + 0.5
    return np.concatenate(parts), refs


def covered(phones, refs, classes, pad=0.04) -> float:
    hits = [any(v.phone in classes and v.start < b + pad and v.end > a - pad for v in phones) for a, b, _ in refs]
    return sum(hits) / len(hits)


@needs_synth
@needs_espeak
@pytest.mark.parametrize("language", ["he", "ar"])
def test_speech_aligns_to_a_script_without_its_vowels(language, monkeypatch):
    x16, refs = spoken(language)
    bilabials = [r for r in refs if r[2] in ("p", "b", "m")]
    vowels = [r for r in refs if r[2][:1] in _OPEN_IPA]
    result = viseme_phone_pass(x16, SPOKEN[language][1], language)
    assert result.source == "aligned" and not result.stretches
    assert covered(result.phones, bilabials, {"M"}) >= 0.9
    assert covered(result.phones, vowels, OPEN_CLASSES) >= 0.9

    monkeypatch.setattr(g2p_module, "ABJAD_LANGUAGES", frozenset())  # no room for the vowels
    before = viseme_phone_pass(x16, SPOKEN[language][1], language)
    assert before.stretches or covered(before.phones, vowels, OPEN_CLASSES) < 0.9


@needs_espeak
@pytest.mark.parametrize("word, expected", [
    ("יום", "Y AO|UW|F M"),           # yom: espeak-ng reads the ו as v
    ("אוהב", "K AO|UW|F K M|F"),       # ohev: ו a vowel, ב b or v
    ("ומים", "F|UW M IY M"),           # u-mayim: the conjunction ve / u
    ("עכשיו", "K K SH Y F"),           # achshav: the ending יו is -av
    ("טוב", "T AO M|F"),               # read with its vowel already: unchanged
])
def test_hebrew_vav_is_a_vowel_or_v_never_a_closure(word, expected):
    assert " ".join(phones_to_visemes(g2p(word, "he")[0].phones)) == expected
