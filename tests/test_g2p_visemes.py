"""Script -> words -> IPA phones (espeak-ng) -> language-neutral viseme classes."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audio_fixtures import needs_espeak
from talkface_studio.audio import g2p as g2p_module
from talkface_studio.audio.g2p import G2PError, g2p, split_phones, tokenize
from talkface_studio.audio.viseme_set import VISEME_CLASSES, phone_to_visemes, phones_to_visemes


def visemes(word):
    return " ".join(phones_to_visemes(word.phones))


@needs_espeak
@pytest.mark.parametrize("language, text, expected", [
    ("en", "Maybe Bob", ["M EH IY M IY", "M AA M"]),
    ("en-GB", "pen", ["M EH T"]),
    ("es", "Mucho vino", ["M UW SH AO", "M IY T AO"]),  # Spanish v is bilabial
    ("de", "Pferd", ["M F EH T T"]),
    ("fr-CA", "bouche", ["M UW SH"]),
    ("it", "mamma", ["M AA M M AA"]),  # a geminate is two phones
    ("pt", "boca", ["M AO K AA"]),
    ("nl", "mama", ["M AA M AA"]),
    ("pl", "mama", ["M AA M AA"]),
    ("ja", "まみむめも", ["M AA", "M IY", "M UW", "M EH", "M AO"]),  # the analyser splits it
])
def test_words_become_visemes_per_language(language, text, expected):
    words = g2p(text, language)
    assert [visemes(w) for w in words] == expected


@needs_espeak
def test_digits_apostrophes_case_and_pauses():
    words = g2p("It's 42 O'CLOCK, isn't it?", "en")
    assert [w.text for w in words] == ["It's", "42", "O'CLOCK", "isn't", "it"]
    assert phones_to_visemes(words[1].phones)[:2] == ["F", "AO"]  # "forty two", read by espeak-ng
    assert words[2].phones == g2p("o'clock", "en")[0].phones  # case does not matter
    assert [w.pause_after for w in words] == [False, False, True, False, True]
    assert words[1].start == 5  # character offset in the script
    # digits are read in the script's language
    assert phones_to_visemes(g2p("3", "fr")[0].phones) == ["T", "K", "W", "AA"]  # trois


JSUT = "水をマレーシアから買わなくてはならないのです。"  # JSUT BASIC5000_0001 (../shared/speech)


@needs_espeak
def test_japanese_kanji_are_read_through_their_kana():
    words = g2p(JSUT, "ja")
    assert [w.text for w in words] == ["水", "を", "マレーシア", "から", "買わ", "なく", "て", "は", "なら", "ない",
                                       "の", "です"]
    # JSUT's own phone labels: mizu o mareeshia kara kawanakutewa naranai nodesu
    assert "".join(words[0].phones).replace("ˈ", "").replace("ᵝ", "") == "mizɯ"  # 水 -> mizu
    assert visemes(words[0]) == "M IY S UW" and visemes(words[4]) == "K AA W AA"  # 買わ -> kawa
    assert visemes(words[7]) == "W AA"  # the topic particle は is spoken wa, not ha
    assert visemes(words[2]).startswith("M AA T EH SH IY")
    assert [w.start for w in words[:3]] == [0, 1, 2] and words[-1].pause_after
    assert [w.pause_after for w in g2p("水、本。", "ja")] == [True, True]
    # readings follow the word: 水 alone is mizu, in 水曜日 it is sui
    assert visemes(g2p("水曜日", "ja")[0]).startswith("S UW IY")
    # digits are said by espeak-ng in Japanese (10 = juu), not spelled digit by digit
    assert visemes(g2p("10日", "ja")[0]) == visemes(g2p("10", "ja")[0])


@needs_espeak
def test_japanese_without_the_analyser_leaves_kanji_to_the_aligner(monkeypatch):
    from talkface_studio.audio import japanese_reading

    monkeypatch.setattr(japanese_reading, "_tokenizer", lambda: None)
    words = g2p(JSUT, "ja")
    assert [w.text for w in words] == ["水", "を", "マレーシア", "から", "買", "わなくてはならないのです"]
    assert words[0].phones == () and words[4].phones == ()  # kanji: no reading, no English "Chinese letter"
    assert visemes(words[2]).startswith("M AA T EH SH IY")
    assert words[-1].pause_after


def test_a_broken_japanese_install_falls_back_with_a_warning(monkeypatch, caplog):
    sudachipy = pytest.importorskip("sudachipy")
    from talkface_studio.audio import japanese_reading

    def missing_dictionary(*args, **kwargs):
        raise RuntimeError("system.dic not found")

    monkeypatch.setattr(sudachipy, "Dictionary", missing_dictionary)
    japanese_reading._tokenizer.cache_clear()
    try:
        with caplog.at_level("WARNING"):
            assert japanese_reading.read_japanese("水") is None
        assert "Japanese readings unavailable" in caplog.text and "system.dic not found" in caplog.text
    finally:
        monkeypatch.undo()
        japanese_reading._tokenizer.cache_clear()
    assert japanese_reading.read_japanese("水")[0].say == "ミズ"


@needs_espeak
def test_many_words_keep_their_own_phones():
    text = " ".join(["papa", "mama"] * 60)
    words = g2p(text, "es")
    assert len(words) == 120 and all(visemes(w) == "M AA M AA" for w in words)


def test_missing_espeak_is_one_clear_error(monkeypatch):
    monkeypatch.setattr(g2p_module.shutil, "which", lambda name: None)
    g2p_module._phonemize.cache_clear()
    with pytest.raises(G2PError, match="espeak-ng is not installed"):
        g2p("never seen before words", "en")
    g2p_module._phonemize.cache_clear()


def test_tokenize_and_split():
    assert [w for w, _, _ in tokenize("Well-known, l'aide — (yes)!", "fr")] == ["Well-known", "l'aide", "yes"]
    assert split_phones("(en)_d_ˈa_s_t_(fr)") == ("d", "ˈa", "s", "t")
    assert split_phones("f_ˈoːɹ_ɾ_i t_ˈuː") == ("f", "ˈoːɹ", "ɾ", "i", "t", "ˈuː")


# IPA inventories (as espeak-ng writes them) -> the class each must map to
INVENTORIES = {
    "en": {"p": "M", "b": "M", "m": "M", "f": "F", "v": "F", "θ": "TH", "ð": "TH", "t": "T", "d": "T", "n": "T",
           "l": "T", "ɾ": "T", "s": "S", "z": "S", "ʃ": "SH", "ʒ": "SH", "tʃ": "SH", "dʒ": "SH", "k": "K",
           "ɡ": "K", "ŋ": "K", "h": "K", "ɹ": "R", "w": "W", "j": "Y", "ɑː": "AA", "æ": "AA", "ɛ": "EH",
           "iː": "IY", "ɪ": "IY", "ɔː": "AO", "uː": "UW", "ʊ": "UW", "ə": "AH", "ʌ": "AH", "ɜː": "AH", "ɚ": "R"},
    "es": {"β": "M", "ð": "TH", "ɣ": "K", "x": "K", "ɲ": "Y", "ʎ": "Y", "r": "T", "ɾ": "T", "tʃ": "SH",
           "a": "AA", "e": "EH", "i": "IY", "o": "AO", "u": "UW"},
    "de": {"pf": "M F", "ts": "S", "ç": "Y", "x": "K", "ʁ": "K", "yː": "UW", "ʏ": "UW", "øː": "AO", "œ": "AO",
           "ɐ": "AA", "aɪ": "AA IY", "aʊ": "AA UW", "ɔø": "AO", "eː": "EH", "ɜ": "AH"},
    "fr": {"ʁ": "K", "ɥ": "W", "ɑ̃": "AA", "ɛ̃": "EH", "ɔ̃": "AO", "œ̃": "AO", "y": "UW", "ø": "AO", "ə": "AH",
           "ɲ": "Y"},
    "it": {"ts": "S", "dz": "S", "ʎ": "Y", "ɲ": "Y", "r": "T", "ɛ": "EH", "ɔ": "AO", "ll": "T", "tːʃ": "SH"},
    "ja": {"ɯᵝ": "UW", "ɯ": "IY", "ä": "AA", "e̞": "EH", "o̞": "AO", "ɕ": "SH", "tɕ": "SH", "dʑ": "SH", "ɸ": "M",
           "ɽ": "T", "ɴ": "K", "ts": "S", "e̞e̞": "EH", "ç": "Y"},
}


@pytest.mark.parametrize("language", sorted(INVENTORIES))
def test_ipa_inventories_map_to_their_classes(language):
    for phone, expected in INVENTORIES[language].items():
        assert " ".join(phone_to_visemes(phone)) == expected, (language, phone)


def test_marks_diphthongs_and_silence():
    assert phone_to_visemes("ˈeɪ") == ("EH", "IY")
    assert phone_to_visemes("oːɹ") == ("AO", "R")
    assert phone_to_visemes("ãː") == ("AA",) and phone_to_visemes("ˌɪ̃ˑ") == ("IY",)
    assert phone_to_visemes("tʰ") == ("T",) and phone_to_visemes("kʷ") == ("K",)
    assert phone_to_visemes("_") == ("SIL",) and phone_to_visemes("") == ("SIL",)
    assert phone_to_visemes("iː5") == ("IY",)  # tone numbers (Cantonese) carry no mouth shape
    assert phone_to_visemes("ʘ") == ("AH",)  # unknown letter: a neutral half-open mouth


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=6))
def test_any_text_maps_without_crashing(text):
    classes = phone_to_visemes(text)
    assert classes and all(c in VISEME_CLASSES for c in classes)


@needs_espeak
def test_french_liaison_becomes_an_optional_link_on_the_word_before():
    """"vous avez" is said vu-z-ave: the z belongs to neither word alone, so it is the first word's
    optional link; no liaison before a consonant, at a clause end, or in other languages."""
    words = g2p("Vous avez bien, les actions. Vous", "fr-CA")
    assert [(w.text, w.link) for w in words] == [("Vous", "z"), ("avez", ""), ("bien", ""), ("les", "z"),
                                                 ("actions", ""), ("Vous", "")]
    assert words[0].phones == g2p("vous", "fr")[0].phones  # the word's own phones are unchanged
    assert all(not w.link for w in g2p("for all of us, gli amici", "en") + g2p("gli amici", "it"))


@needs_espeak
def test_indic_vowel_signs_stay_inside_their_words():
    """Devanagari writes a vowel after a consonant as a combining sign: "पानी" (water) is p-aa-n-i,
    one word. Python's \\w leaves the signs out, which split it into two schwa syllables."""
    words = g2p("मेरा भाई पानी पीता है।", "hi")
    assert [w.text for w in words] == ["मेरा", "भाई", "पानी", "पीता", "है"]
    assert visemes(words[2]) == "M AA T IY" and words[-1].pause_after
    assert [w for w, _, _ in tokenize("नमस्ते दुनिया", "hi")] == ["नमस्ते", "दुनिया"]  # virama, ZWJ-free


