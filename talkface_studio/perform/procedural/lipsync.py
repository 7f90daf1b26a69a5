"""Lip sync: phone spans -> mouth channels with coarticulation.

Each phone holds its viseme over its span and exerts a dominance that decays exponentially outside
it (Cohen & Massaro 1993): faster after the span (carry-over) than before it (anticipation), so the
mouth starts shaping for the next sound early, e.g. lips round ~120 ms before a /uw/. Channel values
are the dominance-weighted mean of the targets. After blending, hard articulatory constraints are
applied that smoothing must not wash out: bilabials (P/B/M) close the lips fully, F/V tuck the lower
lip. With acoustic-only phones the jaw also follows loudness, voicing and spectral brightness.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter1d

from .visemes import (
    BILABIALS,
    DIPHTHONGS,
    LABIODENTALS,
    MOUTH_CHANNELS,
    REST,
    UNKNOWN,
    VISEMES,
    normalize_phone,
)

# Decay time constants (seconds) of dominance outside a phone, per mouth channel.
ANTICIPATION_S = np.array([0.06, 0.07, 0.12, 0.05, 0.05])
CARRYOVER_S = np.array([0.05, 0.05, 0.07, 0.04, 0.04])
DECAY_SHAPE = 1.2  # exponent c of exp(-(d/tau)^c): a little steeper than exponential near the edge
INSIDE_BOOST = 2.5  # a phone owns its own span: neighbours only colour it (plateau near target)
REACH_S = 0.4  # dominance beyond this distance is negligible; bounds the work per phone


def _expand(phones) -> list[tuple[int, int, str]]:
    """Normalize labels and split diphthongs into two halves."""
    out = []
    for span in phones:
        s, e, p = int(span.start_frame), int(span.end_frame), normalize_phone(span.phone)
        if e <= s:
            continue
        if p in DIPHTHONGS and e - s >= 2:
            m = (s + e) // 2
            a, b = DIPHTHONGS[p]
            out += [(s, m, a), (m, e, b)]
        else:
            out.append((s, e, DIPHTHONGS.get(p, (p,))[0]))
    return out


def _targets(spans, loudness: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per span: targets [N,5] and dominance [N,5]. Open vowels scale their jaw with loudness."""
    targets = np.empty((len(spans), 5))
    dom = np.empty((len(spans), 5))
    for i, (s, e, p) in enumerate(spans):
        v = VISEMES.get(p, UNKNOWN)
        t = np.array(v.target, dtype=float)
        if v.open_vowel:
            loud = float(loudness[s:e].mean()) if e > s else 0.5
            t[0] *= 0.35 + 0.95 * loud  # whisper ~0.35x, shout ~1.3x
        targets[i] = t
        dom[i] = v.dominance
    return targets, dom


def coarticulate(spans, n_frames: int, fps: float, loudness: np.ndarray) -> np.ndarray:
    """Dominance-weighted blend of viseme targets -> [T, 5] mouth channels."""
    out = np.tile(np.array(REST), (n_frames, 1))
    if not spans or n_frames == 0:
        return out
    targets, dom = _targets(spans, loudness)
    starts = np.array([s for s, _, _ in spans])
    ends = np.array([e for _, e, _ in spans])
    # Every span touches the frames within REACH_S of it: one padded [spans, window] grid.
    reach = int(np.ceil(REACH_S * fps))
    width = 2 * reach + int(min((ends - starts).max(), 10 * fps))
    frames = (starts - reach)[:, None] + np.arange(width)[None, :]
    valid = (frames >= 0) & (frames < n_frames) & (frames < (ends + reach)[:, None])
    t = (frames + 0.5) / fps
    before = np.clip(starts[:, None] / fps - t, 0, None)[..., None]  # distance to the onset
    after = np.clip(t - ends[:, None] / fps, 0, None)[..., None]  # distance past the offset
    d = dom[:, None, :] * np.exp(
        -((before / ANTICIPATION_S) ** DECAY_SHAPE) - (after / CARRYOVER_S) ** DECAY_SHAPE
    )
    d[(before[..., 0] == 0) & (after[..., 0] == 0)] *= INSIDE_BOOST
    idx = frames[valid]
    dv = d[valid]  # [K, 5]
    tv = np.broadcast_to(targets[:, None, :], d.shape)[valid]
    num = np.stack([np.bincount(idx, dv[:, c] * tv[:, c], n_frames) for c in range(5)], axis=1)
    den = np.stack([np.bincount(idx, dv[:, c], n_frames) for c in range(5)], axis=1)
    covered = den > 1e-3
    out[covered] = (num[covered] / den[covered])
    return out


