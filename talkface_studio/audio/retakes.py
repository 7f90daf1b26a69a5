"""A line said again in an English take whose script has it once: a retake in the same file, or
the actor stopping and starting the line over. Aligned with the line's own words, and reported.

The script aligner puts each script line on one reading; the other reading has no script words
and was recognized without the script (reported as sound that matches no words of the script),
which misses about one p/b/m in five on real voices. Such a stretch is tried as a reading of the
line before it, of the rest of that line, of the line after it, and of that line's beginnings
that last about as long (a false start); words whose reading elsewhere lasts far longer or
shorter than the stretch are not tried. Aligned alone with those words, it is a reading where it
holds no more than the words (piecewise.check, no phone held over speech) and the words score as
said words do (wrong_words.word_costs): each within the wrong-word limit, or on average close to
the same words aligned alone over their other reading, and never on average far worse than there.
An ad-lib or a line the script lacks fails it.
"""

from __future__ import annotations

import numpy as np

from .alignment_report import FALLBACK_PATHS, SAID_AGAIN, TimedStretch
from .phones import PhoneError, transcript_words
from .speech_regions import frame_levels, speech_mask
from .sphinx_align import Alignment, TimedWord, align_words
from .wrong_words import HELD_SPEECH_S, lay_over, splice, word_costs

SR = 16_000
RETAKE_MIN_S = 0.5  # speech in a stretch with no script words worth trying as a reading of a line
PAD_S = 0.06  # audio kept either side of the speech aligned as a reading
# speech the alignment leaves to silence before and after the line: the stretch's edges are cut in
# pauses, where a breath or a word's quiet tail reads as speech
EDGE_SPEECH_S = 0.3
# a reading whose words score worse than the limit is still one where they score on average
# within this of the same words' other reading (nats a frame; a line of other words: ~5 worse)
RETAKE_MARGIN = 1.0
# words each within the wrong-word limit that score on average this much worse than their other
# reading are a short line of other words ("mary rolled the barrel" as "bobby ripped the ledger": 4.6)
OTHER_WORDS_MARGIN = 2.5
PACE_RATIO = 1.5  # a reading lasts within this ratio of the same words' other reading
FALSE_START_RATIO = 1.4  # a beginning of a line tried as a false start lasts within this ratio of its reading


def with_retakes(x16: np.ndarray, transcript: str, phones, stretches: list[TimedStretch], words: list[TimedWord],
                 limit: float, check) -> tuple[list, list[TimedStretch]]:
    """Phones and stretches with each stretch of speech that has no script words (recognized) and
    is a reading of the line before or after it (see the module) aligned with that line's words
    and reported as said again. `words`: the script words aligned elsewhere, in order;
    `check(alignment, speech)`: why an alignment contradicts the audio (`speech`: bool per 10 ms of
    the take), or None."""
    lines, wordless = _line_words(transcript), _wordless(stretches, words)
    if not lines or not wordless:
        return phones, stretches
    speech = speech_mask(frame_levels(x16))
    at = _place_of_aligned(words, lines)
    for start, end in wordless:
        if speech[_frame(start):_frame(end)].sum() < RETAKE_MIN_S * 100:
            continue
        first, last = _speech_bounds(speech, start, end)
        seconds = last - first
        before = [at[i] for i, w in enumerate(words) if w.end <= start + 0.05]
        after = [at[i] for i, w in enumerate(words) if w.start >= end - 0.05]
        candidates = []  # (line, first word, end word): the line before, and the rest of it; the line after, and its start
        if before:
            k, i = before[-1]
            candidates += [(k, 0, len(lines[k])), (k, i + 1, len(lines[k]))]
        if after:
            k, i = after[0]
            candidates += [(k, 0, len(lines[k])), (k, 0, i)] + _false_starts(words, at, k, seconds)
        candidates = [c for c in dict.fromkeys(candidates) if c[2] > c[1]]
        best: tuple[float, Alignment, str] | None = None
        for k, i, j in candidates:
            other = _aligned_span(words, at, k, i, j)
            if other is not None and not _within(seconds / (other[1] - other[0]), PACE_RATIO):
                continue  # far longer or shorter than the words' other reading: not aligned at all
            al = _reading(x16, lines[k][i:j], start, end, speech, check)
            if al is None or not _scores_as_said(x16, al, other, speech, limit, check):
                continue
            if best is None or al[0] < best[0]:
                best = (al[0], al[1], " ".join(lines[k][i:j]))
        if best is None:
            continue
        _, al, said = best
        phones = splice(phones, al.phones, start, end)
        stretches = lay_over(stretches, TimedStretch(start, end, "piecewise", SAID_AGAIN, said), words)
    return sorted(phones, key=lambda p: p.start), stretches