@needs_espeak
@pytest.mark.parametrize("language, text, index, expected", [
    ("ru", "Я живу в доме с мамой.", 2, "F"),  # read alone: "vɛ", the letter's name
    ("ru", "Я живу в доме с мамой.", 4, "S"),  # alone: "ɛs"
    ("cs", "Byl jsem v Praze s bratrem.", 2, "F"),  # alone: "veː"
    ("cs", "Byl jsem v Praze s bratrem.", 4, "S"),  # alone: "es"
    ("pl", "Byłem z mamą w parku.", 1, "S"),  # alone: "zɨ"
    ("el", "Ο παππούς και η γιαγιά.", 0, "AO"),  # the article; alone: "omikron"
    ("el", "Ο παππούς και η γιαγιά.", 3, "IY"),  # alone: "ita"
    ("fr", "Il y a du pain.", 1, "IY"),  # alone: "igrɛk"
    ("pt", "A bola é do menino.", 2, "EH"),  # alone: "ɛ agudo"
])
def test_one_letter_words_are_read_as_words_not_letter_names(language, text, index, expected):
    assert visemes(g2p(text, language)[index]) == expected


@needs_espeak
def test_slavic_one_consonant_prepositions_keep_the_letters_vowel_optional():
    """espeak-ng says Russian "к" as "kɑ" even in running text; speakers say [k]. The vowel is the
    word's optional link: the aligner places it only where a voice says it."""
    words = g2p("Мы пошли к бабушке.", "ru")
    assert (words[2].text, visemes(words[2]), phone_to_visemes(words[2].link)) == ("к", "K", ("AA",))
    ukrainian = g2p("Я був у місті з мамою й татом.", "uk")
    assert [(w.text, visemes(w), w.link) for w in ukrainian if len(w.text) == 1][2:] == [
        ("з", "S", "ɛ"), ("й", "Y", "")]  # "й" alone is "jot": no vowel after the j
    assert all(not w.link for w in g2p("Il y a du pain.", "fr") + g2p("Ο παππούς.", "el"))
    # espeak-ng joins Bulgarian "в" to the next word ("fkəʃtiː"): it keeps what the joining adds
    bulgarian = g2p("Аз съм в къщи.", "bg")
    assert (bulgarian[2].phones, bulgarian[2].link) == (("f",), "")  # alone: "və"


