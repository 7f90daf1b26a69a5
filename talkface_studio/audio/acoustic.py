"""Acoustic features of 16 kHz mono speech, resampled to one row per video frame.

Plain numpy/scipy on purpose: librosa's jitted paths cost seconds of numba warm-up per process,
while the whole acoustic pass over 60 s of audio takes well under a second here. Short-time
analysis runs on a fine grid (5 ms for spectra, 10 ms for pitch); each video frame then averages
the rows whose centres fall inside it, so every frame rate from 23.976 to 60 sees the same audio.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.fft
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal import butter, sosfilt

from talkface_studio.core.timebase import FrameRate

SR = 16_000
N_FFT = 512  # 32 ms
SPEC_HOP = 80  # 5 ms
PITCH_HOP = 160  # 10 ms
YIN_WINDOW = 400  # 25 ms integration window
F0_MIN, F0_MAX = 60.0, 600.0  # adult and child speech, sung lines up to ~D5
YIN_THRESHOLD = 0.15
LOUDNESS_RANGE_DB = 60.0  # loudness 0 lies this far below the clip's loud level (at most)
BED_FLAT_DB = 3.0         # the quietest fifth of a recording within this: a steady background ...
BED_NEAR_DB = 25.0        # ... this close to the loud level passes for speech by level (noise, hum, music)
BED_BELOW_DB = 8.0        # ... but one this close is the voice itself (a held vowel, a sung note)
BED_CLEAR_DB = 3.0        # over such a bed, loudness counts from this far above it
BED_MIN_RANGE_DB = 10.0   # ... but never closer than this below the loud level
MEL_FLOOR = 1e-10
_EPS = 1e-20


@dataclass
class AcousticFrames:
    loudness: np.ndarray  # [T]
    voicing: np.ndarray  # [T]
    pitch_hz: np.ndarray  # [T]
    mel: np.ndarray  # [T, 80]
    spectral_centroid: np.ndarray  # [T]


@lru_cache(maxsize=1)
def mel_filterbank() -> np.ndarray:
    """[80, 257] Slaney mel filters (55-7600 Hz) for 16 kHz / 512-point FFT.

    Bundled as computed by `librosa.filters.mel(sr=16000, n_fft=512, n_mels=80, fmin=55,
    fmax=7600)` (a test checks it still matches) so analysis never imports librosa/numba.
    """
    with np.load(Path(__file__).with_name("mel_filters.npz"), allow_pickle=False) as data:
        return data["mel_16k_512_80"]


def analyze_acoustics(x16: np.ndarray, rate: FrameRate, n_frames: int) -> AcousticFrames:
    """All per-frame acoustic features of `x16` (float32 mono at 16 kHz)."""
    x = sosfilt(_highpass(), np.asarray(x16, dtype=np.float64)).astype(np.float32)  # rumble/DC out

    # Spectral rows every 5 ms, centred on r * hop.
    frames = sliding_window_view(np.pad(x, N_FFT // 2), N_FFT)[::SPEC_HOP]
    window = np.hanning(N_FFT).astype(np.float32)
    power = np.abs(scipy.fft.rfft(frames * window, axis=1)) ** 2  # [R, 257]
    row_power = (frames * window) ** 2
    row_power = row_power.mean(axis=1) / np.mean(window**2)  # mean-square level, 1.0 = full-scale RMS 1
    freqs = np.fft.rfftfreq(N_FFT, 1.0 / SR)
    spec_idx = _frame_index(np.arange(len(frames)) * SPEC_HOP / SR, rate, n_frames)

    count = np.bincount(spec_idx, minlength=n_frames + 1)[:n_frames]
    has_audio = count > 0
    safe = np.maximum(count, 1)
    frame_power = _binsum(spec_idx, row_power, n_frames) / safe
    mel_power = _binsum(spec_idx, power @ mel_filterbank().T, n_frames) / safe[:, None]
    total = _binsum(spec_idx, power.sum(axis=1), n_frames)
    centroid = _binsum(spec_idx, power @ freqs, n_frames) / np.maximum(total, _EPS)
    centroid[total <= _EPS] = 0.0

    level_db = 10 * np.log10(np.maximum(frame_power, _EPS))
    loudness = _loudness(level_db, has_audio)

    # Pitch rows every 10 ms; rows far below the loud level are never voiced (breath, room tone)
    # and are not searched at all, which skips most of the cost on pauses.
    pitch_times = np.arange(len(x) // PITCH_HOP + 1) * PITCH_HOP / SR
    pitch_idx = _frame_index(pitch_times, rate, n_frames)
    gate_db = _loud_level(level_db, has_audio) - 45.0
    row_level = np.interp(pitch_times, np.arange(len(frames)) * SPEC_HOP / SR, 10 * np.log10(row_power + _EPS))
    active = row_level > gate_db
    f0 = np.zeros(len(pitch_times))
    periodicity = np.zeros(len(pitch_times))
    if active.any():
        f0[active], periodicity[active] = _yin(x, np.flatnonzero(active))
    voiced_row = np.clip((0.45 - (1.0 - periodicity)) / 0.3, 0.0, 1.0) * active
    pcount = np.maximum(np.bincount(pitch_idx, minlength=n_frames + 1)[:n_frames], 1)
    voicing = _binsum(pitch_idx, voiced_row, n_frames) / pcount
    w = voiced_row * (voiced_row >= 0.5)
    wsum = _binsum(pitch_idx, w, n_frames)
    log_f0 = _binsum(pitch_idx, w * np.log(np.maximum(f0, 1.0)), n_frames) / np.maximum(wsum, _EPS)
    pitch = np.where((voicing >= 0.5) & (wsum > 0), np.exp(log_f0), 0.0)

    return AcousticFrames(
        loudness=loudness.astype(np.float32),
        voicing=np.clip(voicing, 0, 1).astype(np.float32),
        pitch_hz=pitch.astype(np.float32),
        mel=np.log(np.maximum(mel_power, MEL_FLOOR)).astype(np.float32),
        spectral_centroid=centroid.astype(np.float32),
    )


@lru_cache(maxsize=1)
def _highpass():
    return butter(2, 50.0, btype="highpass", fs=SR, output="sos")


def _frame_index(times: np.ndarray, rate: FrameRate, n_frames: int) -> np.ndarray:
    """Video frame of each analysis row; rows past the last frame go to a discard bin n_frames."""
    idx = np.floor(times * rate.num / rate.den + 1e-9).astype(np.int64)
    return np.where((idx >= 0) & (idx < n_frames), idx, n_frames)


def _binsum(idx: np.ndarray, values: np.ndarray, n_frames: int) -> np.ndarray:
    """Sum of `values` rows per video frame (values [R] or [R, K])."""
    if values.ndim == 1:
        return np.bincount(idx, weights=values, minlength=n_frames + 1)[:n_frames]
    out = np.zeros((n_frames + 1, values.shape[1]), dtype=np.float64)
    _add_rows(out, idx, values)
    return out[:n_frames]


def _add_rows(out: np.ndarray, idx: np.ndarray, values: np.ndarray) -> None:
    # idx is non-decreasing (rows are in time order), so each frame's rows are one contiguous run.
    starts = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])
    out[idx[starts]] += np.add.reduceat(values, starts, axis=0)


def _loud_level(level_db: np.ndarray, has_audio: np.ndarray) -> float:
    """The clip's loud level: 95th percentile of frame levels that are not digital silence."""
    live = level_db[has_audio & (level_db > -150)]
    return float(np.percentile(live, 95)) if live.size else 0.0


