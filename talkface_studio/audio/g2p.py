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
speech" between its readable neighbours. Chinese (Mandarin) is not read by espeak-ng at all (its
1.51 `cmn` voice reads hanzi through English): mandarin_reading gives words and phones from pinyin.
Arabic, Persian, Urdu and Hebrew leave most vowels unwritten, so their words are marked
``vowels_unwritten`` (the aligner may add one between consonants); Hebrew's vowel points, which
espeak-ng 1.51 reads aloud by their English names, are taken off first.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import dataclasses
from dataclasses import dataclass
from functools import lru_cache

from talkface_studio.core.errors import TalkFaceError

from .japanese_reading import is_kanji, read_japanese
from .mandarin_reading import MandarinWord, read_mandarin
from .languages import ABJAD_LANGUAGES, espeak_voice, primary
from .viseme_set import VOWEL_CLASSES, phone_to_visemes

_TIMEOUT_S = 20.0


def _combining_marks() -> str:
    """Every combining mark (Unicode categories Mn, Mc, Me) as regex ranges.

    Python's ``\\w`` leaves marks out, yet in Devanagari (Hindi) and other Indic scripts every
    vowel after a consonant is one: without them "पानी" fell apart into "प" and "न", read as
    two schwa syllables. Zero-width (non-)joiners shape letters inside Indic words too.
    """
    marks = [c for c in range(0x300, 0x20000) if unicodedata.category(chr(c)).startswith("M")]
    ranges, start, prev = [], marks[0], marks[0]
    for c in marks[1:] + [-1]:
        if c != prev + 1:
            ranges.append(f"\\U{start:08x}-\\U{prev:08x}")
            start = c
        prev = c
    return "".join(ranges) + "\u200c\u200d"


# A word: letters, combining marks, digits, apostrophes and inner hyphens. Everything else
# (spaces, punctuation, symbols) separates words; clause punctuation also marks a likely pause.
_LETTER = rf"\w{_combining_marks()}'’"
_WORD = re.compile(rf"[{_LETTER}](?:[{_LETTER}\-]*[{_LETTER}])?")
# ।॥: Devanagari's full stops; ¿¡ open a Spanish question or exclamation; „ opens a German quote;
# ، ؛ ؟ ۔: the Arabic comma, semicolon and question mark, and Urdu's full stop; ։ Armenian's full
# stop; ። ፣ ፤ Ethiopic's full stop, comma and semicolon
_PAUSE = re.compile(r"[.,;:!?…。、！？，；：।॥¿¡،؛؟۔։።፣፤\u2014\u2013()\[\]\"“”„«»‹›]")
_LANG_SWITCH = re.compile(r"\([a-z]{2,3}(?:-[a-z0-9]+)*\)")


class G2PError(TalkFaceError):
    """espeak-ng is missing or failed: the script cannot be turned into phones."""


@dataclass(frozen=True)
class Word:
    text: str  # as written in the script
    phones: tuple[str, ...]  # IPA phones; empty = unreadable (aligned as unspecified speech)
    pause_after: bool = False  # clause punctuation follows: a pause is likely here
    start: int = 0  # character offset in the script (for the UI to point at a stretch)
    link: str = ""  # a phone the speaker may add before the next word (French liaison: vous‿avez)
    vowels_unwritten: bool = False  # an abjad's word: the speaker may say a vowel between any two consonants


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
        out.append((word, at, pause, "" if unreadable else _unpointed(word) if primary(language) == "he" else word))
    return out


