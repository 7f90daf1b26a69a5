"""Forced alignment of a script to speech in any language, on the viseme recognizer's posteriors.

Like the Montreal Forced Aligner (and unlike aeneas, which aligns synthesized speech to the
recording with DTW), the script becomes a left-to-right chain of states and Viterbi finds the
most likely timing; the acoustic model is the language-neutral viseme recognizer instead of a
per-language phone model, so every language espeak-ng can read aligns the same way:

    [pause?] word1: v v v (link?) [pause?] word2: v v ... [pause?]

A word may end in an optional linking consonant (g2p's `link`, French liaison), which the path
may take or skip. A word of a script that leaves its vowels unwritten (g2p's `vowels_unwritten`:
Arabic, Persian, Urdu, Hebrew) gets an optional "some vowel" between each two consonants and after
its last one (mevakesh is read "mvkʃ"): where the recording has a vowel there, the path takes it,
and the frames get the vowel class the recognizer favours over the run. A phone the script leaves
open ("b|v") is a choice token, settled the same way. Each viseme token is a chain of `min_frames`
states whose last state loops; pauses between words (and at both ends) are optional, cheaper after
punctuation. A word without phones (e.g. kanji
that espeak-ng cannot read) is a run of "any speech" states. Loud frames cannot be pauses, and the
silent hold of a stop cannot be a pause, a vowel or an approximant (viseme_decode.guard_holds). A lip
closure inside a stop-like gap starts at the gap's first frame (viseme_decode.close_from_hold_start).

Every word gets a confidence: exp(mean over its frames of log p(aligned class) - log p(best
class)), 1 when the recognizer agrees with the script everywhere, near 0 where the alignment only
held because the script said so. Callers use it to find stretches where the alignment failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from talkface_studio.core.errors import TalkFaceError

from .g2p import Word
from .runs import true_runs
from .script_split import MAX_CLAUSE_WORDS
from .viseme_decode import TimedViseme, close_from_hold_start, decode, guard_holds, guard_silence, hold_gaps, min_frames
from .viseme_features import FPS
from .viseme_set import CLASS_INDEX, VISEME_CLASSES, VOWEL_CLASSES, phones_to_visemes

ANY_SPEECH = -1  # state class of unreadable words
# state class -2 - k: choice k of the graph (a token that may be one of several classes); choice 0
# is always "some vowel" (a vowel the script left unwritten)
ANY_VOWEL = -2
PAUSE_PENALTY = -3.0  # taking an optional pause between words (log-probability)
PUNCT_PAUSE_PENALTY = -0.5  # ... after clause punctuation
ANY_SPEECH_FRAMES_PER_CHAR = 6  # a kanji is one to three morae, ~60-250 ms
ANY_SPEECH_PENALTY = -0.5  # per frame: where a readable neighbour fits as well, the neighbour wins
UNWRITTEN_VOWEL_PENALTY = -0.5  # per frame of an unwritten vowel: a cluster the audio fits as well stays one
UNWRITTEN_VOWEL_FRAMES = 3  # like a written vowel (viseme_decode.min_frames)
# A whole take's script may have clauses nobody says (another actor's lines, a slate): a clause
# (ended by punctuation, at most script_split.MAX_CLAUSE_WORDS words, as pocketsphinx's
# place_heard_words takes them) may be left out at this log-probability.
# Squeezed into a pause, a clause costs several nats a frame for each of its phones' frames; left
# out over speech, the pause's silence costs as much for each frame of that speech.
CLAUSE_SKIP_PENALTY = -30.0
# ... and a line may be said that the script lacks (an ad-lib, a line cut from the script): the pause
# after a clause, and those before the first and after the last, may hold speech at this much per
# frame over the recognizer's "some speech", a little above what the script's own words cost where
# they were said. Forced onto the script, such a line pulled the next lines' words into it and every
# later word slid (two French recordings, the first one's line not in the script: 8 stretches fell
# back). Asked for only where the script did not hold (viseme_phones.UNSCRIPTED_WEAK_S).
UNSCRIPTED_PENALTY = -2.5
# ... and the take may open after the start of its first line said, or stop before the end of its
# last (a recording cut from a longer one inside a line): the path may start at any word's first
# state and end at any word's last at this log-probability, the words before or after not said.
CUT_LINE_PENALTY = CLAUSE_SKIP_PENALTY
UNSCRIPTED_MIN_S = 0.5  # shorter speech in a pause is a noise or a breath, not a line
_SOME_VOWEL = "|".join(v for v in VISEME_CLASSES if v in VOWEL_CLASSES)


class AlignmentError(TalkFaceError):
    """The script cannot be placed in the audio at all (e.g. more phones than frames)."""


@dataclass(frozen=True)
class WordTiming:
    text: str
    start: float  # seconds
    end: float
    confidence: float  # 0..1
    char_offset: int = 0


@dataclass
class Alignment:
    visemes: list[TimedViseme]  # contiguous, covering the whole recording ("SIL" in pauses)
    words: list[WordTiming]
    # clauses left out (optional_clauses): (seconds where they would be, their words as written)
    unsaid: list[tuple[float, str]] = field(default_factory=list)
    # speech the script lacks (optional_clauses): (start, end) seconds, recognized without the script
    unscripted: list[tuple[float, float]] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        """Duration-weighted mean word confidence."""
        if not self.words:
            return 0.0
        d = np.array([max(w.end - w.start, 1e-3) for w in self.words])
        return float(np.sum(d * [w.confidence for w in self.words]) / d.sum())


@dataclass
class _Graph:
    state_class: np.ndarray  # [S] class index or ANY_SPEECH
    self_loop: np.ndarray  # [S] bool
    skip_from: np.ndarray  # [S] state that may jump straight here (over an optional pause), else -1
    skip_penalty: np.ndarray  # [S] added when entering from s-1 (pause entry) - 0 elsewhere
    skip2_from: np.ndarray  # [S] a second state that may jump here (around an optional link), else -1
    skip2_penalty: np.ndarray  # [S] added on that jump
    skip3_from: np.ndarray  # [S] a pause's first state: the last pause state before a clause left out, else -1
    may_speak: np.ndarray  # [S] bool: a pause that may hold speech the script lacks (UNSCRIPTED_PENALTY)
    word_of: np.ndarray  # [S] word index, -1 for pauses
    min_total: int
    choices: list[tuple[np.ndarray, float]]  # per choice: (class columns, penalty per frame)


def _build(words: list[Word], frames: int, optional_clauses: bool = False, unscripted: bool = False) -> _Graph:
    cls, loop, skip, pen, word_of = [], [], [], [], []
    skip2: dict[int, tuple[int, float]] = {}  # state -> (source, penalty): jumps around optional links
    skip3: dict[int, int] = {}  # a pause's first state -> the pause state before a clause that may be left out
    clause_from, clause_words = 0, 0  # the pause state before the current clause; its words so far
    optional, link_from, pause_start = 0, -1, 0

    def chain(c: int, n: int, w: int, entry_penalty: float = 0.0):
        for i in range(n):
            cls.append(c)
            loop.append(i == n - 1)
            skip.append(-1)
            pen.append(entry_penalty if i == 0 else 0.0)
            word_of.append(w)

    choice_of: dict[str, int] = {_SOME_VOWEL: ANY_VOWEL}
    choices = [(np.array([CLASS_INDEX[c] for c in _SOME_VOWEL.split("|")]), UNWRITTEN_VOWEL_PENALTY)]

    def state_class(name: str) -> int:
        if "|" not in name:
            return CLASS_INDEX[name]
        if name not in choice_of:
            choice_of[name] = -2 - len(choices)
            choices.append((np.array([CLASS_INDEX[c] for c in name.split("|")]), 0.0))
        return choice_of[name]

    sil = CLASS_INDEX["SIL"]
    chain(sil, 1, -1)  # leading pause (optional: the first word may start at state 1 directly)
    speak = [0]  # looping pause states that may hold speech the script lacks (unscripted)
    for w, word in enumerate(words):
        before = len(cls)
        tokens = _dedupe(phones_to_visemes(word.phones)) if word.phones else []
        if tokens:
            for i, name in enumerate(tokens):
                frames = _min_frames(name) if name != "SIL" else 1
                if i and word.vowels_unwritten and _consonant(tokens[i - 1]) and _consonant(name):
                    after = len(cls) - 1  # the consonant before: a path without the vowel leaves here
                    chain(ANY_VOWEL, UNWRITTEN_VOWEL_FRAMES, w)
                    optional += UNWRITTEN_VOWEL_FRAMES
                    skip_into = len(cls)
                    chain(state_class(name), frames, w)
                    skip[skip_into] = after
                else:
                    chain(state_class(name), frames, w)
        else:
            chain(ANY_SPEECH, max(3, ANY_SPEECH_FRAMES_PER_CHAR * len(word.text)), w)
        if w > 0:  # the word may follow the previous word directly, skipping the pause before it
            skip[before] = pause_start - 1
            if link_from >= 0:  # ... or skipping the previous word's link too
                skip2[before] = (link_from, 0.0)
        link_from = -1
        link = _dedupe(phones_to_visemes((word.link,))) if word.link and tokens and w < len(words) - 1 else []
        link_classes = [(state_class(name), _min_frames(name)) for name in link]
        if word.vowels_unwritten and tokens and _consonant(tokens[-1]) and w < len(words) - 1:
            link_classes = [(ANY_VOWEL, UNWRITTEN_VOWEL_FRAMES)]  # a final vowel (Arabic case endings)
        if link_classes:
            link_from = len(cls) - 1  # the word's last state: where a path without the link leaves
            for c, frames in link_classes:
                chain(c, frames, w)
                optional += frames
        pause_start = len(cls)
        penalty = PUNCT_PAUSE_PENALTY if word.pause_after else PAUSE_PENALTY
        chain(sil, 3 if w < len(words) - 1 else 1, -1, penalty)
        if link_from >= 0:
            skip2[pause_start] = (link_from, penalty)
        clause_words += 1
        if optional_clauses and (word.pause_after or clause_words >= MAX_CLAUSE_WORDS or w == len(words) - 1):
            skip3[pause_start] = clause_from
            clause_from, clause_words = len(cls) - 1, 0
            speak.append(len(cls) - 1)
    n = len(cls)
    from2 = np.full(n, -1)
    penalty2 = np.zeros(n, np.float32)
    for state, (src, p) in skip2.items():
        from2[state], penalty2[state] = src, p
    from3 = np.full(n, -1)
    for state, src in skip3.items():
        from3[state] = src
    may_speak = np.zeros(n, bool)
    may_speak[speak] = optional_clauses and unscripted
    graph = _Graph(np.array(cls), np.array(loop), np.array(skip), np.array(pen, np.float32), from2, penalty2, from3,
                   may_speak, np.array(word_of), 0, choices)
    graph.min_total = n - 2 - 3 * max(len(words) - 1, 0) - optional  # every pause and link may be skipped
    return graph


def _word_edges(graph: _Graph) -> tuple[np.ndarray, np.ndarray]:
    """Each word's first state and last state (before its pause), in order."""
    w = graph.word_of
    starts = np.flatnonzero((w >= 0) & (np.r_[-1, w[:-1]] != w))
    ends = np.flatnonzero((w >= 0) & (np.r_[w[1:], -1] != w))
    return starts, ends


