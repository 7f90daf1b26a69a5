"""Script + language -> words -> IPA phones, offline, with espeak-ng.

Why the `espeak-ng` command and not its C library or `phonemizer`: one process reads the whole
script (~10 ms start-up, then microseconds per word), it needs no Python dependency, and it keeps
the GPL-3 program at arm's length from this package (libespeak-ng is loaded in-process only by
the training-time synthesizer). Each word is sent as its own clause (", " between words), so
espeak-ng answers one line per word and every phone stays attached to the word that the script
wrote. Cross-word consonants (French liaison, "vous avez" said vu-z-ave) are then read from a
second pass over the clauses as written: where a word there is the word alone plus one final
consonant, that consonant becomes the word's optional `link`, which the aligner may place or skip
(a liaison is often optional, and a speaker may not make it). Without it the aligner had to fit
the unexpected [z] into the next word and judged that word a mismatch.

Digits are read out by espeak-ng in the script's language; apostrophes stay inside words
(isn't, l'aide); case does not matter. Japanese is split into words and read into kana by a
morphological analyser first (japanese_reading: 水 -> ミズ), because espeak-ng 1.51 reads kana but
not kanji; its `ja` voice then reads the kana. A word the analyser cannot read (or every kanji
when the analyser is missing) becomes a word without phones that the aligner places as "some
speech" between its readable neighbours.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from talkface_studio.core.errors import TalkFaceError

from .japanese_reading import is_kanji, read_japanese
from .languages import espeak_voice, primary

_TIMEOUT_S = 20.0
# A word: letters, combining marks, digits, apostrophes and inner hyphens. Everything else
# (spaces, punctuation, symbols) separates words; clause punctuation also marks a likely pause.
_WORD = re.compile(r"[\w\u0300-\u036f'’](?:[\w\u0300-\u036f'’\-]*[\w\u0300-\u036f'’])?")
_PAUSE = re.compile(r"[.,;:!?…。、！？，；：\u2014\u2013()\[\]\"“”«»]")
_LANG_SWITCH = re.compile(r"\([a-z]{2,3}(?:-[a-z0-9]+)*\)")


class G2PError(TalkFaceError):
    """espeak-ng is missing or failed: the script cannot be turned into phones."""


@dataclass(frozen=True)
class Word:
    text: str  # as written in the script
    phones: tuple[str, ...]  # IPA phones; empty = unreadable (aligned as unspecified speech)
    pause_after: bool = False  # clause punctuation follows: a pause is likely here
    start: int = 0  # character offset in the script (for the UI to point at a stretch)
    link: str = ""  # a consonant the speaker may add before the next word (French liaison: vous‿avez)


def _script_run(ch: str) -> str:
    if is_kanji(ch):
        return "kanji"
    if "\u3040" <= ch <= "\u309f":
        return "hiragana"
    if "\u30a0" <= ch <= "\u30ff" or ch == "ー":
        return "katakana"
    return "other"


def tokenize(text: str, language: str = "en") -> list[tuple[str, int, bool]]:
    """(word, offset, pause_after) in script order. Japanese (no spaces) is split into words by
    its morphological analyser, or where the writing changes between kanji, hiragana and katakana
    when the analyser is missing."""
    return [(w, at, p) for w, at, p, _ in _tokens(text, language)]


def _tokens(text: str, language: str) -> list[tuple[str, int, bool, str]]:
    """(word, offset, pause_after, what espeak-ng reads; "" = unreadable) in script order."""
    text = unicodedata.normalize("NFC", text or "")
    if primary(language) == "ja":
        read = read_japanese(text)
        if read is not None:
            ends = [w.start + len(w.text) for w in read]
            nexts = [w.start for w in read[1:]] + [len(text)]
            return [(w.text, w.start, bool(_PAUSE.search(text[end:nxt])), w.say)
                    for w, end, nxt in zip(read, ends, nexts)]
    out = []
    for word, at, pause in _split_words(text, language):
        unreadable = primary(language) == "ja" and any(is_kanji(c) for c in word)
        out.append((word, at, pause, "" if unreadable else word))
    return out


def _split_words(text: str, language: str) -> list[tuple[str, int, bool]]:
    out: list[tuple[str, int, bool]] = []
    for m in _WORD.finditer(text):
        word, start = m.group(0).strip("'’-"), m.start()
        if not word:
            continue
        pieces = [(word, start)]
        if primary(language) == "ja":
            pieces, cur, cur_start = [], "", start
            for i, ch in enumerate(word):
                if cur and _script_run(ch) != _script_run(cur[-1]):
                    pieces.append((cur, cur_start))
                    cur, cur_start = "", start + i
                cur += ch
            pieces.append((cur, cur_start))
        for k, (piece, at) in enumerate(pieces):
            end = at + len(piece)
            follow = text[end : _next_word_start(text, end)] if k == len(pieces) - 1 else ""
            out.append((piece, at, bool(_PAUSE.search(follow))))
    return out


def _next_word_start(text: str, pos: int) -> int:
    m = _WORD.search(text, pos)
    return m.start() if m else len(text)


def split_phones(line: str) -> tuple[str, ...]:
    """One espeak-ng output line ('m_ˈeɪ_b_iː', words inside separated by spaces) -> phones."""
    line = _LANG_SWITCH.sub("", line)
    phones = []
    for chunk in re.split(r"[_\s]+", line):
        chunk = chunk.strip("-")
        if chunk and chunk not in ("ˈ", "ˌ"):
            phones.append(chunk)
    return tuple(phones)


def _espeak_lines(words: list[str], voice: str, sep: str = ", ") -> list[str]:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise G2PError("espeak-ng is not installed (Debian: apt-get install espeak-ng); it reads scripts into phones")
    try:
        run = subprocess.run([exe, "-q", "--ipa", "--sep=_", "-v", voice], input=sep.join(words) + "\n",
                             capture_output=True, text=True, encoding="utf-8", timeout=_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise G2PError(f"espeak-ng failed to read the script ({exc})") from None
    if run.returncode != 0:
        raise G2PError(f"espeak-ng failed to read the script: {run.stderr.strip()[:200]}")
    return [line for line in run.stdout.splitlines() if line.strip()]


@lru_cache(maxsize=256)
def _phonemize(words: tuple[str, ...], voice: str) -> tuple[tuple[str, ...], ...]:
    if not words:
        return ()
    lines = _espeak_lines(list(words), voice)
    if len(lines) != len(words):  # a word espeak split or merged: ask word by word (slower, exact)
        lines = []
        for w in words:
            got = _espeak_lines([w], voice)
            lines.append(" ".join(got))
    return tuple(split_phones(line) for line in lines)


def g2p(text: str, language: str = "en") -> list[Word]:
    """The script's words with their IPA phones in `language` (a supported BCP-47 tag)."""
    voice = espeak_voice(language)
    tokens = _tokens(text, language)
    readable = [(at, say) for _, at, _, say in tokens if say]
    alone = _phonemize(tuple(say.lower() for _, say in readable), voice)
    phones = dict(zip([at for at, _ in readable], alone))
    links: dict[int, str] = {}
    if primary(language) in LINKING_LANGUAGES:
        clauses = _clauses([(at, say.lower(), p) for _, at, p, say in tokens if say])
        for clause, read in zip(clauses, _read_clauses(tuple(tuple(s for _, s in c) for c in clauses), voice)):
            for (at, _), together in zip(clause, read or ()):
                links[at] = _final_link(phones[at], together)
    return [Word(w, phones.get(at, ()), p, at, links.get(at, "")) for w, at, p, _ in tokens]


