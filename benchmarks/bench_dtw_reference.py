"""How far can the DTW reference (dtw_reference.py: espeak-ng speech of the script warped onto the
recording) be trusted? It is run on every clip of ../shared/speech that has independent timings and
compared with them:

- json timings shipped with the clip (praatio mary / bobby, parselmouth north_wind, JSUT): hand or
  corpus alignments, the real check;
- the English clips' one-pass pocketsphinx alignment (lipsync_measures.reference_alignment): another
  automatic aligner with its own errors, so disagreement is shared between the two.

Only the phones the lip-sync measures use are compared: p/b/m and open vowels. Each reference phone
is matched, in order, to the DTW phone of the same kind whose centre is nearest (within 250 ms);
printed per clip and overall: matched / all, the median and 90th-percentile error of their start and
end boundaries in ms (an unmatched phone has no error to count, it lowers "matched"), and how many
reference phones the DTW reference places with both boundaries within +-40 ms.

    .venv/bin/python benchmarks/bench_dtw_reference.py [--only NAME]

Then the French and Italian clips (no timings; the clips the DTW reference exists for): phones found,
espeak-ng rate used, and the mean path cost next to the validation clips' costs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import dtw_reference as dr  # noqa: E402
import lipsync_measures as lm  # noqa: E402

MAX_MATCH_S = 0.25
KINDS = ("bilabial", "open")


def match(refs: list[lm.RefPhone], dtw: list[lm.RefPhone], kind: str) -> list[tuple[lm.RefPhone, lm.RefPhone | None]]:
    """Each reference phone of `kind` with the DTW phone of that kind nearest its centre, in order."""
    cands = [d for d in dtw if d.kind == kind]
    out, k = [], 0
    for r in (r for r in refs if r.kind == kind):
        centre = (r.start + r.end) / 2
        best = None
        for idx in range(k, len(cands)):
            off = (cands[idx].start + cands[idx].end) / 2 - centre
            if off > MAX_MATCH_S:
                break
            if abs(off) <= MAX_MATCH_S and (best is None or abs(off) < best[1]):
                best = (idx, abs(off))
        out.append((r, cands[best[0]] if best else None))
        if best:
            k = best[0] + 1
    return out


def agreement(refs: list[lm.RefPhone], dtw: list[lm.RefPhone]) -> dict:
    """{kind: (matched, total, [boundary errors s], within 40 ms)} for bilabials and open vowels."""
    out = {}
    for kind in KINDS:
        pairs = match(refs, dtw, kind)
        errs, within = [], 0
        for r, d in pairs:
            if d is None:
                continue
            e = (abs(d.start - r.start), abs(d.end - r.end))
            errs += e
            within += max(e) <= lm.TOLERANCE_S
        out[kind] = (sum(d is not None for _, d in pairs), len(pairs), errs, within)
    return out


def dtw_refs(path: Path, text: str, language: str) -> tuple[list[lm.RefPhone], dr.DtwReference]:
    ref = dr.reference_phones(dr.load_16k(path), text, language)
    return [lm.RefPhone(p.start, p.end, lm.classify_ipa(p.ipa)) for p in ref.phones], ref


def kana_reading(text: str) -> str:
    """Japanese script -> katakana for espeak-ng (which reads kana, not kanji), with Sudachi directly;
    the particles は / へ are spoken wa / e."""
    from sudachipy import Dictionary, SplitMode

    out = []
    for m in Dictionary(dict="small").tokenizer(SplitMode.C).tokenize(text):
        if m.part_of_speech()[0] in ("補助記号", "空白"):
            out.append("、" if m.surface() in "、。,." else "")
            continue
        reading = m.reading_form()
        if m.part_of_speech()[0] == "助詞" and reading in ("ハ", "ヘ"):
            reading = {"ハ": "ワ", "ヘ": "エ"}[reading]
        out.append(reading)
    return "".join(out)


def script_for_synthesis(meta: dict) -> str:
    return kana_reading(meta["text"]) if meta["language"].startswith("ja") else meta["text"]


def fmt_row(name: str, stats: dict, cost: float) -> str:
    cells = []
    for kind in KINDS:
        m, n, errs, within = stats[kind]
        med = f"{1000 * np.median(errs):4.0f}" if errs else "   -"
        p90 = f"{1000 * np.percentile(errs, 90):4.0f}" if errs else "   -"
        cells.append(f"{m:3d}/{n:<3d} {med} {p90} {within:3d}/{n:<3d}")
    return f"{name[:32]:32s} {cells[0]}   {cells[1]}   {cost:5.3f}"


def summary(per_clip: dict[str, dict], label: str) -> str:
    parts = []
    for kind in KINDS:
        m = sum(s[kind][0] for s in per_clip.values())
        n = sum(s[kind][1] for s in per_clip.values())
        errs = [e for s in per_clip.values() for e in s[kind][2]]
        w = sum(s[kind][3] for s in per_clip.values())
        if n:
            parts.append(f"{kind} matched {m}/{n}, boundary error median {1000 * np.median(errs):.0f} ms, "
                         f"p90 {1000 * np.percentile(errs, 90):.0f} ms, within +-40 ms {w}/{n} = {w / n:.2f}")
    return f"{label}: " + "; ".join(parts)


def main() -> int:
    from bench_lipsync import json_references, speech_dir

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", help="only clips whose name contains this")
    args = ap.parse_args()
    head = (f"{'clip':32s} {'bilabial m/n  med  p90 in40':28s}   {'open m/n  med  p90 in40':26s}     cost")
    print(head + "\n" + "-" * len(head))
    results: dict[str, dict[str, dict]] = {"json timings": {}, "pocketsphinx reference": {}}
    targets = []
    started = time.perf_counter()
    for wav in sorted(speech_dir().glob("*.wav")):
        if args.only and args.only not in wav.stem:
            continue
        meta = json.loads(wav.with_suffix(".json").read_text())
        refs, source = json_references(meta), "json timings"
        if "dialog" in wav.stem:  # two overlapping voices: one synthetic voice cannot be warped onto them
            continue
        if refs is None and meta["language"].startswith("en"):
            timed = lm.reference_alignment(dr.load_16k(wav), meta["text"])
            refs = [lm.RefPhone(s, e, lm.classify_arpabet(p)) for s, e, p in timed] if timed else None
            source = "pocketsphinx reference"
        if refs is None:
            if meta["language"][:2] in ("fr", "it"):
                targets.append((wav, meta))
            continue
        dtw, ref = dtw_refs(wav, script_for_synthesis(meta), meta["language"])
        stats = agreement(refs, dtw)
        results[source][wav.stem] = stats
        print(fmt_row(wav.stem, stats, ref.cost) + f"  ({source}, espeak {ref.rate} wpm)", flush=True)
    print()
    for source, per_clip in results.items():
        if per_clip:
            print(summary(per_clip, f"DTW vs {source} ({len(per_clip)} clips)"))
    print("\nclips without timings (the DTW reference is their only phone reference):")
    for wav, meta in targets:
        dtw, ref = dtw_refs(wav, meta["text"], meta["language"])
        counts = {k: sum(p.kind == k for p in dtw) for k in KINDS}
        print(f"{wav.stem:32s} {len(dtw)} phones, {counts['bilabial']} p/b/m, {counts['open']} open vowels, "
              f"espeak {dr.VOICES[meta['language'][:2]]} at {ref.rate} wpm, path cost {ref.cost:.3f}")
    print(f"\n({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
