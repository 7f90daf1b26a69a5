"""Speech from MBROLA's diphone voices (real speakers' recorded diphones), with exact phone times.

MBROLA (Debian `mbrola` and `mbrola-*`, contrib / non-free) joins diphones cut from one speaker's
recordings: the transitions into and out of every closure, a nasal's murmur and a burst are that
speaker's own, which espeak-ng's formant rules only imitate. espeak-ng reads the text and writes
what MBROLA is to say (`--pho`: one phone per line, its duration in ms and pitch targets); MBROLA
renders exactly those durations, each stop's silent hold inside its own segment, so the phone times
are exact. MBROLA's phone names are SAMPA, read here into IPA (`sampa_to_ipa`); a sentence with a
name that reading does not know, or one that needs a diphone the voice lacks (MBROLA stops), is
not used.

Licences: each voice allows synthesis with the MBROLA program; the databases may not be sold or
built into a product that is sold. Only synthesized speech is used here, to train; no voice data is
committed or shipped.

`synthesize(text, voice, tempo=1.0, pitch=1.0)` -> `Synthesis` (16 kHz samples, IPA phones), or
SynthError.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import soundfile as sf

from .espeak_synth import SR, Synthesis, SynthError, TimedPhone, at_sr

DATABASES = Path("/usr/share/mbrola")
# espeak-ng voice (mb-XX) -> the viseme_texts language its sentences are drawn from. The "-en"
# voices are German, French, Dutch... speakers reading English through their own diphones.
VOICES: dict[str, str] = {
    **{f"mb-us{i}": "en-us" for i in (1, 2, 3)}, "mb-en1": "en-gb",
    **{f"mb-es{i}": "es" for i in (1, 2, 3, 4)}, "mb-mx1": "es", "mb-mx2": "es", "mb-vz1": "es",
    **{f"mb-de{i}": "de" for i in range(1, 9)},
    **{f"mb-fr{i}": "fr-fr" for i in range(1, 8)}, "mb-ca1": "fr-fr", "mb-ca2": "fr-fr",
    "mb-it3": "it", "mb-it4": "it",  # it1 and it2 name their phones in a capitals-only set of their own
    "mb-pt1": "pt", **{f"mb-br{i}": "pt-br" for i in (1, 2, 3, 4)},
    **{f"mb-nl{i}": "nl" for i in (1, 2, 3)}, "mb-pl1": "pl", "mb-sw1": "sv", "mb-sw2": "sv",
    "mb-cz1": "cs", "mb-cz2": "cs", "mb-tr1": "tr", "mb-tr2": "tr", "mb-hu1": "hu", "mb-ro1": "ro",
    "mb-gr1": "el", "mb-gr2": "el", "mb-id1": "id", **{f"mb-jp{i}": "ja" for i in (1, 2, 3)},
    **{v: "en-us" for v in ("mb-de1-en", "mb-de2-en", "mb-de4-en", "mb-de6-en", "mb-fr1-en", "mb-fr4-en",
                            "mb-nl2-en", "mb-pl1-en", "mb-ro1-en", "mb-sw1-en", "mb-sw2-en", "mb-hu1-en")},
}


# SAMPA as the MBROLA voices write it -> IPA. Multi-letter units first (longest match wins).
_SAMPA = {
    "tS": "tʃ", "dZ": "dʒ", "ts": "ts", "dz": "dz", "pf": "pf", "pF": "pf", "aI": "aɪ", "aU": "aʊ", "OY": "ɔʏ",
    "OI": "ɔɪ", "EI": "eɪ", "eI": "eɪ", "Ei": "ɛi", "Au": "ɑu", "@U": "əʊ", "9y": "œy", "oo": "o", "ee": "e",
    "rr": "r", "RR": "ʁ", "ss": "s", "jj": "j", "ng": "ŋ", "nf": "ɱ", "nh": "ɲ", "lh": "ʎ", "ny": "ɲ", "nY": "ɲ",
    "h\\": "ɦ",
    "a": "a", "A": "ɑ", "6": "ɐ", "{": "æ", "e": "e", "E": "ɛ", "@": "ə", "3": "ɜ", "i": "i", "I": "ɪ", "o": "o",
    "O": "ɔ", "Q": "ɒ", "u": "u", "U": "ʊ", "V": "ʌ", "y": "y", "Y": "ʏ", "2": "ø", "9": "œ", "1": "ɨ", "}": "ʉ",
    "&": "ɯ", "M": "ɯ", "p": "p", "b": "b", "t": "t", "d": "d", "k": "k", "g": "ɡ", "c": "c", "f": "f", "v": "v",
    "T": "θ", "D": "ð", "s": "s", "z": "z", "S": "ʃ", "Z": "ʒ", "x": "x", "X": "χ", "G": "ɣ", "C": "ç", "h": "h",
    "m": "m", "n": "n", "N": "ŋ", "J": "ɲ", "l": "l", "L": "ʎ", "5": "ɫ", "r": "r", "R": "ʁ", "4": "ɾ", "j": "j",
    "w": "w", "H": "ɥ", "?": "ʔ", "B": "β", "F": "ɱ", "P": "ʋ", "W": "ʍ", "K": "ɬ",
}
_VOWELS = set("aA6{eE@3iIoOQuUVyY219}&")
_MARKS = ":/*'=#^~_"  # length, stress and voice-specific variants, palatalization, nasality, aspiration


def sampa_to_ipa(name: str) -> str | None:
    """One MBROLA phone name -> IPA, or None when it is not SAMPA this reading knows.
    A nasal vowel written with its nasal ('em', 'an': Brazilian voices) is the vowel alone: the
    lips do not close on it. An aspirated stop ('ph', 't_h') is the stop."""
    base = "".join(ch for ch in name if ch not in _MARKS)
    if len(base) > 1 and base[-1].isdigit() and base[-2].isalpha():  # a voice's variant: 'E1', 'O2', 'r2'
        base = base[:-1]
    if len(base) == 2 and base[0] in _VOWELS and base[1] in "mn":
        base = base[0]
    elif len(base) == 2 and base[0] in "ptk" and base[1] == "h":
        base = base[0]
    base = base.lstrip("?") or base
    out, i = [], 0
    while i < len(base):
        unit = next((u for u in (base[i : i + 2], base[i]) if u in _SAMPA), None)
        if unit is None:
            return None
        out.append(_SAMPA[unit])
        i += len(unit)
    return "".join(out) or None


def _database(voice: str) -> Path:
    name = voice.removeprefix("mb-").split("-")[0]
    return DATABASES / name / name


@lru_cache(maxsize=1)
def available_voices() -> tuple[str, ...]:
    """The voices of VOICES whose MBROLA database is installed (and mbrola and espeak-ng with them)."""
    if not (shutil.which("mbrola") and shutil.which("espeak-ng")):
        return ()
    return tuple(v for v in VOICES if _database(v).exists())


def _pho(text: str, voice: str) -> list[tuple[str, int, str]]:
    """espeak-ng's phone list for MBROLA: (name, duration ms, pitch targets) per line."""
    out = subprocess.run(["espeak-ng", "-v", voice, "-q", "--pho", text], capture_output=True, text=True,
                         timeout=30)
    if out.returncode != 0:
        raise SynthError(f"espeak-ng could not read {text[:40]!r} for {voice}")
    lines = []
    for line in out.stdout.splitlines():
        parts = line.split(maxsplit=2)
        if len(parts) >= 2 and not line.startswith(";"):
            lines.append((parts[0], int(parts[1]), parts[2] if len(parts) > 2 else ""))
    return lines