def test_opening_marks_of_spanish_and_german_mark_a_likely_pause():
    tokens = tokenize("Sí ¿verdad? Er sagte „Hallo“ dann", "es")
    assert [(w, p) for w, _, p in tokens] == [("Sí", True), ("verdad", True), ("Er", False), ("sagte", True),
                                             ("Hallo", True), ("dann", False)]


@needs_espeak
@pytest.mark.parametrize("language, text, expected", [
    ("es", "en modo mudo", ["EH M", "M AO TH AO", "M UW TH AO"]),     # said em modo
    ("es", "un poco, con Bob", ["UW M", "M AO K AO", "K AO M", "M AO M"]),
    ("es", "en, Pablo", ["EH T", "M AA M T AO"]),                       # a comma parts them
    ("es", "en casa", ["EH T", "K AA S AA"]),                           # before a velar: n stays
    ("it", "in bocca", ["IY M", "M AO K AA"]),
    ("en", "ten people", ["T EH T", "M IY M AH T"]),                    # optional in English: left
])
def test_a_final_n_before_a_bilabial_closes_the_lips_in_spanish_and_italian(language, text, expected):
    assert [visemes(w) for w in g2p(text, language)] == expected


@needs_espeak
@pytest.mark.parametrize("language, text", [
    ("bn", "আমার মা বাজারে গেছে।"), ("ta", "அம்மா பால் குடித்தாள்."), ("te", "అమ్మ పాలు తాగింది."),
    ("mr", "माझी आई बाजारात गेली."), ("gu", "મારી મા બજારમાં ગઈ."), ("pa", "ਮੇਰੀ ਮਾਂ ਬਾਜ਼ਾਰ ਗਈ।"),
    ("kn", "ಅಮ್ಮ ಹಾಲು ಕುಡಿದಳು."), ("ml", "അമ്മ പാൽ കുടിച്ചു."), ("ne", "मेरो आमा बजार जानुभयो।"),
    ("si", "අම්මා බත් කෑවා."), ("ka", "მამა ბაზარში წავიდა."), ("hy", "Մայրիկը գնաց շուկա։"),
    ("sq", "Mamaja ime piu ujë me babanë."), ("mk", "Мама и тато пијат млеко."), ("bs", "Baba peče pitu."),
    ("az", "Anam bazara getdi."), ("kk", "Менің анам базарға барды."), ("uz", "Onam bozorga bordi."),
    ("am", "እማማ ቡና ጠጣች።"), ("mt", "Ommi marret il-belt."),
])
def test_more_languages_read_in_their_own_voice(language, text):
    """Every word read by the language's voice (no switch to English letter names), the lips
    closing for its m and b and opening for its a."""
    words = g2p(text, language)
    assert words and all(w.phones for w in words)
    assert not any("(" in p for w in words for p in w.phones)
    classes = [c for w in words for c in phones_to_visemes(w.phones)]
    assert "M" in classes and "AA" in classes


