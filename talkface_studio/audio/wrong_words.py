"""A script word the speaker did not say, inside English speech that otherwise aligned: find it,
report it like a fallen-back stretch, and take its mouth from recognition.

A forced aligner places every script word somewhere, so an ad-libbed or mistyped word still gets
phones, squeezed between neighbours that align well; the piece passes piecewise.check. But the
aligner's own acoustic score of that word is poor: pocketsphinx scores every phone it places
against the best-scoring state it evaluates in each frame. Measured on every English clip of
../shared/speech (benchmarks/bench_wrong_words.py, 2026-12-02), in nats per 10 ms frame: words of
the correct scripts median 1.7, highest 5.94 outside one stretch the aligner had already lost;
words substituted into them median 6.8, a quarter above 9.9. Each word is judged over at least
`JUDGED_SPAN_S` of speech centred on it (the neighbours' frames count, time-weighted), so a 60 ms
"you" does not decide alone.

Only the pocketsphinx path has this: the viseme recognizer's frame posteriors (other languages)
do not separate said from unsaid words on real voices (same benchmark), see README.

Speech the script does not have (an ad-lib, a line missing from the script) can also hide inside
a word that scores well: the aligner holds one of the word's consonants over it ("please" said
after "Oh my, the baby is up!", its p held 1.05 s over the ad-lib, scoring 2.3 nats a frame; the s
of "sun" held 1.9 s over two lines). A stop is a closure (silence, a murmur, a burst), a fricative
or a liquid a short constriction: the English recordings of ../shared/speech aligned with their
scripts have at most 0.42 s of loud speech under one consonant (a th in the phone call), 0.24 s
under one stop; ad-libs swallowed so, 1.0-2.2 s. Vowels and nasals may be held (a drawn-out "oh",
a hum) and are not judged, nor a word of consonants alone ("shh", "psst"). The word holding such a
consonant is recognized and reported (held_words).
"""

from __future__ import annotations

import numpy as np

from .alignment_report import NO_SCRIPT_WORDS, TimedStretch, join_reasons, without_unheard
from .features import VOWELS
from .phone_fallback import fallback_piece
from .phones import TimedPhone
from .sphinx_align import TimedWord

WRONG_WORD_COST = 6.5  # nats per frame below the best state: above it, the word was not said
JUDGED_SPAN_S = 0.15
MERGE_GAP_S = 0.3  # flagged words closer than this are one stretch
EDGE_S = 0.1
CONTEXT_S = 0.1  # recognition decodes this much audio either side, so the stretch's edges are free
SR = 16_000
# consonants no speaker holds for long: stops, fricatives, affricates, liquids, glides (not the nasals, not h)
SHORT_CONSONANTS = frozenset("B CH D DH F G JH K L P R S SH T TH V W Y Z ZH".split())
HELD_SPEECH_S = 0.6  # loud speech under one of them beyond this: the script lost its place there
REASON = "the audio here does not sound like the script's word{s} (mismatch {cost:.1f}, limit {limit:.1f})"


def word_costs(words: list[TimedWord], span_s: float = JUDGED_SPAN_S) -> list[float]:
    """Each word's cost (minus its score per frame) judged over at least `span_s` centred on it:
    the time-weighted mean cost of the words overlapping that window (pauses do not count)."""
    if not words:
        return []
    starts = np.array([w.start for w in words])
    ends = np.array([w.end for w in words])
    cost = -np.array([w.score for w in words])
    out = []
    for w in words:
        mid, half = (w.start + w.end) / 2, max(span_s, w.end - w.start) / 2
        overlap = np.clip(np.minimum(ends, mid + half) - np.maximum(starts, mid - half), 0.0, None)
        out.append(float(np.sum(overlap * cost) / overlap.sum()) if overlap.sum() > 0 else float(-w.score))
    return out


def wrong_stretches(words: list[TimedWord], limit: float = WRONG_WORD_COST) -> list[tuple[float, float, str, float]]:
    """(start s, end s, words, highest cost) of each run of words the speaker did not say (their
    cost above `limit`), widened by up to `EDGE_S` into the neighbours (never past their middle): a
    wrong word is aligned into whatever its neighbours left, so what was said instead often starts
    or ends inside them."""
    runs: list[list[int]] = []
    costs = word_costs(words)
    for i, c in enumerate(costs):
        if c <= limit:
            continue
        if runs and words[i].start - words[runs[-1][1]].end < MERGE_GAP_S:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    out = []
    for a, b in runs:
        start, end = words[a].start - EDGE_S, words[b].end + EDGE_S
        if a > 0:
            start = max(start, (words[a - 1].start + words[a - 1].end) / 2)
        if b + 1 < len(words):
            end = min(end, (words[b + 1].start + words[b + 1].end) / 2)
        out.append((max(0.0, start), end, " ".join(w.word for w in words[a:b + 1]), max(costs[a:b + 1])))
    return out