def _unpointed(word: str) -> str:
    """A Hebrew word without its vowel points and cantillation marks (U+0591-U+05C7): espeak-ng 1.51
    reads each mark by its English name ("hiːbɹuː ʃvˈɑː"); the vowels they write are found by the
    aligner instead (``Word.vowels_unwritten``)."""
    return "".join(c for c in word if not ("\u0591" <= c <= "\u05c7" and unicodedata.category(c) == "Mn")) or word


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
    if primary(language) == "zh":
        return _mandarin(unicodedata.normalize("NFC", text or ""))
    tokens = _tokens(text, language)
    readable = [(at, say) for _, at, _, say in tokens if say]
    says = tuple(say.lower() for _, say in readable)
    alone = _letter_words_in_context(says, _phonemize(says, voice), voice)
    links: dict[int, str] = {}
    if says and primary(language) in _PROCLITIC_LANGUAGES:
        alone, vowels = zip(*(_proclitic(say, read) for say, read in zip(says, alone)))
        links = {at: v for (at, _), v in zip(readable, vowels) if v}
    phones = dict(zip([at for at, _ in readable], alone))
    if primary(language) in LINKING_LANGUAGES:
        clauses = _clauses([(at, say.lower(), p) for _, at, p, say in tokens if say])
        for clause, read in zip(clauses, _read_clauses(tuple(tuple(s for _, s in c) for c in clauses), voice)):
            for (at, _), together in zip(clause, read or ()):
                links[at] = _final_link(phones[at], together)
    abjad = primary(language) in ABJAD_LANGUAGES
    written = dict(readable)  # each read word's letters, for the fixes that look at them
    if primary(language) == "he":
        phones = {at: _hebrew_labials(read, written[at]) for at, read in phones.items()}
    if primary(language) in ANUSVARA_M:
        phones = {at: _anusvara_m(read, written[at], primary(language)) for at, read in phones.items()}
    if primary(language) in IPA_FIXES:
        phones = {at: _as_ipa(read, primary(language)) for at, read in phones.items()}
    words = [Word(w, phones.get(at, ()), p, at, links.get(at, ""), abjad and bool(phones.get(at)))
             for w, at, p, _ in tokens]
    return _assimilate_nasals(words) if primary(language) in NASAL_ASSIMILATION else words


# espeak-ng 1.51 writes a few vowels in its --ipa output by their table names, which are IPA for a
# rounded front vowel: Russian ы ("мы" -> "my"), Romanian â, Uzbek's back i, Brazilian Portuguese
# unstressed e ("cidade" -> "sidadʒy") and Vietnamese ư come out as "y", Welsh y as "ø". Read as
# IPA they round and push the lips where the speaker spreads them; each is written as the
# unrounded vowel it is. Vietnamese and Cantonese tones are digits after the vowel, but tone 3 is
# turned into "ɜ" like any ASCII 3 ("có" -> "kɔɜ", 去 -> "heoiɜ"), which read as a vowel ended every
# such syllable on a schwa: it is dropped. Cantonese comes out in Jyutping's letters, not IPA:
# eo, oe and yu are the rounded ɵ, œ and y (出 "c eo1 t", 靴 "h oe1", 雪 "s yuɜ t"), ng is ŋ
# (香 "h oenɡ1", read as n then ɡ), and c (only ever an initial alone) is the affricate tsʰ, not the
# palatal stop IPA writes c.
# In the languages of India (and Urdu, Georgian ჭ) espeak-ng writes the affricates च ज / چ ج, said
# [tʃ] [dʒ] with the lips pushed forward as in "church", "judge", as the palatal stops c and ɟ,
# which look like a y glide; Hungarian ty / gy and Turkish g before front vowels are real palatal
# stops and keep them.
_INDIC_AFFRICATES = (("c", "tʃ"), ("ɟ", "dʒ"))
IPA_FIXES = {"ru": (("y", "ɨ"),), "ro": (("y", "ɨ"),), "uz": (("y", "ɨ"),), "pt": (("y", "ɪ"),),
             "vi": (("y", "ɯ"), ("ɜ", "")), "cy": (("ø", "ɨ"),),
             "yue": (("ɜ", ""), ("eo", "ɵ"), ("oe", "œ"), ("yu", "y"), ("nɡ", "ŋ"), ("c", "tsʰ")),
             **{code: _INDIC_AFFRICATES for code in ("hi", "mr", "ne", "gu", "pa", "te", "kn", "ml", "ur")},
             "ka": (("c", "tʃ"),),
             # the tapped or trilled r of Maltese, Kannada and Irish, written as English's rounded ɹ
             **{code: (("ɹ", "ɾ"),) for code in ("mt", "kn", "ga")}}


