"""Build audio/models/viseme_bigrams.json: which viseme class follows which, per language.

Phonotactics over visemes, for recognition without a script (audio/viseme_bigram,
viseme_decode): counts of span-level class changes (a run of one class is one span, so a class
never follows itself) in the sentences the recognizers are trained on (training/viseme_texts:
frequent words and pseudo-words built from each language's spelling), read by espeak-ng through
the product's own G2P and phone -> viseme mapping. Silence (SIL) opens and closes each sentence
and follows a word with clause punctuation. Never from benchmark clips or their scripts.

    PYTHONPATH=$PWD .venv/bin/python -m talkface_studio.training.viseme_bigrams   # ~15 s

The output is the same on every run (fixed seed per language) as long as espeak-ng reads the
same; tests/test_viseme_bigram.py rebuilds one language and compares.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import numpy as np

from talkface_studio.audio.g2p import g2p
from talkface_studio.audio.languages import primary
from talkface_studio.audio.viseme_bigram import DEFAULT_TABLE
from talkface_studio.audio.viseme_set import CLASS_INDEX, VISEME_CLASSES, phones_to_visemes
from talkface_studio.training.viseme_texts import LANGUAGE_TEXT, random_sentence

SENTENCES_PER_VOICE = 400
SEED = 20261202  # never a seed of the recognizers' training or of a held-out set


def sentence_classes(text: str, language: str) -> list[int]:
    """Class indices of one sentence as spans (repeats merged), SIL at both ends and at clause
    breaks."""
    sil = CLASS_INDEX["SIL"]
    out = [sil]
    for word in g2p(text, language):
        out += [CLASS_INDEX[c] for c in phones_to_visemes(word.phones)]
        if word.pause_after:
            out.append(sil)
    out.append(sil)
    return [c for i, c in enumerate(out) if i == 0 or c != out[i - 1]]


def count_voice(voice: str, n: int = SENTENCES_PER_VOICE) -> np.ndarray:
    """[K, K] counts of class changes prev -> next over `n` training sentences in `voice`."""
    k = len(VISEME_CLASSES)
    counts = np.zeros((k, k), np.int64)
    rng = np.random.default_rng(SEED + zlib.crc32(voice.encode()) % 1000)
    texts = [random_sentence(voice, rng) for _ in range(n)]
    for text in texts:
        seq = sentence_classes(text, voice)
        np.add.at(counts, (seq[:-1], seq[1:]), 1)
    return counts


def build() -> dict:
    """Counts per primary language (voices of one language pooled: en-us + en-gb, pt + pt-br)."""
    tables: dict[str, np.ndarray] = {}
    for voice in LANGUAGE_TEXT:
        lang = primary(voice)
        tables[lang] = tables.get(lang, 0) + count_voice(voice)
    return {"classes": list(VISEME_CLASSES), "sentences_per_voice": SENTENCES_PER_VOICE, "seed": SEED,
            "counts": {lang: c.tolist() for lang, c in sorted(tables.items())}}


def write(table: dict, path: Path = DEFAULT_TABLE) -> None:
    rows = ",\n".join(f'  "{lang}": {json.dumps(c, separators=(",", ":"))}' for lang, c in table["counts"].items())
    head = {k: v for k, v in table.items() if k != "counts"}
    text = json.dumps(head, separators=(", ", ": "))[:-1] + ', "counts": {\n' + rows + "\n}}\n"
    path.write_text(text)


if __name__ == "__main__":
    write(build())
    print(f"wrote {DEFAULT_TABLE} ({DEFAULT_TABLE.stat().st_size} bytes)")
