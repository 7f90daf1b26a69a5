"""Phone -> mouth-shape table (visemes) with per-phone dominance for coarticulation.

Targets are mouth channel values (jaw_open, mouth_wide, mouth_round, lip_press, lip_tuck) for a
phone spoken at normal loudness. Jaw targets are set so that, after coarticulation averages them
with their neighbours, conversational vowels part the inner lips by ~6-12 mm (jaw_open 1.0 is
~19 mm): lower values looked mumbled on rendered portraits. `dominance` says how strongly a phone holds its own shape against
its neighbours (Cohen & Massaro 1993): bilabials and vowels are strong, alveolars and velars are
weak (the lips and jaw are free to anticipate the next vowel, e.g. the rounded lips in "two").
"""

from __future__ import annotations

from dataclasses import dataclass

MOUTH_CHANNELS = ("jaw_open", "mouth_wide", "mouth_round", "lip_press", "lip_tuck")

# The mouth at rest in silence: relaxed, lips lightly together.
REST = (0.0, 0.0, 0.0, 0.25, 0.0)


@dataclass(frozen=True)
class Viseme:
    target: tuple[float, float, float, float, float]  # in MOUTH_CHANNELS order
    jaw_dominance: float  # dominance for jaw_open
    lip_dominance: float  # dominance for lip contact: lip_press, lip_tuck
    open_vowel: bool = False  # the jaw opening follows how strongly it is spoken, fully
    shape_dominance: float | None = None  # for mouth_wide / mouth_round; None = lip_dominance
    vowel: bool = False  # keeps its own peak through coarticulation; opens more when stressed

    @property
    def dominance(self) -> tuple[float, float, float, float, float]:
        shape = self.lip_dominance if self.shape_dominance is None else self.shape_dominance
        return (self.jaw_dominance, shape, shape, self.lip_dominance, self.lip_dominance)


def _v(jaw, wide=0.0, rnd=0.0, press=0.0, tuck=0.0, dj=1.0, dl=0.8, ds=None, open_vowel=False,
       vowel=False) -> Viseme:
    return Viseme((jaw, wide, rnd, press, tuck), dj, dl, open_vowel, ds, vowel)


_VOWEL = dict(dj=1.0, dl=0.8, ds=1.0, vowel=True)
# Lip contact (press, tuck) does not fix the lip shape: "boo" and "few" keep the vowel's rounding.
_CONTACT = dict(dl=1.0, ds=0.35)
VISEMES: dict[str, Viseme] = {
    "SIL": Viseme(REST, 0.7, 0.7, shape_dominance=0.5),
    # open vowels: the jaw opens in proportion to loudness
    "AA": _v(0.80, 0.10, open_vowel=True, **_VOWEL),
    "AE": _v(0.68, 0.35, open_vowel=True, **_VOWEL),
    "AH": _v(0.60, 0.10, open_vowel=True, **_VOWEL),
    "AO": _v(0.68, 0.00, 0.40, open_vowel=True, **_VOWEL),
    "EH": _v(0.48, 0.35, **_VOWEL),
    "ER": _v(0.30, 0.00, 0.35, **_VOWEL),
    "IH": _v(0.32, 0.45, **_VOWEL),
    "IY": _v(0.18, 0.65, **_VOWEL),
    "UH": _v(0.30, 0.00, 0.50, **_VOWEL),
    "UW": _v(0.18, 0.00, 0.85, **_VOWEL),
    # consonants
    "P": _v(0.04, press=1.0, dj=0.9, **_CONTACT),
    "B": _v(0.04, press=1.0, dj=0.9, **_CONTACT),
    "M": _v(0.04, press=1.0, dj=0.9, **_CONTACT),
    "F": _v(0.10, 0.10, tuck=0.9, dj=0.8, **_CONTACT),
    "V": _v(0.10, 0.10, tuck=0.9, dj=0.8, **_CONTACT),
    "W": _v(0.08, 0.00, 0.90, dj=0.6, dl=1.0),
    "TH": _v(0.20, 0.15, dj=0.6, dl=0.4),
    "DH": _v(0.20, 0.15, dj=0.6, dl=0.4),
    "S": _v(0.05, 0.35, dj=0.8, dl=0.5, ds=0.3),
    "Z": _v(0.05, 0.35, dj=0.8, dl=0.5, ds=0.3),
    "SH": _v(0.08, 0.00, 0.50, dj=0.7, dl=0.8),
    "ZH": _v(0.08, 0.00, 0.50, dj=0.7, dl=0.8),
    "CH": _v(0.08, 0.00, 0.50, dj=0.7, dl=0.8),
    "JH": _v(0.08, 0.00, 0.50, dj=0.7, dl=0.8),
    "R": _v(0.20, 0.00, 0.35, dj=0.5, dl=0.6),
    "Y": _v(0.16, 0.40, dj=0.5, dl=0.5),
    "T": _v(0.20, 0.15, dj=0.45, dl=0.25),
    "D": _v(0.20, 0.15, dj=0.45, dl=0.25),
    "N": _v(0.18, 0.15, dj=0.45, dl=0.25),
    "L": _v(0.26, 0.10, dj=0.45, dl=0.25),
    "K": _v(0.26, 0.05, dj=0.4, dl=0.2),
    "G": _v(0.26, 0.05, dj=0.4, dl=0.2),
    "NG": _v(0.20, 0.05, dj=0.4, dl=0.2),
    "HH": _v(0.38, 0.05, dj=0.2, dl=0.1),
}

# Diphthongs glide between two vowel shapes: the first half takes the first, the second the other.
DIPHTHONGS: dict[str, tuple[str, str]] = {
    "AW": ("AA", "UW"),
    "AY": ("AA", "IY"),
    "EY": ("EH", "IY"),
    "OY": ("AO", "IY"),
    "OW": ("AO", "UW"),
}

BILABIALS = frozenset({"P", "B", "M"})
LABIODENTALS = frozenset({"F", "V"})
# Unknown labels (other phone sets, noise markers) fall back to a neutral mid-open shape.
UNKNOWN = _v(0.2, dj=0.3, dl=0.2)


def normalize_phone(label: str) -> str:
    """'AH0' -> 'AH', 'sil'/'' -> 'SIL' (ARPAbet without stress digits)."""
    p = label.strip().upper().rstrip("012")
    return "SIL" if p in ("", "SIL", "SP", "SPN", "<SIL>", "NSN", "+NSN+", "+SPN+") else p
