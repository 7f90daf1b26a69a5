"""Numbers in an English script, written out as a speaker says them ("1984" -> "nineteen eighty four").

pocketsphinx aligns words from its dictionary, which has no digits, so a script's numbers must be
words first. Read digit by digit ("one nine eight four"), a year, a price or a room number matched
nothing in the audio, and that stretch of the take fell back to recognition. Other languages' scripts
go through espeak-ng, which reads numbers in the language itself (g2p).

num2words (LGPL-2.1) does the spelling; this module only decides which reading a speaker would use:
a plain four-digit number from 1100 to 2099 is a year ("nineteen eighty four", "twenty nineteen"),
"1,500" a count, "2nd" an ordinal, "3.5" a decimal, "5:30" a time, "$5" and "5%" with their unit.
The American reading is used: no "and" inside a number ("two hundred fifty").
"""

from __future__ import annotations

import re

from num2words import num2words

_NUMBER = re.compile(
    r"(?P<dollar>\$)?"
    r"(?:(?P<hour>\d{1,2}):(?P<minute>\d{2})\b"
    r"|(?P<grouped>\d{1,3}(?:,\d{3})+)"
    r"|(?P<plain>\d+)(?:\.(?P<decimals>\d+))?(?P<ordinal>st|nd|rd|th)?\b)"
    r"(?P<percent>\s?%)?")


def spell_numbers(text: str) -> str:
    """`text` with every number written out in English words."""
    return _NUMBER.sub(_spoken, text)


def _spoken(m: re.Match) -> str:
    if m["hour"]:
        words = _words(int(m["hour"]))
        minute = int(m["minute"])
        if minute:
            words += (" oh " if minute < 10 else " ") + _words(minute)
    elif m["grouped"]:
        words = _words(int(m["grouped"].replace(",", "")))
    elif m["ordinal"]:
        words = _words(int(m["plain"]), to="ordinal")
    elif m["decimals"]:
        words = _words(int(m["plain"])) + " point " + " ".join(_words(int(d)) for d in m["decimals"])
    elif len(m["plain"]) == 4 and 1100 <= int(m["plain"]) <= 2099 and not (m["dollar"] or m["percent"]):
        words = _words(int(m["plain"]), to="year")
    else:
        words = _words(int(m["plain"]))
    if m["dollar"]:
        words += " dollar" if words == "one" else " dollars"
    if m["percent"]:
        words += " percent"
    return f" {words} "


def _words(n: int, to: str = "cardinal") -> str:
    # num2words writes "one thousand, five hundred" and "twenty-one": a comma in the script is a
    # likely pause to the aligner, so both become spaces; "and" is the British reading.
    spelled = num2words(n, lang="en", to=to).replace(",", " ").replace("-", " ")
    return " ".join(w for w in spelled.split() if w != "and")
