"""Timing of lip closures against reference p/b/m: is the script aligner (or the performer) late?

For every clip the viseme aligner handles (French, Italian, Japanese human clips; bench_lipsync's
synthetic es/de/fr/it clips; held-out synthetic sentences as bench_visemes makes them) it prints,
per group, the signed offset (seconds, + = late) of each aligned closure's start and end from the
reference bilabial's, at three stages:

- align: the viseme aligner's M spans at 100 fps (viseme_phone_pass with the script);
- 25fps: the analysis' phone spans at 25 fps (analyze(), with the script);
- lips: the frames the procedural performer closes the lips on (inner gap < 1 mm), at 25 fps.

Each reference bilabial is matched one to one to a closure (span or closed run): overlapping pairs
first, largest overlap first, then the nearest unused one within 0.2 s; unmatched ones are counted
as "missed". Offsets: median and the 10th-90th
percentiles. References: espeak-ng's own phone times (synthetic), the clip's json timings (Japanese),
the DTW reference (French, Italian; dtw_reference.py).

    .venv/bin/python benchmarks/bench_closure_timing.py [--only NAME] [--no-heldout] [--detail]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_lipsync as bl  # noqa: E402
import lipsync_measures as lm  # noqa: E402
from talkface_studio.audio.analysis import analyze  # noqa: E402
from talkface_studio.audio.loading import load_audio  # noqa: E402
from talkface_studio.audio.viseme_phones import viseme_phone_pass  # noqa: E402
from talkface_studio.perform.base import PerformRequest  # noqa: E402
from talkface_studio.perform.registry import get_performer  # noqa: E402

RATE = bl.RATE
MATCH_S = 0.2
JOIN_S = 0.03  # reference bilabials this close together are one closure ("mb" in "Bambini")
CLOSURE_LABELS = ("M", "P", "B")


def runs(mask: np.ndarray, fps: float) -> list[tuple[float, float]]:
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
    return [(a / fps, b / fps) for a, b in zip(edges[::2], edges[1::2])]


def offsets(refs: list[lm.RefPhone], spans: list[tuple[float, float]]) -> tuple[list[tuple[float, float]], int]:
    """(start offset, end offset) per reference bilabial matched to a closure span; count missed.
    One to one: overlapping pairs first (largest overlap first), then the nearest unused span within
    MATCH_S, so one long closure is not counted twice against two references; back-to-back
    reference bilabials are one closure."""
    bil: list[lm.RefPhone] = []
    for r in sorted((r for r in refs if r.kind == "bilabial"), key=lambda r: r.start):
        if bil and r.start - bil[-1].end < JOIN_S:  # "mb", "m:" - one closure of the lips
            bil[-1] = lm.RefPhone(bil[-1].start, max(r.end, bil[-1].end), "bilabial")
        else:
            bil.append(r)
    pairs = sorted(((min(b, r.end) - max(a, r.start), i, k) for i, r in enumerate(bil)
                    for k, (a, b) in enumerate(spans)), reverse=True)
    match: dict[int, int] = {}
    used: set[int] = set()
    for ov, i, k in pairs:
        if ov > 0 and i not in match and k not in used:
            match[i], _ = k, used.add(k)
    for i, r in enumerate(bil):
        if i in match:
            continue
        free = [(max(a - r.end, r.start - b), k) for k, (a, b) in enumerate(spans) if k not in used]
        if free and min(free)[0] <= MATCH_S:
            k = min(free)[1]
            match[i], _ = k, used.add(k)
    out = [(spans[k][0] - bil[i].start, spans[k][1] - bil[i].end) for i, k in sorted(match.items())]
    return out, len(bil) - len(match)


def stage_spans(clip: dict) -> dict[str, list[tuple[float, float]]]:
    x16 = load_audio(clip["path"]).mono(16000)
    res = viseme_phone_pass(x16, clip["text"], clip["language"])
    aligned = [(p.start, p.end) for p in res.phones if p.phone in CLOSURE_LABELS]
    f = analyze(clip["path"], RATE, transcript=clip["text"], use_cache=False, language=clip["language"])
    fps = RATE.fps
    frames = [(s.start_frame / fps, s.end_frame / fps) for s in f.phones if s.phone in CLOSURE_LABELS]
    weights = np.zeros((f.n_frames, 8), np.float32)
    weights[:, 0] = 1
    perf = get_performer("procedural").perform(PerformRequest(f, weights, RATE, 0, {}))
    closed = lm.centre_gap_mm(perf.expression) < lm.CLOSED_MM
    # frame i is the instant i / fps: a run of closed frames i0..i1 spans [i0 / fps, (i1 + 1) / fps)
    return {"align": aligned, "25fps": frames, "lips": runs(closed, fps)}


def heldout_clips(folder: Path, n_per_language: int = 3) -> list[dict]:
    """bench_visemes' held-out synthetic sentences (same seeds), written to WAV with exact references."""
    import soundfile as sf

    from talkface_studio.training.espeak_synth import synthesize
    from talkface_studio.training.viseme_texts import random_sentence

    out = []
    for voice, lang in (("es", "es"), ("de", "de"), ("fr-fr", "fr"), ("it", "it"), ("ja", "ja"), ("pl", "pl")):
        rng = np.random.default_rng(987654 + zlib.crc32(voice.encode()) % 1000)
        for i in range(n_per_language):
            text = random_sentence(voice, rng)
            variant = ("m2", "f3", "klatt4")[i % 3]
            syn = synthesize(text, f"{voice}+{variant}", rate=int(rng.integers(140, 220)))
            refs = [lm.RefPhone(p.start, p.end, lm.classify_ipa(p.phone)) for p in syn.phones
                    if p.phone.strip() not in ("", "_", "_:", "_!", "||", "|")]
            path = folder / f"heldout_{lang}_{i}.wav"
            sf.write(str(path), syn.samples, 16000)
            out.append(dict(name=f"heldout_{lang}_{i}", path=path, text=text, language=lang, refs=refs,
                            group=f"held-out synthetic {lang}"))
    return out


