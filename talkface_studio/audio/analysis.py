"""analyze(): audio file or clip -> AudioFeatures with one row per video frame, cached.

The acoustic pass (loudness, voicing, pitch, mel, centroid) is cheap and cached per content +
frame rate; the phone pass is cached per content + transcript + language + recognizer version in
seconds, so changing the frame rate never re-runs it.

Which phones (`phone_source`): an English script is aligned by pocketsphinx ("aligned"); any
other language's script, and an English script pocketsphinx cannot place, is aligned by the
packaged viseme recognizer ("aligned", see audio/viseme_phones.py); without a script that
recognizer labels the speech ("recognized"). Only if the recognizer cannot run are phones
guessed from acoustics ("acoustic"), and `phone_report["note"]` says why.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from talkface_studio.audio import cache
from talkface_studio.audio.acoustic import SR, analyze_acoustics
from talkface_studio.audio.features import AudioFeatures
from talkface_studio.audio.loading import AudioClip, load_audio
from talkface_studio.audio.phones import PhoneError, TimedPhone, acoustic_phones, align, to_spans
from talkface_studio.core.timebase import FrameRate

ANALYSIS_VERSION = 2  # bump when features change meaning: old cache entries are then ignored
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
    language: str = "en",
) -> AudioFeatures:
    """Per-video-frame features of a take.

    `n_frames` defaults to the frames needed to cover the audio; longer pads with silence,
    shorter truncates. `phones=False` skips the phone pass and labels phones from acoustics.
    `language` is the take's BCP-47 tag (audio.languages lists the supported ones).
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
    if arrays is None or any(k not in arrays for k in _ACOUSTIC_FIELDS):
        x16 = get_clip().mono(SR)
        t = rate.frames_in(get_clip().duration) if n_frames is None else int(n_frames)
        acoustic = analyze_acoustics(x16, rate, t)
        arrays = {k: getattr(acoustic, k) for k in _ACOUSTIC_FIELDS}
        if use_cache:
            cache.save_arrays(acoustic_key, arrays)
    t = len(arrays["loudness"])
    features = AudioFeatures(rate=rate, n_frames=t, **{k: arrays[k] for k in _ACOUSTIC_FIELDS})

    source, timed, report = "acoustic", [], {"path": "acoustic", "note": "phones=False"}
    if phones:
        source, timed, report = _phone_pass(get_clip, digest, transcript, use_cache, language)
    if source != "acoustic":
        spans = to_spans(timed, rate, t)
        if source == "recognized" and _speech_coverage(spans, features.loudness) < MIN_SPEECH_COVERAGE:
            source = "acoustic"
            report = {**report, "path": "acoustic", "note": "recognition left most loud frames silent"}
        else:
            features.phones, features.phone_source = spans, source
    features.phone_report = report
    if source == "acoustic":
        features.phones = acoustic_phones(features.loudness, features.voicing, features.spectral_centroid, rate)
        features.phone_source = "acoustic"
    return features


def _phone_pass(get_clip, digest: str, transcript: str | None, use_cache: bool,
                language: str = "en") -> tuple[str, list[TimedPhone], dict]:
    """("aligned" | "recognized" | "acoustic", phones in seconds, report); cached per content +
    transcript + language + recognizer version."""
    from talkface_studio.audio.languages import check_language, primary
    from talkface_studio.audio.viseme_phones import model_version, viseme_phones_or_report

    language = check_language(language)
    text = (transcript or "").strip()
    key = (f"phones-{digest}-{cache.text_digest(text) if text else 'free'}-{language}-{model_version()}"
           f"-v{ANALYSIS_VERSION}")
    stored = cache.load_json(key) if use_cache else None
    if isinstance(stored, dict) and "source" in stored:
        try:
            return (stored["source"], [TimedPhone(float(s), float(e), str(p)) for s, e, p in stored["phones"]],
                    dict(stored.get("report") or {}))
        except (TypeError, ValueError):
            pass
    x16 = get_clip().mono(SR)
    source, timed, report = "acoustic", [], {}
    if text and primary(language) == "en":
        try:
            source, timed = "aligned", align(x16, text)
            report = {"path": "aligned", "aligner": "pocketsphinx", "language": language}
        except PhoneError as exc:
            report = {"pocketsphinx": str(exc)}
    if source == "acoustic":
        source, timed, more = viseme_phones_or_report(x16, text, language)
        report = {**report, **more}
    if use_cache:
        cache.save_json(key, {"source": source, "phones": [list(p) for p in timed], "report": report})
    return source, timed, report


def _speech_coverage(spans, loudness: np.ndarray) -> float:
    audible = loudness >= 0.3
    if not audible.any():
        return 1.0
    labelled = np.zeros(len(loudness), dtype=bool)
    for s in spans:
        if s.phone != "SIL":
            labelled[s.start_frame : s.end_frame] = True
    return float((labelled & audible).sum() / audible.sum())