def _as_ipa(phones: tuple[str, ...], language: str) -> tuple[str, ...]:
    """A word's phones as espeak-ng wrote them in `language` -> the IPA they mean (IPA_FIXES)."""
    out = []
    for phone in phones:
        for written, meant in IPA_FIXES[language]:
            phone = phone.replace(written, meant)
        if phone.strip("ˈˌ"):  # a phone that was only a tone mark is gone
            out.append(phone)
    return tuple(out)


# espeak-ng 1.51 reads Telugu's anusvara (ం) as n everywhere, Punjabi's tippi (ੰ) as n before a
# consonant, and a Hindi, Marathi, Nepali or Gujarati word-final anusvara after a consonant (the
# Sanskrit -aṃ of एवं, स्वयं) as n. A speaker says m before a labial (సంపద sampada, ਕੰਮ kamm) and in
# those word ends (pustakam, evam, svayam: Telugu's -ం is one of its commonest endings), so the lips
# close there. A final mark after a long vowel is a nasal vowel in Devanagari (नहीं, गरौं) and stays.
@dataclass(frozen=True)
class _Anusvara:
    marks: str
    n_letters: str  # the letters of a written n (read n as well)
    labials: str  # a mark before one of these is m
    final_after: str = ""  # a word-final mark after one of these is m ("" never)


_DEVANAGARI_CONSONANTS = "".join(map(chr, range(0x915, 0x93A))) + "".join(map(chr, range(0x958, 0x960)))
_DEVANAGARI = _Anusvara("\u0902", "\u0928", "\u092a\u092b\u092c\u092d\u092e", _DEVANAGARI_CONSONANTS)
ANUSVARA_M = {
    "te": _Anusvara("\u0c02", "\u0c28", "\u0c2a\u0c2b\u0c2c\u0c2d\u0c2e", "".join(map(chr, range(0xc00, 0xc80)))),
    "pa": _Anusvara("\u0a70\u0a02", "\u0a28", "\u0a2a\u0a2b\u0a2c\u0a2d\u0a2e"),
    "hi": _DEVANAGARI, "mr": _DEVANAGARI, "ne": _DEVANAGARI,
    "gu": _Anusvara("\u0a82", "\u0aa8", "\u0aaa\u0aab\u0aac\u0aad\u0aae", "".join(map(chr, range(0xa95, 0xaba)))),
}


def _anusvara_m(phones: tuple[str, ...], written: str, language: str) -> tuple[str, ...]:
    """The n that espeak-ng reads for an anusvara becomes m where a speaker says m (ANUSVARA_M). Which
    n came from the mark is found by counting: the word's n letters and marks in order against its
    n phones; a word where the counts differ (a mark read as a nasal vowel) is left as read."""
    rule = ANUSVARA_M[language]
    sources = [i for i, c in enumerate(written) if c in rule.marks or c in rule.n_letters]
    read_n = [j for j, p in enumerate(phones) if p.lstrip("ˈˌ") == "n"]
    if not any(written[i] in rule.marks for i in sources) or len(sources) != len(read_n):
        return phones
    out = list(phones)
    for i, j in zip(sources, read_n):
        after = written[i + 1 : i + 2]
        final = not after and i > 0 and written[i - 1] in rule.final_after
        if written[i] in rule.marks and ((after and after in rule.labials) or final):
            out[j] = phones[j].replace("n", "m")
    return tuple(out)


