"""Phonotactics in the viseme decoder without a script: what does weighing each class change by the
language's viseme bigram (benchmarks/viseme_bigrams.py, passed as viseme_decode.decode's switch_costs)
do to lip closures?

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_viseme_bigram.py [--cache DIR] [--weights 0 0.5 1]

Held-out synthetic speech only, the sets bench_closure_rate reads (voices and seeds the networks
never trained on): its fit set (bench_closure_place's "cal" voices: Festival's kal, slt, lp, dita,
lj, ona and five espeak-ng voices, 78 sentences) to choose the weight; its "test" voices and seeds
(ked, pc, machac, mv, krb; espeak-ng en-gb, pt, pl, nl, en-us) and bench_visemes' held-out sentences
(en, es, de, fr, it, ja, pl; 21) to check it. Never the human clips. Per weight and M
bias (the trade-off curve: does the weight move it up, or along itself?), on the decoded labels:
reference p/b/m with an M span within 40 ms and M spans on one; the per-language closures at bias 0;
the decoder's cost on 60 s. Caveat: these sets speak sentences from the same generator
(training/viseme_texts) the bigram tables were counted from, which flatters the tables (README,
"Phonotactics in the decoder"). Result (2026-12-02): not shipped; the product decodes with the flat
SWITCH_PENALTY.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_closure_rate as bcr  # noqa: E402
from timing import median_seconds  # noqa: E402
from viseme_bigrams import switch_costs  # noqa: E402

from talkface_studio.audio.viseme_decode import decode  # noqa: E402
from talkface_studio.audio.viseme_set import CLASS_INDEX  # noqa: E402

M = CLASS_INDEX["M"]


def score(entry: dict, weight: float, bias: float = 0.0) -> tuple[int, int, int, int]:
    logp = entry["logp"].copy()
    logp[:, M] += bias
    spans = decode(logp, entry["level"], closure_evidence=entry["darkness"],
                   switch_costs=switch_costs(entry["lang"], weight))
    ms = [(s.start, s.end) for s in spans if s.phone == "M"]
    closed = sum(bcr._overlaps(s, e, ms) for s, e in entry["bilabial"])
    good = sum(bcr._overlaps(a, b, entry["bilabial"]) for a, b in ms)
    return closed, len(entry["bilabial"]), good, len(ms)


def total(entries, weight: float, bias: float = 0.0) -> tuple[int, int, int, int]:
    rows = [score(e, weight, bias) for e in entries]
    return tuple(int(sum(r[i] for r in rows)) for i in range(4))


def per_language(entries, weight: float) -> str:
    langs = sorted({e["lang"] for e in entries})
    cells = []
    for lang in langs:
        c, n, g, s = total([e for e in entries if e["lang"] == lang], weight)
        cells.append(f"{lang} {c}/{n}")
    return ", ".join(cells)


def cost(weight: float, runs: int = 3) -> float:
    """Seconds to decode 60 s (6000 frames) of random posteriors, median of `runs`."""
    logp = bcr.random_minute_logp()
    return median_seconds(lambda: decode(logp, switch_costs=switch_costs("en", weight)), runs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, help="keep the clips' posteriors here between runs")
    ap.add_argument("--weights", type=float, nargs="*", default=[0.0, 0.25, 0.5, 1.0, 1.5, 2.0])
    ap.add_argument("--biases", type=float, nargs="*", default=[-0.5, 0.0, 0.5])
    args = ap.parse_args()
    cache = args.cache / "bigram_entries.pkl" if args.cache else None
    if cache and cache.is_file():
        data = pickle.loads(cache.read_bytes())
    else:
        data = dict(fit=bcr.fit_entries(), test=bcr.fit_entries("test"), held=bcr.held_out_entries())
        if cache:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_bytes(pickle.dumps(data))
    sets = (("fit set (choose here)", data["fit"]), ("check: bench_closure_place's test set", data["test"]),
            ("check: bench_visemes' held-out sentences", data["held"]))
    for name, entries in sets:
        secs = sum(e["seconds"] for e in entries)
        print(f"\n{name}: {len(entries)} sentences, {secs / 60:.1f} min")
        for w in args.weights:
            cells = []
            for b in args.biases:
                c, n, g, s = total(entries, w, b)
                cells.append(f"bias {b:+.1f}: {c}/{n} closed, {g}/{s} ({g / max(s, 1):.3f})")
            print(f"  w {w:4.2f}  " + " | ".join(cells))
            print(f"          per language (bias 0): {per_language(entries, w)}")
    for w in sorted({0.0, max(args.weights)}):
        print(f"decode of 60 s, w {w}: {cost(w) * 1000:.0f} ms (median of 3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
