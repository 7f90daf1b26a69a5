"""A script's language, when it clearly is one: what a take left at English with a French script
is told (and what `new` picks when no --language is given)."""

import json
from pathlib import Path

import pytest

from talkface_studio.audio.script_language import mismatch_note, script_language

SPEECH = Path(__file__).resolve().parent / "data" / "speech"


@pytest.mark.parametrize("text, expected", [
    ("Maybe Bob put the bumpy map by my pen, and then he went to the shop.", "en"),
    ("Il y a du pain à la maison et nous sommes dans la cuisine pour le dîner.", "fr"),
    ("El perro de mi hermano come la comida que está en la mesa con los niños.", "es"),
    ("Die Katze ist nicht auf dem Dach und ich sehe sie auch nicht mit dem Hund.", "de"),
    ("Questo è il libro che non ho letto per la scuola, ma anche il tuo.", "it"),
    ("Мы были в школе.", "ru"),                          # ы, э, ё: Russian
    ("Я иду в парк с мамой.", None),                     # none of them: not told from Bulgarian
    ("Ми пішли в парк і побачили птаха.", "uk"),          # і, ї, є, ґ: Ukrainian
    ("Ο μπαμπάς και η μαμά πίνουν.", "el"),
    ("मेरा भाई बाजार में पानी पीता है।", "hi"),
    ("엄마는 밥을 먹고 바다에 갔어요.", "ko"),
    ("水をマレーシアから買わなくてはならないのです。", "ja"),
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
