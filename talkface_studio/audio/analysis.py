"""analyze(): audio file or clip -> AudioFeatures with one row per video frame, cached.

The acoustic pass (loudness, voicing, pitch, mel, centroid) is cheap and cached per content +
frame rate; the phone pass (phone_pass: alignment to the script, piece by piece where needed, or
recognition; any language through the viseme recognizer) is slow and cached per content +
transcript + language + recognizer version (+ closure hearing) in seconds, so changing the frame
rate never re-runs it. `features.report` says which path produced each stretch and why one fell back.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from talkface_studio.audio import cache
from talkface_studio.audio.acoustic import analyze_acoustics
from talkface_studio.audio.alignment_report import PATHS, AlignmentReport, PathStretch
from talkface_studio.audio.as_heard import as_heard
from talkface_studio.audio.features import AudioFeatures
from talkface_studio.audio.loading import AudioClip, load_audio
from talkface_studio.audio.loud_frames import finish_phones
from talkface_studio.audio.phone_pass import cached_phone_pass
from talkface_studio.audio.phones import to_spans
from talkface_studio.core.timebase import FrameRate

ANALYSIS_VERSION = 5  # bump when features change meaning: old cache entries are then ignored (2: loudness over a steady background; 3: channels that cancel in the mix, downmix; 4: a steady background close to the voice taken out, steady_noise; 5: a quiet recording raised to a working level, quiet_recording)

_ACOUSTIC_FIELDS = ("loudness", "voicing", "pitch_hz", "mel", "spectral_centroid")


def analyze(
    clip_or_path: AudioClip | str | Path,
    rate: FrameRate | str | float,
    transcript: str | None = None,
    n_frames: int | None = None,
    phones: bool = True,
    use_cache: bool = True,
    language: str = "en",
    closure_hearing: float = 1.0,
    script_fallback: float = 1.0,
    channel: int | None = None,
) -> AudioFeatures:
    """Per-video-frame features of a take.

    `n_frames` defaults to the frames needed to cover the audio; longer pads with silence,
    shorter truncates. `phones=False` skips the phone pass and labels phones from acoustics.
    `language` is the take's BCP-47 tag (audio.languages lists the supported ones).
    `closure_hearing` (the take's "Hear lip closures", 0..2, 1 = as shipped) is how readily free
    recognition labels a lip closure; aligned stretches of a script do not change with it.
    `script_fallback` (the take's "Script fallback", 0..2, 1 = as shipped) is how readily script
    words that do not match the audio fall back to recognition: 0 never (the script is followed
    wherever it can be placed), 2 twice as readily.
    `channel` (the take's audio channel, from 1) analyses that channel of the recording alone;
    None the mix of all of them (audio.downmix).
    """
    rate = FrameRate.parse(rate)
    if isinstance(clip_or_path, AudioClip):
        clip = clip_or_path.only_channel(channel)
        digest = cache.samples_digest(clip.samples, clip.sample_rate)
    else:
        clip = None
        path = Path(clip_or_path)
        digest = cache.file_digest(path) if path.is_file() else None
        if digest is None:
            clip = load_audio(path).only_channel(channel)  # raises the right MediaError
        elif channel is not None:  # cached entries hold that channel of this very file: nothing decoded on a hit
            digest = f"{digest}-ch{channel}"

    lock = threading.Lock()
    heard: np.ndarray | None = None

    def get_x16() -> np.ndarray:
        """The take at 16 kHz as the analysis hears it (as_heard), made once."""
        nonlocal clip, heard
        with lock:
            if clip is None:
                clip = load_audio(clip_or_path).only_channel(channel)  # a channel it lacks: MediaError
            if heard is None:
                heard = as_heard(clip)
            return heard

    # The phone pass (pocketsphinx, mostly outside the GIL) runs beside the acoustic pass: two cores.
    pool = ThreadPoolExecutor(max_workers=1)
    pending = pool.submit(cached_phone_pass, get_x16, digest, transcript, use_cache,
                          language, closure_hearing, script_fallback) if phones else None
    pool.shutdown(wait=False)
    acoustic_key = f"acoustic-{digest}-{rate.num}_{rate.den}-{n_frames or 'auto'}-v{ANALYSIS_VERSION}"
    arrays = cache.load_arrays(acoustic_key) if use_cache else None
    if not cache.valid_acoustic(arrays, _ACOUSTIC_FIELDS, n_frames):
        x16 = get_x16()
        t = rate.frames_in(clip.duration) if n_frames is None else int(n_frames)
        acoustic = analyze_acoustics(x16, rate, t)
        arrays = {k: getattr(acoustic, k) for k in _ACOUSTIC_FIELDS}
        if use_cache:
            cache.save_arrays(acoustic_key, arrays)
    t = len(arrays["loudness"])
    features = AudioFeatures(rate=rate, n_frames=t, **{k: arrays[k] for k in _ACOUSTIC_FIELDS})

    scripted = bool((transcript or "").strip())
    if pending is not None:
        result = pending.result()
        labels = _labels(to_spans(result.phones, rate, t), t)
        report = AlignmentReport.from_timed(result.stretches, rate, t, scripted)
        features.words = _word_frames(result.words, rate, t)
    else:
        labels = np.full(t, "SIL", dtype="<U3")
        report = AlignmentReport((PathStretch(0, t, "acoustic", "phones not requested"),) if t else ())
    features.phones, features.report = finish_phones(features, labels, report)
    features.phone_source = _main_path(features.report, t)
    return features


def _word_frames(words, rate, n_frames: int) -> list[tuple[int, int, str]]:
    """The aligned script words as [start, end) video frames, in order, each at least one frame."""
    out = []
    for w in sorted(words):
        a = min(max(int(round(w.start * rate.fps)), 0), n_frames)
        b = min(max(int(round(w.end * rate.fps)), a + 1), n_frames)
        if b > a:
            out.append((a, b, w.word))
    return out


def _labels(spans, n_frames: int) -> np.ndarray:
    out = np.full(n_frames, "SIL", dtype="<U3")
    for s in spans:
        out[s.start_frame:s.end_frame] = s.phone
    return out


def _main_path(report: AlignmentReport, n_frames: int) -> str:
    """The path that produced the most frames (the first, best one on a tie)."""
    if not report.stretches:
        return "acoustic"
    counts = {p: 0 for p in PATHS}
    for s in report.stretches:
        counts[s.path] = counts.get(s.path, 0) + s.end_frame - s.start_frame
    return max(PATHS, key=lambda p: counts[p])
