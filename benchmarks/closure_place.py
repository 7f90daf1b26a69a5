"""Where a closure is made (lips, or tongue tip/back), from the sound around it: an experiment
that is NOT on the product path (measured and not shipped, see README "Tried ... and not shipped"
and benchmarks/bench_closure_place.py, which reproduces the figures).

The viseme networks learned from synthetic voices and, on real ones, often call a lip closure
alveolar (T) or velar (K). Classic phonetics gives place cues that come from the vocal tract
itself: at a bilabial the neighbouring vowels' second and third formants bend down (F2 locus
~700-1200 Hz; alveolars ~1700-1800 Hz; velars pinch F2 and F3 together), an /m/ murmur differs
from an /n/ one in 0.75-1.25 kHz against 1.45-2.2 kHz (the antiresonance), and a /p/ or /b/
release burst is weak above 3.5 kHz (a /t/ burst is strong there). `place_cues` measures these
around a closure span (LPC formants, band levels), `place_score` turns them into a log-odds of
"bilabial" per candidate closure, and `favour_places` adds it to the M class for the decoder.

What was found (2026-12-02): in clean vowel-consonant-vowel syllables the cues order as phonetics
says (tests/test_closure_place.py), but in running speech they separate bilabial from other
closure candidates at an AUC of only 0.55-0.61 (held-out Festival and espeak-ng voices, human
clips) where the networks reach 0.76-0.84, and they add nothing on top of the networks.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal import resample_poly

from talkface_studio.audio.viseme_features import HOP, WINDOW, n_frames_for
from talkface_studio.audio.viseme_set import CLASS_INDEX

# LPC formants: 10 kHz (5 formants below 5 kHz for most voices), order 10, 25 ms Hamming, 10 ms hop
_LPC_SR, _LPC_ORDER = 10000, 10
_LPC_HOP, _LPC_WIN = 100, 250
_BIN_HZ = 16000 / 512


def lpc_formants(x16: np.ndarray, frames: np.ndarray | None = None) -> np.ndarray:
    """[T, 3] F1-F3 in Hz (nan where not found) on the 10 ms grid of viseme_features; only
    `frames` (indices) are computed when given, the rest are nan."""
    x = resample_poly(np.asarray(x16, np.float64), 5, 8)
    x = np.append(x[:1], x[1:] - 0.97 * x[:-1])  # pre-emphasis
    n = n_frames_for(len(x16))
    padded = np.pad(x, (_LPC_WIN // 2, _LPC_WIN // 2 + _LPC_HOP))
    all_frames = sliding_window_view(padded, _LPC_WIN)[::_LPC_HOP][:n]
    idx = np.arange(len(all_frames)) if frames is None else np.unique(np.clip(frames, 0, len(all_frames) - 1))
    out = np.full((n, 3), np.nan)
    if not len(idx):
        return out
    fr = all_frames[idx] * np.hamming(_LPC_WIN)
    r = np.fft.irfft(np.abs(np.fft.rfft(fr, 512, axis=1)) ** 2, 512, axis=1)[:, : _LPC_ORDER + 1]
    r[:, 0] = r[:, 0] * 1.0001 + 1e-9  # a little white noise keeps silent frames stable
    a = _levinson(r)
    companion = np.zeros((len(a), _LPC_ORDER, _LPC_ORDER))
    companion[:, 0, :] = -a[:, 1:]
    companion[:, np.arange(1, _LPC_ORDER), np.arange(_LPC_ORDER - 1)] = 1.0
    roots = np.linalg.eigvals(companion)
    freq = np.angle(roots) * _LPC_SR / (2 * np.pi)
    bandwidth = -np.log(np.abs(roots) + 1e-12) * _LPC_SR / np.pi
    freq = np.sort(np.where((freq > 150) & (freq < 4800) & (bandwidth < 500), freq, np.inf), axis=1)[:, :3]
    out[idx] = np.where(np.isfinite(freq), freq, np.nan)
    return out


def _levinson(r: np.ndarray) -> np.ndarray:
    """Levinson-Durbin recursion over rows of autocorrelations [N, p+1] -> predictors [N, p+1]."""
    a = np.zeros_like(r)
    a[:, 0] = 1.0
    err = r[:, 0].copy()
    for i in range(1, r.shape[1]):
        k = -(r[:, i] + np.sum(a[:, 1:i] * r[:, i - 1 : 0 : -1], axis=1)) / err
        a[:, 1:i] = a[:, 1:i] + k[:, None] * a[:, i - 1 : 0 : -1].copy()
        a[:, i] = k
        err = err * (1.0 - k**2)
    return a


def power_spectrum(x16: np.ndarray) -> np.ndarray:
    """[T, 257] power of 25 ms Hann frames every 10 ms (the viseme_features grid)."""
    x = np.asarray(x16, np.float64)
    padded = np.pad(x, (WINDOW // 2, WINDOW // 2 + HOP))
    frames = sliding_window_view(padded, WINDOW)[::HOP][: n_frames_for(len(x))]
    return np.abs(np.fft.rfft(frames * np.hanning(WINDOW), 512, axis=1)) ** 2


def band_db(power: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return 10 * np.log10(power[..., int(lo / _BIN_HZ) : int(hi / _BIN_HZ) + 1].sum(-1) + 1e-12)


CUE_NAMES = ("f2_pre", "f2_post", "f3_pre", "f3_post", "murmur", "burst")
# the direction phonetics expects for a bilabial: formants bend down, the murmur is higher, the burst weaker
CUE_SIGNS = np.array([-1.0, -1.0, -1.0, -1.0, 1.0, -1.0])


def place_cues(x16: np.ndarray, level_db: np.ndarray, spans: list[tuple[int, int]],
               power: np.ndarray | None = None) -> np.ndarray:
    """[len(spans), 6] raw place cues of closure spans [a, b) in 10 ms frames (nan = not measurable):
    f2/f3_pre, f2/f3_post: formant movement into / out of the closure (the 20 ms next to it minus
    30-70 ms away, voiced frames only), relative to the voice's median F2 (F3); murmur: 0.75-1.25
    kHz minus 1.45-2.2 kHz (dB) over the closure's voiced frames; burst: above 3.5 kHz minus 1-3
    kHz (dB) at the release (the largest rise of level across the closure's end)."""
    n = len(level_db)
    out = np.full((len(spans), len(CUE_NAMES)), np.nan)
    if not spans or n == 0:
        return out
    live = level_db[level_db > -100]
    ref = float(np.percentile(live, 95)) if live.size else 0.0
    voiced = level_db > ref - 25
    near = np.unique(np.concatenate([np.arange(a - 8, b + 9) for a, b in spans]))
    near = near[(near >= 0) & (near < n)]
    formants = lpc_formants(x16, near)
    scale = np.nanmedian(formants[near[voiced[near]]], axis=0) if voiced[near].any() else np.full(3, np.nan)
    if power is None:
        power = power_spectrum(x16)
    for i, (a, b) in enumerate(spans):
        for col, (pre_col, post_col) in ((1, (0, 1)), (2, (2, 3))):
            out[i, pre_col] = _move(formants[:, col], voiced, range(a - 2, a), range(a - 7, a - 3)) / scale[col]
            out[i, post_col] = _move(formants[:, col], voiced, range(b, b + 2), range(b + 3, b + 8)) / scale[col]
        inside = [t for t in range(a, b) if 0 <= t < n and level_db[t] > ref - 30]
        if inside:
            p = power[inside].mean(axis=0)
            out[i, 4] = band_db(p, 750, 1250) - band_db(p, 1450, 2200)
        ends = [t for t in range(max(a + 1, b - 2), min(n, b + 2))]
        if ends:
            t = max(ends, key=lambda j: level_db[j] - level_db[j - 1])
            if level_db[t] - level_db[t - 1] >= 6.0:
                out[i, 5] = band_db(power[t], 3500, 7500) - band_db(power[t], 1000, 3000)
    return out


def _move(track: np.ndarray, voiced: np.ndarray, edge: range, far: range) -> float:
    """Median of `track` over the voiced `edge` frames minus over the voiced `far` frames."""
    def median(frames):
        vals = [track[t] for t in frames if 0 <= t < len(track) and voiced[t] and np.isfinite(track[t])]
        return float(np.median(vals)) if vals else np.nan

    return median(edge) - median(far)


CLOSURE_CLASSES = ("M", "T", "K")


def candidate_spans(logp: np.ndarray, darkness: np.ndarray | None = None, min_share: float = 0.3,
                    max_frames: int = 30) -> list[tuple[int, int]]:
    """Runs of frames [a, b) where some closure is likely: the network gives M + T + K at least
    `min_share` of the probability, or the spectrum is dark (closure_darkness >= 0.3)."""
    if not len(logp):
        return []
    p = np.exp(logp - logp.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    share = p[:, [CLASS_INDEX[c] for c in CLOSURE_CLASSES]].sum(axis=1)
    mask = share >= min_share
    if darkness is not None:
        n = min(len(mask), len(darkness))
        mask[:n] |= darkness[:n] >= 0.3
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2]) if 2 <= b - a <= max_frames]


