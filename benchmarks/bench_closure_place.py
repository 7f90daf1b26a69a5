"""Does the place of articulation, read from the sound around a closure (closure_place.py), tell a
lip closure from a tongue closure where the viseme networks cannot? An experiment, not shipped.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_closure_place.py [--fit] [--no-human]

Data (never the networks' training data):
- held-out synthetic speech with exact phone times: random sentences (training/viseme_texts) from
  Festival's voices built from human recordings and espeak-ng voices, in two disjoint sets of
  voices and seeds: "cal" (kal, slt, lp, dita, lj, ona; espeak en-us, es, de, fr-fr, it), on
  which closure_place.CUE_WEIGHTS were fitted (`--fit` refits and prints them), and "test" (ked,
  pc, machac, mv, krb; espeak en-gb, pt, pl, nl, en-us+klatt2);
- the human clips of ../shared/speech with independent bilabial times (json timings or
  pocketsphinx's alignment, as bench_lipsync's references), English and Japanese.

Printed per set: (1) on the closure candidates (closure_place.candidate_spans: M+T+K at least 0.3
of the network's probability, or a dark frame), how well each cue, the combined place score and
the networks' own M-against-T/K log-ratio separate bilabial candidates from the others (AUC, 0.5 =
chance), and on the synthetic sets the F2 cues at exact vowel-closure boundaries; (2) the decoder
(viseme_decode.decode with the shipped closure evidence) with the place score added to M at
weights 0 (= the product) to 2: reference p/b/m with an M span within 40 ms, and M spans on a
p/b/m; (3) the cost of the place score on 60 s of speech.
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import closure_place as cp  # noqa: E402

from talkface_studio.audio.viseme_decode import decode  # noqa: E402
from talkface_studio.audio.viseme_phones import posteriors  # noqa: E402
from talkface_studio.audio.viseme_set import CLASS_INDEX, VOWEL_CLASSES, phone_to_visemes  # noqa: E402

SETS = {
    "cal": (31337, ("kal", "slt", "lp", "dita", "lj", "ona"),
            (("en-us", "m3"), ("es", "f2"), ("de", "m5"), ("fr-fr", "f4"), ("it", "m6"))),
    "test": (777001, ("ked", "pc", "machac", "mv", "krb"),
             (("en-gb", "m1"), ("pt", "f1"), ("pl", "m4"), ("nl", "f5"), ("en-us", "klatt2"))),
}
TOLERANCE_S = 0.04
WEIGHTS = (0.0, 0.5, 1.0, 2.0)


def synthetic_clips(name: str) -> list[dict]:
    """8 sentences per Festival voice and 6 per espeak-ng voice; labels: M / T / K per frame."""
    from talkface_studio.training import festival_synth as fs
    from talkface_studio.training.espeak_synth import synthesize
    from talkface_studio.training.viseme_texts import random_sentence

    base, festival, espeak = SETS[name]
    made = []
    for voice in [v for v in festival if v in fs.available_voices()]:
        rng = np.random.default_rng(base + zlib.crc32(voice.encode()) % 1000)
        for _ in range(8):
            text = random_sentence(fs.VOICES[voice][2], rng, n_words=10)
            made.append(fs.synthesize(text, voice, stretch=float(rng.uniform(0.9, 1.2))))
    for voice, variant in espeak:
        rng = np.random.default_rng(base + zlib.crc32(voice.encode()) % 1000)
        for _ in range(6):
            text = random_sentence(voice, rng, n_words=10)
            made.append(synthesize(text, f"{voice}+{variant}", rate=int(rng.integers(140, 220))))
    clips = []
    for syn in made:
        spans = [(p.start, p.end, phone_to_visemes(p.phone)[:1]) for p in syn.phones]
        clips.append(dict(x=syn.samples, phones=spans,
                          bilabial=[(s, e) for s, e, v in spans if v == ("M",)],
                          tongue=[(s, e) for s, e, v in spans if v in (("T",), ("K",))]))
    return clips


def human_clips() -> list[dict]:
    import bench_lipsync

    from talkface_studio.audio.loading import load_audio

    out = []
    for clip in bench_lipsync.human_clips():
        if clip["ref_source"] in ("json timings", "pocketsphinx reference") and clip["refs"]:
            out.append(dict(name=clip["name"], x=load_audio(clip["path"]).mono(16000), tongue=None,
                            bilabial=[(r.start, r.end) for r in clip["refs"] if r.kind == "bilabial"]))
    return out


def auc(scores, positive) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    s, y = np.asarray(scores, float), np.asarray(positive, bool)
    keep = np.isfinite(s)
    s, y = s[keep], y[keep]
    if y.all() or not y.any():
        return float("nan")
    ranks = np.argsort(np.argsort(s, kind="stable"), kind="stable") + 1.0
    for v in np.unique(s):  # average ranks of ties
        ranks[s == v] = ranks[s == v].mean()
    n1, n0 = y.sum(), (~y).sum()
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def _overlaps(a: float, b: float, refs, tol: float) -> bool:
    return any(a < e + tol and b > s - tol for s, e in refs)


def candidate_table(clips: list[dict]) -> dict:
    """Per closure candidate: raw cues centred per clip, place score, network log-ratio, label."""
    rows = {"cues": [], "score": [], "net": [], "bilabial": []}
    for clip in clips:
        post = clip["post"]
        spans = cp.candidate_spans(post.logp, post.darkness)
        if not spans:
            continue
        cues = cp.place_cues(clip["x"], post.level, spans)
        centre = np.array([np.median(c[np.isfinite(c)]) if np.isfinite(c).any() else 0.0 for c in cues.T])
        score = cp.place_score(clip["x"], post.logp, post.level, post.darkness)
        m, t, k = (post.logp[:, CLASS_INDEX[c]] for c in ("M", "T", "K"))
        for (a, b), c in zip(spans, cues):
            bil = _overlaps(a / 100, b / 100, clip["bilabial"], 0.02)
            if clip["tongue"] is not None and not bil and not _overlaps(a / 100, b / 100, clip["tongue"], 0.0):
                continue  # synthetic: only candidates on a real closure (M against T/K)
            rows["cues"].append(c - centre)
            rows["score"].append(score[a])
            rows["net"].append(float(np.mean(m[a:b] - np.logaddexp(t[a:b], k[a:b]))))
            rows["bilabial"].append(bil)
    return {key: np.array(v) for key, v in rows.items()}


def exact_vowel_closures(clips: list[dict]) -> str:
    """F2 at exact vowel-closure and closure-vowel boundaries (synthetic phone times): the movement
    (20 ms next to the closure minus 40-80 ms away, / the voice's median F2) and the locus-equation
    cue (onset F2 nearer the bilabial line, F2on = 0.87 F2v + 130 Hz, than the alveolar one,
    0.41 F2v + 1200 Hz, with F2 scaled to a median of 1500 Hz): AUC of bilabial against T/K."""
    move, locus, bilabial = [], [], []
    for clip in clips:
        level = clip["post"].level
        live = level[level > -100]
        voiced = level > (np.percentile(live, 95) if live.size else 0.0) - 25
        f2 = cp.lpc_formants(clip["x"])[:, 1]
        typical = np.nanmedian(f2[voiced]) if voiced.any() else np.nan
        phones = clip["phones"]
        for i, (start, end, cls) in enumerate(phones):
            if cls not in (("M",), ("T",), ("K",)):
                continue
            a, b = int(round(start * 100)), int(round(end * 100))
            for j in (i - 1, i + 1):
                if not 0 <= j < len(phones) or not phones[j][2] or phones[j][2][0] not in VOWEL_CLASSES:
                    continue
                va, vb = int(round(phones[j][0] * 100)), int(round(phones[j][1] * 100))
                if vb - va < 4:
                    continue
                edge, far = ((range(max(va, a - 2), a), range(max(va, a - 8), max(va + 1, a - 4))) if j < i else
                             (range(b, min(vb, b + 2)), range(min(vb - 1, b + 4), min(vb, b + 8))))
                onset = _median(f2, voiced, edge)
                vowel = _median(f2, voiced, far)
                if not np.isfinite(onset) or not np.isfinite(vowel):
                    continue
                move.append(-(onset - vowel) / typical)
                on, vw = onset * 1500 / typical, vowel * 1500 / typical
                locus.append(abs(on - (0.41 * vw + 1200)) - abs(on - (0.87 * vw + 130)))
                bilabial.append(cls == ("M",))
    return (f"  exact vowel-closure boundaries ({len(bilabial)}, {int(np.sum(bilabial))} bilabial): AUC of the F2 "
            f"movement {auc(move, bilabial):.2f}, of the locus-equation cue {auc(locus, bilabial):.2f}")


def _median(track: np.ndarray, voiced: np.ndarray, frames: range) -> float:
    vals = [track[t] for t in frames if 0 <= t < len(track) and voiced[t] and np.isfinite(track[t])]
    return float(np.median(vals)) if vals else np.nan


def decoder_rows(clips: list[dict]) -> list[tuple]:
    out = []
    for weight in WEIGHTS:
        closed = total = good = spans = 0
        for clip in clips:
            post = clip["post"]
            logp = post.logp
            if weight:
                logp = cp.favour_places(logp, clip["score"], weight)
            ms = [(s.start, s.end) for s in decode(logp, post.level, closure_evidence=post.darkness) if s.phone == "M"]
            closed += sum(_overlaps(s, e, ms, TOLERANCE_S) for s, e in clip["bilabial"])
            total += len(clip["bilabial"])
            good += sum(_overlaps(a, b, clip["bilabial"], TOLERANCE_S) for a, b in ms)
            spans += len(ms)
        out.append((weight, closed, total, good, spans))
    return out


def misses_line(clips: list[dict]) -> str:
    """Where the product's decoder misses a p/b/m inside a closure candidate, does the place score
    say "lips" (> 0) more often than on the candidates with no p/b/m?"""
    on_misses, elsewhere = [], []
    for clip in clips:
        post = clip["post"]
        ms = [(s.start, s.end) for s in decode(post.logp, post.level, closure_evidence=post.darkness)
              if s.phone == "M"]
        spans = cp.candidate_spans(post.logp, post.darkness)
        for s, e in clip["bilabial"]:
            inside = [a for a, b in spans if _overlaps(a / 100, b / 100, [(s, e)], 0.02)]
            if inside and not _overlaps(s, e, ms, TOLERANCE_S):
                on_misses.append(max(clip["score"][a] for a in inside))
        elsewhere += [clip["score"][a] for a, b in spans if not _overlaps(a / 100, b / 100, clip["bilabial"], 0.02)]
    frac = lambda v: f"{int(np.sum(np.array(v) > 0))}/{len(v)} ({np.mean(np.array(v) > 0):.2f})"  # noqa: E731
    return (f"  place score > 0 on the missed p/b/m inside a candidate {frac(on_misses)}, on the candidates "
            f"with no p/b/m {frac(elsewhere)}")


def fit_weights(table: dict) -> np.ndarray:
    """Ridge logistic regression (Newton steps) of bilabial on the scaled cues (nan -> 0)."""
    z = np.nan_to_num(table["cues"] / cp.CUE_SCALES)
    x = np.c_[z, np.ones(len(z))]
    y = table["bilabial"].astype(float)
    w = np.zeros(x.shape[1])
    ridge = np.eye(x.shape[1]) * 1.0
    ridge[-1, -1] = 0.0
    for _ in range(25):
        p = 1 / (1 + np.exp(-x @ w))
        hess = x.T @ (x * (p * (1 - p))[:, None]) + ridge
        w -= np.linalg.solve(hess, x.T @ (p - y) + ridge @ w)
    return w[:-1]


def report(name: str, clips: list[dict]) -> dict:
    for clip in clips:
        clip["post"] = posteriors(clip["x"])
        clip["score"] = cp.place_score(clip["x"], clip["post"].logp, clip["post"].level, clip["post"].darkness)
    table = candidate_table(clips)
    y = table["bilabial"]
    print(f"\n{name}: {len(clips)} clips, {sum(len(c['x']) for c in clips) / 16000:.0f} s; closure candidates "
          f"{len(y)}, on a bilabial {int(y.sum())}")
    cues = "  ".join(f"{n} {auc(sign * table['cues'][:, j], y):.2f}"
                     for j, (n, sign) in enumerate(zip(cp.CUE_NAMES, cp.CUE_SIGNS)))
    print(f"  AUC, bilabial against the other candidates (0.5 = chance), each cue alone in the direction "
          f"phonetics expects: {cues}")
    print(f"  AUC: place score {auc(table['score'], y):.2f}   the networks' log P(M) - log P(T or K) "
          f"{auc(table['net'], y):.2f}")
    if clips[0].get("phones") is not None:
        print(exact_vowel_closures(clips))
    print(misses_line(clips))
    print("  decoder with the place score added to M:")
    for weight, closed, total, good, spans in decoder_rows(clips):
        print(f"    weight {weight:3.1f}{' (product)' if weight == 0 else '          '}  p/b/m with an M span "
              f"{closed}/{total} ({closed / max(total, 1):.2f})   M spans on a p/b/m {good}/{spans} "
              f"({good / max(spans, 1):.2f})")
    return table


def speed(clips: list[dict], runs: int = 3) -> None:
    x = np.concatenate([c["x"] for c in clips])
    x = np.tile(x, int(np.ceil(60 * 16000 / len(x))))[: 60 * 16000]
    post = posteriors(x)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        cp.place_score(x, post.logp, post.level, post.darkness)
        times.append(time.perf_counter() - started)
    print(f"\nplace score of 60 s of speech: {np.median(times):.3f} s (median of {runs}; on top of recognition)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="refit the cue weights on the cal set and print them")
    parser.add_argument("--no-human", action="store_true", help="synthetic sets only")
    args = parser.parse_args()
    started = time.perf_counter()
    cal = report("held-out synthetic, cal set (the weights were fitted here)", synthetic_clips("cal"))
    if args.fit:
        print("  fitted weights:", np.round(fit_weights(cal), 2), "(closure_place.CUE_WEIGHTS:", cp.CUE_WEIGHTS, ")")
    test = synthetic_clips("test")
    report("held-out synthetic, test set (other voices and seeds)", test)
    if not args.no_human:
        report("human clips with independent bilabial times (English, Japanese)", human_clips())
    speed(test)
    print(f"(total bench time {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