@needs_espeak
def test_armenian_ethiopic_arabic_and_urdu_stops_mark_a_likely_pause():
    for language, text, before in (("hy", "Մայրիկը գնաց։ Պապիկը կերավ։", [1, 3]),
                                   ("am", "እማማ ቡና ጠጣች። አባባ ምሳ በላ።", [2, 5]),
                                   ("ar", "ذهب أبي، إلى السوق؟ نعم", [1, 3]),
                                   ("ur", "ماں نے پانی پلایا۔ میرے ابو", [3])):
        words = g2p(text, language)
        assert [i for i, w in enumerate(words) if w.pause_after] == before, language


@needs_espeak
@pytest.mark.parametrize("language, text, index, unrounded", [
    ("ru", "Мы были дома.", 0, "M IY"),        # ы, which espeak-ng 1.51 writes "y"
    ("ru", "Мы были дома.", 1, "M IY T IY"),  # ль is a T-class tongue tip
    ("pt-BR", "A cidade", 1, "S IY T AA SH IY"),  # unstressed final e, said [ɪ]
    ("ro", "câine", 0, "K IY T EH"),        # â
    ("vi", "người", 0, "K IY AH Y"),        # ư
    ("cy", "hyn", 0, "K IY T"),             # Welsh y, written "ø"
    ("vi", "Có cá", 0, "K AO"),             # the rising tone's 3, written "ɜ", is no vowel
    ("vi", "Có cá", 1, "K AA"),
])
def test_vowels_espeak_names_like_rounded_ones_keep_the_lips_spread(language, text, index, unrounded):
    assert visemes(g2p(text, language)[index]) == unrounded