# Languages whose espeak-ng reading adds consonants between words that a speaker may or may not
# say (liaison). Elsewhere a cross-word change in espeak-ng's reading (English linking r, Italian
# doubling) is left out: it is not a consonant the aligner would otherwise miss.
LINKING_LANGUAGES = frozenset({"fr"})
_LINK_CONSONANTS = frozenset("zntʁpɡk")


def _clauses(words: list[tuple[int, str, bool]]) -> list[list[tuple[int, str]]]:
    out: list[list[tuple[int, str]]] = [[]]
    for at, say, pause_after in words:
        out[-1].append((at, say))
        if pause_after:
            out.append([])
    return [c for c in out if c]


def _plain(phones) -> tuple[str, ...]:
    return tuple(p.strip("ˈˌ-") for p in phones)


def _final_link(alone: tuple[str, ...], together: tuple[str, ...]) -> str:
    """The consonant that reading the word in its clause adds at its end, if that is the only change."""
    a, t = _plain(alone), _plain(together)
    if len(t) == len(a) + 1 and t[:-1] == a and t[-1] in _LINK_CONSONANTS:
        return t[-1]
    return ""


@lru_cache(maxsize=64)
def _read_clauses(clauses: tuple[tuple[str, ...], ...], voice: str) -> tuple[tuple[tuple[str, ...], ...] | None, ...]:
    """Each clause read as running text (one line each): its words' phones, or None for a clause
    whose words espeak-ng merged or split (no links are taken from it)."""
    if not clauses:
        return ()
    lines = _espeak_lines([" ".join(c) + " ." for c in clauses], voice, sep="\n")
    if len(lines) != len(clauses):
        return tuple(None for _ in clauses)
    out = []
    for clause, line in zip(clauses, lines):
        words = [split_phones(w) for w in _LANG_SWITCH.sub("", line).split()]
        out.append(tuple(words) if len(words) == len(clause) else None)
    return tuple(out)
