"""Frame posteriors -> timed viseme spans, without a script (recognition).

An HMM over the viseme classes smooths the network's frame decisions: each class is a chain of
`MIN_FRAMES[class]` states (a phone shorter than that is not believed), the last one looping, and
changing class costs `SWITCH_PENALTY` (log-probability). Viterbi over [T, states] with numpy; 60 s
(6000 frames x ~50 states) takes about 0.1 s. Loud frames cannot be silence: where the level is
within `LOUD_DB` of the recording's loud level the silence class is penalised, so speech always
moves the mouth even where the network hesitates (a click alone in a pause excepted).

Lip closures are what a viewer checks first, and the network (trained on synthetic voices)
under-calls them on real ones: the bilabial class gets `CLOSURE_BIAS` plus `CLOSURE_WEIGHT`
times an acoustic closure evidence (viseme_features.closure_darkness: a frame darker than the
voice's typical one), so a closure the network half-believes is taken where the spectrum agrees,
and not in bright vowels or fricatives. The trade-off (closures found vs. closures where none was
spoken) is measured by benchmarks/bench_visemes.py and bench_lipsync.py. Which side of it suits a
voice and a shot is the artist's call: a take's "Hear lip closures" setting (`closure_hearing`,
0..2, 1 = as shipped) moves the bias by `HEARING_NATS` per unit (closure_bias_for), in free
recognition only; the script aligner keeps the shipped bias.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .acoustic import background_bed
from .reverb_tail import decaying
from .runs import true_runs
from .viseme_features import FPS, HOLD_FRAMES, stop_gaps
from .viseme_set import CLASS_INDEX, VISEME_CLASSES, VOWEL_CLASSES

SWITCH_PENALTY = -4.0
CLOSURE_BIAS = 0.0  # log-probability added to M everywhere
CLOSURE_WEIGHT = 1.5  # ... and times the closure evidence (-0.4..1)
# A take's closure_hearing h (0..2) moves CLOSURE_BIAS by (h - 1) * HEARING_NATS. On bench_lipsync's
# human clips without a script (README, "Hear lip closures"), -1 nat closes 35/66 p/b/m with 0.53 of
# its closure spans on a spoken one, 0 -> 52 at 0.45, +1 -> 60 at 0.29: one nat either way spans the
# curve from a lazy mouth to one that misses 6 of 66 and 7 in 10 of whose closures no one spoke.
HEARING_NATS = 1.0
LOUD_DB = 20.0  # frames within this of the loud level (95th percentile) are speech
BED_GUARD_DB = 6.0  # ... and, over a steady background that passes for speech, this far above it
LOUD_SILENCE_PENALTY = -20.0
# ... but for a room's reverberation after a word (reverb_tail.decaying), where the recognizer hears
# silence at least this likely: a far microphone's pauses ring within LOUD_DB of the loud level.
TAIL_SILENCE = 0.5
# A burst of level this short with this much quiet on both sides is a click or a lip smack between
# sentences, not a word: it may be a pause. Forced to be speech, it pulled a script's last
# word out of its sentence into the click 0.7 s later (Festival's Marathi diphones: the voice's
# recorded pauses hold a -32 dB click, and करतो was aligned onto it, मिळून's n held 0.6 s).
ISLAND_MAX_S = 0.08
ISLAND_QUIET_S = 0.15
# ... and so, for a script's aligner, is a longer one of up to BREATH_MAX_S that sounds like breath on
# BREATH_SHARE of its frames (viseme_features.breathy: bright and unvoiced): an audible breath between
# sentences. Forced to be speech, or heard by the network as a whispered vowel, it pulled the next
# sentence's first word 0.6 s early into it (French "À l'aide de votre clavier"). Recognition without
# a script does not take breaths for pauses: a whispered word is bright and unvoiced too.
BREATH_MAX_S = 0.6
BREATH_SHARE = 0.8
BREATH_MIN_S = 0.1  # a breath just before a word (no quiet after it) is at least this long: a stop's burst is shorter
# ... and the line after it (up to its next pause) is not itself breath-like: under LINE_BREATHY of
# its speech (espeak-ng's lines 0.0-0.25, "She sells sea shells" among them, ../shared/speech's
# recordings 0.0-0.18; whispered lines 0.93-0.97). In a whispered line every sound is breath, and
# a whispered word parted from the next by a quiet m is no inhale.
LINE_BREATHY = 0.5
# The silent hold of a stop (hold_gaps: 20-150 ms of near-silence released by a burst) is a
# closure, not a vowel, an approximant or a pause, whatever the network says: on real voices its
# posteriors are unsure enough that a script's path drifted 0.1-0.2 s, giving holds to a pause or a
# vowel and the script's stops to the vowels after them. Those classes cost this much per frame of
# a hold; the network still says which closure (M, T, K, or an affricate's S/SH).
HOLD_PENALTY = -6.0
NOT_A_HOLD = tuple(sorted(VOWEL_CLASSES | {"R", "W", "Y", "SIL"}))


def min_frames(name: str) -> int:
    """Shortest believable span of a class, in 10 ms frames."""
    if name == "SIL":
        return 6
    if name in VOWEL_CLASSES or name == "M":
        return 3
    return 2


class TimedViseme(NamedTuple):
    start: float  # seconds
    end: float
    phone: str  # viseme class name (also an ARPAbet label the lip sync knows)


def loud_mask(level_db: np.ndarray, breathy: np.ndarray | None = None) -> np.ndarray:
    """Frames that are clearly speech by level alone (within LOUD_DB of the loud level, and clear
    of a steady background that would pass for speech: ``acoustic.background_bed``), but for a
    click or, where `breathy` (viseme_features.breathy) is given, a breath alone in a pause."""
    loud = _level_loud(level_db)
    return loud & ~pause_noises(loud, breathy)


def _level_loud(level_db: np.ndarray) -> np.ndarray:
    if len(level_db) == 0:
        return np.zeros(0, bool)
    live = level_db[level_db > -100]
    ref = float(np.percentile(live, 95)) if live.size else 0.0
    loud = level_db > ref - LOUD_DB
    bed = background_bed(live)  # among the frames the loud level comes from (digital silence, -120 dB here, is none)
    if bed is not None:
        loud &= level_db > bed + BED_GUARD_DB
    return loud


def pause_noises(loud: np.ndarray, breathy: np.ndarray | None = None, fps: float = FPS,
                 clicks: bool = True) -> np.ndarray:
    """Frames of the runs of `loud` that are clicks (at most ISLAND_MAX_S; unless `clicks` is
    False) or, where `breathy` is given, breaths (at most BREATH_MAX_S, BREATH_SHARE of them
    breathy), with ISLAND_QUIET_S of quiet (or the recording's edge) on both sides. Frames at `fps`."""
    out = np.zeros(len(loud), bool)
    quiet = int(round(ISLAND_QUIET_S * fps))
    starts, ends = np.array(true_runs(loud), dtype=np.int64).reshape(-1, 2).T
    quiet_before = np.r_[quiet, starts[1:] - ends[:-1]]
    quiet_after = np.r_[starts[1:] - ends[:-1], quiet]
    for a, b, qa, qb in zip(starts, ends, quiet_before, quiet_after):
        if qa < quiet or qb < quiet:
            continue
        breath = breathy is not None and b - a <= BREATH_MAX_S * fps and np.mean(breathy[a:b]) >= BREATH_SHARE
        out[a:b] = (clicks and b - a <= ISLAND_MAX_S * fps) or breath
    return out


def guard_silence(logp: np.ndarray, level_db: np.ndarray | None, breathy: np.ndarray | None = None) -> np.ndarray:
    """Copy of `logp` with silence made unlikely on loud frames (but for a room's reverberation
    after a word that the recognizer hears as silence: TAIL_SILENCE), and as likely as anything the
    recognizer hears on a click or breath alone in a pause (`breathy`: see loud_mask), which the
    network tends to hear as a whispered vowel a script's word could be pulled into."""
    if level_db is None:
        return logp
    out = logp.copy()
    n = min(len(out), len(level_db))
    loud = _level_loud(level_db[:n])
    islands = pause_noises(loud, None if breathy is None else breathy[:n])
    sil = out[:n, CLASS_INDEX["SIL"]]  # a view: edits land in `out`
    tails = decaying(level_db[:n], sil >= np.log(TAIL_SILENCE), FPS)
    speech = loud & ~islands & ~tails
    sil[speech] = np.minimum(sil[speech], LOUD_SILENCE_PENALTY)
    sil[islands] = out[:n][islands].max(axis=1)
    return out


def hold_gaps(level_db: np.ndarray, n: int, gaps: np.ndarray | None = None) -> np.ndarray:
    """[min(n, T)] bool: the frames of stop-like gaps (stop_gaps) in the first n frames of
    `level_db`. `gaps`, where the caller already found them over those same frames, is taken as
    it is (one analysis finds its gaps once); gaps of a longer curve are found again, since where
    the curve ends decides its last gap."""
    m = min(n, len(level_db))
    if gaps is not None and len(gaps) == m:
        return np.asarray(gaps, bool)
    return stop_gaps(np.asarray(level_db[:m], np.float32), frames=HOLD_FRAMES) > 0


def stop_holds(level_db: np.ndarray, n: int, gaps: np.ndarray | None = None) -> np.ndarray:
    """[n] bool: the silent hold of each stop-like gap; a gap's last frame, its release, where the
    next sound may begin, is left out."""
    hold = np.zeros(n, bool)
    gaps = hold_gaps(level_db, n, gaps)
    hold[: len(gaps)] = gaps & np.r_[gaps[1:], False]
    return hold


def guard_holds(logp: np.ndarray, level_db: np.ndarray | None, gaps: np.ndarray | None = None) -> np.ndarray:
    """Copy of `logp` with vowels, approximants and silence made unlikely on stop holds."""
    if level_db is None:
        return logp
    out = np.array(logp, dtype=np.float32, copy=True)
    hold = stop_holds(level_db, len(out), gaps)
    cols = [CLASS_INDEX[c] for c in NOT_A_HOLD]
    out[np.ix_(hold, cols)] += HOLD_PENALTY
    return out


def close_from_hold_start(labels: np.ndarray, level_db: np.ndarray | None,
                          gaps: np.ndarray | None = None) -> np.ndarray:
    """Class indices per frame, with each lip closure inside a stop-like gap (stop_gaps) started at
    the gap's first frame: the silence before the burst is the hold of the stop it releases, so the
    lips are closed from its start. The aligner may give the first part of a silent hold to the
    phone before or to a pause ("il | PBX": l, pause, p in the last 30 ms), closing the lips 50-70 ms
    late (benchmarks/bench_closure_timing.py)."""
    if level_db is None or not len(labels):
        return labels
    out = labels.copy()
    hold = hold_gaps(level_db, len(out), gaps)
    m = CLASS_INDEX["M"]
    for a, b in true_runs(hold):  # gap frames a..b-1 (the last is the release)
        closed = np.flatnonzero(out[a:b] == m)
        if len(closed):
            out[a : a + closed[0]] = m
    return out


def closure_bias_for(hearing: float) -> float:
    """The bilabial bias (nats) of a take's closure_hearing setting: 1 gives CLOSURE_BIAS exactly."""
    return CLOSURE_BIAS + (float(hearing) - 1.0) * HEARING_NATS


def favour_closures(logp: np.ndarray, evidence: np.ndarray | None, bias: float = CLOSURE_BIAS) -> np.ndarray:
    """Copy of `logp` with the bilabial class raised by `bias` + CLOSURE_WEIGHT * evidence."""
    out = np.array(logp, dtype=np.float32, copy=True)
    if evidence is None or not len(out):
        return out
    n = min(len(out), len(evidence))
    out[:n, CLASS_INDEX["M"]] += bias + CLOSURE_WEIGHT * np.asarray(evidence[:n], np.float32)
    return out


def decode(logp: np.ndarray, level_db: np.ndarray | None = None, classes=VISEME_CLASSES,
           closure_evidence: np.ndarray | None = None, closure_bias: float = CLOSURE_BIAS,
           switch_costs: np.ndarray | None = None) -> list[TimedViseme]:
    """Log-posteriors [T, K] at 100 fps -> contiguous spans covering all T frames.
    `closure_evidence` [T] (-0.4..1, viseme_features.closure_darkness) favours lip closures where
    the spectrum says the mouth may be closed, with `closure_bias` (closure_bias_for) added to M.
    `switch_costs` [K, K]: the log-probability of a change from class prev (row) to next (column),
    for experiments that price changes unevenly (benchmarks/viseme_bigrams.py: phonotactics; its
    diagonal is ignored, a class does not follow itself); None: every change costs SWITCH_PENALTY."""
    logp = guard_silence(favour_closures(logp, closure_evidence, closure_bias), level_db)
    t_frames, k = logp.shape
    if t_frames == 0:
        return []
    if switch_costs is not None:
        if np.shape(switch_costs) != (k, k):
            raise ValueError(f"switch_costs must be [{k}, {k}], got {np.shape(switch_costs)}")
        into = np.array(switch_costs, np.float32).T  # [next, prev]
        np.fill_diagonal(into, -np.inf)
    lengths = np.array([min_frames(c) for c in classes])
    first = np.r_[0, np.cumsum(lengths)[:-1]]
    last = first + lengths - 1
    n_states = int(lengths.sum())
    state_class = np.repeat(np.arange(k), lengths)
    is_first = np.zeros(n_states, bool)
    is_first[first] = True
    is_last = np.zeros(n_states, bool)
    is_last[last] = True
    neg = np.float32(-1e9)

    # a recording may start or end in the middle of a phone: any state may begin or finish
    score = logp[0, state_class].astype(np.float32)
    # back[t, s]: previous state index
    back = np.zeros((t_frames, n_states), np.int32)
    prev_idx = np.arange(n_states) - 1
    for t in range(1, t_frames):
        ends = score[last]
        if switch_costs is None:
            order = np.argsort(ends)[::-1]
            best, second = order[0], order[1] if k > 1 else order[0]
            # entering class c: from the best finished class other than c
            entry_src = np.where(np.arange(k) == best, last[second], last[best])
            entry = score[entry_src] + SWITCH_PENALTY
        else:  # entering class c: from the finished class c' with the best score + switch cost
            via = ends[None, :] + into
            prev = via.argmax(axis=1)
            entry_src = last[prev]
            entry = via[np.arange(k), prev]
        shifted = np.where(is_first, neg, score[np.maximum(prev_idx, 0)])  # chain advance
        src = np.where(is_first, -1, prev_idx)
        new = shifted.copy()
        new_src = src.copy()
        # first states take the entry
        new[first] = entry
        new_src[first] = entry_src
        # last states may also stay
        stay = score[last]
        better = stay > new[last]
        new[last] = np.where(better, stay, new[last])
        new_src[last] = np.where(better, last, new_src[last])
        score = new + logp[t, state_class]
        back[t] = new_src
    s = int(np.argmax(score))
    path = np.empty(t_frames, np.int32)
    for t in range(t_frames - 1, -1, -1):
        path[t] = s
        s = back[t, s] if t > 0 else s
    labels = state_class[path]
    return labels_to_spans(labels, classes)


def labels_to_spans(labels: np.ndarray, classes=VISEME_CLASSES) -> list[TimedViseme]:
    n = len(labels)
    if n == 0:
        return []
    edges = np.flatnonzero(np.diff(labels)) + 1
    bounds = np.r_[0, edges, n]
    return [TimedViseme(a / FPS, b / FPS, classes[labels[a]]) for a, b in zip(bounds[:-1], bounds[1:])]
