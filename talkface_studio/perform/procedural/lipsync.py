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

from talkface_studio.audio.loud_frames import LOUD_VOICED

from .emphasis import emphasis
from .jaw_safety_net import keep_jaw_moving
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
PEAK_KEEP = 0.9  # a vowel's jaw reaches at least this share of its own target
VOWEL_CONTACT = 0.15  # lip press / tuck left on a vowel's own frames by neighbouring closures


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


def _targets(spans, strength: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per span: targets [N,5] and dominance [N,5]. Vowels open with the strength they are spoken
    with (emphasis.py): open vowels fully, other vowels half as much."""
    targets = np.empty((len(spans), 5))
    dom = np.empty((len(spans), 5))
    for i, (s, e, p) in enumerate(spans):
        v = VISEMES.get(p, UNKNOWN)
        t = np.array(v.target, dtype=float)
        if v.vowel:
            level = float(strength[s:e].mean()) if e > s else 1.0
            scale = 0.45 + 0.55 * level  # weak ~0.7x, stressed ~1x, shouted on a pitch peak ~1.25x
            t[0] *= scale if v.open_vowel else 0.5 + 0.5 * scale
        targets[i] = t
        dom[i] = v.dominance
    return targets, dom


def coarticulate(spans, n_frames: int, fps: float, strength: np.ndarray) -> np.ndarray:
    """Dominance-weighted blend of viseme targets -> [T, 5] mouth channels (strength: emphasis [T])."""
    out = np.tile(np.array(REST), (n_frames, 1))
    if not spans or n_frames == 0:
        return out
    targets, dom = _targets(spans, strength)
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


def _keep_vowel_peaks(mouth: np.ndarray, spans, targets: np.ndarray) -> None:
    """A vowel reaches most of its own jaw opening even when it is one frame long: blending with
    its consonants must not flatten it (the cause of the mumbled look on fast speech)."""
    n = len(mouth)
    for (s, e, p), t in zip(spans, targets):
        if not VISEMES.get(p, UNKNOWN).vowel or e <= s or s >= n:
            continue
        mouth[s:e, 3:5] = np.minimum(mouth[s:e, 3:5], VOWEL_CONTACT)  # lips apart on the vowel itself
        want = PEAK_KEEP * t[0]
        have = mouth[s:e, 0].max()
        if have < want:
            lo, hi = max(0, s - 1), min(n, e + 1)
            ramp = np.hanning(hi - lo + 2)[1:-1]
            ramp[(s - lo):(e - lo)] = 1.0
            mouth[lo:hi, 0] += (want - have) * ramp


def _enforce_closures(mouth: np.ndarray, spans, strength: float = 1.0) -> None:
    """Bilabials close the lips and F/V tuck the lower lip, whatever the smoothing did.

    `strength` (closure_strength) 1 seals fully; below 1 the lips only approach each other (a lazy
    mouth), above 1 the seal is held a frame longer on each side (a firm, deliberate articulation).
    """
    n = len(mouth)
    press = min(1.0, strength)
    jaw_cap = 0.1 + 0.3 * max(0.0, 1.0 - strength)
    edge = min(1.0, 0.6 * strength)
    vowel = np.zeros(n + 1, dtype=bool)  # a one-frame vowel between closures stays open
    for s, e, p in spans:
        if VISEMES.get(p, UNKNOWN).vowel:
            vowel[max(0, s):min(n, e)] = True
    for s, e, p in spans:
        s, e = max(0, s), min(n, e)
        if s >= e or strength <= 0:
            continue
        if p in BILABIALS:
            mouth[s:e, 3] = np.maximum(mouth[s:e, 3], press)
            mouth[s:e, 0] = np.minimum(mouth[s:e, 0], jaw_cap)
            for f in (s - 1, e):  # one frame of approach / release on each side
                if 0 <= f < n and not vowel[f]:
                    mouth[f, 3] = max(mouth[f, 3], edge)
                    if strength > 1.0:
                        mouth[f, 0] = min(mouth[f, 0], jaw_cap + 0.1)
        elif p in LABIODENTALS:
            mouth[s:e, 4] = np.maximum(mouth[s:e, 4], 0.85 * press)
            mouth[s:e, 0] = np.minimum(mouth[s:e, 0], jaw_cap + 0.1)


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


def lip_sync(features, fps: float, amount: float = 1.0, jaw: float = 1.0, rounding: float = 1.0,
             closure: float = 1.0) -> dict[str, np.ndarray]:
    """AudioFeatures -> {mouth channel: float32 [T]}.

    amount (lip_amount) scales all articulation (1 = natural); jaw (jaw_amount) the jaw opening;
    rounding (round_amount) the rounding and protrusion of /u/, /o/, /w/; closure
    (closure_strength) how firmly P/B/M seal and F/V tuck. See performer.DEFAULTS.
    """
    n = int(features.n_frames)
    loud = np.asarray(features.loudness, dtype=float)[:n]
    strength = emphasis(loud, np.asarray(features.voicing)[:n], np.asarray(features.pitch_hz)[:n], fps)
    spans = _expand(features.phones or [])
    speech_spans = [sp for sp in spans if sp[2] != "SIL"]
    mouth = coarticulate(spans, n, fps, strength)
    targets, _ = _targets(spans, strength)
    _keep_vowel_peaks(mouth, spans, targets)
    ac = acoustic_mouth(features, fps)
    hand = getattr(features, "hand_set", None)
    hand = np.zeros(n, dtype=bool) if hand is None else np.asarray(hand, dtype=bool)[:n]
    guessed = (_acoustic_frames(features, n) if speech_spans else np.ones(n, dtype=bool)) & ~hand
    if guessed.any():  # phones guessed from loudness alone: let the loudness drive the jaw as well
        mouth[guessed] = ac[guessed] if not speech_spans else 0.5 * mouth[guessed] + 0.5 * ac[guessed]
    rest = np.array(REST)
    contact = min(1.0, closure)  # a lazy mouth presses and tucks less everywhere, not only at closures
    scale = np.array([amount * jaw, amount, amount * rounding, amount * contact, amount * contact])
    mouth = rest + (mouth - rest) * scale
    _enforce_closures(mouth, spans, closure)
    labels = features.phone_at() if hasattr(features, "phone_at") else np.full(n, "SIL")
    keep_jaw_moving(mouth, loud_voiced(features)[:n], labels, ac[:, 0] * max(jaw * amount, 0.5), fps, kept=hand)
    mouth = np.clip(mouth, 0.0, 1.0)
    return {name: mouth[:, i].astype(np.float32) for i, name in enumerate(MOUTH_CHANNELS)}


def _acoustic_frames(features, n: int) -> np.ndarray:
    """Frames whose phones came from the acoustic guess (the report, or the whole take's source)."""
    report = getattr(features, "report", None)
    if report is not None and report.stretches:
        return report.path_at(n) == "acoustic"
    return np.full(n, getattr(features, "phone_source", "aligned") == "acoustic")


def loud_voiced(features) -> np.ndarray:
    return (np.asarray(features.loudness) >= LOUD_VOICED) & (np.asarray(features.voicing) >= 0.5)