def mark_wrong_words(x16: np.ndarray, phones: list[TimedPhone], stretches: list[TimedStretch],
                     words: list[TimedWord], speech: np.ndarray, fallback=fallback_piece,
                     limit: float = WRONG_WORD_COST) -> tuple[list[TimedPhone], list[TimedStretch]]:
    """Phones and stretches with every wrong-word stretch (a cost above `limit`; inf: none) recognized
    and reported. Its phones come from the chain a piece that cannot be aligned falls back to
    (phone_fallback, without the script), decoded with `CONTEXT_S` of audio either side; `speech`
    [10 ms frames] is the take's."""
    duration = len(x16) / SR
    for start, end, text, cost in wrong_stretches(words, limit):
        reason = REASON.format(s="s" if " " in text else "", cost=cost, limit=limit)
        phones, stretches = recognized_over(x16, phones, stretches, words, speech, fallback,
                                            start, min(end, duration), reason, text)
    return sorted(phones, key=lambda p: p.start), stretches


def recognized_over(x16: np.ndarray, phones: list[TimedPhone], stretches: list[TimedStretch],
                    words: list[TimedWord], speech: np.ndarray, fallback, start: float, end: float, reason: str,
                    text: str = "", context: float = CONTEXT_S) -> tuple[list[TimedPhone], list[TimedStretch]]:
    """[start, end) s recognized without the script (`fallback`, the chain a piece that cannot be
    aligned falls back to, decoding `context` s of audio either side) in place of `phones`, and
    reported over `stretches` with `reason` and the script's words `text` it gives up."""
    lo, hi = max(0.0, start - context), min(len(x16) / SR, end + context)
    fb = fallback(x16[int(round(lo * SR)):int(round(hi * SR))], lo, speech)
    stretch = TimedStretch(start, end, fb.path, join_reasons(reason, fb.reason), text)
    return splice(phones, fb.phones, start, end), lay_over(stretches, stretch, words)


def held_words(phones: list[TimedPhone], stretches: list[TimedStretch], words: list[TimedWord],
               speech: np.ndarray) -> list[tuple[float, float, str]]:
    """(start s, end s, word) of each word aligned to the script (in an aligned or piecewise stretch)
    with a short consonant held over more than `HELD_SPEECH_S` of speech (`speech`: bool per 10 ms);
    the consonant's own span where it lies in no word."""
    kept = [(s.start, s.end) for s in stretches if s.path in ("aligned", "piecewise")]
    out: list[tuple[float, float, str]] = []
    for p in phones:
        a, b = int(round(p.start * 100)), int(round(p.end * 100))
        if p.phone not in SHORT_CONSONANTS or b - a <= HELD_SPEECH_S * 100:
            continue  # every aligned take passes here: only a long phone's speech is counted
        if speech[a:b].sum() > HELD_SPEECH_S * 100 and any(lo <= (p.start + p.end) / 2 < hi for lo, hi in kept):
            w = next((w for w in words if w.start <= p.start < w.end), None)
            if w and not any(q.phone in VOWELS for q in phones if w.start <= q.start < w.end):
                continue  # "shh", "psst": a word of consonants alone is held by nature
            span = (min(w.start, p.start), max(w.end, p.end), w.word) if w else (p.start, p.end, "")
            if out and span[0] < out[-1][1]:  # two held in one word, or overlapping words
                span = (out[-1][0], max(span[1], out[-1][1]), out.pop()[2])
            out.append(span)
    return out


def mark_held_words(x16: np.ndarray, phones: list[TimedPhone], stretches: list[TimedStretch],
                    words: list[TimedWord], speech: np.ndarray,
                    fallback=fallback_piece) -> tuple[list[TimedPhone], list[TimedStretch]]:
    """Phones and stretches with every held word (held_words) recognized without the script and
    reported as sound the script has no words for, as mark_wrong_words does a wrong word."""
    for start, end, word in held_words(phones, stretches, words, speech):
        held = f'the aligner had stretched "{word}" over {end - start:.1f} s of it' if word else ""
        phones, stretches = recognized_over(x16, phones, stretches, words, speech, fallback, start, end,
                                            join_reasons(NO_SCRIPT_WORDS, held), word)
    return sorted(phones, key=lambda p: p.start), stretches


def splice(phones: list[TimedPhone], new: list[TimedPhone], start: float, end: float) -> list[TimedPhone]:
    """`phones` with [start, end) s taken from `new`."""
    return _clip(phones, 0.0, start) + _clip(new, start, end) + _clip(phones, end, float("inf"))


def _clip(phones: list[TimedPhone], start: float, end: float) -> list[TimedPhone]:
    out = []
    for p in phones:
        s, e = max(p.start, start), min(p.end, end)
        if e > s:
            out.append(TimedPhone(s, e, p.phone))
    return out


def lay_over(stretches: list[TimedStretch], new: TimedStretch, words: list[TimedWord]) -> list[TimedStretch]:
    """`new` laid over `stretches` (which tile the take); what it cuts keeps its path and reason,
    and the words whose middle stays in it. A note of script words not heard stays on the part
    before the cut only (it is about the words that follow those), so it is reported once."""
    def words_in(a: float, b: float, fallback: str) -> str:
        inside = [w.word for w in words if a <= (w.start + w.end) / 2 < b]
        return " ".join(inside) if words else fallback

    out = []
    for s in stretches:
        if s.end <= new.start or s.start >= new.end:
            out.append(s)
            continue
        if s.start < new.start:
            out.append(s._replace(end=new.start, words=words_in(s.start, new.start, s.words)))
        if s.end > new.end:
            reason = without_unheard(s.reason) if s.start < new.start else s.reason
            out.append(s._replace(start=new.end, reason=reason, words=words_in(new.end, s.end, s.words)))
    return sorted(out + [new], key=lambda s: s.start)
