"""Speech from SVOX Pico's voices (HMM voices trained on real speakers), labelled by the script aligner.

Pico (PyPI `ttspico`, Apache-2.0, built from C source by pip) has six statistical voices, each
trained on one speaker's recordings: en-US, en-GB, de-DE, es-ES, fr-FR, it-IT. Their spectra and
durations are a person's, smoothed, which espeak-ng's formant rules are not.

Pico reports no phone times (its segment durations stay inside the C library's processing units,
which the Python binding does not expose), so the labels here are made the way the product makes
them with a script: espeak-ng reads the same text into phones (audio/g2p) and the viseme aligner
(audio/viseme_align) places them on the packaged recipe-2 network's posteriors (fixed weights,
so a seed gives the same labels everywhere). That aligner places 0.93-1.00 of bilabials on held-out
synthetic speech. Pico reads some words (pseudo-words above all) differently from espeak-ng, so a
sentence whose alignment the aligner itself doubts (a word judged below MIN_CONFIDENCE, the
product's own fallback limit) is not used.

`synthesize(text, voice, rate=100, pitch=100)` -> `PicoSpeech` (16 kHz samples, viseme spans), or
SynthError when Pico is missing or the text cannot be labelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from talkface_studio.audio.viseme_decode import TimedViseme

from .espeak_synth import SR, SynthError

# Pico voice -> (viseme_texts language for random sentences, g2p language for the labels)
VOICES: dict[str, tuple[str, str]] = {
    "en-US": ("en-us", "en-US"),
    "en-GB": ("en-gb", "en-GB"),
    "de-DE": ("de", "de"),
    "es-ES": ("es", "es"),
    "fr-FR": ("fr-fr", "fr"),
    "it-IT": ("it", "it"),
}
RATE_RANGE = (20, 500)  # Pico's speed levels (100 = the voice's own)
PITCH_RANGE = (50, 200)
MIN_CONFIDENCE = 0.15  # viseme_phones' limit below which a stretch is re-recognized


@dataclass
class PicoSpeech:
    samples: np.ndarray  # float32, 16 kHz
    visemes: list[TimedViseme]  # contiguous spans covering the samples ("SIL" in pauses)
    confidence: float  # the lowest judged word confidence of the alignment


def available() -> bool:
    try:
        import ttspico  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _labeller():
    """The packaged recipe-2 network alone (not the ensemble: its manifest may change)."""
    from talkface_studio.audio.viseme_model import DEFAULT_WEIGHTS, VisemeRecognizer

    return VisemeRecognizer(DEFAULT_WEIGHTS, device="cpu")


def speak(text: str, voice: str = "en-US", rate: int = 100, pitch: int = 100) -> np.ndarray:
    """Pico's 16 kHz mono speech of `text` as float32. Raises SynthError when Pico is missing."""
    if voice not in VOICES:
        raise SynthError(f"unknown Pico voice {voice!r}; known: {', '.join(VOICES)}")
    if not available():
        raise SynthError("Pico is not installed (pip install ttspico; see pyproject's [train] extra)")
    import ttspico

    # A fresh engine per sentence (~70 ms): Pico's unvoiced excitation draws from a random table
    # whose position carries over from one utterance to the next, so a reused engine would make
    # each sentence depend on everything spoken before it in the process.
    engine = ttspico.TtsEngine(voice)
    engine.rate = int(np.clip(rate, *RATE_RANGE))
    engine.pitch = int(np.clip(pitch, *PITCH_RANGE))
    pcm = engine.speak(text) or b""
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def label(samples: np.ndarray, text: str, language: str) -> tuple[list[TimedViseme], float]:
    """Viseme spans of `text` aligned to `samples` -> (spans, lowest judged word confidence).
    Raises SynthError where the text cannot be read or placed."""
    from talkface_studio.audio.g2p import G2PError, g2p
    from talkface_studio.audio.viseme_align import AlignmentError, align
    from talkface_studio.audio.viseme_phones import judged_confidences, posteriors

    post = posteriors(samples, _labeller())
    try:
        alignment = align(post.logp, g2p(text, language), post.level, post.darkness)
    except (G2PError, AlignmentError) as exc:
        raise SynthError(f"Pico speech could not be labelled: {exc}") from None
    judged = judged_confidences(alignment.words)
    return alignment.visemes, float(min(judged)) if judged else 0.0


def synthesize(text: str, voice: str = "en-US", rate: int = 100, pitch: int = 100) -> PicoSpeech:
    """Speak `text` with a Pico voice and label it; SynthError when the alignment is doubtful."""
    x = speak(text, voice, rate, pitch)
    if len(x) < SR // 10:
        raise SynthError("Pico produced no speech")
    spans, confidence = label(x, text, VOICES[voice][1])
    if confidence < MIN_CONFIDENCE:
        raise SynthError(f"Pico speech not labelled: a word's alignment confidence is {confidence:.2f}")
    return PicoSpeech(x, spans, confidence)