def _consonant(name: str) -> bool:
    return all(c not in VOWEL_CLASSES and c != "SIL" for c in name.split("|"))


def _min_frames(name: str) -> int:
    return min(min_frames(c) for c in name.split("|"))


def _dedupe(names: list[str]) -> list[str]:
    out = []
    for n in names:
        if n != "SIL" and (not out or out[-1] != n):
            out.append(n)
    return out


def align(logp: np.ndarray, words: list[Word], level_db: np.ndarray | None = None,
          closure_evidence: np.ndarray | None = None, gaps: np.ndarray | None = None,
          breathy: np.ndarray | None = None, optional_clauses: bool = False, unscripted: bool = False) -> Alignment:
    """Script words (from g2p) against log-posteriors [T, K] at 100 fps. `closure_evidence`
    (viseme_features.closure_darkness) helps label the inside of unreadable words; `gaps` are the
    stop-like gaps of `level_db` (viseme_decode.hold_gaps) where the caller already has them;
    `breathy` (viseme_features.breathy) lets a breath between sentences be a pause.
    `optional_clauses`: a whole take's script, whose clauses nobody says may be left out
    (CLAUSE_SKIP_PENALTY; listed in the result's `unsaid`), and with `unscripted` too, lines said
    that the script lacks may lie between its clauses (UNSCRIPTED_PENALTY; in `unscripted`)."""
    logp = np.asarray(logp, dtype=np.float32)
    if level_db is not None:
        gaps = hold_gaps(level_db, len(logp), gaps)
    logp = guard_holds(guard_silence(logp, level_db, breathy), level_db, gaps)
    t_frames = len(logp)
    words = [w for w in words if w.text]
    if not words:
        raise AlignmentError("the script has no words")
    graph = _build(words, t_frames, optional_clauses, unscripted)
    if graph.min_total > t_frames:
        raise AlignmentError(f"the script needs at least {graph.min_total / FPS:.1f} s of speech, "
                             f"the recording has {t_frames / FPS:.1f} s")
    speech = np.logaddexp.reduce(np.delete(logp, CLASS_INDEX["SIL"], axis=1), axis=1)  # log P(not silence)
    # per frame and choice: log P(one of its classes) [T, choices]; emitted with its penalty
    fits = np.stack([np.logaddexp.reduce(logp[:, cols], axis=1) for cols, _ in graph.choices], axis=1)
    chosen = fits + np.array([pen for _, pen in graph.choices], np.float32)
    emit_cols = np.where(graph.state_class >= 0, graph.state_class, 0)
    is_any = graph.state_class == ANY_SPEECH
    choice_cols = np.where(graph.state_class <= ANY_VOWEL, -2 - graph.state_class, -1)  # -1: not a choice

    n = len(graph.state_class)
    neg = np.float32(-1e9)
    idx = np.arange(n)
    prev = np.maximum(idx - 1, 0)
    skip_src = np.maximum(graph.skip_from, 0)
    has_skip = graph.skip_from >= 0
    skip2_src = np.maximum(graph.skip2_from, 0)
    has_skip2 = graph.skip2_from >= 0
    into3 = np.flatnonzero(graph.skip3_from >= 0)  # the few pauses after a clause that may be left out
    from3 = graph.skip3_from[into3]
    score = np.full(n, neg, np.float32)
    score[0] = 0.0
    score[1] = 0.0  # start with the first word (no leading pause)
    if optional_clauses:  # the take may open inside a line
        starts, ends = _word_edges(graph)
        score[starts[1:]] = np.float32(CUT_LINE_PENALTY)
    speak = np.flatnonzero(graph.may_speak)  # a few pause states: indexed, as the clause jumps are
    said_anyway = speech + np.float32(UNSCRIPTED_PENALTY)  # what a pause that holds speech emits

    def emit(t: int) -> np.ndarray:
        e = _emit(logp[t], speech[t], chosen[t], emit_cols, is_any, choice_cols)
        e[speak] = np.maximum(e[speak], said_anyway[t])
        return e

    score += emit(0)
    back = np.zeros((t_frames, n), np.int8)  # 0 stay, 1 advance, 2 skip, 3 skip around a link, 4 a clause
    for t in range(1, t_frames):
        stay = np.where(graph.self_loop, score, neg)
        adv = np.where(idx > 0, score[prev] + graph.skip_penalty, neg)
        jump = np.where(has_skip, score[skip_src], neg)
        jump2 = np.where(has_skip2, score[skip2_src] + graph.skip2_penalty, neg)
        best = np.maximum(np.maximum(stay, adv), np.maximum(jump, jump2))
        step = np.where(best == stay, 0, np.where(best == adv, 1, np.where(best == jump, 2, 3)))
        if len(into3):  # indexed, not a full row: a few states per clause
            jump3 = score[from3] + np.float32(CLAUSE_SKIP_PENALTY)
            better = jump3 > best[into3]
            best[into3[better]] = jump3[better]
            step[into3[better]] = 4
        back[t] = step
        score = best + emit(t)
    # end in the trailing pause or in the last word's last state (or, cut, in any word's last)
    last_word_end = n - 2
    s = n - 1 if score[n - 1] >= score[last_word_end] else last_word_end
    if optional_clauses and len(ends) > 1:
        cut = ends[:-1][int(np.argmax(score[ends[:-1]]))]
        if score[cut] + CUT_LINE_PENALTY > score[s]:
            s = int(cut)
    path = np.empty(t_frames, np.int64)
    for t in range(t_frames - 1, -1, -1):
        path[t] = s
        if t:
            step = back[t, s]
            s = (s if step == 0 else s - 1 if step == 1 else int(graph.skip_from[s]) if step == 2
                 else int(graph.skip2_from[s]) if step == 3 else int(graph.skip3_from[s]))
    return _result(path, graph, words, logp, speech, fits, closure_evidence, level_db, gaps)