def background_bed(level_db: np.ndarray) -> float | None:
    """The level (dB) of a steady background loud enough to pass for speech, or None.

    Where a recording's quietest fifth of frames lies within BED_FLAT_DB (the pauses hold one
    steady sound) and that sound is within BED_NEAR_DB of the loud level (white or pink noise a
    dozen dB under the voice, a hum, a music bed), its pauses are that sound, not silence: read
    against the loud level alone every frame was "loud", so pauses were filled with open-mouth
    guesses and the script's alignment reported them as fallbacks. Clean recordings, ones with
    room tone 25 dB or more under the voice, and a steady sound within 8 dB of the loud level
    (the voice itself, held) have none."""
    live = np.asarray(level_db, np.float64)
    live = live[live > -150]
    if live.size < 20:
        return None
    p5, p10, p20, p95 = np.percentile(live, [5, 10, 20, 95])
    if p20 - p5 > BED_FLAT_DB or not p95 - BED_NEAR_DB <= p10 <= p95 - BED_BELOW_DB:
        return None
    return float(p10)


def _loudness(level_db: np.ndarray, has_audio: np.ndarray) -> np.ndarray:
    """0..1, linear in dB between a floor and the clip's loud level.

    The floor is 60 dB below the loud level, raised to just above a noisy room's floor (but
    never closer than 40 dB) so that pauses in real recordings read as silence; over a steady
    background that passes for speech (``background_bed``), just above that background.
    """
    ref = _loud_level(level_db, has_audio)
    live = level_db[has_audio & (level_db > -150)]
    noise = float(np.percentile(live, 5)) if live.size else ref - LOUDNESS_RANGE_DB
    floor = max(ref - LOUDNESS_RANGE_DB, min(noise + 6.0, ref - 40.0))
    bed = background_bed(live)
    if bed is not None:
        floor = min(bed + BED_CLEAR_DB, ref - BED_MIN_RANGE_DB)
    out = np.clip((level_db - floor) / max(ref - floor, 1e-6), 0.0, 1.0)
    out[~has_audio] = 0.0
    return out


