"""Real speech with scripts, many speakers: KDE KLettres' recordings of letters and syllables (an
experiment's data, benchmarks/real_speech_finetune.py `--source klettres`; not used by the package).

Debian's `klettres-data` (GPL-2+, ~40 MB, not in the Makefile: only this experiment needs it) holds,
per language, one recording session (the speakers are not named) of isolated letter names and one
of syllables or short words ("B", "ba", "pet", "Bär"), Ogg Vorbis at 44.1 kHz mostly, named in
each language's sounds.xml. Only the
languages the product read when the experiment ran are used: cs, da, de, en (en-US), en_GB, es, fr,
hu, it, lt, nb, nl, pt_BR, ru, uk. bench_lipsync.py `--klettres` measures lip sync on these and on
the Arabic, Hebrew and Malayalam recordings (MEASURED_ONLY), which nothing is trained on.

The recordings have no phone times; real_speech_finetune labels each the way a user's take with a
script is labelled (the package's viseme aligner, the name as the script) and joins a speaker's
syllables into longer clips so that a training window holds more than one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from asterisk_prompts import Prompt
from talkface_studio.audio.viseme_features import HOP, frame_level_db
from talkface_studio.audio.viseme_set import CLASS_INDEX, VOWEL_CLASSES
from talkface_studio.training.espeak_synth import SR, SynthError

ROOT = Path("/usr/share/klettres")
PACKAGE = "klettres-data"
# KLettres folder -> the product's language code
LANGUAGES = {"cs": "cs", "da": "da", "de": "de", "en": "en-US", "en_GB": "en-GB", "es": "es", "fr": "fr",
             "hu": "hu", "it": "it", "lt": "lt", "nb": "nb", "nl": "nl", "pt_BR": "pt-BR", "ru": "ru", "uk": "uk"}
# A "syllable" with no vowel letter is a sound taught alone (English "ch", "th", Spanish "ll"): its
# name would be read as letter names, which the speaker did not say.
# Languages the product has read since that experiment (2026-12-06): their recordings are only measured
# (bench_lipsync.py --klettres), never trained on, so the experiment's data stays as it was.
MEASURED_ONLY = {"ar": "ar", "he": "he", "ml": "ml"}
VOWEL_LETTERS = set("aeiouyáàâãäåæéèêëíìîïóòôõöőøúùûüűůě" "аеёиоуыэюяіїє")
MARGIN_S = 0.3  # kept around the speech when a recording is read (most hold a second or more of room noise)
LABEL_REACH_S = 0.1  # how far labels may reach past the speech: a stop's silent hold, a breath
VOWELS = np.array(sorted(CLASS_INDEX[c] for c in VOWEL_CLASSES))


def prompts(root: Path = ROOT, languages: dict[str, str] = LANGUAGES) -> list[Prompt]:
    """Every recording of `languages` (KLettres folder -> language code), named "FOLDER/SECTION/NAME",
    in a fixed order."""
    if not any((root / folder / "sounds.xml").is_file() for folder in languages):
        raise SynthError(f"this experiment needs the Debian package {PACKAGE} (apt-get install it to run it)")
    out = []
    for folder, language in languages.items():
        xml = root / folder / "sounds.xml"
        if not xml.is_file():
            continue
        for section in ET.parse(xml).getroot().iter():
            if section.tag not in ("alphabet", "syllables"):
                continue
            for sound in section.iter("sound"):
                name, path = sound.get("name", "").strip(), root / sound.get("file", "")
                if not name or not path.is_file():
                    continue
                if (section.tag == "syllables" and folder in LANGUAGES and len(name) > 1
                        and not VOWEL_LETTERS & set(name.lower())):
                    continue
                out.append(Prompt(f"{folder}/{section.tag}/{name}", language, name, path))
    return out


def speech_frames(level_db: np.ndarray) -> np.ndarray:
    """Frames [T] of the recording's speech: within 30 dB of its loudest frame and 10 dB above its
    room noise (the 10th percentile; some recordings hiss 25 dB below the voice)."""
    return level_db > max(level_db.max() - 30, np.percentile(level_db, 10) + 10)


def decode(path: Path) -> np.ndarray:
    """A recording -> float32 mono samples at SR (16 kHz), as the package reads a take, cut to its
    speech and MARGIN_S either side."""
    from talkface_studio.audio.loading import load_audio

    x = load_audio(path).mono(SR)
    speech = np.flatnonzero(speech_frames(frame_level_db(x)))
    if not len(speech):  # no louder stretch at all: left whole, plausible() turns it down
        return x
    margin = int(MARGIN_S * SR)
    return x[max(speech[0] * HOP - margin, 0) : speech[-1] * HOP + margin]


def plausible(x: np.ndarray, labels: np.ndarray) -> np.ndarray | None:
    """The aligner's frame labels [T] of one recording, silenced more than LABEL_REACH_S outside its
    speech; None where they cannot be right: its loudest frame is not a vowel (the aligner placed
    French "pu" with the p held over the vowel) or the labels leave a fifth of the speech silent."""
    level = frame_level_db(x)
    speech = speech_frames(level)
    if not speech.any():
        return None
    first, last = np.flatnonzero(speech)[[0, -1]]
    reach = int(round(LABEL_REACH_S * SR / HOP))
    out = labels.copy()
    out[: max(first - reach, 0)] = CLASS_INDEX["SIL"]
    out[last + reach + 1 :] = CLASS_INDEX["SIL"]
    if out[int(np.argmax(level))] not in VOWELS or np.mean(out[speech] == CLASS_INDEX["SIL"]) > 0.2:
        return None
    return out
