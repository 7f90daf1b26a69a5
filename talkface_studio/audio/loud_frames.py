"""Frame labels that agree with the audio: loud frames are never silence.

Whatever path produced the phones, a frame whose audio is loud gets a label from the acoustic
guess when the path left it as silence (an aligner that lost its place, a recognizer that heard
nothing). Runs long enough to matter (not a frame of rounding at a word's edge) are added to the
report, so the user hears about them. A breath alone in a pause that a script's aligner left
silent stays silent (viseme_decode.pause_noises): the words are placed, nothing failed. So does an inhale
just before a line that the aligner left out of the line's first phone (breaths_before_words),
however short the quiet between the two: at video rate there may be none. (A click
keeps its frame of shape: at video rate it cannot be told from the one loud frame of a weak
syllable the aligner left silent, KLettres' Arabic ا.)
"""

from __future__ import annotations

import numpy as np

from .alignment_report import FALLBACK_PATHS, AlignmentReport
from .features import AudioFeatures, PhoneSpan
from .phones import NOISY_ONSETS, _append, acoustic_phones
from .reverb_tail import decaying
from .runs import true_runs
from .viseme_decode import BREATH_MAX_S, BREATH_MIN_S, BREATH_SHARE, ISLAND_QUIET_S, LINE_BREATHY, pause_noises
from .viseme_features import breath_frames, mel_level_db

LOUD = 0.5  # loudness (0..1, ~30 dB below the clip's loud level) from which a frame is not silence
LOUD_VOICED = 0.6  # loud *voiced* frames: vowels and the like, which must move the jaw
REPORT_MIN_S = 0.15  # shorter relabels are a word edge rounded, not a path that failed


def loud_mask(features: AudioFeatures) -> np.ndarray:
    return np.asarray(features.loudness) >= LOUD


def loud_voiced_mask(features: AudioFeatures) -> np.ndarray:
    """Frames of loud voiced sound: where a speaking mouth is open at least a little."""
    return (np.asarray(features.loudness) >= LOUD_VOICED) & (np.asarray(features.voicing) >= 0.5)


def finish_phones(features: AudioFeatures, labels: np.ndarray, report: AlignmentReport
                  ) -> tuple[list[PhoneSpan], AlignmentReport]:
    """Per-frame labels [T] -> spans: acoustic stretches and loud silent frames labelled from acoustics."""
    labels = np.array(labels, dtype="<U3")
    n = len(labels)
    guess = None

    def acoustic() -> np.ndarray:
        nonlocal guess
        if guess is None:
            spans = acoustic_phones(features.loudness, features.voicing, features.spectral_centroid, features.rate)
            guess = np.full(n, "SIL", dtype="<U3")
            for s in spans:
                guess[s.start_frame:s.end_frame] = s.phone
        return guess

    for s in report.stretches:
        if s.path == "acoustic":
            labels[s.start_frame:s.end_frame] = acoustic()[s.start_frame:s.end_frame]
    loud = loud_mask(features)
    paths = report.path_at(n)
    breathy = breath_frames(features.mel, features.voicing)
    placed = ~np.isin(paths, list(FALLBACK_PATHS))  # where a script's words were placed
    breaths = (pause_noises(loud, breathy, features.rate.fps, clicks=False)
               | breaths_before_words(loud, breathy, labels, features.rate.fps)) & placed
    silent_loud = (labels == "SIL") & loud & ~breaths
    silent_loud &= ~decaying(mel_level_db(features.mel), silent_loud, features.rate.fps)  # a room's ring
    if silent_loud.any():
        labels[silent_loud] = np.where(acoustic()[silent_loud] == "SIL", "AH", acoustic()[silent_loud])
        min_run = max(2, int(round(REPORT_MIN_S * features.rate.fps)))
        for a, b in true_runs(silent_loud):
            if b - a >= min_run and paths[a] not in FALLBACK_PATHS:  # a fallback is reported already
                report = report.overlay(a, b, "acoustic", f"the {paths[a] or 'aligned'} phones left loud audio as silence")
    spans: list[PhoneSpan] = []
    for f, label in enumerate(labels):
        _append(spans, PhoneSpan(f, f + 1, str(label)))
    return spans, report


def breaths_before_words(loud: np.ndarray, breathy: np.ndarray, labels: np.ndarray, fps: float) -> np.ndarray:
    """[T] bool: the loud frames of a breath (BREATH_MIN_S to BREATH_MAX_S, BREATH_SHARE of its loud frames
    `breathy`) with ISLAND_QUIET_S of quiet before it, inside a silence of `labels` that ends at a
    word whose line (up to its next pause) is not breath-like itself (LINE_BREATHY: not a
    whispered line): an inhale the aligner kept out of the line after it. Touching a phone that is noise
    itself (NOISY_ONSETS), it may be that phone's own start, left silent: not a breath then."""
    out = np.zeros(len(labels), bool)
    quiet = int(round(ISLAND_QUIET_S * fps))
    for s, e in true_runs(labels == "SIL"):
        runs = true_runs(loud[s:e])
        if e >= len(labels) or not runs:
            continue
        a, b = s + runs[0][0], s + runs[-1][1]
        if (b == e and str(labels[e]) in NOISY_ONSETS) or loud[max(0, a - quiet):a].any():
            continue
        if not round(BREATH_MIN_S * fps) <= b - a <= BREATH_MAX_S * fps:
            continue
        after = _up_to_pause(loud, e, quiet)
        line = breathy[after][loud[after]]
        if np.mean(breathy[a:b][loud[a:b]]) >= BREATH_SHARE and line.size and line.mean() < LINE_BREATHY:
            out[a:b] = loud[a:b]
    return out


def _up_to_pause(loud: np.ndarray, start: int, quiet: int) -> slice:
    """Frames from `start` to the next run of `quiet` frames that are not loud (or the end)."""
    for a, b in true_runs(~loud[start:]):
        if b - a >= quiet:
            return slice(start, start + a)
    return slice(start, len(loud))
