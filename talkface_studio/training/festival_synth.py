"""Speech from voices built out of human recordings (Festival), with exact phone timings.

espeak-ng is a formant synthesizer: its voices are rules, not people, and a recognizer that has
heard only them finds about half of the lip closures in real speech. Festival's diphone voices
(kal, ked: US English men; two Italian, three Czech, two Finnish) are cut from recordings of real
speakers and resynthesised with their own LPC residual, and its HTS voices (slt: a US English
woman from CMU ARCTIC; ona: a Catalan woman) are statistical models of one speaker's recordings,
so their glottal source, formant transitions and closures are a person's. The phone times are
Festival's own segment ends (what it synthesized), as exact as espeak-ng's events.

`synthesize(text, voice, stretch=1.0, f0_mean=None)` -> `Synthesis` (16 kHz samples, IPA phones,
the same type as espeak_synth). Festival runs as a subprocess per call (~0.3-0.8 s); voices that
are not installed are skipped by `available_voices()`, and training then uses espeak-ng alone.
The CMU ARCTIC voice "awb" is deliberately absent: a clip of awb is in the benchmark set. The
MEASURED_ONLY voices (Hindi, Marathi, Telugu, Russian) are never trained on: `synthesize` speaks
with them for bench_lipsync `--festvox`, `measured_only_voices()` lists those installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from .espeak_synth import SR, Synthesis, SynthError, TimedPhone, at_sr

VOICE_ROOT = Path("/usr/share/festival/voices")


# name -> (Festival voice function, voice folder, text language (viseme_texts), phone set, text encoding)
VOICES: dict[str, tuple[str, str, str, str, str]] = {
    "kal": ("voice_kal_diphone", "english/kal_diphone", "en-us", "radio", "latin-1"),
    "ked": ("voice_ked_diphone", "english/ked_diphone", "en-us", "radio", "latin-1"),
    "slt": ("voice_cmu_us_slt_arctic_hts", "us/cmu_us_slt_arctic_hts", "en-us", "radio", "latin-1"),
    "lp": ("voice_lp_diphone", "italian/lp_diphone", "it", "sampa", "latin-1"),
    "pc": ("voice_pc_diphone", "italian/pc_diphone", "it", "sampa", "latin-1"),
    "dita": ("voice_czech_dita", "czech/czech_dita", "cs", "czech", "iso-8859-2"),
    "machac": ("voice_czech_machac", "czech/czech_machac", "cs", "czech", "iso-8859-2"),
    "krb": ("voice_czech_krb", "czech/czech_krb", "cs", "czech", "iso-8859-2"),
    "lj": ("voice_suo_fi_lj_diphone", "finnish/suo_fi_lj_diphone", "fi", "finnish", "latin-1"),
    "mv": ("voice_hy_fi_mv_diphone", "finnish/hy_fi_mv_diphone", "fi", "finnish", "latin-1"),
    "ona": ("voice_upc_ca_ona_hts", "catalan/upc_ca_ona_hts", "es", "sampa", "latin-1"),
}
# Voices of real speakers that no recognizer is trained on, only measured (bench_lipsync.py --festvox):
# one speaker's diphones in Hindi, Marathi and Telugu (IIIT Hyderabad's NSK voices) and a Russian
# unit-selection voice (MSU). Not in VOICES, so recipe 3's training data stays as it was.
MEASURED_ONLY: dict[str, tuple[str, str, str, str, str]] = {
    "hi_nsk": ("voice_hindi_NSK_diphone", "hindi/hindi_NSK_diphone", "hi", "iiit", "utf-8"),
    "mr_nsk": ("voice_marathi_NSK_diphone", "marathi/marathi_NSK_diphone", "mr", "iiit", "utf-8"),
    "te_nsk": ("voice_telugu_NSK_diphone", "telugu/telugu_NSK_diphone", "te", "iiit", "utf-8"),
    "ru_nsh": ("voice_msu_ru_nsh_clunits", "russian/msu_ru_nsh_clunits", "ru", "msu_ru", "utf-8"),
}
# Diphone voices take a new pitch through their linear-regression intonation model.
_PITCHABLE = {"kal", "ked", "lp", "pc"}

_RADIO = {  # Festival's US English phone set (ARPAbet, lower case) -> IPA
    "aa": "ɑ", "ae": "æ", "ah": "ʌ", "ao": "ɔ", "aw": "aʊ", "ax": "ə", "axr": "ɚ", "ay": "aɪ", "b": "b",
    "ch": "tʃ", "d": "d", "dh": "ð", "eh": "ɛ", "er": "ɝ", "ey": "eɪ", "f": "f", "g": "ɡ", "hh": "h",
    "ih": "ɪ", "iy": "i", "jh": "dʒ", "k": "k", "l": "l", "m": "m", "n": "n", "ng": "ŋ", "ow": "oʊ",
    "oy": "ɔɪ", "p": "p", "r": "ɹ", "s": "s", "sh": "ʃ", "t": "t", "th": "θ", "uh": "ʊ", "uw": "u",
    "v": "v", "w": "w", "y": "j", "z": "z", "zh": "ʒ",
}
_SAMPA = {  # the SAMPA-like names of the Italian, Catalan, Czech and Finnish voices -> IPA
    "E": "ɛ", "O": "ɔ", "ax": "ə", "@": "ə", "S": "ʃ", "Z": "ʒ", "tS": "tʃ", "dZ": "dʒ", "ts": "ts",
    "dz": "dz", "L": "ʎ", "J": "ɲ", "nj": "ɲ", "N": "ŋ", "x": "x", "B": "β", "D": "ð", "G": "ɣ", "rr": "r",
    "gn": "ɲ", "gl": "ʎ", "sh": "ʃ", "ch": "x", "ng": "ŋ",
}
_CZECH = {"c": "ts", "c~": "tʃ", "s~": "ʃ", "z~": "ʒ", "r~": "r", "n*": "ɲ", "t*": "c", "d*": "ɟ", "dz~": "dʒ",
          "ch": "x", "h": "ɦ", "e~": "e", "n~": "ɲ", "t~": "c", "d~": "ɟ", "o_u": "ou", "a_u": "au", "e_u": "eu"}
_FINNISH = {"@": "æ", "7": "ø", "y": "y", "N": "ŋ"}
# IIIT's Indic phone set (hindi_scm/hindi_phones.scm; Marathi's and Telugu's are the same): "a" is
# the short inherent vowel, a schwa; "th"/"dh" the dental stops, "T"/"D" the retroflex ones.
_IIIT = {
    "a": "ə", "@": "ə", "aa": "aː", "ih": "ɪ", "iy": "iː", "uh": "ʊ", "uw": "uː", "eh": "e", "ee": "eː",
    "ay": "ɛː", "oh": "o", "oo": "oː", "aw": "ɔː", "ch": "tʃ", "T": "ʈ", "D": "ɖ", "N": "ɳ", "th": "t̪",
    "dh": "d̪", "y": "j", "v": "ʋ", "L": "ɭ", "R": "ɽ", "sh": "ʃ", "j": "dʒ", "h": "ɦ", "ksh": "kʃ",
    "kh": "kʰ", "gh": "ɡʰ", "td": "ʈ", "tth": "t̪ʰ", "ddh": "d̪ʰ", "bh": "bʰ", "zh": "ʒ",
}
# MSU's Russian phone set (msu_ru_nsh_phoneset.scm): a doubled consonant is the palatalised one; "a",
# "ae", "ay", "i", "e", "y", "u", "ur" are the reduced vowels of unstressed syllables.
_MSU_RU = {
    "ii": "i", "yy": "ɨ", "uu": "u", "ee": "e", "oo": "o", "aa": "a", "a": "ɐ", "ae": "ə", "ay": "ɪ",
    "e": "ɪ", "i": "ɪ", "y": "ɨ", "u": "ʊ", "ur": "ʊ", "c": "ts", "ch": "tɕ", "sh": "ʂ", "sch": "ɕː",
    "zh": "ʐ", "h": "x", "hh": "xʲ", "l": "ɫ", "j": "j",
}
_SILENCE = {"pau", "#", "h#", "_", "sil", "brth"}


def phone_ipa(name: str, phoneset: str) -> str:
    """A Festival segment name in a voice's phone set -> IPA (what viseme_set reads); '_' = pause."""
    base = re.sub(r"[0-9:]+$", "", name).rstrip(":")
    if name in _SILENCE or base in _SILENCE or not base:
        return "_"
    if phoneset == "radio":
        return _RADIO.get(base.lower(), base.lower())
    if phoneset == "msu_ru":
        if base in _MSU_RU:
            return _MSU_RU[base]
        double = len(base) == 2 and base[0] == base[1]
        return base[0] + "ʲ" if double else base
    if phoneset == "iiit":
        return _IIIT.get(base, base)
    table = {"czech": _CZECH, "finnish": _FINNISH}.get(phoneset, {})
    return table.get(base) or _SAMPA.get(base) or base