def stats(pairs: list[tuple[float, float]], k: int) -> str:
    if not pairs:
        return f"{'-':>22s}"
    v = np.array([p[k] for p in pairs]) * 1000
    lo, hi = np.percentile(v, [10, 90])
    return f"{np.median(v):+5.0f} [{lo:+4.0f},{hi:+4.0f}]".rjust(22)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only")
    ap.add_argument("--no-heldout", action="store_true")
    ap.add_argument("--detail", action="store_true", help="print every clip's row, not only the groups")
    args = ap.parse_args()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        clips = [c for c in bl.human_clips() if c["language"] in ("fr", "it", "ja") and c["refs"]]
        for c in clips:
            c["group"] = f"human {c['language']} ({bl.short_source(c['ref_source'])})"
        clips += [dict(c, group="bench_lipsync synthetic") for c in bl.synthetic_clips(Path(tmp))
                  if c["language"] != "en"]
        if not args.no_heldout:
            clips += heldout_clips(Path(tmp))
        if args.only:
            clips = [c for c in clips if args.only in c["name"]]
        groups: dict[str, dict[str, list]] = {}
        head = f"{'clip / group':34s} {'stage':6s} {'n':>4s} {'missed':>6s} {'start ms med [p10,p90]':>22s} " \
               f"{'end ms med [p10,p90]':>22s}"
        print(head)
        print("-" * len(head))
        for clip in clips:
            spans = stage_spans(clip)
            g = groups.setdefault(clip["group"], {s: [[], 0] for s in spans})
            for stage, sp in spans.items():
                pairs, missed = offsets(clip["refs"], sp)
                g[stage][0] += pairs
                g[stage][1] += missed
                if args.detail:
                    print(f"{clip['name'][:34]:34s} {stage:6s} {len(pairs):4d} {missed:6d} {stats(pairs, 0)} "
                          f"{stats(pairs, 1)}", flush=True)
        if args.detail:
            print()
        everything = {}
        for name, g in groups.items():
            for stage, (pairs, missed) in g.items():
                e = everything.setdefault(stage, [[], 0])
                e[0] += pairs
                e[1] += missed
                print(f"{name[:34]:34s} {stage:6s} {len(pairs):4d} {missed:6d} {stats(pairs, 0)} {stats(pairs, 1)}")
        for stage, (pairs, missed) in everything.items():
            print(f"{'ALL':34s} {stage:6s} {len(pairs):4d} {missed:6d} {stats(pairs, 0)} {stats(pairs, 1)}")
    print(f"\n(offsets: closure minus reference bilabial, + = late; {time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
