"""A script's language, when it clearly is one: what a take left at English with a French script
is told (and what `new` picks when no --language is given)."""

import json
from pathlib import Path

import pytest

from talkface_studio.audio.languages import language_name
from talkface_studio.audio.script_language import mismatch_note, script_language

SPEECH = Path(__file__).resolve().parent / "data" / "speech"


@pytest.mark.parametrize("text, expected", [
    ("Maybe Bob put the bumpy map by my pen, and then he went to the shop.", "en"),
    ("Il y a du pain à la maison et nous sommes dans la cuisine pour le dîner.", "fr"),
    ("El perro de mi hermano come la comida que está en la mesa con los niños.", "es"),
    ("Die Katze ist nicht auf dem Dach und ich sehe sie auch nicht mit dem Hund.", "de"),
    ("Questo è il libro che non ho letto per la scuola, ma anche il tuo.", "it"),
    ("Мы были в школе.", "ru"),                          # ы, э, ё: Russian
    ("Я иду в парк с мамой.", "ru"),                     # none of them: Cyrillic's default
    ("Ми пішли в парк і побачили птаха.", "uk"),          # і, ї, є, ґ: Ukrainian
    ("Ο μπαμπάς και η μαμά πίνουν.", "el"),
    ("मेरा भाई बाजार में पानी पीता है।", "hi"),
    ("엄마는 밥을 먹고 바다에 갔어요.", "ko"),
    ("水をマレーシアから買わなくてはならないのです。", "ja"),
    ("আমার মা বাজারে গেছে। বাবা পানি খাচ্ছে।", "bn"),
    ("அம்மா பால் குடித்தாள்.", "ta"),
    ("అమ్మ పాలు తాగింది.", "te"),
    ("ਮੇਰੀ ਮਾਂ ਬਾਜ਼ਾਰ ਗਈ।", "pa"),
    ("മമ്മ പാൽ കുടിച്ചു.", "ml"),
    ("მამა ბაზარში წავიდა.", "ka"),
    ("Մայրիկը գնաց շուկա։", "hy"),
    ("እማማ ቡና ጠጣች።", "am"),
    ("Менің анам базарға барды.", "kk"),                 # ә ғ қ ң ө ұ ү һ: Kazakh
    ("Ђорђе и Ћира пију млеко.", "sr"),                  # ђ ћ: Serbian
    ("Мама и тато пијат млеко.", "sr"),                  # ј: Serbian or Macedonian, Serbian's
])
def test_clear_scripts_name_their_language(text, expected):
    assert script_language(text) == expected


@pytest.mark.parametrize("text", ["Hello there", "Go forward ten meters", "Ciao bella", "OK", "", "1984!",
                                  "Zephyrine and Xanthippe saw the cyberpunk Azkaban emoji."])
def test_short_or_unclear_scripts_get_no_answer_and_english_is_never_mistaken(text):
    assert script_language(text) in (None, "en")


def test_every_english_recording_here_reads_as_english_or_unclear():
    for meta in sorted(SPEECH.glob("en_*.json")):
        assert script_language(json.loads(meta.read_text(encoding="utf-8"))["text"]) in (None, "en"), meta.name


def test_the_note_names_both_languages_and_stays_quiet_when_they_agree():
    french = "Il y a du pain à la maison et nous sommes dans la cuisine pour le dîner."
    assert mismatch_note(french, "en") == ("the script looks French (fr) but the take's language is English (en): "
                                           "lip sync reads the script in the take's language")
    assert mismatch_note(french, "fr-CA") is None
    assert mismatch_note("Maybe Bob put the bumpy map by my pen, and then he went to the shop.", "en") is None


def test_devanagari_is_told_apart_by_each_languages_own_words():
    """Hindi, Marathi and Nepali share the writing: a script names Marathi or Nepali by its own
    frequent words (is/and/my ...); without any, Hindi (what most who write it speak, and never
    English, whose voice cannot read it), with no note to a Marathi or Nepali take."""
    assert script_language("मेरा भाई बाजार में पानी पीता है।") == "hi"
    assert script_language("माझी आई बाजारात गेली. बाबा पाणी पितात.") == "mr"
    assert script_language("मेरो आमा बजार जानुभयो। बुबा पानी पिउनुहुन्छ।") == "ne"
    assert script_language("नमस्ते दुनिया") == "hi"
    assert mismatch_note("नमस्ते दुनिया", "mr") is None and mismatch_note("नमस्ते दुनिया", "en") is not None
    assert mismatch_note("माझी आई बाजारात गेली. बाबा पाणी पितात.", "hi").startswith("the script looks Marathi (mr)")
    assert mismatch_note("मेरा भाई बाजार में पानी पीता है।", "mr").startswith("the script looks Hindi (hi)")


def test_bosnian_croatian_and_serbian_get_no_note_between_them():
    croatian_words = "Ja sam u kući i ne znam što je to, ali kao da je sve za nas."
    assert script_language(croatian_words) == "hr"
    assert mismatch_note(croatian_words, "bs") is None and mismatch_note(croatian_words, "sr-Latn") is None
    assert mismatch_note(croatian_words, "en") is not None


@pytest.mark.parametrize("text, default, quiet_for", [
    ("Я иду в парк с мамой.", "ru", ("bg", "kk", "mk", "sr", "uk")),
    ("Мама и тато пијат млеко.", "sr", ("mk",)),
    ("سلام دوست", "ar", ("fa", "ur")),
])
def test_a_shared_writing_without_a_telling_letter_is_its_most_spoken_language(text, default, quiet_for):
    """Never English (its voice cannot read these letters), and no note to a take in another
    language that writes them."""
    assert script_language(text) == default
    assert all(mismatch_note(text, language) is None for language in quiet_for)
    others = ", ".join(sorted(quiet_for))
    assert mismatch_note(text, "en").startswith(f"the script looks {language_name(default)} ({default}) "
                                                 f"(or another language written alike: {others}) but")