def _reading(x16, line: list[str], start: float, end: float, speech, check) -> tuple[float, Alignment] | None:
    """(mean word cost, alignment) of `line` aligned alone over [start, end) s, where the audio holds
    no more than the line (check), else None."""
    bounds = _speech_bounds(speech, start, end)
    if bounds is None:
        return None
    start, end = max(start, bounds[0] - PAD_S), min(end, bounds[1] + PAD_S)
    for filler in (False, True):  # as a piece: first no silence between the words (a pause would not hold them)
        try:
            al = align_words(x16[int(round(start * SR)):int(round(end * SR))], line, filler=filler, offset=start)
        except PhoneError:
            continue
        inner = [p for p in al.phones if p.phone != "SIL" or al.words[0].start <= p.start < al.words[-1].end]
        edges = [p for p in al.phones if p not in inner]
        if sum(speech[_frame(p.start):_frame(p.end)].sum() for p in edges) > EDGE_SPEECH_S * 100:
            continue  # more speech than the line: not a reading of it alone
        held = any(p.phone != "SIL" and speech[_frame(p.start):_frame(p.end)].sum() > HELD_SPEECH_S * 100
                   for p in al.phones)  # a phone held over speech: the words are too few for it
        if not held and check(Alignment(inner, al.words, al.score), speech) is None:
            return float(np.mean(word_costs(al.words))), al
    return None


def _scores_as_said(x16, reading: tuple[float, Alignment], other: tuple[float, float] | None, speech,
                    limit: float, check) -> bool:
    """Whether `reading`'s words score as words that were said: each within the wrong-word limit,
    or on average within `RETAKE_MARGIN` of the same words aligned alone over their other reading
    (`other`, its span in s: a stretch aligned alone scores worse than inside the whole take, and a
    voice far from pocketsphinx's training worse everywhere); and, where they have another reading,
    on average within `OTHER_WORDS_MARGIN` of it."""
    cost, al = reading
    within_limit = max(word_costs(al.words)) <= limit
    if other is None:
        return within_limit
    again = _reading(x16, [w.word for w in al.words], *other, speech, check)
    if again is None:
        return within_limit
    if within_limit:  # unless far worse than where they were said: a short line of other words
        return cost <= again[0] + OTHER_WORDS_MARGIN
    lasting = (al.words[-1].end - al.words[0].start) / (again[1].words[-1].end - again[1].words[0].start)
    return cost <= again[0] + RETAKE_MARGIN and _within(lasting, PACE_RATIO)


def _false_starts(words: list[TimedWord], at: list[tuple[int, int]], k: int, seconds: float) -> list[tuple[int, int, int]]:
    """The (line, 0, end word) of the two beginnings of line k that last nearest `seconds` in its
    aligned reading (within FALSE_START_RATIO): an actor who stops and starts the line over."""
    mine = {place[1]: w for w, place in zip(words, at) if place[0] == k}
    if 0 not in mine:
        return []
    lasting = [(abs(np.log((mine[m].end - mine[0].start) / seconds)), m + 1) for m in sorted(mine) if m > 0]
    return [(k, 0, m) for ratio, m in sorted(lasting)[:2] if ratio <= np.log(FALSE_START_RATIO)]


def _speech_bounds(speech: np.ndarray, start: float, end: float) -> tuple[float, float] | None:
    """(start, end) s of the first and the last frame of speech in [start, end) s; None without speech."""
    frames = np.flatnonzero(speech[_frame(start):_frame(end)])
    return (start + frames[0] / 100, start + (frames[-1] + 1) / 100) if len(frames) else None


def _within(ratio: float, limit: float) -> bool:
    """Whether two durations whose ratio is `ratio` lie within a factor `limit` of each other."""
    return 1 / limit <= ratio <= limit


def _aligned_span(words: list[TimedWord], at: list[tuple[int, int]], k: int, i: int, j: int
                  ) -> tuple[float, float] | None:
    """[start, end) s of the script words i..j-1 of line k where all of them are aligned, else None."""
    mine = [w for w, place in zip(words, at) if place[0] == k and i <= place[1] < j]
    if len(mine) != j - i:
        return None
    return max(0.0, mine[0].start - 0.05), mine[-1].end + 0.05


def _line_words(transcript: str) -> list[list[str]]:
    """The script's words, line by line (lines without words left out)."""
    return [w for w in (transcript_words(line) for line in transcript.splitlines()) if w]


def _place_of_aligned(words: list[TimedWord], lines: list[list[str]]) -> list[tuple[int, int]]:
    """(line, index in the line) of each aligned word: `words` are the script's in order, some left
    out (fallen back)."""
    flat = [(k, i, w) for k, line in enumerate(lines) for i, w in enumerate(line)]
    out, j = [], 0
    for w in words:
        while j < len(flat) - 1 and flat[j][2] != w.word:
            j += 1
        out.append(flat[j][:2])
        j = min(j + 1, len(flat) - 1)
    return out


def _wordless(stretches: list[TimedStretch], words: list[TimedWord]) -> list[tuple[float, float]]:
    """[start, end) s of each run of recognized stretches with no script words, no aligned word between."""
    out: list[list[float]] = []
    for s in sorted(stretches, key=lambda s: s.start):
        if s.path not in FALLBACK_PATHS or s.words:
            continue
        if out and not any(out[-1][1] <= (w.start + w.end) / 2 < s.start for w in words) \
                and not _stretch_between(stretches, out[-1][1], s.start):
            out[-1][1] = s.end
        else:
            out.append([s.start, s.end])
    return [(a, b) for a, b in out]


def _stretch_between(stretches: list[TimedStretch], a: float, b: float) -> bool:
    """Whether a stretch with script words lies between a and b s."""
    return any(s.words and s.start < b and s.end > a for s in stretches)


def _frame(t: float) -> int:
    return int(round(t * 100))
