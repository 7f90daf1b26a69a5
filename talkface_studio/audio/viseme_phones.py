"""Phones for lip sync from the packaged viseme recognizer: any language, with or without a script.

    result = viseme_phone_pass(x16, transcript="Bonjour à tous", language="fr-CA")
    result.source     # "aligned" (script placed) or "recognized" (no script, or it could not be placed)
    result.phones     # [TimedPhone(start s, end s, viseme class)], contiguous
    result.stretches  # [Stretch(start, end, words, reason)]: where the script did not hold and
                      #   the recognizer's own labels were used instead (say so to the user)

With a script: G2P (espeak-ng) -> viseme tokens -> Viterbi alignment on the recognizer's
posteriors (viseme_align). Words whose confidence falls below `MIN_WORD_CONFIDENCE` are replaced,
stretch by stretch, by free recognition over their time span and reported. Without a script:
free recognition (viseme_decode). The recognizer runs once per call, or not at all when its
`Posteriors` are given (phone_pass caches them, so a take's closure_hearing can change and only
the decode runs again). `closure_bias` (viseme_decode.closure_bias_for) applies to free
recognition only, never to the aligned words.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .dereverb import dereverberate
from .g2p import G2PError, g2p
from .languages import primary as primary_language
from .viseme_align import Alignment, AlignmentError, WordTiming, align
from .viseme_decode import CLOSURE_BIAS, TimedViseme, decode
from .viseme_features import (FPS, HOLD_FRAMES, breathy, closure_darkness, frame_level_db, log_mel, normalize,
                               stop_gaps)
from .viseme_set import CLASS_INDEX, VISEME_CLASSES, phones_to_visemes

MIN_WORD_CONFIDENCE = 0.15
# A word is judged over at least this much speech around it (its neighbours' frames count too):
# the confidence of a 30-150 ms word is a mean over 3-15 frames, too few to tell a misread word
# from a clipped, elided or linked one (French liaison "vous‿avez", Italian "e", "il"), and
# between two well-placed neighbours its timing cannot be far off anyway.
JUDGED_SPAN_S = 0.5
# A word that falls back to recognition because the recognizer does not hear it (a real speaker's m
# heard as a glide or an n) still tells where the lips close: recognition over it gets this many nats
# on the closure class within HINT_MARGIN_S of where the aligner put it (README: "A word that falls
# back still closes where its script says p, b or m").
SCRIPT_CLOSURE_HINT = 3.0
HINT_MARGIN_S = 0.1
# A line said that the script lacks pulls the next lines' words over its speech: seconds of them fall
# back (French, Italian and English recordings of ../shared/speech, one line left out of the script:
# 3.6-18 s where the line was over 4 s long). A word or two that fall back alone are a hard voice
# or a hard word (KLettres' word lists: 0.6-1.5 s; gcin's Mandarin syllables: 1.4-2.3 s), and the
# alignment that may find such a line (viseme_align's `unscripted`) called their own speech a line
# and squeezed them into their neighbours'. So it is tried only past this much.
UNSCRIPTED_WEAK_S = 3.0


@dataclass(frozen=True)
class Stretch:
    start: float  # seconds
    end: float
    words: str  # the script words concerned ("" without a script)
    reason: str


PHRASE_GAP_S = 0.25  # said words closer than this are one phrase (where a note of words not heard goes)


@dataclass
class VisemePass:
    source: str  # "aligned" | "recognized"
    phones: list[TimedViseme]
    words: list[WordTiming] = field(default_factory=list)
    stretches: list[Stretch] = field(default_factory=list)
    confidence: float | None = None  # alignment confidence (duration-weighted word mean)
    jaw: np.ndarray | None = None  # recognizer's jaw opening per 10 ms frame, 0..1
    note: str = ""  # why the script was not used, when it was given but not aligned
    unsaid: list[tuple[float, str]] = field(default_factory=list)  # clauses left out (viseme_align.Alignment)
    unscripted: list[tuple[float, float]] = field(default_factory=list)  # speech the script lacks (the same)


@dataclass
class Posteriors:
    """What the recognizer and the spectrum say about each 10 ms frame."""
    logp: np.ndarray  # [T, K] log-posteriors of the viseme classes
    jaw: np.ndarray  # [T] jaw opening 0..1
    level: np.ndarray  # [T] frame level, dB full scale
    darkness: np.ndarray  # [T] closure evidence -0.4..1 (viseme_features.closure_darkness)
    gaps: np.ndarray  # [T] bool, frames of a script's stop holds (viseme_features.stop_gaps, HOLD_FRAMES), found once
    align_logp: np.ndarray | None = None  # [T, K] for the script aligner, where it differs from logp

    @property
    def for_alignment(self) -> np.ndarray:
        return self.logp if self.align_logp is None else self.align_logp


def posteriors(x16: np.ndarray, recognizer=None) -> Posteriors:
    if recognizer is None:
        from .viseme_model import default_recognizer

        recognizer = default_recognizer()
    level = frame_level_db(x16)
    mel = dereverberate(log_mel(x16), level)
    darkness = closure_darkness(mel, level, stop_gaps(level) > 0)
    holds = stop_gaps(level, frames=HOLD_FRAMES) > 0  # a script's stops may hold longer
    feats = normalize(mel)
    if hasattr(recognizer, "posteriors_for_both"):  # an ensemble (viseme_ensemble)
        logp, align_logp, jaw = recognizer.posteriors_for_both(feats)
        return Posteriors(logp, jaw, level, darkness, holds, align_logp)
    logp, jaw = recognizer.posteriors(feats)
    return Posteriors(logp, jaw, level, darkness, holds)


def recognize(x16: np.ndarray, recognizer=None, closure_bias: float = CLOSURE_BIAS) -> VisemePass:
    post = posteriors(x16, recognizer)
    return VisemePass("recognized", free_recognition(post, closure_bias), jaw=post.jaw)


def free_recognition(post: Posteriors, closure_bias: float = CLOSURE_BIAS) -> list[TimedViseme]:
    """The recognizer's own labels over the whole of `post` (no script)."""
    return decode(post.logp, post.level, closure_evidence=post.darkness, closure_bias=closure_bias)