def _emit(row: np.ndarray, speech: float, chosen: np.ndarray, cols: np.ndarray, is_any: np.ndarray,
          choice_cols: np.ndarray) -> np.ndarray:
    return np.where(is_any, speech + ANY_SPEECH_PENALTY, np.where(choice_cols >= 0, chosen[choice_cols], row[cols]))


def _choice_labels(logp: np.ndarray, state_class: np.ndarray, choices) -> np.ndarray:
    """Class per frame for the runs of choice states: of the choice's classes, the one the
    recognizer favours over the run (one vowel, or one of "b|v", per run)."""
    labels = np.zeros(len(logp), np.int64)
    edges = np.flatnonzero(np.diff(state_class)) + 1
    for a, b in zip(np.r_[0, edges], np.r_[edges, len(state_class)]):
        if state_class[a] <= ANY_VOWEL:
            cols = choices[-2 - state_class[a]][0]
            labels[a:b] = cols[int(np.argmax(logp[a:b, cols].sum(axis=0)))]
    return labels


def _free_speech_labels(logp: np.ndarray, is_any: np.ndarray, evidence) -> np.ndarray:
    """Class per frame for the "any speech" runs: free recognition (viseme_decode) over each run
    with a little context, silence excluded (the script says someone is speaking there)."""
    labels = np.zeros(len(logp), np.int64)
    for a, b in true_runs(is_any):
        lo, hi = max(0, a - 10), min(len(logp), b + 10)
        part = np.array(logp[lo:hi], dtype=np.float32, copy=True)
        part[:, CLASS_INDEX["SIL"]] = -1e4
        spans = decode(part, closure_evidence=None if evidence is None else evidence[lo:hi])
        for span in spans:
            s0, s1 = lo + int(round(span.start * FPS)), lo + int(round(span.end * FPS))
            labels[max(s0, a) : min(s1, b)] = CLASS_INDEX[span.phone]
    return labels


