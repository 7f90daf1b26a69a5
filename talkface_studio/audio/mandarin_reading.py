"""Mandarin script -> words with their IPA phones, offline, without espeak-ng.

espeak-ng 1.51's Mandarin voice (`cmn`) reads hanzi through English (我们 came out as "wˈo2 (en)mɛ4n
faɪ1v"), so Chinese scripts are read here instead. pypinyin (MIT; its character and phrase
dictionaries ship in the wheel, nothing is downloaded) splits the script into words with its
maximum-matching segmenter over the phrase dictionary and gives each character its pinyin, the
phrase choosing between readings (银行 yínháng, 行长 hángzhǎng, 重庆 chóngqìng; traditional characters
are looked up through their simplified forms, OpenCC's table, as the phrases are simplified). A table turns each
syllable's initial and final into IPA for the viseme aligner; tones do not move the lips and are
dropped. Arabic numerals are read out as Chinese numbers (25 -> 二十五, a year or a long number
digit by digit); Latin words inside the script (an "iPhone") are left to the caller.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

# pinyin initials (pypinyin's strict INITIALS style) -> IPA. The retroflex affricates are written
# tʂ, not ʈʂ, so that the viseme table reads them as the affricates they are (lips forward, SH).
INITIALS = {
    "b": "p", "p": "pʰ", "m": "m", "f": "f", "d": "t", "t": "tʰ", "n": "n", "l": "l",
    "g": "k", "k": "kʰ", "h": "x", "j": "tɕ", "q": "tɕʰ", "x": "ɕ",
    "zh": "tʂ", "ch": "tʂʰ", "sh": "ʂ", "r": "ʐ", "z": "ts", "c": "tsʰ", "s": "s",
}
# pinyin finals (strict FINALS style: y/w spelled out as i/u/ü, ü as v) -> IPA phones. Glides are
# their own phones (j, w, ɥ) so the lips round for the w of 我 and spread for the j of 天.
FINALS = {
    "a": ("a",), "o": ("wo",), "e": ("ɤ",), "ai": ("ai",), "ei": ("ei",), "ao": ("au",), "ou": ("ou",),
    "an": ("a", "n"), "en": ("ə", "n"), "ang": ("a", "ŋ"), "eng": ("ə", "ŋ"), "ong": ("ʊ", "ŋ"),
    "er": ("ɚ",), "ê": ("ɛ",),
    "i": ("i",), "ia": ("j", "a"), "ie": ("j", "ɛ"), "iao": ("j", "au"), "iou": ("j", "ou"),
    "ian": ("j", "ɛ", "n"), "in": ("i", "n"), "iang": ("j", "a", "ŋ"), "ing": ("i", "ŋ"),
    "iong": ("j", "ʊ", "ŋ"),
    "u": ("u",), "ua": ("w", "a"), "uo": ("w", "o"), "uai": ("w", "ai"), "uei": ("w", "ei"),
    "uan": ("w", "a", "n"), "uen": ("w", "ə", "n"), "uang": ("w", "a", "ŋ"), "ueng": ("w", "ə", "ŋ"),
    "v": ("y",), "ve": ("ɥ", "ɛ"), "van": ("ɥ", "ɛ", "n"), "vn": ("y", "n"),
}
# "i" after z c s and after zh ch sh r is no [i] but the syllabic continuation of the consonant
# (the apical vowels of 字 and 是): spread lips after z c s, the retroflex's rounding after zh ch sh r.
_APICAL = {"z": "ɨ", "c": "ɨ", "s": "ɨ", "zh": "ɻ", "ch": "ɻ", "sh": "ɻ", "r": "ɻ"}
_DIGITS = "零一二三四五六七八九"
# a script's runs: hanzi (CJK unified ideographs, extension A, compatibility), numbers, other letters
_RUNS = re.compile(r"(?P<hanzi>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|(?P<number>\d+(?:\.\d+)?)"
                   r"|(?P<letters>[^\W\d_]+)")
_lock = threading.Lock()  # pypinyin's segmenter keeps module state; analysis may run on worker threads


@dataclass(frozen=True)
class MandarinWord:
    text: str  # as written in the script
    start: int  # character offset in the text given
    phones: tuple[str, ...]  # IPA; empty for a run this module does not read (Latin letters)


def syllable_phones(initial: str, final: str) -> tuple[str, ...]:
    """One syllable (pypinyin strict initial and final, tone marks removed) -> IPA phones."""
    final = final.rstrip("012345")
    head = (INITIALS[initial],) if initial in INITIALS else ()
    if final == "i" and initial in _APICAL:
        return head + (_APICAL[initial],)
    if final.endswith("r") and final not in FINALS:  # erhua (花儿 huar): the final, then r-colouring
        return head + FINALS.get(final[:-1], ("ə",)) + ("ɚ",)
    return head + FINALS.get(final, ("ə",))


@lru_cache(maxsize=1)
def _pypinyin():
    from pypinyin import Style, lazy_pinyin
    from pypinyin.seg.mmseg import seg

    return lazy_pinyin, Style, seg


def read_mandarin(text: str) -> list[MandarinWord]:
    """The words of `text` (hanzi, numbers and Latin runs) with their phones, in script order.
    Raises ImportError where pypinyin is not installed."""
    _, _, seg = _pypinyin()
    out: list[MandarinWord] = []
    for m in _RUNS.finditer(text):
        run, start = m.group(0), m.start()
        if m.lastgroup == "number":
            out.append(MandarinWord(run, start, _phones(number_in_hanzi(run))))
        elif m.lastgroup == "hanzi":
            simple = simplified(run)  # outside the lock, which simplified takes itself
            with _lock:
                words = list(seg.cut(simple))
            at = 0
            for word in words:  # the same length: each word's own characters are the script's
                out.append(MandarinWord(run[at : at + len(word)], start + at, _phones(word)))
                at += len(word)
        else:
            out.append(MandarinWord(run, start, ()))
    return out


@lru_cache(maxsize=1)
def _traditional_to_simplified():
    try:
        from opencc import OpenCC

        return OpenCC("t2s")
    except Exception:  # noqa: BLE001 - not installed or its tables missing: read the characters as written
        return None


def simplified(run: str) -> str:
    """A run of hanzi in simplified characters, for reading only: pypinyin's phrase dictionary is
    simplified, so traditional 銀行 (bank) was read yín xíng, character by character, where 银行 is
    yínháng. OpenCC's table maps character for character; a conversion that would change the
    run's length (a rare phrase rule) is not used, so words keep the script's own characters."""
    converter = _traditional_to_simplified()
    if converter is None:
        return run
    with _lock:
        out = converter.convert(run)
    return out if len(out) == len(run) else run


def _phones(hanzi: str) -> tuple[str, ...]:
    lazy_pinyin, style, _ = _pypinyin()
    with _lock:
        initials = lazy_pinyin(hanzi, style=style.INITIALS, strict=True)
        finals = lazy_pinyin(hanzi, style=style.FINALS, strict=True)
    phones: list[str] = []
    for initial, final in zip(initials, finals):
        phones.extend(syllable_phones(initial, final))
    return tuple(phones)


def number_in_hanzi(digits: str) -> str:
    """Arabic numerals as they are read: 25 -> 二十五, 10 -> 十, 3.5 -> 三点五; a number of five or
    more digits that starts with 0, or of more than 12 digits, digit by digit (a phone number, a
    code); four-digit numbers from 1000 to 2099 are taken for years and also read digit by digit."""
    whole, _, frac = digits.partition(".")
    if (len(whole) > 12 or (whole.startswith("0") and len(whole) > 1)
            or (len(whole) == 4 and 1000 <= int(whole) <= 2099 and not frac)):
        said = "".join(_DIGITS[int(d)] for d in whole)
    else:
        said = _integer(int(whole))
    if frac:
        said += "点" + "".join(_DIGITS[int(d)] for d in frac)
    return said


def _integer(n: int) -> str:
    if n == 0:
        return "零"
    parts, unit_words = [], ("", "万", "亿")
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    zero_pending = False
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            zero_pending = bool(parts)
            continue
        if parts and (zero_pending or g < 1000):
            parts.append("零")
        parts.append(_below_10000(g) + unit_words[i])
        zero_pending = False
    said = "".join(parts)
    return said[1:] if said.startswith("一十") else said  # 10-19: 十五, not 一十五


def _below_10000(n: int) -> str:
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            if zero and out:
                out += "零"
            out += _DIGITS[d] + unit
            zero = False
        elif out:
            zero = True
    return out
