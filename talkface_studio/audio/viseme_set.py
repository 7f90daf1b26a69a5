"""IPA phone -> language-neutral viseme classes (what the lips, jaw and tongue tip show).

Seventeen classes; each name is also an ARPAbet label that the procedural lip sync
(perform/procedural/visemes.py) already knows, so its tables need no change:

    SIL  silence / pause          M   bilabial closure p b m (and ɸ β, lips almost meet)
    F    labiodental f v ʋ ɱ      TH  dental θ ð
    T    alveolar t d n l, taps, alveolar trill r (tongue tip; lips neutral)
    S    s z ts dz                SH  postalveolar / alveolopalatal / retroflex sibilants
    K    velar, uvular, pharyngeal and glottal (incl. uvular ʁ, ʀ: the lips stay neutral)
    R    rhotic approximants ɹ ɻ and r-coloured vowels (lips slightly rounded)
    W    w ɥ                      Y   j and the palatals ɲ ʎ ç ʝ c ɟ (spread)
    AA   open a ɑ ɐ æ ɶ           EH  open-mid / mid front e ɛ
    IY   close front i ɪ, unrounded close ɨ ɯ
    AO   mid back rounded o ɔ ɒ and front rounded ø œ
    UW   close rounded u ʊ y ʏ ʉ (and Japanese compressed ɯᵝ)
    AH   central ə ʌ ɜ ɘ ɤ

Stress marks, length marks and diacritics (nasal ~, lowered, aspirated, ...) do not change the
class; a diphthong gives its two vowels' classes (aɪ -> AA IY); anything unknown maps to AH (a
neutral half-open mouth) rather than failing.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

VISEME_CLASSES = ("SIL", "M", "F", "TH", "T", "S", "SH", "K", "R", "W", "Y",
                  "AA", "EH", "IY", "AO", "UW", "AH")
CLASS_INDEX = {name: i for i, name in enumerate(VISEME_CLASSES)}
VOWEL_CLASSES = frozenset({"AA", "EH", "IY", "AO", "UW", "AH"})
OPEN_CLASSES = frozenset({"AA", "AH", "EH", "AO"})
UNKNOWN_CLASS = "AH"

# Multi-letter consonants first (matched greedily before single letters).
_CLUSTERS = {
    "ts": "S", "dz": "S", "ʦ": "S", "ʣ": "S",
    "tʃ": "SH", "dʒ": "SH", "ʧ": "SH", "ʤ": "SH", "tɕ": "SH", "dʑ": "SH", "tʂ": "SH", "dʐ": "SH",
    "ɯᵝ": "UW",
}
_SINGLE = {
    # bilabial
    "p": "M", "b": "M", "m": "M", "ɓ": "M", "ʙ": "M", "ɸ": "M", "β": "M",
    # labiodental
    "f": "F", "v": "F", "ʋ": "F", "ɱ": "F",
    # dental
    "θ": "TH", "ð": "TH",
    # alveolar (and retroflex stops, laterals, taps, trills)
    "t": "T", "d": "T", "n": "T", "l": "T", "ɾ": "T", "ɗ": "T", "ʈ": "T", "ɖ": "T", "ɳ": "T", "ɭ": "T",
    "ɬ": "T", "ɮ": "T", "r": "T", "ɫ": "T", "ɽ": "T", "ɺ": "T",
    # sibilants
    "s": "S", "z": "S",
    "ʃ": "SH", "ʒ": "SH", "ɕ": "SH", "ʑ": "SH", "ʂ": "SH", "ʐ": "SH",
    # velar, uvular, pharyngeal, glottal
    "k": "K", "g": "K", "ɡ": "K", "ŋ": "K", "x": "K", "ɣ": "K", "q": "K", "ɢ": "K", "ɴ": "K", "χ": "K",
    "ʁ": "K", "ʀ": "K", "h": "K", "ɦ": "K", "ʔ": "K", "ħ": "K", "ʕ": "K", "ɰ": "K", "ʟ": "K",
    # rhotic approximants and r-coloured vowels
    "ɹ": "R", "ɻ": "R", "ɚ": "R", "ɝ": "R",
    # glides and palatals
    "w": "W", "ɥ": "W", "ʍ": "W", "j": "Y", "ɲ": "Y", "ʎ": "Y", "ç": "Y", "ʝ": "Y", "c": "Y", "ɟ": "Y",
    # vowels
    "a": "AA", "ɑ": "AA", "ɐ": "AA", "æ": "AA", "ɶ": "AA", "ä": "AA",
    "e": "EH", "ɛ": "EH",
    "i": "IY", "ɪ": "IY", "ɨ": "IY", "ɯ": "IY",
    "o": "AO", "ɔ": "AO", "ɒ": "AO", "ø": "AO", "œ": "AO", "ɞ": "AO", "ɵ": "AO",
    "u": "UW", "ʊ": "UW", "y": "UW", "ʏ": "UW", "ʉ": "UW",
    "ə": "AH", "ʌ": "AH", "ɜ": "AH", "ɘ": "AH", "ɤ": "AH", "ᵻ": "IY",
}
# Marks that never change the class: stress, length, syllable breaks, ties, espeak's "-" link.
_IGNORED = set("ˈˌːˑ.‿͜͡-‍'̯̩") | {"\u200d"}
_SILENCE = {"", "_", "sil", "sp", "spn", "pau", "#"}


def _strip(phone: str) -> str:
    """Drop stress/length marks and combining diacritics; keep base letters (and ᵝ)."""
    out = []
    for ch in unicodedata.normalize("NFD", phone):
        if ch in _IGNORED or unicodedata.combining(ch):
            continue
        if ch in "ʰʲʷˠˤⁿˡ̚ᵐᵑ":  # aspirated, palatalised, labialised, prenasalised: the base letter decides
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


# espeak-ng writes Sinhala's prenasalised stops ඹ ඳ ඟ (mb, nd, ŋg) with a superscript nasal as a
# phone of its own ("ᵐ", "b"): the nasal is a closure of the same place, not a vowel.
_PRENASAL = {"ᵐ": "m", "ⁿ": "n", "ᵑ": "ŋ"}


@lru_cache(maxsize=4096)
def phone_to_visemes(phone: str) -> tuple[str, ...]:
    """One IPA phone (as espeak-ng writes it, e.g. 'ˈeɪ', 'ɛ̃', 'tʃ', 'oːɹ') -> viseme classes.

    Usually one class; diphthongs and r-coloured vowels give two (repeats merged). Never raises.
    """
    text = (phone or "").strip()
    if text.lower() in _SILENCE:
        return ("SIL",)
    if text.strip("ˈˌ") in _PRENASAL:  # the nasal of a prenasalised stop, written as a phone of its own
        return phone_to_visemes(_PRENASAL[text.strip("ˈˌ")])
    # ɯᵝ keeps its compression mark; everything else loses its diacritics
    text = _strip(text.replace("ɯᵝ", "\uE000")).replace("\uE000", "ɯᵝ")
    if not text:
        return ("SIL",) if phone and set(phone) <= _IGNORED else (UNKNOWN_CLASS,)
    classes: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in _CLUSTERS:
            cls, i = _CLUSTERS[pair], i + 2
        else:
            ch = text[i]
            cls = _SINGLE.get(ch) or _SINGLE.get(ch.lower()) or (_fallback(ch))
            i += 1
        if cls is None:
            continue
        if not classes or classes[-1] != cls:
            classes.append(cls)
    return tuple(classes) or (UNKNOWN_CLASS,)


def _fallback(ch: str) -> str | None:
    """Letters outside the table: decompose (e.g. 'ǎ' -> 'a'), else a neutral class; marks vanish."""
    base = unicodedata.normalize("NFD", ch)[0]
    if base != ch and base in _SINGLE:
        return _SINGLE[base]
    category = unicodedata.category(ch)
    if category.startswith("L"):
        return UNKNOWN_CLASS
    return None  # punctuation, symbols, digits inside a phone string carry no mouth shape


def phones_to_visemes(phones) -> list[str]:
    """A word's phones -> its viseme class sequence (repeats inside one phone merged, across kept).

    A phone written as alternatives ("b|v": the script does not say which) gives one token naming
    the classes it may be ("M|F") where each alternative is one class, else the first's classes."""
    out: list[str] = []
    for p in phones:
        if "|" in p:
            alts = [phone_to_visemes(a) for a in p.split("|")]
            names = list(dict.fromkeys(a[0] for a in alts))
            out.extend(["|".join(names)] if all(len(a) == 1 for a in alts) else alts[0])
        else:
            out.extend(phone_to_visemes(p))
    return out