def _result(path, graph: _Graph, words: list[Word], logp, speech, fits, evidence=None, level_db=None,
            gaps=None) -> Alignment:
    t_frames = len(path)
    state_class = graph.state_class[path]
    # frame labels: the aligned class; "any speech" frames take the recognizer's own labels, a
    # choice the class of it the recognizer favours
    any_speech = state_class == ANY_SPEECH
    aligned = np.where(state_class >= 0, state_class, _choice_labels(logp, state_class, graph.choices))
    # how well the script fits: a choice counts as all its classes, as "any speech" does
    fit = np.concatenate([speech[:, None], fits], axis=1)
    aligned_lp = np.where(state_class >= 0, logp[np.arange(t_frames), aligned],
                          fit[np.arange(t_frames), np.clip(-1 - state_class, 0, fit.shape[1] - 1)])
    unscripted = graph.may_speak[path] & (speech + UNSCRIPTED_PENALTY > logp[:, CLASS_INDEX["SIL"]])
    free = any_speech | unscripted
    labels = np.where(free, _free_speech_labels(logp, free, evidence), aligned)
    labels = close_from_hold_start(labels, level_db, gaps)
    gap = np.minimum(aligned_lp - logp.max(axis=1), 0.0)  # "any speech" sums classes: cap at agreement
    edges = np.flatnonzero(np.diff(labels)) + 1
    bounds = np.r_[0, edges, t_frames]
    visemes = [TimedViseme(a / FPS, b / FPS, VISEME_CLASSES[labels[a]]) for a, b in zip(bounds[:-1], bounds[1:])]
    word_idx = graph.word_of[path]
    timings = []
    for w, word in enumerate(words):
        frames = np.flatnonzero(word_idx == w)
        if len(frames) == 0:
            continue
        conf = float(np.exp(np.mean(gap[frames])))
        timings.append(WordTiming(word.text, frames[0] / FPS, (frames[-1] + 1) / FPS, round(conf, 3), word.start))
    return Alignment(visemes, timings, _unsaid(words, word_idx), _unscripted(path, unscripted))


