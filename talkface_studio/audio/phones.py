"""Phones for lip sync: pocketsphinx alignment or recognition, or a coarse acoustic guess.

pocketsphinx 5 ships a US-English acoustic model, dictionary and phone language model, so all
of this runs offline. Both passes take ~0.05-0.1x real time, which is why analysis caches them
apart from the cheap acoustic features. Times come back in seconds (`TimedPhone`) so one cached
pass serves every frame rate; `to_spans` converts them to video frames.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import NamedTuple

import numpy as np

from talkface_studio.audio.english_numbers import spell_numbers
from talkface_studio.audio.english_oov import espeak_pronunciation
from talkface_studio.audio.features import ARPABET, VOWELS, PhoneSpan
from talkface_studio.audio.sphinx_native import model_dir
from talkface_studio.core.timebase import FrameRate

PS_FPS = 100  # pocketsphinx frames per second
# Phones that are themselves turbulent noise, heard as breath (bright and unvoiced) at a word's
# start ("She…", "Who…"); before a stop's silence ("Stop…", "Sky…") such a sound stands alone
# like a breath, and with a vowel after it, it runs into the vowel.
NOISY_ONSETS = frozenset({"S", "SH", "Z", "ZH", "F", "V", "TH", "DH", "HH", "CH", "JH"})
STOPS = frozenset({"P", "B", "T", "D", "K", "G"})
# Lip shapes that must survive frame rounding: closures, tucks, rounding, and every vowel (a 30 ms
# /a/ between two consonants that straddles a frame boundary at 25 fps would otherwise vanish and
# the jaw would never open for it).
VISIBLE = frozenset({"P", "B", "M", "F", "V", "W"}) | VOWELS
_DIGITS = "zero one two three four five six seven eight nine".split()
# Crude letter-to-sound for words missing from the dictionary: keeps the alignment going and the
# lip closures (p, b, m) where the spelling has them, which is what the viewer sees.
_LETTER_RULES = [
    ("tch", "CH"), ("sh", "SH"), ("ch", "CH"), ("th", "TH"), ("ph", "F"), ("ng", "NG"), ("ck", "K"),
    ("wh", "W"), ("qu", "K W"), ("ee", "IY"), ("ea", "IY"), ("oo", "UW"), ("ou", "AW"), ("ow", "OW"),
    ("oi", "OY"), ("ai", "EY"), ("ay", "EY"), ("a", "AE"), ("b", "B"), ("c", "K"), ("d", "D"),
    ("e", "EH"), ("f", "F"), ("g", "G"), ("h", "HH"), ("i", "IH"), ("j", "JH"), ("k", "K"), ("l", "L"),
    ("m", "M"), ("n", "N"), ("o", "AA"), ("p", "P"), ("r", "R"), ("s", "S"), ("t", "T"), ("u", "AH"),
    ("v", "V"), ("w", "W"), ("x", "K S"), ("y", "Y"), ("z", "Z"),
]


class PhoneError(RuntimeError):
    """pocketsphinx could not produce a usable result (caller falls back)."""


class TimedPhone(NamedTuple):
    start: float  # seconds
    end: float
    phone: str


def _pcm16(x16: np.ndarray) -> bytes:
    return (np.clip(x16, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def _clean(name: str) -> str:
    """pocketsphinx label -> ARPAbet without stress; fillers and noise become SIL."""
    name = re.sub(r"\d", "", name.upper())
    return name if name in ARPABET else "SIL"


def plain_english(text: str) -> str:
    """The script as the English dictionary spells it: typographic apostrophes (what word
    processors and screenwriting tools write: "don’t") made plain, accents dropped ("café" ->
    "cafe", "naïve" -> "naive"), numbers written out ("1984" -> "nineteen eighty four"). Before,
    "don’t" was two words, "don" and "t", and numbers were read digit by digit."""
    text = spell_numbers(unicodedata.normalize("NFKD", text.translate(_APOSTROPHES)))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "`": "'"})


def transcript_words(text: str) -> list[str]:
    words = []
    for tok in re.findall(r"[a-z']+|\d", plain_english(text).lower()):
        tok = tok.strip("'")
        if tok:
            words.append(_DIGITS[int(tok)] if tok.isdigit() else tok)
    return words


def guess_pronunciation(word: str) -> str:
    """A word pocketsphinx's dictionary lacks: espeak-ng's reading (``english_oov``), else the
    spelling rules below."""
    return espeak_pronunciation(word) or _spelled(word)


def _spelled(word: str) -> str:
    out, i = [], 0
    while i < len(word):
        for letters, phones in _LETTER_RULES:
            if word.startswith(letters, i):
                out.append(phones)
                i += len(letters)
                break
        else:
            i += 1  # apostrophes and other marks
    return " ".join(out) or "AH"


# pocketsphinx's phone loop as recognise() runs it (benchmarks/phone_loop_evidence.py reuses it)
PHONE_LOOP_SETTINGS = dict(bestpath=False, lw=2.0, pip=0.3, beam=1e-20, pbeam=1e-20)


def phone_lm_path() -> str:
    """The English phone language model that ships in the pocketsphinx wheel."""
    return os.path.join(model_dir(), "en-us-phone.lm.bin")


def recognise(x16: np.ndarray) -> list[TimedPhone]:
    """Free phone recognition with the bundled English phone language model."""
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=16000, dither=True, loglevel="FATAL", allphone=phone_lm_path(), **PHONE_LOOP_SETTINGS)
    try:
        decoder.start_utt()
        decoder.process_raw(_pcm16(x16), full_utt=True)
        decoder.end_utt()
        out = [TimedPhone(s.start_frame / PS_FPS, (s.end_frame + 1) / PS_FPS, _clean(s.word)) for s in decoder.seg()]
    except RuntimeError as exc:
        raise PhoneError(f"phone recognition failed: {exc}") from None
    if not out:
        raise PhoneError("phone recognition produced no phones")
    return out


def to_spans(timed: list[TimedPhone], rate: FrameRate, n_frames: int) -> list[PhoneSpan]:
    """Contiguous spans covering [0, n_frames); short visible phones keep at least one frame."""
    spans: list[PhoneSpan] = []
    cursor = 0
    for ph in sorted(timed, key=lambda p: p.start):
        start = max(cursor, round(ph.start * rate.fps))
        end = min(round(ph.end * rate.fps), n_frames)
        if end <= start and ph.phone in VISIBLE and start < n_frames:
            end = start + 1
        if end <= start:
            continue
        if start > cursor:
            _append(spans, PhoneSpan(cursor, start, "SIL"))
        _append(spans, PhoneSpan(start, end, ph.phone))
        cursor = end
    if cursor < n_frames:
        _append(spans, PhoneSpan(cursor, n_frames, "SIL"))
    return spans


def _append(spans: list[PhoneSpan], span: PhoneSpan) -> None:
    if spans and spans[-1].phone == span.phone and spans[-1].end_frame == span.start_frame:
        spans[-1] = PhoneSpan(spans[-1].start_frame, span.end_frame, span.phone)
    else:
        spans.append(span)


def acoustic_phones(
    loudness: np.ndarray, voicing: np.ndarray, centroid: np.ndarray, rate: FrameRate
) -> list[PhoneSpan]:
    """Coarse phone classes from per-frame features, for any language or when recognition fails.

    Much less accurate than alignment: it tells silence, open / mid / rounded vowels, nasal-like
    murmur (shown as M), fricatives (S) and short closures inside speech (shown as P, a bilabial
    guess so the lips at least meet), nothing finer.
    """
    n = len(loudness)
    labels = np.full(n, "SIL", dtype="<U3")
    speech = loudness >= 0.15
    voiced = speech & (voicing >= 0.5)
    unvoiced = speech & ~voiced
    # Centroid cues are relative to this speaker's typical voiced centroid (voices differ a lot).
    typical = float(np.median(centroid[voiced])) if voiced.any() else 1000.0
    labels[unvoiced] = np.where(centroid[unvoiced] > max(2500.0, 2 * typical), "S", "HH")
    labels[unvoiced & (loudness >= 0.6) & (centroid <= 2 * typical)] = "AH"  # loud: a vowel YIN missed
    labels[voiced & (loudness >= 0.75)] = "AA"
    labels[voiced & (loudness < 0.75)] = "EH"
    labels[voiced & (loudness >= 0.5) & (centroid < 0.7 * typical)] = "OW"
    labels[voiced & (loudness < 0.5) & (centroid < 0.6 * typical)] = "M"
    # A gap of at most ~100 ms between speech is a stop closure, not a pause.
    gap_max = max(1, round(0.1 * rate.fps))
    i = 0
    while i < n:
        if speech[i]:
            i += 1
            continue
        j = i
        while j < n and not speech[j]:
            j += 1
        if 0 < i and j < n and j - i <= gap_max:
            labels[i:j] = "P"
        i = j
    spans: list[PhoneSpan] = []
    for f, label in enumerate(labels):
        _append(spans, PhoneSpan(f, f + 1, str(label)))
    return spans