def _hebrew_labials(phones: tuple[str, ...], written: str = "") -> tuple[str, ...]:
    """Unpointed Hebrew writes b and v with one letter (ב), p and f with another (פ): espeak-ng
    guesses, and often says v in אבא (aba) or f where a speaker says p. Each v or f becomes the
    choice "b|v" / "p|f", which the aligner settles from the recording. ו is a vowel (o, u) inside
    a word and at its end, which espeak-ng 1.51 mostly reads as v (יום yom -> "jvm", אוהב ohev ->
    "ʔvʔv"); where `written` (the word's letters) shows which v came from ו, that one becomes "o|u|v"
    (never b: ו is no closure), "v|u" at the word's start (the conjunction ve / u) and v in the
    endings יו (-av) and וו."""
    letters = [c for c in written if "\u05d0" <= c <= "\u05ea"]
    sources = [i for i, c in enumerate(letters) if c in "בו"]
    read_v = [j for j, p in enumerate(phones) if p.lstrip("ˈˌ") in ("b", "v")]
    vav: dict[int, str] = {}
    if len(sources) == len(read_v) and "וו" not in "".join(letters):
        for i, j in zip(sources, read_v):
            if letters[i] == "ו":
                end_av = i == len(letters) - 1 and i > 0 and letters[i - 1] == "י"
                vav[j] = "v|u" if i == 0 else "v" if end_av else "o|u|v"
    out = []
    for j, p in enumerate(phones):
        stress = p[: len(p) - len(p.lstrip("ˈˌ"))]
        bare = p[len(stress):]
        out.append(stress + (vav[j] if j in vav else {"v": "b|v", "f": "p|f"}.get(bare, bare)))
    return tuple(out)


def _mandarin(text: str) -> list[Word]:
    """Chinese scripts: hanzi and numbers read by mandarin_reading (espeak-ng cannot), Latin words
    in them by espeak-ng's English voice; without pypinyin every word is unspecified speech."""
    try:
        read = read_mandarin(text)
    except ImportError:
        read = [MandarinWord(w, at, ()) for w, at, _ in _split_words(text, "zh")]
    latin = tuple(sorted({w.text.lower() for w in read if not w.phones and w.text.isascii()}))
    try:
        english = dict(zip(latin, _phonemize(latin, espeak_voice("en")))) if latin else {}
    except G2PError:  # no espeak-ng: the hanzi are still read; Latin words become unspecified speech
        english = {}
    words = []
    for i, w in enumerate(read):
        end = w.start + len(w.text)
        nxt = read[i + 1].start if i + 1 < len(read) else len(text)
        phones = w.phones or english.get(w.text.lower(), ())
        words.append(Word(w.text, phones, bool(_PAUSE.search(text[end:nxt])), w.start))
    return words


# Languages whose word-final n takes the place of a bilabial that follows it in the same breath:
# Spanish "en modo", "un poco" and Italian "in bocca", "un momento" are said em modo, um poco,
# im bocca, um momento (obligatory in connected speech; espeak-ng applies it inside a word,
# "inválida" imbálida, and to some word pairs, not to words read one by one). The lips then close
# from the n on: read as n, the closure's whole hold went to the n and the m came late.
NASAL_ASSIMILATION = frozenset({"es", "it", "ca", "gl"})
_BILABIAL = ("p", "b", "m")


def _bare(phone: str) -> str:
    return phone.replace("ˈ", "").replace("ˌ", "").replace("ː", "")


def _assimilate_nasals(words: list[Word]) -> list[Word]:
    out = list(words)
    for i in range(len(out) - 1):
        word, nxt = out[i], out[i + 1]
        if (word.phones and nxt.phones and not word.pause_after and _bare(word.phones[-1]) == "n"
                and _bare(nxt.phones[0])[:1] in _BILABIAL):
            out[i] = dataclasses.replace(word, phones=word.phones[:-1] + (word.phones[-1].replace("n", "m"),))
    return out


def _is_letter_word(say: str) -> bool:
    """One letter of an alphabet: read alone, espeak-ng says the letter's name (Russian "в" as
    "vɛ", Czech "s" as "es", Greek "ο" as "omikron", French "y" as "igrɛk"), in running text the
    word it is (Russian "в" is /v/ before the next word). Kana and Hangul are syllables."""
    return (len(say) == 1 and say.isalpha()
            and unicodedata.name(say, "").split(" ")[0] in ("LATIN", "GREEK", "CYRILLIC"))