def festival_binary() -> str | None:
    return shutil.which("festival")


def _installed(voices: dict) -> tuple[str, ...]:
    """The names of `voices` installed here (Debian packages festival + festvox-*); () without Festival."""
    if festival_binary() is None:
        return ()
    return tuple(name for name, (_, folder, *_rest) in voices.items() if (VOICE_ROOT / folder).is_dir())


@lru_cache(maxsize=1)
def available_voices() -> tuple[str, ...]:
    """The training voices (VOICES) installed here."""
    return _installed(VOICES)


@lru_cache(maxsize=1)
def measured_only_voices() -> tuple[str, ...]:
    """The MEASURED_ONLY voices installed here."""
    return _installed(MEASURED_ONLY)


def _scheme_string(text: str) -> str:
    return '"' + text.replace("\\", " ").replace('"', " ") + '"'


def synthesize(text: str, voice: str = "kal", stretch: float = 1.0, f0_mean: float | None = None) -> Synthesis:
    """Speak `text` with a Festival voice; `stretch` > 1 speaks slower, `f0_mean` (Hz) moves the
    pitch of diphone voices. Raises SynthError when Festival or the voice is missing or fails."""
    if voice not in available_voices() + measured_only_voices():
        raise SynthError(f"Festival voice {voice!r} is not installed (apt-get install festival festvox-...)")
    func, _folder, _lang, phoneset, encoding = {**VOICES, **MEASURED_ONLY}[voice]
    lines = [f"({func})", f"(Parameter.set 'Duration_Stretch {stretch:.3f})"]
    if f0_mean is not None and voice in _PITCHABLE:
        lines.append(f"(set! int_lr_params '((target_f0_mean {f0_mean:.0f}) (target_f0_std {f0_mean * 0.15:.0f}) "
                     f"(model_f0_mean 170) (model_f0_std 34)))")
    with tempfile.TemporaryDirectory(prefix="festival-") as tmp:
        wav = Path(tmp) / "out.wav"
        lines += [f"(set! utt (SynthText {_scheme_string(text)}))",
                  f"(utt.save.wave utt \"{wav}\" 'riff)",
                  "(mapcar (lambda (s) (format t \"%s %f\\n\" (item.name s) (item.feat s \"end\"))) "
                  "(utt.relation.items utt 'Segment))"]
        script = Path(tmp) / "say.scm"
        script.write_bytes("\n".join(lines).encode(encoding, errors="ignore"))
        try:
            run = subprocess.run([festival_binary(), "-b", str(script)], capture_output=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SynthError(f"Festival failed ({exc})") from None
        if run.returncode != 0 or not wav.is_file():
            raise SynthError(f"Festival failed: {run.stderr.decode('latin-1').strip()[-200:]}")
        import soundfile as sf

        x, sr = sf.read(str(wav), dtype="float32")
    if x.ndim > 1:
        x = x.mean(axis=1)
    x = at_sr(x, sr)
    phones, start = [], 0.0
    for line in run.stdout.decode("latin-1").splitlines():
        parts = line.split()
        if len(parts) != 2:
            continue
        try:
            end = min(float(parts[1]), len(x) / SR)
        except ValueError:
            continue
        if end > start:
            phones.append(TimedPhone(start, end, phone_ipa(parts[0], phoneset)))
            start = end
    if not phones:
        raise SynthError("Festival gave no phone timings")
    if start < len(x) / SR:
        phones.append(TimedPhone(start, len(x) / SR, "_"))
    return Synthesis(x.astype(np.float32), phones, [])
