"""Numbers in English scripts are written out as a speaker says them before pocketsphinx sees them."""

import pytest

from talkface_studio.audio.english_numbers import spell_numbers
from talkface_studio.audio.phones import transcript_words
from talkface_studio.audio.script_split import punctuation_after


@pytest.mark.parametrize("written, spoken", [
    ("in 1984", "in nineteen eighty four"),  # a year, not "one nine eight four"
    ("in 2019", "in twenty nineteen"),
    ("room 101", "room one hundred one"),  # American: no "and"
    ("1,500 plums", "one thousand five hundred plums"),  # grouped: a count, never a year
    ("250 dollars", "two hundred fifty dollars"),
    ("the 2nd pump, my 21st", "the second pump my twenty first"),
    ("at 5:30 or 10:05 or 7:00", "at five thirty or ten oh five or seven"),
    ("3.75% off, $5 or $1", "three point seven five percent off five dollars or one dollar"),
    ("$2000", "two thousand dollars"),  # a price, not a year
    ("MP3 and 4K", "mp three and four k"),
])
def test_numbers_are_read_as_spoken(written, spoken):
    assert " ".join(transcript_words(written)) == spoken


def test_spelling_adds_no_pause_marks_and_keeps_the_scripts():
    """num2words writes "one thousand, five hundred": that comma must not read as a pause."""
    script = "Bob bought 1,500 plums in 2019. Then 21 more!"
    words = transcript_words(script)
    pauses = [w for w, p in zip(words, punctuation_after(script, len(words))) if p]
    assert pauses == ["nineteen", "more"]
    assert spell_numbers("no digits here, none.") == "no digits here, none."