def viseme_phone_pass(x16: np.ndarray, transcript: str | None = None, language: str = "en",
                      recognizer=None, closure_bias: float = CLOSURE_BIAS,
                      post: Posteriors | None = None, script_fallback: float = 1.0,
                      optional_clauses: bool = False) -> VisemePass:
    """`post`: posteriors(x16) already computed (the recognizer is then not run). `script_fallback`
    (a take's setting, 1 = as shipped, 0 = never) scales the confidence under which words fall back.
    `optional_clauses`: the script is a whole take's, whose clauses nobody says are left out
    (viseme_align.align)."""
    post = post if post is not None else posteriors(x16, recognizer)
    text = (transcript or "").strip()
    note = ""
    if text:
        try:
            words = g2p(text, language)
            if primary_language(language) == "ja":
                words = [_japanese_nasal_before_lips(w) for w in words]
            mel = dereverberate(log_mel(x16), post.level)  # as the recognizer heard it
            breath = breathy(x16, mel)  # only a script's aligner reads it (~0.07 s a minute)
            limit = MIN_WORD_CONFIDENCE * script_fallback
            alignment = align(post.for_alignment, words, post.level, post.darkness, post.gaps, breath,
                              optional_clauses)
            if optional_clauses:
                alignment = _with_lines_unscripted(alignment, post, words, breath, limit)
        except (G2PError, AlignmentError) as exc:
            note = f"script not used: {exc.problem if hasattr(exc, 'problem') else exc}"
        else:
            return _patch_low_confidence(alignment, post, closure_bias, text, limit, words)
    return VisemePass("recognized", free_recognition(post, closure_bias), jaw=post.jaw, note=note)


def _with_lines_unscripted(alignment: Alignment, post: Posteriors, words, breath, limit: float) -> Alignment:
    """Where a whole take's script did not hold (its words fall back for UNSCRIPTED_WEAK_S or
    more): the alignment in which lines said that the script lacks may lie between its clauses
    (viseme_align's `unscripted`), if it found such a line and fewer seconds of its words fall back.
    Not tried first: where a pause may hold speech it also takes a noise or the edge of a word here
    and there, and a script said as written should keep the alignment it had."""
    weak = _weak_seconds(alignment.words, limit)
    if weak < UNSCRIPTED_WEAK_S:
        return alignment
    other = align(post.for_alignment, words, post.level, post.darkness, post.gaps, breath, True, unscripted=True)
    return other if other.unscripted and _weak_seconds(other.words, limit) < weak else alignment


