"""analyze(): audio file or clip -> AudioFeatures with one row per video frame, cached.

The acoustic pass (loudness, voicing, pitch, mel, centroid) is cheap and cached per content +
frame rate; the phone pass (pocketsphinx) is slow and cached per content + transcript in
seconds, so changing the frame rate never re-runs it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from talkface_studio.audio import cache
from talkface_studio.audio.acoustic import SR, analyze_acoustics
from talkface_studio.audio.features import AudioFeatures
from talkface_studio.audio.loading import AudioClip, load_audio
from talkface_studio.audio.phones import PhoneError, TimedPhone, acoustic_phones, align, recognise, to_spans
from talkface_studio.core.timebase import FrameRate

ANALYSIS_VERSION = 1  # bump when features change meaning: old cache entries are then ignored
# Recognition is "unusable" when it leaves most clearly audible frames labelled as silence.
MIN_SPEECH_COVERAGE = 0.5

_ACOUSTIC_FIELDS = ("loudness", "voicing", "pitch_hz", "mel", "spectral_centroid")


def analyze(
    clip_or_path: AudioClip | str | Path,
    rate: FrameRate | str | float,
    transcript: str | None = None,
    n_frames: int | None = None,
    phones: bool = True,
    use_cache: bool = True,
) -> AudioFeatures:
    """Per-video-frame features of a take.

    `n_frames` defaults to the frames needed to cover the audio; longer pads with silence,
    shorter truncates. `phones=False` skips pocketsphinx and labels phones from acoustics.
    """
    rate = FrameRate.parse(rate)
    if isinstance(clip_or_path, AudioClip):
        clip = clip_or_path
        digest = cache.samples_digest(clip.samples, clip.sample_rate)
    else:
        clip = None
        path = Path(clip_or_path)
        digest = cache.file_digest(path) if path.is_file() else None
        if digest is None:
            clip = load_audio(path)  # raises the right MediaError

    def get_clip() -> AudioClip:
        nonlocal clip
        if clip is None:
            clip = load_audio(clip_or_path)
        return clip

    acoustic_key = f"acoustic-{digest}-{rate.num}_{rate.den}-{n_frames or 'auto'}-v{ANALYSIS_VERSION}"
    arrays = cache.load_arrays(acoustic_key) if use_cache else None
    if not cache.valid_acoustic(arrays, _ACOUSTIC_FIELDS, n_frames):
        x16 = get_clip().mono(SR)
        t = rate.frames_in(get_clip().duration) if n_frames is None else int(n_frames)
        acoustic = analyze_acoustics(x16, rate, t)
        arrays = {k: getattr(acoustic, k) for k in _ACOUSTIC_FIELDS}
        if use_cache:
            cache.save_arrays(acoustic_key, arrays)
    t = len(arrays["loudness"])
    features = AudioFeatures(rate=rate, n_frames=t, **{k: arrays[k] for k in _ACOUSTIC_FIELDS})

    source, timed = "acoustic", []
    if phones:
        source, timed = _phone_pass(get_clip, digest, transcript, use_cache)
    if source != "acoustic":
        spans = to_spans(timed, rate, t)
        if source == "recognised" and _speech_coverage(spans, features.loudness) < MIN_SPEECH_COVERAGE:
            source = "acoustic"
        else:
            features.phones, features.phone_source = spans, source
    if source == "acoustic":
        features.phones = acoustic_phones(features.loudness, features.voicing, features.spectral_centroid, rate)
        features.phone_source = "acoustic"
    return features


def _phone_pass(get_clip, digest: str, transcript: str | None, use_cache: bool) -> tuple[str, list[TimedPhone]]:
    """("aligned" | "recognised" | "acoustic", phones in seconds); cached per content + transcript."""
    text = (transcript or "").strip()
    key = f"phones-{digest}-{cache.text_digest(text) if text else 'free'}-v{ANALYSIS_VERSION}"
    stored = cache.load_json(key) if use_cache else None
    if cache.valid_phones(stored):
        try:
            return stored["source"], [TimedPhone(float(s), float(e), str(p)) for s, e, p in stored["phones"]]
        except (TypeError, ValueError):
            pass
    x16 = get_clip().mono(SR)
    source, timed = "acoustic", []
    if text:
        try:
            source, timed = "aligned", align(x16, text)
        except PhoneError:
            pass
    if source == "acoustic":
        try:
            source, timed = "recognised", recognise(x16)
        except PhoneError:
            pass
    if use_cache:
        cache.save_json(key, {"source": source, "phones": [list(p) for p in timed]})
    return source, timed


def _speech_coverage(spans, loudness: np.ndarray) -> float:
    audible = loudness >= 0.3
    if not audible.any():
        return 1.0
    labelled = np.zeros(len(loudness), dtype=bool)
    for s in spans:
        if s.phone != "SIL":
            labelled[s.start_frame : s.end_frame] = True
    return float((labelled & audible).sum() / audible.sum())
