"""Phones for lip sync from the packaged viseme recognizer: any language, with or without a script.

    result = viseme_phone_pass(x16, transcript="Bonjour à tous", language="fr-CA")
    result.source     # "aligned" (script placed) or "recognized" (no script, or it could not be placed)
    result.phones     # [TimedPhone(start s, end s, viseme class)], contiguous
    result.stretches  # [Stretch(start, end, words, reason)]: where the script did not hold and
                      #   the recognizer's own labels were used instead (say so to the user)

With a script: G2P (espeak-ng) -> viseme tokens -> Viterbi alignment on the recognizer's
posteriors (viseme_align). Words whose confidence falls below `MIN_WORD_CONFIDENCE` are replaced,
stretch by stretch, by free recognition over their time span and reported. Without a script:
free recognition (viseme_decode). The recognizer runs once per call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .g2p import G2PError, g2p
from .viseme_align import Alignment, AlignmentError, WordTiming, align
from .viseme_decode import TimedViseme, decode
from .viseme_features import FPS, features, frame_level_db

MIN_WORD_CONFIDENCE = 0.15


@dataclass(frozen=True)
class Stretch:
    start: float  # seconds
    end: float
    words: str  # the script words concerned ("" without a script)
    reason: str


@dataclass
class VisemePass:
    source: str  # "aligned" | "recognized"
    phones: list[TimedViseme]
    words: list[WordTiming] = field(default_factory=list)
    stretches: list[Stretch] = field(default_factory=list)
    confidence: float | None = None  # alignment confidence (duration-weighted word mean)
    jaw: np.ndarray | None = None  # recognizer's jaw opening per 10 ms frame, 0..1
    note: str = ""  # why the script was not used, when it was given but not aligned


def posteriors(x16: np.ndarray, recognizer=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(log-posteriors [T, K], jaw [T], level dB [T]) at 100 fps."""
    if recognizer is None:
        from .viseme_model import default_recognizer

        recognizer = default_recognizer()
    logp, jaw = recognizer.posteriors(features(x16))
    return logp, jaw, frame_level_db(x16)


def recognize(x16: np.ndarray, recognizer=None) -> VisemePass:
    logp, jaw, level = posteriors(x16, recognizer)
    return VisemePass("recognized", decode(logp, level), jaw=jaw)


def viseme_phone_pass(x16: np.ndarray, transcript: str | None = None, language: str = "en",
                      recognizer=None) -> VisemePass:
    logp, jaw, level = posteriors(x16, recognizer)
    text = (transcript or "").strip()
    note = ""
    if text:
        try:
            words = g2p(text, language)
            alignment = align(logp, words, level)
        except (G2PError, AlignmentError) as exc:
            note = f"script not used: {exc.problem if hasattr(exc, 'problem') else exc}"
        else:
            return _patch_low_confidence(alignment, logp, level, jaw)
    return VisemePass("recognized", decode(logp, level), jaw=jaw, note=note)


def _patch_low_confidence(alignment: Alignment, logp, level, jaw) -> VisemePass:
    """Replace runs of low-confidence words by free recognition over their frames; report them."""
    weak = [w for w in alignment.words if w.confidence < MIN_WORD_CONFIDENCE]
    stretches: list[Stretch] = []
    for w in weak:  # merge neighbouring weak words into one stretch
        if stretches and w.start - stretches[-1].end < 0.3:
            last = stretches[-1]
            stretches[-1] = Stretch(last.start, w.end, f"{last.words} {w.text}", last.reason)
        else:
            stretches.append(Stretch(w.start, w.end, w.text, "the script did not match the audio here; "
                                                             "recognized without the script"))
    labels = _frame_labels(alignment.visemes, len(logp))
    for st in stretches:
        a, b = int(round(st.start * FPS)), int(round(st.end * FPS))
        pad = 10  # decode with context so the stretch's edges are not forced
        lo, hi = max(0, a - pad), min(len(logp), b + pad)
        free = _frame_labels(decode(logp[lo:hi], level[lo:hi]), hi - lo)
        labels[a:b] = free[a - lo : b - lo]
    from .viseme_decode import labels_to_spans
    from .viseme_set import CLASS_INDEX, VISEME_CLASSES

    index = np.array([CLASS_INDEX[x] for x in labels]) if len(labels) else np.zeros(0, int)
    phones = labels_to_spans(index, VISEME_CLASSES)
    return VisemePass("aligned", phones, alignment.words, stretches, alignment.confidence, jaw)


def _frame_labels(spans: list[TimedViseme], n: int) -> np.ndarray:
    out = np.full(n, "SIL", dtype="<U3")
    for s in spans:
        out[int(round(s.start * FPS)) : int(round(s.end * FPS))] = s.phone
    return out


def model_version() -> str:
    """The packaged recognizer's version (from its config; no torch import), for cache keys."""
    from .viseme_model import DEFAULT_CONFIG, VisemeNetConfig

    try:
        return VisemeNetConfig.load(DEFAULT_CONFIG).version
    except Exception:  # noqa: BLE001 - a missing config means no recognizer: say "none" in the key
        return "none"


def viseme_phones_or_report(x16: np.ndarray, text: str, language: str) -> tuple[str, list, dict]:
    """analysis's entry point: (source, [TimedPhone], report dict for AudioFeatures.phone_report).

    The acoustic guess is the last resort, only when the recognizer cannot run at all.
    """
    from talkface_studio.core.errors import TalkFaceError

    from .phones import TimedPhone

    try:
        result = viseme_phone_pass(x16, text, language)
    except (TalkFaceError, ImportError, RuntimeError) as exc:
        return "acoustic", [], {"path": "acoustic", "language": language,
                                "note": f"viseme recognizer unavailable ({exc}); phones guessed from acoustics"}
    report = {"path": result.source, "aligner": "visemes" if result.source == "aligned" else None,
              "language": language, "recognizer": model_version()}
    if result.confidence is not None:
        report["confidence"] = round(result.confidence, 3)
        report["words"] = [[w.text, round(w.start, 3), round(w.end, 3), w.confidence] for w in result.words]
    if result.stretches:
        report["stretches"] = [[round(s.start, 3), round(s.end, 3), s.words, s.reason] for s in result.stretches]
    if result.note:
        report["note"] = result.note
    return result.source, [TimedPhone(p.start, p.end, p.phone) for p in result.phones], report