def unscripted_spans(x16: np.ndarray, transcript: str, language: str) -> list[tuple[float, float]]:
    """(start s, end s) where the viseme aligner, its pauses allowed to hold speech, puts lines said
    that the `transcript` lacks (viseme_align's `unscripted`); [] where it cannot read or place it.
    For the English word pass, which has no such pause of its own (piecewise)."""
    from talkface_studio.core.errors import TalkFaceError

    try:
        words = g2p(transcript, language)
        post = posteriors(x16)
        breath = breathy(x16, dereverberate(log_mel(x16), post.level))
        return align(post.for_alignment, words, post.level, post.darkness, post.gaps, breath, True,
                     unscripted=True).unscripted
    except (TalkFaceError, ImportError, RuntimeError):  # g2p, alignment; no espeak-ng or recognizer
        return []


def _weak_seconds(words: list[WordTiming], limit: float) -> float:
    """Seconds of the aligned words judged under `limit` (those that fall back)."""
    return sum(w.end - w.start for w, c in zip(words, judged_confidences(words)) if c < limit)


_BILABIAL_ONSETS = ("p", "b", "m")


def _japanese_nasal_before_lips(word):
    """Japanese moraic nasal ん before p/b/m is said [m] (さんぽ sampo, しんぶん shimbun): espeak-ng
    writes it as a nasal vowel (ũ), which would open the lips; make it a closure."""
    phones = list(word.phones)
    for i in range(len(phones) - 1):
        if phones[i].lstrip("ˈˌ").startswith("ũ") and phones[i + 1].lstrip("ˈˌ").startswith(_BILABIAL_ONSETS):
            phones[i] = "m"
    return replace(word, phones=tuple(phones))


def _patch_low_confidence(alignment: Alignment, post: Posteriors, closure_bias: float = CLOSURE_BIAS,
                          script: str = "", limit: float = MIN_WORD_CONFIDENCE, words: list | tuple = ()
                          ) -> VisemePass:
    """Replace runs of words judged under `limit` by free recognition over their frames; report
    them, with their words as `script` (the text the words' offsets index) writes them. Where one
    of those `words` (g2p's, matched by offset) has a p, b or m, recognition leans towards a lip
    closure around the place the aligner gave it (SCRIPT_CLOSURE_HINT)."""
    weak = [w for w, c in zip(alignment.words, judged_confidences(alignment.words)) if c < limit]
    stretches: list[Stretch] = []
    first = None  # the first word of the stretch being merged into
    for w in weak:  # merge neighbouring weak words into one stretch
        if stretches and w.start - stretches[-1].end < 0.3:
            last = stretches[-1]
            stretches[-1] = Stretch(last.start, w.end, _written(script, first, w, last.words), last.reason)
        else:
            first = w
            stretches.append(Stretch(w.start, w.end, w.text, "the script did not match the audio here; "
                                                             "recognized without the script"))
    logp, level = post.for_alignment, post.level  # the script's own posteriors (a with-script take)
    labels = _frame_labels(alignment.visemes, len(logp))
    hint = _closure_hint(weak, words, len(logp))
    for st in stretches:
        a, b = int(round(st.start * FPS)), int(round(st.end * FPS))
        pad = 10  # decode with context so the stretch's edges are not forced
        lo, hi = max(0, a - pad), min(len(logp), b + pad)
        part = logp[lo:hi].copy()
        part[:, CLASS_INDEX["M"]] += hint[lo:hi]
        free = _frame_labels(decode(part, level[lo:hi], closure_evidence=post.darkness[lo:hi],
                                    closure_bias=closure_bias), hi - lo)
        labels[a:b] = free[a - lo : b - lo]
    from .viseme_decode import labels_to_spans

    index = np.array([CLASS_INDEX[x] for x in labels]) if len(labels) else np.zeros(0, int)
    phones = labels_to_spans(index, VISEME_CLASSES)
    return VisemePass("aligned", phones, alignment.words, stretches, alignment.confidence, post.jaw,
                      unsaid=alignment.unsaid, unscripted=alignment.unscripted)


def _closure_hint(weak: list[WordTiming], words, n: int) -> np.ndarray:
    """Per frame, what to add to the M class where a word that falls back has a p, b or m: its
    span as aligned, widened by HINT_MARGIN_S (the aligner placed it, if not surely)."""
    hint = np.zeros(n, np.float32)
    by_offset = {w.start: w for w in words}
    margin = int(round(HINT_MARGIN_S * FPS))
    for t in weak:
        word = by_offset.get(t.char_offset)
        if word is not None and any("M" in token.split("|") for token in phones_to_visemes(word.phones)):
            hint[max(0, int(round(t.start * FPS)) - margin) : int(round(t.end * FPS)) + margin] = SCRIPT_CLOSURE_HINT
    return hint


