"""Lip-sync measures for bench_lipsync.py: reference phones -> closure / opening / stillness / gap.

All distances are read off the expression landmarks (normalized face, unit = the outer-eye-corner
distance): the inner-lip gap at the midline (landmarks 13 / 14) and the mouth width (61 / 291).
Millimetres use the project's scale (the canonical interpupillary distance = 63 mm, which puts the
outer eye corners ~88 mm apart), so a fraction of the outer-eye-corner distance is mm / 88.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

import numpy as np

from talkface_studio.perform.face_fields import MM

CLOSED_MM = 1.0  # lips count as closed below this gap
OPEN_MM = 6.0  # an open vowel counts as opened when the gap reaches this
STILL_MM = 2.0  # a loud voiced frame with a gap below this is a still (closed) mouth
TOLERANCE_S = 0.04  # reference timing tolerance around a phone (one frame at 25 fps)

_ARPA_BILABIAL = {"P", "B", "M"}
_ARPA_OPEN = {"AA", "AE", "AH", "AO", "AW", "AY"}  # AH only when marked stressed: else it may be a schwa
_ARPA_ROUND = {"UW", "OW", "W", "UH"}
_IPA_OPEN = ("a", "ɑ", "ɒ", "æ", "ʌ", "ɔ", "aɪ", "aʊ", "ɑː", "aː", "ɒː", "ɔː")  # not ɐ: mostly a reduced vowel
_IPA_ROUND = ("u", "uː", "o", "oː", "oʊ", "əʊ", "w", "ʊ", "y", "yː", "ø", "øː", "ɔʏ")
# Mandarin finals (pypinyin's strict FINALS style) whose vowel is an open /a/ (not ian, üan: [ɛ])
PINYIN_OPEN_FINALS = {"a", "ai", "ao", "an", "ang", "ia", "iao", "iang", "ua", "uai", "uan", "uang"}


class RefPhone(NamedTuple):
    start: float
    end: float
    kind: str  # "bilabial" | "open" | "round" | ""


def classify_arpabet(label: str) -> str:
    base = re.sub(r"\d", "", label.upper())
    if base in _ARPA_BILABIAL:
        return "bilabial"
    if base in _ARPA_OPEN and (base != "AH" or label[-1:] in ("1", "2")):
        return "open"
    if base in _ARPA_ROUND:
        return "round"
    return ""


def classify_ipa(label: str) -> str:
    s = unicodedata.normalize("NFC", label).strip().replace("ˈ", "").replace("ˌ", "")
    s = s.replace("ʰ", "").replace("ʲ", "").replace("ː", "ː")
    # lowered / raised / centralised marks name the same vowel (espeak-ng's Japanese: ä, o̞)
    s = unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", s) if c not in "\u031e\u031d\u0308"))
    if s[:1] in ("p", "b", "m") and not s.startswith("mʲ_"):
        return "bilabial"
    if s in _IPA_OPEN or s.rstrip("ː") in _IPA_OPEN:
        return "open"
    if s in _IPA_ROUND or s.rstrip("ː") in _IPA_ROUND:
        return "round"
    return ""


def classify_romaji(label: str) -> str:
    """JSUT/HTS mono labels (Japanese): a is open; m, b, p close the lips; o, u, w round a little."""
    s = label.lower()
    return {"a": "open", "m": "bilabial", "b": "bilabial", "p": "bilabial", "o": "round", "w": "round"}.get(s, "")


def centre_gap_mm(expression: np.ndarray) -> np.ndarray:
    return (expression[:, 14, 1] - expression[:, 13, 1]) / MM


def mouth_width_mm(expression: np.ndarray) -> np.ndarray:
    return np.linalg.norm(expression[:, 291, :2] - expression[:, 61, :2], axis=1) / MM


def _frames(start: float, end: float, fps: float, n: int) -> slice:
    lo = int(np.floor((start - TOLERANCE_S) * fps))
    hi = int(np.ceil((end + TOLERANCE_S) * fps))
    return slice(max(lo, 0), min(max(hi, lo + 1), n))


def closure_fraction(refs: list[RefPhone], gap: np.ndarray, fps: float) -> float | None:
    bil = [r for r in refs if r.kind == "bilabial"]
    if not bil:
        return None
    return float(np.mean([gap[_frames(r.start, r.end, fps, len(gap))].min() < CLOSED_MM for r in bil]))


def closure_precision(refs: list[RefPhone], closures: list[tuple[float, float]]) -> tuple[int, int]:
    """(closure spans overlapping a reference bilabial +-TOLERANCE_S, all closure spans)."""
    bil = [r for r in refs if r.kind == "bilabial"]
    good = sum(any(a < r.end + TOLERANCE_S and b > r.start - TOLERANCE_S for r in bil) for a, b in closures)
    return good, len(closures)


def opening_fraction(refs: list[RefPhone], gap: np.ndarray, fps: float) -> float | None:
    opens = [r for r in refs if r.kind == "open" and r.end - r.start >= 0.04]
    if not opens:
        return None
    hits = [gap[_frames(r.start, r.end, fps, len(gap))].max() >= OPEN_MM for r in opens]
    return float(np.mean(hits))


def rounding_narrowing(refs: list[RefPhone], width: np.ndarray, fps: float) -> float | None:
    """Median mouth width on rounded vowels as a fraction of the take's median width (< 1: narrower)."""
    rounds = [r for r in refs if r.kind == "round" and r.end - r.start >= 0.04]
    if not rounds:
        return None
    mins = [width[int(r.start * fps):max(int(np.ceil(r.end * fps)), int(r.start * fps) + 1)].min() for r in rounds]
    return float(np.median(mins) / np.median(width))