def _enforce_closures(mouth: np.ndarray, spans) -> None:
    """Bilabials close the lips and F/V tuck the lower lip, whatever the smoothing did."""
    n = len(mouth)
    for s, e, p in spans:
        s, e = max(0, s), min(n, e)
        if s >= e:
            continue
        if p in BILABIALS:
            mouth[s:e, 3] = 1.0
            mouth[s:e, 0] = np.minimum(mouth[s:e, 0], 0.1)
            for f in (s - 1, e):  # one frame of approach / release on each side
                if 0 <= f < n:
                    mouth[f, 3] = max(mouth[f, 3], 0.6)
        elif p in LABIODENTALS:
            mouth[s:e, 4] = np.maximum(mouth[s:e, 4], 0.85)
            mouth[s:e, 0] = np.minimum(mouth[s:e, 0], 0.2)


def acoustic_mouth(features, fps: float) -> np.ndarray:
    """Jaw from loudness x voicing, sibilance (bright spectrum) -> teeth close and lips spread."""
    n = int(features.n_frames)
    loud = np.asarray(features.loudness, dtype=float)[:n]
    voicing = np.asarray(features.voicing, dtype=float)[:n]
    centroid = np.asarray(features.spectral_centroid, dtype=float)[:n]
    sib = np.clip((centroid - 3000.0) / 3000.0, 0, 1) * (1 - voicing)
    jaw = np.clip(1.0 * loud**1.3 * (0.45 + 0.55 * voicing) * (1 - 0.6 * sib), 0, 0.75)
    k = max(1, int(round(0.05 * fps)))
    jaw = uniform_filter1d(jaw, k, mode="nearest")
    out = np.zeros((n, 5))
    out[:, 0] = jaw
    out[:, 1] = np.clip(0.35 * sib + 0.15 * voicing * (1 - jaw), 0, 1)
    silent = uniform_filter1d((loud < 0.05).astype(float), max(1, int(0.15 * fps)), mode="nearest")
    out[:, 3] = REST[3] * silent
    return out


def lip_sync(features, fps: float, amount: float = 1.0) -> dict[str, np.ndarray]:
    """AudioFeatures -> {mouth channel: float32 [T]}. `amount` scales articulation (1 = natural)."""
    n = int(features.n_frames)
    loud = np.asarray(features.loudness, dtype=float)[:n]
    spans = _expand(features.phones or [])
    speech_spans = [sp for sp in spans if sp[2] != "SIL"]
    acoustic = getattr(features, "phone_source", "aligned") == "acoustic" or not speech_spans
    mouth = coarticulate(spans, n, fps, loud)
    if acoustic:
        ac = acoustic_mouth(features, fps)
        mouth = ac if not speech_spans else 0.5 * mouth + 0.5 * ac
    # Articulation amount scales how far shapes move from rest; closures are then restored exactly.
    rest = np.array(REST)
    mouth = rest + (mouth - rest) * amount
    _enforce_closures(mouth, spans)
    mouth = np.clip(mouth, 0.0, 1.0)
    return {name: mouth[:, i].astype(np.float32) for i, name in enumerate(MOUTH_CHANNELS)}
