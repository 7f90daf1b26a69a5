"""Real speech with scripts: the Asterisk telephone system's voice prompts (an experiment's data,
benchmarks/real_speech_finetune.py; not used by the package).

Debian ships the Asterisk project's voice prompts as recordings of real speakers with their
transcripts: Allison Smith in US English and Mexican Spanish, and a Russian speaker ("IvrvoiceRU"),
about 80 minutes in all, 16 kHz wideband G.722 (packages asterisk-core-sounds-{en,es,ru} for the
transcripts and -{en,es,ru}-g722 for the audio; 12-16 MB each, not in the Makefile: only this
experiment needs them). They are the only real speech with scripts found installable here. The French and Italian core prompts
are left out on purpose: their speakers are in the benchmarks (../shared/speech).

The prompts have no phone times; real_speech_finetune labels them the way a user's take with a
script is labelled (the package's viseme aligner).
"""

from __future__ import annotations

import gzip
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from talkface_studio.training.espeak_synth import SR, SynthError

SOUNDS = Path("/usr/share/asterisk/sounds")
DOCS = Path("/usr/share/doc")
# language code (g2p) -> (folder of the recordings, transcript package)
SPEAKERS = {
    "en": ("en_US_f_Allison", "asterisk-core-sounds-en"),
    "es": ("es_MX_f_Allison", "asterisk-core-sounds-es"),
    "ru": ("ru_RU_f_IvrvoiceRU", "asterisk-core-sounds-ru"),
}
PACKAGES = tuple(p for _, pkg in SPEAKERS.values() for p in (pkg, pkg + "-g722"))
SKIPPED_FOLDERS = ("letters/", "silence/")  # a single letter's name or no speech at all


@dataclass(frozen=True)
class Prompt:
    name: str  # e.g. "en/agent-pass"
    language: str
    text: str
    path: Path


def missing_packages(docs: Path = DOCS, sounds: Path = SOUNDS) -> list[str]:
    """The Debian packages of SPEAKERS that are not installed here."""
    out = []
    for lang, (folder, pkg) in SPEAKERS.items():
        if not (docs / pkg / f"core-sounds-{lang}.txt.gz").is_file():
            out.append(pkg)
        if not (sounds / folder).is_dir():
            out.append(pkg + "-g722")
    return out


def prompts(docs: Path = DOCS, sounds: Path = SOUNDS) -> list[Prompt]:
    """Every prompt with a spoken transcript, in a fixed order."""
    missing = missing_packages(docs, sounds)
    if missing:
        raise SynthError(f"real-speech training needs the Debian packages {', '.join(missing)} "
                         "(apt-get install them to run this experiment)")
    out = []
    for lang, (folder, pkg) in SPEAKERS.items():
        text = gzip.open(docs / pkg / f"core-sounds-{lang}.txt.gz", "rt", encoding="utf-8", errors="replace").read()
        for line in text.splitlines():
            name, sep, said = line.partition(":")
            name, said = name.strip(), said.strip()
            if not sep or not said or line.startswith(";") or name.startswith(SKIPPED_FOLDERS):
                continue
            if "[" in said or said.startswith("("):  # [tones], (silence): not speech
                continue
            path = sounds / folder / f"{name}.g722"
            if path.is_file():
                out.append(Prompt(f"{lang}/{name}", lang, said, path))
    return out


def decode(path: Path) -> np.ndarray:
    """A G.722 prompt -> float32 mono samples at SR (16 kHz), through ffmpeg."""
    import imageio_ffmpeg

    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "g722", "-i", str(path),
           "-ar", str(SR), "-ac", "1", "-f", "s16le", "-"]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.int16).astype(np.float32) / 32768.0
