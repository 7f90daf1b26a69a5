"""Real Mandarin speakers, syllable by syllable: the gcin input method's voice recordings (Debian
`gcin-voice`, not in the Makefile: only bench_lipsync.py `--gcin` reads it).

The package holds every Mandarin syllable with each of its tones, recorded alone by two people,
as Ogg files named by the syllable's zhuyin (bopomofo) and tone: `ogg/ㄅㄚ3/5.ogg` is "bǎ" said by
speaker 5. Speaker 3 is gcin's author (Edward Der-Hua Liu, GPL-3 / LGPL-3), speaker 5 the voice
actor Chu Lo (ChionMeilin's recordings, CC-BY-3). A sentence is spoken by joining its syllables'
recordings, each cut to its speech with a short lead-in: a person reading one syllable at a time.

The reference needs neither espeak-ng nor the package's aligner: each syllable's initial and final
come from its pinyin (pypinyin, which the package also uses to read hanzi, so a misread character
is misread by both: what is measured is the mouth, not the reading), and its times from its own
recording: where its speech starts (`onset`) and where the level first comes within VOWEL_DB of
its loudest frame (`vowel`). b and p close the lips during the silent lead-in before the burst
(LEAD_S, the closure of a stop said after a pause); m from the onset to the vowel; an open final
("a", "ai", "ang", ...) from the vowel to the end of the speech.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lipsync_measures import PINYIN_OPEN_FINALS
from talkface_studio.audio.viseme_features import HOP, frame_level_db
from talkface_studio.training.espeak_synth import SR, SynthError

ROOT = Path("/usr/share/gcin-voice/ogg")
PACKAGE = "gcin-voice"
SPEAKERS = ("3", "5")
LEAD_S = 0.08  # silence kept before each syllable's speech: a stop's closure said after a pause
TAIL_S = 0.03
VOWEL_DB = 8.0  # the vowel starts where the level first comes this close to the syllable's loudest frame
MAX_MURMUR_S = 0.2
TONE_DIGIT = {"ˊ": "2", "ˇ": "3", "ˋ": "4", "˙": "1"}  # tone 1 has no mark and no digit
ROUND_FINALS = {"u", "o", "uo", "ou"}


@dataclass(frozen=True)
class Syllable:
    hanzi: str
    zhuyin: str  # with its tone mark, as pypinyin writes it
    initial: str  # pinyin initial ("" for none)
    final: str  # pinyin final, strict (ü as v)


def syllables(sentence: str) -> list[Syllable]:
    """The sentence's hanzi with their readings (pypinyin, phrase by phrase); punctuation left out."""
    from pypinyin import Style, lazy_pinyin

    chars = [c for c in sentence if "\u4e00" <= c <= "\u9fff"]
    text = "".join(chars)
    zhuyin = lazy_pinyin(text, style=Style.BOPOMOFO)
    initials = lazy_pinyin(text, style=Style.INITIALS, strict=True)
    finals = lazy_pinyin(text, style=Style.FINALS, strict=True)
    return [Syllable(*row) for row in zip(chars, zhuyin, initials, finals)]


def recording(syllable: Syllable, speaker: str, root: Path = ROOT) -> Path | None:
    """The speaker's recording of the syllable in its tone, else in another tone (the lips do not
    change with the tone), else None."""
    base = syllable.zhuyin.rstrip("ˊˇˋ˙")
    tone = TONE_DIGIT.get(syllable.zhuyin[-1:], "")
    for name in [base + tone] + [base + t for t in ("", "2", "3", "4", "1") if t != tone]:
        path = root / name / f"{speaker}.ogg"
        if path.is_file():
            return path
    return None


def cut(x: np.ndarray) -> tuple[np.ndarray, float, float]:
    """A syllable's recording (float32, 16 kHz) -> (its speech with LEAD_S of the recording's own room
    before it and TAIL_S after, speech onset and vowel onset in seconds from the cut's start)."""
    level = frame_level_db(x)
    speech = np.flatnonzero(level > level.max() - 30)  # the recordings are cut close to their speech
    if not len(speech):
        raise SynthError("a recording without speech")
    first, last = int(speech[0]), int(speech[-1]) + 1
    loud = np.flatnonzero(level[first:last] >= level[first:last].max() - VOWEL_DB)
    vowel = min(int(loud[0]), int(MAX_MURMUR_S * SR / HOP))
    start = first * HOP - int(LEAD_S * SR)
    body = x[max(start, 0) : min(last * HOP + int(TAIL_S * SR), len(x))]
    piece = np.concatenate([np.zeros(max(-start, 0), np.float32), body])
    return piece, LEAD_S, LEAD_S + vowel * HOP / SR


def reference(syllable: Syllable, at: float, onset: float, vowel: float, end: float) -> list[tuple[float, float, str]]:
    """(start, end, IPA-like label for lipsync_measures.classify_ipa) of the syllable placed at `at`."""
    out = []
    if syllable.initial in ("b", "p"):
        out.append((at + onset - 0.05, at + onset + 0.01, syllable.initial))
    elif syllable.initial == "m":
        out.append((at + onset, at + max(vowel, onset + 0.03), "m"))
    if syllable.final in PINYIN_OPEN_FINALS:
        out.append((at + vowel, at + end, "a"))
    elif syllable.final in ROUND_FINALS and syllable.initial not in ("b", "p", "m", "f"):
        out.append((at + vowel, at + end, "u"))
    return out


def speak(sentence: str, speaker: str, root: Path = ROOT) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """The sentence said by joining the speaker's syllables -> (float32 samples at 16 kHz, reference)."""
    from talkface_studio.audio.loading import load_audio

    if not root.is_dir():
        raise SynthError(f"the Debian package {PACKAGE} is not installed (apt-get install it for these rows)")
    parts, refs, at = [], [], 0.0
    for syllable in syllables(sentence):
        path = recording(syllable, speaker, root)
        if path is None:
            raise SynthError(f"speaker {speaker} has no recording of {syllable.zhuyin} ({syllable.hanzi})")
        piece, onset, vowel = cut(load_audio(path).mono(SR))
        refs += reference(syllable, at, onset, vowel, len(piece) / SR - TAIL_S)
        parts.append(piece)
        at += len(piece) / SR
    return np.concatenate(parts), refs