def longest_still_loud(loud_voiced: np.ndarray, gap: np.ndarray, fps: float) -> float:
    """Longest run (s) of loud voiced frames with the lips closed or nearly closed."""
    still = loud_voiced & (gap < STILL_MM)
    if not still.any():
        return 0.0
    edges = np.flatnonzero(np.diff(np.r_[0, still.astype(np.int8), 0]))
    return float((edges[1::2] - edges[::2]).max() / fps)


def p95_gap(gap: np.ndarray) -> tuple[float, float]:
    """(mm, fraction of the outer-eye-corner distance) of the 95th-percentile inner-lip gap."""
    mm = float(np.percentile(gap, 95))
    return mm, mm * MM


def reference_alignment(x16: np.ndarray, text: str) -> list[tuple[float, float, str]] | None:
    """Plain one-pass pocketsphinx alignment (ARPAbet phones), independent of the package's aligner."""
    import re

    from pocketsphinx import Decoder

    words = [w.strip("'") for w in re.findall(r"[a-z']+", text.lower()) if w.strip("'")]
    d = Decoder(samprate=16000, dither=True, bestpath=False, loglevel="FATAL", beam=1e-80, wbeam=1e-60, pbeam=1e-80)
    for w in set(words):
        if d.lookup_word(w) is None:  # spelled letter by letter (its own table, not the package's guesser)
            d.add_word(w, " ".join(_SPELL[c] for c in w if c in _SPELL) or "AH0", False)
    pcm = (np.clip(x16, -1, 1) * 32767).astype("<i2").tobytes()
    d.set_align_text(" ".join(words))
    d.start_utt()
    d.process_raw(pcm, full_utt=True)
    d.end_utt()
    if d.hyp() is None or d.hyp().hypstr.split() != words:
        return None
    d.set_alignment()
    d.start_utt()
    d.process_raw(pcm, full_utt=True)
    d.end_utt()
    out = []
    for w in d.get_alignment():
        phones = [(p.start / 100, (p.start + p.duration) / 100, p.name) for p in w]
        out += phones
    return out


_SPELL = dict(zip("abcdefghijklmnopqrstuvwxyz",
                  "AE B K D EH F G HH IH JH K L M N AA P K R S T AH V W K Y Z".split()))