def _written(script: str, first: WordTiming, last: WordTiming, so_far: str) -> str:
    """The script from `first` to `last` as written, so a Chinese or Japanese stretch reads
    "北京买面包", not "北京 买 面包"; the words joined by spaces where the offsets do not fit."""
    piece = script[first.char_offset : last.char_offset + len(last.text)] if script else ""
    if piece.startswith(first.text) and piece.endswith(last.text):
        return " ".join(piece.split())
    return f"{so_far} {last.text}"


def judged_confidences(words: list[WordTiming], span_s: float = JUDGED_SPAN_S) -> list[float]:
    """Each word's confidence judged over at least `span_s` of speech centred on it: the
    geometric mean of the confidences of the words overlapping that window, weighted by the time
    each spends in it (a word's confidence is exp(mean per-frame log ratio), so this is the same
    measure over the window's word frames; pauses do not count). A word at least `span_s` long
    is judged alone. A short misread word between good neighbours is not reported; a wrong
    phrase of about half the span or more still is."""
    if not words:
        return []
    starts = np.array([w.start for w in words])
    ends = np.array([w.end for w in words])
    logc = np.log(np.maximum([w.confidence for w in words], 1e-6))
    out = []
    for w in words:
        half = max(span_s, w.end - w.start) / 2
        mid = (w.start + w.end) / 2
        overlap = np.clip(np.minimum(ends, mid + half) - np.maximum(starts, mid - half), 0.0, None)
        total = overlap.sum()
        out.append(float(np.exp(np.sum(overlap * logc) / total)) if total > 0 else w.confidence)
    return out


def _frame_labels(spans: list[TimedViseme], n: int) -> np.ndarray:
    out = np.full(n, "SIL", dtype="<U3")
    for s in spans:
        out[int(round(s.start * FPS)) : int(round(s.end * FPS))] = s.phone
    return out


# bump when decoding or alignment changes what a cached phone pass holds (3: ensemble, stop gaps; 4: words
# judged over 0.5 s, French liaison links; 5: aligned closures start where a stop-like gap starts;
# 6: a stop's silent hold is never aligned to a pause, a vowel or an approximant; 7: a script's
# holds up to 150 ms)
DECODER_VERSION = 7


def model_version() -> str:
    """The packaged recognizer's version (from its configs; no torch import) and the decoder's,
    for cache keys."""
    from .viseme_ensemble import DEFAULT_MANIFEST, manifest_version
    from .viseme_model import DEFAULT_CONFIG, VisemeNetConfig

    try:
        version = manifest_version() if DEFAULT_MANIFEST.is_file() else VisemeNetConfig.load(DEFAULT_CONFIG).version
        return f"{version}-d{DECODER_VERSION}"
    except Exception:  # noqa: BLE001 - a missing config means no recognizer: say "none" in the key
        return "none"


MIN_PIECE_CONFIDENCE = 0.35  # an English piece pocketsphinx lost is kept as aligned above this


def _timed(phones, offset: float = 0.0):
    from .phones import TimedPhone

    return [TimedPhone(p.start + offset, p.end + offset, p.phone) for p in phones]