# Per-cue scale (spread over closures of held-out synthetic speech) and weight: a logistic fit of
# bilabial (1) against alveolar/velar (0) closure candidates in 5 min of Festival and espeak-ng
# speech (seeds and voices the networks never trained on), each cue centred per recording.
CUE_SCALES = np.array([0.35, 0.35, 0.17, 0.17, 9.8, 9.1])
CUE_WEIGHTS = np.array([-0.06, 0.08, -0.02, -0.16, 0.26, -0.33])


def place_score(x16: np.ndarray, logp: np.ndarray, level_db: np.ndarray,
                darkness: np.ndarray | None = None) -> np.ndarray:
    """[T] log-odds of a bilabial against an alveolar/velar closure on each candidate closure
    span (candidate_spans), relative to the recording's typical closure; 0 elsewhere."""
    out = np.zeros(len(logp), np.float32)
    spans = candidate_spans(logp, darkness)
    if not spans:
        return out
    cues = place_cues(x16, level_db, spans)
    present = np.isfinite(cues)
    centre = np.array([np.median(cues[present[:, j], j]) if present[:, j].any() else 0.0
                       for j in range(cues.shape[1])])
    z = np.where(present, (cues - centre) / CUE_SCALES, 0.0)
    for (a, b), s in zip(spans, z @ CUE_WEIGHTS):
        out[a:b] = s
    return out


def favour_places(logp: np.ndarray, score: np.ndarray, weight: float = 1.0, limit: float = 2.0) -> np.ndarray:
    """Copy of `logp` [T, K] with the bilabial class raised by `weight` times the place log-odds
    (clipped to +-limit): a closure the network calls T or K becomes M where the place cues say
    "lips", and an M becomes less likely where they say "tongue"."""
    out = np.array(logp, dtype=np.float32, copy=True)
    n = min(len(out), len(score))
    out[:n, CLASS_INDEX["M"]] += weight * np.clip(np.asarray(score[:n], np.float32), -limit, limit)
    return out