@needs_espeak
@pytest.mark.parametrize("language, text", [("fr", "tu"), ("de", "über"), ("tr", "güzel"), ("fi", "yksi")])
def test_real_rounded_front_vowels_stay_rounded(language, text):
    assert "UW" in visemes(g2p(text, language)[0])


@needs_espeak
def test_cantonese_jyutping_letters_become_ipa():
    # espeak-ng's Cantonese writes Jyutping: c is tsʰ, eo / oe / yu rounded vowels, ng one nasal,
    # and tone 3 ("ɜ") no vowel
    words = g2p("出。靴。雪。香港。", "yue")
    assert [visemes(w) for w in words] == ["S AO T", "K AO", "S UW T", "K AO K K AO K"]


@needs_espeak
@pytest.mark.parametrize("language, text, expected", [
    ("hi", "जब चाय", ["SH AH M", "SH AA Y"]),   # espeak-ng writes ɟ and c
    ("ml", "ചായ", ["SH AA Y AA"]),
    ("ur", "جب", ["SH AH M"]),
    ("ka", "ჭამა", ["SH AA M AA"]),
    ("hu", "tyúk", ["Y UW K"]),                  # a real palatal stop stays one
])
def test_indic_affricates_are_affricates(language, text, expected):
    assert [visemes(w) for w in g2p(text, language)] == expected


@needs_espeak
def test_a_tapped_r_is_not_english_r():
    assert visemes(g2p("xtara", "mt")[0]) == "SH EH T AA T AA"
    assert "R" in visemes(g2p("car", "en")[0])


@needs_espeak
@pytest.mark.parametrize("language, text, expected", [
    # Telugu's anusvara is m at the end of a word and before a labial, n elsewhere
    ("te", "పుస్తకం", "pustakam"), ("te", "సమయం", "samajam"), ("te", "కుటుంబం", "kuʈumbam"),
    ("te", "సంపద", "sampada"), ("te", "ఇంకా", "inkaː"), ("te", "అన్నం", "annam"), ("te", "నన్ను", "nannu"),
    # Punjabi's tippi is m before a labial only; a bindi stays a nasal vowel
    ("pa", "ਕੰਮ", "kʌmm"), ("pa", "ਪੰਪ", "pʌmp"), ("pa", "ਸੰਤ", "sʌnt"),
    # Devanagari and Gujarati: a word-final anusvara after a consonant is the Sanskrit -am; after a
    # long vowel it is a nasal vowel
    ("hi", "एवं", "eːʋəm"), ("hi", "स्वयं", "sʋʌjəm"), ("hi", "नहीं", "nʌhĩ"), ("hi", "संतान", "səntaːn"),
    ("ne", "गरौं", "ɡəɾɔːn"), ("gu", "સ્વયં", "sʋʌjəm"), ("gu", "મારું", "maːɾũ"),
])
def test_an_anusvara_closes_the_lips_where_a_speaker_says_m(language, text, expected):
    (word,) = g2p(text, language)
    read = "".join(p.lstrip("ˈˌ") for p in word.phones)
    assert unicodedata.normalize("NFC", read) == unicodedata.normalize("NFC", expected)


@pytest.mark.parametrize("phone, visemes", [("ᵐ", ("M",)), ("ⁿ", ("T",)), ("ᵑ", ("K",)), ("ᵐb", ("M",)),
                                            ("ⁿd", ("T",))])
def test_a_prenasalised_stops_nasal_is_a_closure_not_a_vowel(phone, visemes):
    # Sinhala ඹ ඳ ඟ: espeak-ng writes "ᵐ", "b"
    assert phone_to_visemes(phone) == visemes


@needs_espeak
def test_sinhala_mb_closes_the_lips_without_opening_them_first():
    (word,) = g2p("අඹ", "si")
    assert phones_to_visemes(word.phones) == ["AA", "M", "M", "AH"]
