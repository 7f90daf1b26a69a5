"""Frame labels that agree with the audio: loud frames are never silence.

Whatever path produced the phones, a frame whose audio is loud gets a label from the acoustic
guess when the path left it as silence (an aligner that lost its place, a recognizer that heard
nothing). Runs long enough to matter (not a frame of rounding at a word's edge) are added to the
report, so the user hears about them. A breath alone in a pause that a script's aligner left
silent stays silent (viseme_decode.pause_noises): the words are placed, nothing failed. (A click
keeps its frame of shape: at video rate it cannot be told from the one loud frame of a weak
syllable the aligner left silent, KLettres' Arabic ا.)
"""

from __future__ import annotations

import numpy as np

from .alignment_report import FALLBACK_PATHS, AlignmentReport
from .features import AudioFeatures, PhoneSpan
from .phones import _append, acoustic_phones
from .runs import true_runs
from .viseme_decode import pause_noises
from .viseme_features import breath_frames

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
    breaths = pause_noises(loud, breathy, features.rate.fps, clicks=False) & placed
    silent_loud = (labels == "SIL") & loud & ~breaths
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