def _unscripted(path: np.ndarray, heard: np.ndarray) -> list[tuple[float, float]]:
    """Seconds (start, end) of the speech each pause of the path holds (`heard`: frames of a pause
    that took the speech alternative), from its first such frame to its last, where there are at
    least UNSCRIPTED_MIN_S of them: a line said between two of the script's, pauses and all."""
    if not heard.any():  # the usual case: no pause may hold speech, or none did
        return []
    spans = []
    edges = np.flatnonzero(np.diff(path)) + 1
    for a, b in zip(np.r_[0, edges], np.r_[edges, len(path)]):
        frames = np.flatnonzero(heard[a:b])
        if len(frames) >= UNSCRIPTED_MIN_S * FPS:
            spans.append(((a + frames[0]) / FPS, (a + frames[-1] + 1) / FPS))
    return spans


def _unsaid(words: list[Word], word_idx: np.ndarray) -> list[tuple[float, str]]:
    """The runs of words the path left out: (seconds where the next said word starts, or the
    last one ends, the words as written)."""
    left_out = np.ones(len(words), bool)
    left_out[np.unique(word_idx[word_idx >= 0])] = False
    out: list[tuple[float, str]] = []
    for run, w in true_runs(left_out):
        at = np.flatnonzero(word_idx == w) if w < len(words) else np.flatnonzero(word_idx == run - 1) + 1
        where = (at[0] if w < len(words) else at[-1]) / FPS if len(at) else 0.0
        out.append((float(where), " ".join(x.text for x in words[run:w])))
    return out
