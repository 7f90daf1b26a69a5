"""Recognizer input: 80-bin log-mel every 10 ms, normalised per recording.

The mel filters are analysis's own (audio/acoustic.py: 16 kHz, 512-point FFT, 55-7600 Hz), on a
25 ms Hann window every 10 ms, the usual speech-recognition framing. Each recording is then
normalised per mel bin (mean and variance over its frames, after flooring everything more than
80 dB below its loudest bin): that removes the microphone's and room's colouring and the level,
which is most of what separates espeak-ng's voices from a real recording.
"""

from __future__ import annotations

import numpy as np
import scipy.fft
from numpy.lib.stride_tricks import sliding_window_view

from .acoustic import N_FFT, SR, mel_filterbank
from .runs import true_runs

HOP = 160  # 10 ms
FPS = SR // HOP  # 100 frames per second
WINDOW = 400  # 25 ms
FLOOR_NATS = np.log(1e8)  # 80 dB below the loudest bin
_WINDOW = np.hanning(WINDOW).astype(np.float32)


def n_frames_for(n_samples: int) -> int:
    return n_samples // HOP + 1


def log_mel(x16: np.ndarray) -> np.ndarray:
    """float32 [T, 80] natural-log mel power; frame t is centred on sample t * HOP."""
    x = np.asarray(x16, dtype=np.float32)
    padded = np.pad(x, (WINDOW // 2, WINDOW // 2 + HOP))
    frames = sliding_window_view(padded, WINDOW)[::HOP][: n_frames_for(len(x))]
    power = np.abs(scipy.fft.rfft(frames * _WINDOW, N_FFT, axis=1)) ** 2
    mel = power @ mel_filterbank().T
    return np.log(np.maximum(mel, 1e-10)).astype(np.float32)


# A long pause counts in the per-recording statistics as one of the training clips' pauses
# (0.05-0.6 s): only its first and last PAUSE_KEPT_S. Counted whole, 5 s of silence either side of a
# 5 s line moved every bin's mean so far that the recognizer closed 1 of its 3 p/b/m instead of 3.
PAUSE_KEPT_S = 0.3
PAUSE_BELOW_DB = 35.0  # frames this far under the loud level (95th percentile) are a pause


def normalize(mel: np.ndarray) -> np.ndarray:
    """Per-recording mean/variance normalisation per bin (floored 80 dB below the loudest bin), the
    statistics over the recording with each long pause cut to PAUSE_KEPT_S at either end."""
    if len(mel) == 0:
        return mel.astype(np.float32)
    m = np.maximum(mel, mel.max() - FLOOR_NATS)
    counted = m[~_long_pause_middles(m)]
    mean = counted.mean(axis=0, keepdims=True)
    std = counted.std(axis=0, keepdims=True)
    return ((m - mean) / np.maximum(std, 1e-3)).astype(np.float32)


def mel_level_db(mel: np.ndarray) -> np.ndarray:
    """[T] level in dB (up to a constant) of natural-log mel power frames [T, bands]."""
    return 10 * np.log10(np.exp(np.asarray(mel, np.float64)).sum(axis=1))


def _long_pause_middles(mel: np.ndarray) -> np.ndarray:
    """[T] bool: the frames of each pause (PAUSE_BELOW_DB) more than PAUSE_KEPT_S from its ends."""
    level = mel_level_db(mel)
    kept = int(round(PAUSE_KEPT_S * FPS))
    out = np.zeros(len(mel), bool)
    for a, b in true_runs(level < np.percentile(level, 95) - PAUSE_BELOW_DB):
        if b - a > 2 * kept:
            out[a + kept:b - kept] = True
    return out


def features(x16: np.ndarray) -> np.ndarray:
    """16 kHz mono -> normalised log-mel [T, 80] at 100 frames per second."""
    return normalize(log_mel(x16))


# A breath is turbulent noise of an open vocal tract: unvoiced, with little energy below ~0.77 kHz
# (where voiced speech has its fundamental and first formant) and most of it above 1 kHz.
BRIGHT_LOW_BINS, BRIGHT_HIGH_BINS = slice(0, 20), slice(28, 58)  # ~90-770 Hz, ~1.1-3.4 kHz (telephone-safe)
BREATH_BRIGHT_DB = 0.0  # high band over low band, dB: above this in 7% of the loud frames of ../shared/speech
BREATH_VOICING = 0.5  # normalised autocorrelation at a pitch lag (60-400 Hz) below this: unvoiced
_PITCH_LAGS = slice(SR // 400, SR // 60 + 1)


def breathy(x16: np.ndarray, mel: np.ndarray) -> np.ndarray:
    """Frames [T] bool that sound like breath: bright and unvoiced. `mel` is log_mel(x16). A voiced
    bright syllable (Mandarin 是, whose apical vowel is bright) is not breath."""
    voicing = periodicity(x16)
    n = min(len(mel), len(voicing))
    return breath_frames(mel[:n], voicing[:n])


def breath_frames(mel: np.ndarray, voicing: np.ndarray) -> np.ndarray:
    """[T] bool: bright (bright_frames) and unvoiced (`voicing`, 0..1 per frame, under
    BREATH_VOICING), on any frame grid the two share."""
    return bright_frames(mel) & (np.asarray(voicing) < BREATH_VOICING)


def bright_frames(mel: np.ndarray) -> np.ndarray:
    """[T] bool: energy at ~1.1-3.4 kHz over energy at ~90-770 Hz above BREATH_BRIGHT_DB (any
    natural-log mel power on analysis's filters: log_mel's, or AudioFeatures.mel)."""
    e = np.exp(np.asarray(mel, np.float64))
    return 10 * np.log10(e[:, BRIGHT_HIGH_BINS].sum(axis=1) / np.maximum(e[:, BRIGHT_LOW_BINS].sum(axis=1), 1e-30)
                         ) > BREATH_BRIGHT_DB


def periodicity(x16: np.ndarray) -> np.ndarray:
    """[T] normalised autocorrelation peak at a pitch lag (60-400 Hz) of each 25 ms frame: near 1
    in a voiced sound, low in noise."""
    x = np.asarray(x16, dtype=np.float32)
    padded = np.pad(x, (WINDOW // 2, WINDOW // 2 + HOP))
    frames = sliding_window_view(padded, WINDOW)[::HOP][: n_frames_for(len(x))]
    frames = frames - frames.mean(axis=1, keepdims=True)
    spectrum = scipy.fft.rfft(frames, 2 * WINDOW, axis=1)
    ac = scipy.fft.irfft(np.abs(spectrum) ** 2, axis=1)[:, :WINDOW]
    return (ac[:, _PITCH_LAGS].max(axis=1) / np.maximum(ac[:, 0], 1e-12)).astype(np.float32)


# mel bins of the "dark" ratio: above ~2.3 kHz against below ~0.65 kHz (55-7600 Hz, 80 bins)
HIGH_BINS, LOW_BINS = slice(45, None), slice(0, 20)
DARKNESS_SCALE = 4.0  # nats of darkening that count as full evidence
# Frames this far below the loud level are the weak edges of speech or no voice at all (the silent
# hold of a voiceless p, its release and aspiration, a pause): their spectrum says little about the
# lips, so they are neutral, never counter-evidence. (20 dB let a p's aspiration 17-19 dB down vote
# against its own closure: espeak es "prepara" lost its p; 12-17 dB give the same closures and
# precision on every bench_lipsync row.) Loud bright frames (a fricative beside the closure) count
# against a closure at most BRIGHT_FLOOR.
QUIET_DB = 15.0
BRIGHT_FLOOR = -0.4


def closure_darkness(mel: np.ndarray, level_db: np.ndarray, gaps: np.ndarray | None = None) -> np.ndarray:
    """Per-frame evidence (BRIGHT_FLOOR..1) that the lips are closed, from the spectrum alone:
    how much darker (less energy above ~2.3 kHz against below ~0.65 kHz) a frame is than the
    recording's typical loud frame; quiet frames are neutral or positive, and the hold of a
    stop-like gap and its release frame (stop_gaps) count as full evidence. A voiced closure or a
    nasal murmur radiates through the cheeks and nose only, so it is dark; vowels and fricatives
    are bright. Alveolar and velar closures are dark
    too: this says "a closure or a nasal", the network says which.
    `mel` is log_mel's output, `level_db` frame_level_db's, both [T]; `gaps` is stop_gaps(level_db) > 0
    where the caller already has it (over the same frames)."""
    if len(mel) == 0:
        return np.zeros(0, np.float32)
    p = np.exp(mel.astype(np.float64))
    ratio = np.log(p[:, HIGH_BINS].sum(axis=1) + 1e-10) - np.log(p[:, LOW_BINS].sum(axis=1) + 1e-10)
    n = min(len(ratio), len(level_db))
    live = level_db[:n][level_db[:n] > -100]
    ref_level = float(np.percentile(live, 95)) if live.size else 0.0
    loud = level_db[:n] > ref_level - 30
    typical = float(np.median(ratio[:n][loud])) if loud.any() else float(np.median(ratio))
    evidence = np.clip((typical - ratio) / DARKNESS_SCALE, BRIGHT_FLOOR, 1.0)
    quiet = np.zeros(len(evidence), bool)
    quiet[:n] = level_db[:n] < ref_level - QUIET_DB
    evidence[quiet] = np.maximum(evidence[quiet], 0.0)
    if gaps is None or len(gaps) != n:
        gaps = stop_gaps(level_db[:n], ref_level) > 0
    evidence[:n][np.asarray(gaps, bool)] = 1.0
    return evidence.astype(np.float32)


# A stop consonant's hold: a quiet gap of 20-100 ms between loud sounds that ends in an abrupt rise
# (the release burst). A voiceless p's hold is silent, so the spectrum alone says nothing there;
# the gap's shape says "some closure" (the network still says which: M, T or K).
GAP_FRAMES = (2, 10)  # 10 ms frames
# With a script the words say where a stop is, so a longer gap may be one's hold: careful speakers
# hold a closure 110-150 ms ("en modo", "aceptar"; geminates longer still), which as a pause let
# the aligner close the lips after it. Without a script such a gap is left to the recognizer.
HOLD_FRAMES = (2, 15)
RELEASE_RISE_DB = 10.0  # level rise from the gap's last frame into the next two


def stop_gaps(level_db: np.ndarray, ref_level: float | None = None,
              frames: tuple[int, int] = GAP_FRAMES) -> np.ndarray:
    """[T] 1 on the frames of a stop-like gap (QUIET_DB below the loud level, `frames` long,
    loud on both sides, released by a rise of RELEASE_RISE_DB), else 0."""
    n = len(level_db)
    out = np.zeros(n, np.float32)
    if ref_level is None:
        live = level_db[level_db > -100]
        ref_level = float(np.percentile(live, 95)) if live.size else 0.0
    quiet = level_db < ref_level - QUIET_DB
    for a, b in true_runs(quiet):  # quiet frames a..b-1
        if not frames[0] <= b - a <= frames[1] or a == 0 or b >= n - 2:
            continue
        loud_before = level_db[max(0, a - 3) : a].max() >= ref_level - QUIET_DB
        loud_after = level_db[b : b + 3].max() >= ref_level - 12.0
        if loud_before and loud_after and level_db[b : b + 2].max() - level_db[b - 1] >= RELEASE_RISE_DB:
            out[a : b + 1] = 1.0
    return out


def frame_level_db(x16: np.ndarray) -> np.ndarray:
    """Level of each 10 ms frame in dB relative to full scale ([T]), on the same frame grid."""
    x = np.asarray(x16, dtype=np.float32)
    padded = np.pad(x, (WINDOW // 2, WINDOW // 2 + HOP))
    frames = sliding_window_view(padded, WINDOW)[::HOP][: n_frames_for(len(x))]
    return (10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)).astype(np.float32)
