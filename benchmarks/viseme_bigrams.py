"""Viseme phonotactics for the decoder without a script: an experiment that is NOT on the product
path (measured and not shipped, README "Phonotactics in the decoder: tried and not shipped";
benchmarks/bench_viseme_bigram.py and `bench_lipsync.py --bigram-weight W` reproduce the figures).

A language allows only some sequences of sounds: a lip closure is followed by a vowel or a
release, seldom by another closure; two vowels in a row are rare outside diphthongs. Phone
recognizers gain from such a bigram. Here a class change prev -> next is priced by `switch_costs`:
the decoder's flat SWITCH_PENALTY plus a weight times `switch_bonus`, the log-ratio of
P(next | prev) to the uniform 1 / (K - 1) the flat penalty assumes, passed to
viseme_decode.decode(switch_costs=...). `free_recognition_with` makes the product's recognition
without a script (viseme_phones.free_recognition) decode that way for a while.

The counts (data/viseme_bigrams.json, 15 kB, 18 languages) are span-level class changes (a run of
one class is one span, so a class never follows itself) in 400 of the recognizers' training
sentences per voice (training/viseme_texts) read by espeak-ng through the product's G2P and phone
-> viseme mapping; silence (SIL) opens and closes each sentence and follows a word with clause
punctuation. Never from benchmark clips or their scripts. A language's table is interpolated with
the table pooled over all languages (`POOL_COUNTS` pseudo-counts per row), which also stands in for
a language without its own. Rebuild (the same on every run while espeak-ng reads the same):

    PYTHONPATH=$PWD .venv/bin/python benchmarks/viseme_bigrams.py   # ~2.5 min
"""

from __future__ import annotations

import json
import zlib
from contextlib import contextmanager
from functools import lru_cache, partial
from pathlib import Path

import numpy as np

from talkface_studio.audio.languages import primary
from talkface_studio.audio.viseme_decode import SWITCH_PENALTY
from talkface_studio.audio.viseme_set import CLASS_INDEX, VISEME_CLASSES

DEFAULT_TABLE = Path(__file__).resolve().parent / "data" / "viseme_bigrams.json"
POOL_COUNTS = 50.0  # a language's row is interpolated with the pooled row as if seen this often
SENTENCES_PER_VOICE = 400
SEED = 20261202  # never a seed of the recognizers' training or of a held-out set


# --- the tables --------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _counts(path: Path = DEFAULT_TABLE) -> dict[str, np.ndarray]:
    data = json.loads(Path(path).read_text())
    if tuple(data["classes"]) != VISEME_CLASSES:
        raise ValueError(f"{path}: classes {data['classes']} are not the recognizer's {VISEME_CLASSES}")
    return {lang: np.asarray(c, np.float64) for lang, c in data["counts"].items()}


def _rows(counts: np.ndarray, prior: np.ndarray | None, prior_counts: float) -> np.ndarray:
    """P(next | prev) with next != prev: counts + `prior_counts` x prior (add-one without one)."""
    off = ~np.eye(len(counts), dtype=bool)
    extra = prior * prior_counts if prior is not None else off.astype(np.float64)
    p = np.where(off, counts + extra, 0.0)
    return p / p.sum(axis=1, keepdims=True)


@lru_cache(maxsize=64)
def transition_probs(language: str | None, path: Path = DEFAULT_TABLE) -> np.ndarray:
    """[K, K] P(next | prev) for `language` (a BCP-47 tag; its primary language's table, the
    pooled one where it has none), zero on the diagonal."""
    counts = _counts(path)
    pooled = _rows(sum(counts.values()), None, 0.0)
    own = counts.get(primary(language)) if language else None
    return pooled if own is None else _rows(own, pooled, POOL_COUNTS)


@lru_cache(maxsize=64)
def switch_bonus(language: str | None, path: Path = DEFAULT_TABLE) -> np.ndarray:
    """[K, K] float32: log((K - 1) P(next | prev)), the log-ratio of the language's bigram to the
    uniform one a flat switch penalty assumes (a change as likely as 1 in K - 1 gets 0, a common one
    a bonus, a rare one a penalty); -inf on the diagonal (a class does not follow itself)."""
    p = transition_probs(language, path)
    off = ~np.eye(len(p), dtype=bool)
    ratio = np.log(np.where(off, p, 1.0) * (len(p) - 1))
    return np.where(off, ratio, -np.inf).astype(np.float32)


def switch_costs(language: str | None, weight: float) -> np.ndarray | None:
    """[K, K] for viseme_decode.decode: SWITCH_PENALTY + `weight` x switch_bonus(language); None
    (the flat penalty, the product's decoder bit for bit) where there is no language or weight 0."""
    if language is None or weight == 0:
        return None
    return (SWITCH_PENALTY + np.float32(weight) * switch_bonus(language)).astype(np.float32)


# --- the product's free recognition with them ----------------------------------------------------

@contextmanager
def free_recognition_with(costs: np.ndarray | None):
    """Within the block, recognition without a script (viseme_phones.free_recognition: a take
    without a script, or one whose script could not be used at all) decodes with `costs`. Script
    alignment, its low-confidence stretches and viseme_align's speech runs keep the flat penalty:
    only the `decode` free_recognition looks up is swapped, and only while it runs."""
    from talkface_studio.audio import viseme_phones

    if costs is None:
        yield
        return
    original, flat = viseme_phones.free_recognition, viseme_phones.decode

    def free_recognition(*args, **kwargs):
        viseme_phones.decode = partial(flat, switch_costs=costs)
        try:
            return original(*args, **kwargs)
        finally:
            viseme_phones.decode = flat

    viseme_phones.free_recognition = free_recognition
    try:
        yield
    finally:
        viseme_phones.free_recognition = original


# --- building the tables -------------------------------------------------------------------------

def sentence_classes(text: str, language: str) -> list[int]:
    """Class indices of one sentence as spans (repeats merged), SIL at both ends and at clause
    breaks."""
    from talkface_studio.audio.g2p import g2p
    from talkface_studio.audio.viseme_set import phones_to_visemes

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
    from talkface_studio.training.viseme_texts import random_sentence

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
    from talkface_studio.training.viseme_texts import LANGUAGE_TEXT

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
