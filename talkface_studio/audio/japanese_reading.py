"""Japanese script -> words with their kana readings, offline, before espeak-ng reads them.

espeak-ng reads kana but not kanji (1.51 says "Chinese letter" in English), and which reading a
kanji takes depends on the word around it (水 is mizu alone, sui in 水曜日), so a morphological
analyser splits the script into words and gives each its reading in katakana. Sudachi
(`sudachipy`, Apache-2.0) with its small dictionary (`sudachidict_small`, Apache-2.0; a 42 MB
wheel, ~110 MB installed) is used: the dictionary ships inside the wheel (nothing is downloaded at
run time) and the analyser loads in ~30 ms and reads a sentence in under a millisecond.

The reading is what is written, not always what is said: the particles は and へ are read ハ and
ヘ but spoken wa and e, which the lips show (wa rounds), so those two are corrected here.
Without sudachipy (a broken install) the caller keeps the older behaviour: kana are read, kanji
are left to the aligner as unspecified speech.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Part of speech (first field) of tokens that are not words: punctuation, symbols, spaces.
_NOT_WORDS = ("補助記号", "空白")
_SPOKEN_PARTICLES = {"ハ": "ワ", "ヘ": "エ"}  # topic and direction particles (助詞)
log = logging.getLogger(__name__)
_lock = threading.Lock()  # one Sudachi tokenizer, shared; analysis may run on worker threads


@dataclass(frozen=True)
class ReadWord:
    text: str  # as written
    start: int  # character offset in the text given
    say: str  # what espeak-ng reads: the katakana reading, digits or Latin as written, "" for none


@lru_cache(maxsize=1)
def _tokenizer():
    try:
        from sudachipy import Dictionary, SplitMode

        return Dictionary(dict="small").tokenizer(SplitMode.C)
    except Exception as exc:  # noqa: BLE001 - not installed, or its dictionary missing: a broken install
        log.warning("Japanese readings unavailable, kanji are aligned as unspecified speech (%s)", exc)
        return None


def read_japanese(text: str) -> list[ReadWord] | None:
    """The words of `text` with their readings; None when no analyser is installed."""
    tokenizer = _tokenizer()
    if tokenizer is None:
        return None
    with _lock:
        morphemes = [(m.surface(), m.begin(), m.reading_form(), m.part_of_speech()[0])
                     for m in tokenizer.tokenize(text)]
    out = []
    for surface, start, reading, pos in morphemes:
        if pos in _NOT_WORDS or not surface.strip():
            continue
        if pos == "助詞":
            reading = _SPOKEN_PARTICLES.get(reading, reading)
        plain = unicodedata.normalize("NFKC", surface)
        if plain.isdigit():  # the dictionary reads 10 digit by digit (イチレイ); espeak-ng says juu
            say = plain
        elif _is_kana(reading):
            say = reading
        else:  # no reading: Latin as written for espeak-ng; kanji stay unreadable ("")
            say = "" if any(is_kanji(c) for c in plain) else plain
        out.append(ReadWord(surface, start, say))
    return out


def is_kanji(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch in "々〆"


def _is_kana(s: str) -> bool:
    return bool(s) and all("\u3040" <= c <= "\u30ff" or c == "ー" for c in s)