def synthesize(text: str, voice: str, tempo: float = 1.0, pitch: float = 1.0) -> Synthesis:
    """Speak `text` with an MBROLA voice; tempo > 1 is slower (durations x tempo), pitch scales F0."""
    if voice not in available_voices():
        raise SynthError(f"MBROLA voice {voice} is not installed (Debian: mbrola-{voice[3:].split('-')[0]})")
    lines = _pho(text, voice)
    names = {n: sampa_to_ipa(n) for n, _, _ in lines if n != "_"}
    unknown = sorted(n for n, ipa in names.items() if ipa is None)
    if unknown:
        raise SynthError(f"{voice}: no IPA for MBROLA phone(s) {' '.join(unknown)}")
    with tempfile.TemporaryDirectory() as tmp:
        pho, wav = Path(tmp, "s.pho"), Path(tmp, "s.wav")
        pho.write_text("".join(f"{n} {max(1, round(d * tempo))} {p}\n" for n, d, p in lines), encoding="utf-8")
        run = subprocess.run(["mbrola", "-f", f"{pitch:.3f}", str(_database(voice)), str(pho), str(wav)],
                             capture_output=True, text=True, timeout=60)
        # a missing diphone stops MBROLA; a warning that it replaced one with silence is refused too
        if run.returncode != 0 or "unknown" in run.stderr or not wav.exists():
            raise SynthError(f"{voice}: MBROLA could not say {text[:40]!r} ({run.stderr.strip()[:80]})")
        x, rate = sf.read(str(wav), dtype="float32")
    x = at_sr(x, rate)
    phones, t = [], 0.0
    for name, dur, _ in lines:
        d = max(1, round(dur * tempo)) / 1000
        label = "_" if name == "_" else names[name]
        if phones and label == "_" and phones[-1].phone == "_":
            phones[-1] = TimedPhone(phones[-1].start, t + d, "_")
        else:
            phones.append(TimedPhone(t, t + d, label))
        t += d
    total = len(x) / SR
    phones = [TimedPhone(p.start, min(p.end, total), p.phone) for p in phones if p.start < total]
    return Synthesis(x, phones, [])
