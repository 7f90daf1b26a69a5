"""Speech features without audio: a phone script -> AudioFeatures, for tests, benchmarks and demos.

Each phone gets a plausible loudness / voicing / pitch / brightness so that every part of a
performer (lip sync, nods, blinks at phrase ends) has something to react to.
"""

from __future__ import annotations

import numpy as np

from talkface_studio.audio.features import N_MELS, VOWELS, AudioFeatures, PhoneSpan
from talkface_studio.core.timebase import FrameRate

VOICELESS = frozenset("P T K F TH S SH CH HH".split())


def features_from_script(
    script: list[tuple[str, float]],
    rate: FrameRate | str = "30",
    loudness: float = 0.7,
    pitch_hz: float = 180.0,
    phone_source: str = "aligned",
    seed: int = 0,
) -> AudioFeatures:
    """[(phone, seconds), ...] -> AudioFeatures. `loudness` is the level of vowels (0..1)."""
    rate = FrameRate.parse(rate)
    fps = rate.fps
    rng = np.random.default_rng(seed)
    spans, t = [], 0.0
    for phone, dur in script:
        s, e = int(round(t * fps)), int(round((t + dur) * fps))
        if e > s:
            spans.append(PhoneSpan(s, e, phone))
        t += dur
    n = spans[-1].end_frame if spans else 0
    loud = np.zeros(n)
    voicing = np.zeros(n)
    pitch = np.zeros(n)
    centroid = np.full(n, 500.0)
    for sp in spans:
        sl = slice(sp.start_frame, sp.end_frame)
        if sp.phone == "SIL":
            continue
        vowel = sp.phone in VOWELS
        loud[sl] = loudness * (1.0 if vowel else 0.55)
        voiced = sp.phone not in VOICELESS
        voicing[sl] = 0.9 if voiced else 0.1
        pitch[sl] = pitch_hz * (1 + 0.05 * rng.standard_normal()) if voiced else 0.0
        centroid[sl] = 4500.0 if sp.phone in ("S", "Z", "SH", "F", "TH", "CH") else (1200.0 if vowel else 2000.0)
    mel = np.log(1e-4 + np.outer(loud, np.linspace(1.0, 0.1, N_MELS)))
    return AudioFeatures(
        rate=rate,
        n_frames=n,
        loudness=loud,
        voicing=voicing,
        pitch_hz=pitch,
        mel=mel,
        spectral_centroid=centroid,
        phones=spans,
        phone_source=phone_source,
    )


def sentence_script(words: int = 8, seed: int = 0) -> list[tuple[str, float]]:
    """A random but speech-like phone script: CV(C) syllables, words, phrase pauses."""
    rng = np.random.default_rng(seed)
    cons = "P B M F V T D N L K G S Z SH R W Y HH TH".split()
    vows = sorted(VOWELS)
    out: list[tuple[str, float]] = [("SIL", 0.3)]
    for w in range(words):
        for _ in range(rng.integers(1, 4)):
            out.append((str(rng.choice(cons)), float(rng.uniform(0.05, 0.11))))
            out.append((str(rng.choice(vows)), float(rng.uniform(0.08, 0.2))))
        if rng.random() < 0.4:
            out.append((str(rng.choice(cons)), float(rng.uniform(0.05, 0.1))))
        if (w + 1) % 4 == 0:
            out.append(("SIL", float(rng.uniform(0.3, 0.7))))
    out.append(("SIL", 0.4))
    return out
