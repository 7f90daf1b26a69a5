"""Aligned English words back in the script's own spelling, for the waveform's word row.

pocketsphinx places the dictionary's words: lower case, numbers written out, a hyphenated word
split in two ("1984" is "nineteen eighty four", "Well-known" is "well known"). The artist typed
the script, so the row shows their words: each written word (g2p.tokenize, as every other language
shows them) spans the dictionary words it became, from the first placed one to the last.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from .g2p import tokenize
from .phones import transcript_words

TimedText = tuple[float, float, str]  # start, end (any unit), text


def as_written(words: list[TimedText], script: str) -> list[TimedText]:
    """`words` (in time order; the dictionary's or already written) as the script writes them.
    A word that cannot be matched to the script keeps its own text."""
    written = [w for w, _, _ in tokenize(script, "en")]
    owner = _owners(written, script)
    out: list[TimedText] = []
    last_owner, k = None, 0
    for start, end, text in words:
        spoken = transcript_words(text) or [text.lower()]
        at = _find(owner[1], spoken[0], k)
        if at is None:
            out.append((start, end, text))
            last_owner = None
            continue
        k = at + len(spoken)
        who = owner[0][at]
        if who is not None and who == last_owner:  # the same written word's next dictionary word
            out[-1] = (out[-1][0], end, out[-1][2])
            continue
        out.append((start, end, written[who] if who is not None else text))
        last_owner = who
    return out


def _owners(written: list[str], script: str) -> tuple[list[int | None], list[str]]:
    """For each dictionary word of the script (phones.transcript_words), the index of the written
    word it comes from (None where the two readings disagree), and the dictionary words."""
    spoken = transcript_words(script)
    by_word = [(i, s) for i, w in enumerate(written) for s in transcript_words(w)]
    if [s for _, s in by_word] == spoken:
        return [i for i, _ in by_word], spoken
    # A number read across words ("1,000" never is; some other context might be): match what agrees.
    owner: list[int | None] = [None] * len(spoken)
    matcher = SequenceMatcher(None, spoken, [s for _, s in by_word], autojunk=False)
    for a, b, n in matcher.get_matching_blocks():
        for j in range(n):
            owner[a + j] = by_word[b + j][0]
    return owner, spoken


def _find(spoken: list[str], word: str, start: int, reach: int = 64) -> int | None:
    """The next dictionary word equal to `word` from `start` (words between may have fallen back)."""
    for i in range(start, min(len(spoken), start + reach)):
        if spoken[i] == word:
            return i
    return None