def viseme_take_pass(x16: np.ndarray, text: str, language: str, closure_bias: float = CLOSURE_BIAS,
                     post: Posteriors | None = None, script_fallback: float = 1.0):
    """The whole take through the viseme recognizer -> (phones, stretches, the script's words as
    TimedWord where aligned) for phone_pass.

    With a script: "aligned" where it held, "recognized" stretches (with their words and the
    reason) where it did not. Without one: "recognized". Raises what loading the recognizer
    raises (the caller falls back to the older paths). `post`: the take's posteriors when known.
    """
    from .alignment_report import NO_SCRIPT_WORDS, TimedStretch, unheard_note
    from .sphinx_align import TimedWord
    from .wrong_words import lay_over

    duration = len(x16) / 16000
    result = viseme_phone_pass(x16, text, language, closure_bias=closure_bias, post=post,
                               script_fallback=script_fallback, optional_clauses=True)
    if result.source != "aligned":
        why = result.note or ""
        return _timed(result.phones), [TimedStretch(0.0, duration, "recognized", why, text[:80] if text else "")], []
    stretches: list[TimedStretch] = []
    cursor = 0.0
    for st in result.stretches:
        if st.start > cursor:
            stretches.append(TimedStretch(cursor, st.start, "aligned", ""))
        stretches.append(TimedStretch(st.start, st.end, "recognized", "the script did not match the audio here",
                                      st.words))
        cursor = st.end
    if cursor < duration or not stretches:
        stretches.append(TimedStretch(cursor, duration, "aligned", ""))
    noted: dict[tuple[float, float], list[str]] = {}  # the said phrase next to clauses left out -> those clauses
    for at, unsaid in result.unsaid:
        noted.setdefault(_phrase_around(result.words, at), []).append(unsaid)
    for (a, b), unsaid in noted.items():
        said = " ".join(w.text for w in result.words if a <= w.start and w.end <= b)
        stretches = _noted(stretches, (a, b), unheard_note(" ... ".join(unsaid)), said)
    timed = [TimedWord(w.start, w.end, w.text) for w in result.words]
    for a, b in result.unscripted:  # a line said that the script lacks: recognized, and said so
        stretches = lay_over(stretches, TimedStretch(a, b, "recognized", NO_SCRIPT_WORDS), timed)
    return _timed(result.phones), stretches, timed


def _phrase_around(words: list[WordTiming], at: float) -> tuple[float, float]:
    """The span of the said words next to `at` (those after it, or, at the end, before it) that
    follow one another with less than PHRASE_GAP_S between them: where a note of words left out there goes."""
    after = [w for w in words if w.start >= at - 1e-6]
    run = after if after else [w for w in words if w.end <= at + 1e-6][::-1]
    if not run:
        return at, at
    span = [run[0].start, run[0].end]
    for prev, w in zip(run, run[1:]):
        gap = w.start - prev.end if after else prev.start - w.end
        if gap >= PHRASE_GAP_S:
            break
        span = [min(span[0], w.start), max(span[1], w.end)]
    return span[0], span[1]


def _noted(stretches: list, span: tuple[float, float], note: str, words: str) -> list:
    """`stretches` (tiling the take) with `note` on `span` (said words next to words left out), in
    the stretch where its middle lies: a fallen-back stretch gets it in its reason, an aligned one is
    cut so that the note covers the span alone (with its `words`)."""
    from .alignment_report import join_reasons

    middle = (span[0] + span[1]) / 2
    k = next((i for i, s in enumerate(stretches) if middle < s.end), len(stretches) - 1)
    s = stretches[k]
    a, b = max(span[0], s.start), min(span[1], s.end)
    if s.path != "aligned" or b <= a:
        return stretches[:k] + [s._replace(reason=join_reasons(note, s.reason))] + stretches[k + 1:]
    parts = ([s._replace(end=a)] if a > s.start else []) + [s._replace(start=a, end=b, reason=note, words=words)] + \
        ([s._replace(start=b)] if b < s.end else [])
    return stretches[:k] + parts + stretches[k + 1:]


def viseme_fallback(x16: np.ndarray, offset: float, words: str, language: str = "en",
                    closure_bias: float = CLOSURE_BIAS, script_fallback: float = 1.0):
    """A piece pocketsphinx could not place: (phones, path, reason[, words placed]) or None to go on
    down the chain.
    `script_fallback` scales the confidences under which its words fall back (0: never)."""
    from talkface_studio.core.errors import TalkFaceError

    try:
        result = viseme_phone_pass(x16, words, language, closure_bias=closure_bias, script_fallback=script_fallback)
    except (TalkFaceError, ImportError, RuntimeError):
        return None
    if result.source == "aligned" and (result.confidence or 0.0) >= MIN_PIECE_CONFIDENCE * script_fallback:
        from .sphinx_align import TimedWord

        return (_timed(result.phones, offset), "piecewise",
                f"aligned by the viseme aligner (confidence {result.confidence:.2f})",
                [TimedWord(w.start + offset, w.end + offset, w.text) for w in result.words])  # for the word row
    if result.source == "aligned":  # the words did not hold: the recognizer's own labels
        result = recognize(x16, closure_bias=closure_bias)
        return _timed(result.phones, offset), "recognized", "the viseme aligner could not place the words either"
    return _timed(result.phones, offset), "recognized", result.note
