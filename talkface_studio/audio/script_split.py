"""Split a script's words across the speech regions of a take, without an acoustic model.

Used when the whole script cannot be aligned in one pass, to give each piece of audio (speech
between two pauses) its own words. Like aeneas, it relies on timing, not recognition: each word is
expected to last in proportion to its phones at the take's own speaking rate (total speech time /
total phones), and a dynamic programme picks the monotone split whose pieces' expected durations
best match the regions' real durations, preferring splits at punctuation (where readers pause).
A split that is off by a word or two is repaired later by aligning neighbouring pieces together.
"""

from __future__ import annotations

import re

import numpy as np

from .phones import plain_english

PUNCT_BONUS = 0.6  # cost saved by a piece that ends at a comma, full stop, ...
_TOKEN = re.compile(r"[A-Za-z']+|\d|[.,;:!?\u2026\u2014]")
_TOKEN_OR_LINE = re.compile(r"[A-Za-z']+|\d|[.,;:!?\u2026\u2014\n]")
MAX_CLAUSE_WORDS = 12  # a longer clause is cut into parts of at most this many words


def punctuation_after(transcript: str, n_words: int, line_breaks: bool = False) -> np.ndarray:
    """bool [n_words]: the script has punctuation (or, with `line_breaks`, a line break) right after
    word i (a likely pause)."""
    out = np.zeros(n_words, dtype=bool)
    i = -1
    tokens = (_TOKEN_OR_LINE if line_breaks else _TOKEN).findall(plain_english(transcript))
    for tok in tokens:  # the words phones.transcript_words sees
        if tok[0].isalnum() or tok[0] == "'":
            if tok.strip("'"):
                i += 1
        elif 0 <= i < n_words:
            out[i] = True
    return out


def clauses(transcript: str, n_words: int, max_words: int = MAX_CLAUSE_WORDS) -> list[tuple[int, int]]:
    """Word ranges [lo, hi) covering the script in order, each a clause (ended by punctuation or a
    line break) or a part of one no longer than `max_words`: the units in which a script's lines may
    be missing from a recording (sphinx_align.place_heard_words)."""
    ends = punctuation_after(transcript, n_words, line_breaks=True)
    out, lo = [], 0
    for i in range(n_words):
        if ends[i] or i + 1 - lo >= max_words or i == n_words - 1:
            out.append((lo, i + 1))
            lo = i + 1
    return out


def split_words(phone_counts, durations, punct_after=None) -> list[tuple[int, int]]:
    """Word ranges [lo, hi) per region (possibly empty), in order, covering every word.

    phone_counts [W]: phones per word; durations [K]: seconds of speech per region.
    """
    counts = np.asarray(phone_counts, dtype=float)
    d = np.asarray(durations, dtype=float)
    w, k = len(counts), len(d)
    if k == 0:
        return []
    if k == 1 or w == 0:
        return [(0, w)] + [(w, w)] * (k - 1)
    per_phone = d.sum() / max(counts.sum(), 1.0)
    expected = np.r_[0.0, np.cumsum(counts * per_phone)]  # E of words [a, b) = expected[b] - expected[a]
    bonus = np.r_[0.0, PUNCT_BONUS * np.asarray(punct_after if punct_after is not None else np.zeros(w), float)]
    bonus[-1] = 0.0  # the last word ends the last piece in any case
    a = np.arange(w + 1)[:, None]
    b = np.arange(w + 1)[None, :]
    span = expected[b] - expected[a]  # [a, b]
    valid = b >= a
    cost = np.full(w + 1, np.inf)
    cost[0] = 0.0
    back = np.zeros((k, w + 1), dtype=np.int64)
    for r in range(k):
        piece = ((span - d[r]) / (0.1 + 0.25 * np.maximum(span, d[r]))) ** 2 - bonus[b] * (b > a)
        total = np.where(valid, cost[:, None] + piece, np.inf)
        if r == k - 1:
            total[:, :w] = np.inf  # the last region ends at the last word
        back[r] = np.argmin(total, axis=0)
        cost = total[back[r], np.arange(w + 1)]
    ranges, hi = [], w
    for r in range(k - 1, -1, -1):
        lo = int(back[r, hi])
        ranges.append((lo, hi))
        hi = lo
    return ranges[::-1]
