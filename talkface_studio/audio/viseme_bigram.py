"""Viseme phonotactics: how likely each class is to follow another, per language.

A language allows only some sequences of sounds: a lip closure is followed by a vowel or a
release, seldom by another closure; two vowels in a row are rare outside diphthongs. Phone
recognizers gain from such a bigram, and the viseme decoder (viseme_decode) can use one when it
recognizes without a script: a class change prev -> next is scored by `switch_bonus`, the
log-ratio of P(next | prev) to the uniform 1 / (K - 1) that the decoder's flat SWITCH_PENALTY
assumes; the penalty stays the price of a change as such.

The counts (models/viseme_bigrams.json) are span-level class changes in the recognizers'
training sentences read by espeak-ng (training/viseme_bigrams builds them). A language's table
is interpolated with the table pooled over all languages (`POOL_COUNTS` pseudo-counts per row),
which also stands in for a language without its own.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from .languages import primary
from .viseme_set import VISEME_CLASSES

DEFAULT_TABLE = Path(__file__).resolve().parent / "models" / "viseme_bigrams.json"
POOL_COUNTS = 50.0  # a language's row is interpolated with the pooled row as if seen this often


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