def _letter_words_in_context(says: tuple[str, ...], alone: tuple[tuple[str, ...], ...],
                             voice: str) -> tuple[tuple[str, ...], ...]:
    """``alone`` with each one-letter word read beside its neighbour (the next word, or the one
    before at the end): the pair's reading split in two, or, where espeak-ng joins a proclitic to
    its host (Bulgarian "в къщи" -> "fkəʃtiː"), what the joined reading adds to the host's own."""
    at = [i for i, say in enumerate(says) if _is_letter_word(say) and len(says) > 1]
    if not at:
        return alone
    hosts = [i + 1 if i + 1 < len(says) else i - 1 for i in at]
    pairs = tuple(f"{says[i]} {says[j]}" if j > i else f"{says[j]} {says[i]}" for i, j in zip(at, hosts))
    out = list(alone)
    for i, j, read in zip(at, hosts, _read_pairs(pairs, voice)):
        if read is None:
            continue
        if len(read) == 2:
            mine = read[0] if j > i else read[1]
        else:  # joined: the host's own reading must be the rest of it
            host, joined = _plain(alone[j]), _plain(read[0])
            extra = len(joined) - len(host)
            if extra <= 0:
                continue
            if j > i and joined[extra:] == host:
                mine = read[0][:extra]
            elif j < i and joined[:len(host)] == host:
                mine = read[0][len(host):]
            else:
                continue
        if mine:
            out[i] = mine
    return tuple(out)


# Slavic languages write one-consonant prepositions and conjunctions as words ("к папе", "з мамою",
# "k tati"); espeak-ng reads some by the letter's name even in running text ("kɑ", "zɛ", "kə",
# Ukrainian "й" as "jot"), which speakers do not say. The word keeps the letter's consonant; the
# name's vowel becomes optional (a link), as espeak-ng's own voices still say it.
_PROCLITIC_LANGUAGES = frozenset({"be", "bg", "cs", "hr", "mk", "pl", "ru", "sk", "sl", "sr", "uk"})
_VOWEL_LETTERS = frozenset("aeiouyáéíóúýěůąęаеёиоуыэюяіїєў")


def _proclitic(say: str, phones: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """(phones, optional vowel after them) of a one-letter word in a Slavic script."""
    if not _is_letter_word(say) or say in _VOWEL_LETTERS:
        return phones, ""
    vowel = [bool(set(phone_to_visemes(p)) & VOWEL_CLASSES) for p in phones]
    if not any(vowel) or all(vowel):
        return phones, ""
    first = vowel.index(False)
    consonant = phones[first]
    spoken = phones[first + 1].strip("ˈˌ") if len(phones) == 2 and first == 0 else ""
    return (consonant.strip("ˈˌ"),), spoken


def _read_pairs(pairs: tuple[str, ...], voice: str) -> tuple[tuple[tuple[str, ...], ...] | None, ...]:
    """Each two-word line read as running text: one or two words' phones, None where unusable."""
    return tuple(words if words is not None and len(words) in (1, 2) and all(words) else None
                 for words in _read_lines(pairs, voice))


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


def _read_clauses(clauses: tuple[tuple[str, ...], ...], voice: str) -> tuple[tuple[tuple[str, ...], ...] | None, ...]:
    """Each clause read as running text (one line each): its words' phones, or None for a clause
    whose words espeak-ng merged or split (no links are taken from it)."""
    read = _read_lines(tuple(" ".join(c) for c in clauses), voice)
    return tuple(words if words is not None and len(words) == len(c) else None for c, words in zip(clauses, read))


@lru_cache(maxsize=64)
def _read_lines(texts: tuple[str, ...], voice: str) -> tuple[tuple[tuple[str, ...], ...] | None, ...]:
    """Each text read as running text, one line each: its words' phones as espeak-ng splits them
    (merged or split words and all), or None for every text where the lines did not come back one
    per text."""
    if not texts:
        return ()
    lines = _espeak_lines([t + " ." for t in texts], voice, sep="\n")
    if len(lines) != len(texts):
        return tuple(None for _ in texts)
    return tuple(tuple(split_phones(w) for w in _LANG_SWITCH.sub("", line).split()) for line in lines)