def _yin(x: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised YIN (de Cheveigne & Kawahara 2002) on the pitch rows `rows` (centred on
    row * PITCH_HOP): f0 in Hz and periodicity 1 - d'(tau) per row."""
    tau_min = int(SR / F0_MAX)
    tau_max = int(np.ceil(SR / F0_MIN))
    length = YIN_WINDOW + tau_max + 2
    frames = sliding_window_view(np.pad(x, (length // 2, length)), length)[rows * PITCH_HOP]

    n_fft = 1 << int(np.ceil(np.log2(length)))  # no wrap for positive lags up to tau_max
    spec_full = scipy.fft.rfft(frames, n_fft, axis=1)  # float32 in, complex64 out: half numpy's cost
    spec_head = scipy.fft.rfft(frames[:, :YIN_WINDOW], n_fft, axis=1)
    r = scipy.fft.irfft(np.conj(spec_head) * spec_full, n_fft, axis=1)[:, : tau_max + 2]
    energy = np.cumsum(np.pad(frames.astype(np.float64) ** 2, ((0, 0), (1, 0))), axis=1)
    taus = np.arange(tau_max + 2)
    e1 = energy[:, YIN_WINDOW][:, None]
    e2 = energy[:, taus + YIN_WINDOW] - energy[:, taus]
    diff = np.maximum(e1 + e2 - 2 * r, 0.0)

    # Cumulative-mean-normalised difference d'(tau); d'(0) = 1.
    cum = np.cumsum(diff[:, 1:], axis=1)
    cmnd = np.ones_like(diff)
    cmnd[:, 1:] = diff[:, 1:] * taus[1:] / np.maximum(cum, _EPS)

    search = cmnd[:, tau_min : tau_max + 1]
    below = search < YIN_THRESHOLD
    local_min = search <= np.concatenate([search[:, 1:], np.full((len(search), 1), np.inf)], axis=1)
    after_first = np.cumsum(below, axis=1) > 0
    pick = below & local_min & after_first
    has = pick.any(axis=1)
    best = np.where(has, np.argmax(pick, axis=1), np.argmin(search, axis=1)) + tau_min

    # Parabolic interpolation around the chosen lag for sub-sample accuracy.
    rows = np.arange(len(best))
    a, b, c = cmnd[rows, best - 1], cmnd[rows, best], cmnd[rows, np.minimum(best + 1, tau_max + 1)]
    denom = a - 2 * b + c
    shift = np.where(np.abs(denom) > 1e-12, 0.5 * (a - c) / np.where(denom == 0, 1, denom), 0.0)
    tau = best + np.clip(shift, -1, 1)
    periodicity = np.clip(1.0 - b, 0.0, 1.0)
    return SR / tau, periodicity
