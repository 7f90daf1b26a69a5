"""Is a word the speaker did not say reported? The detection table.

    nice -n 10 .venv/bin/python benchmarks/bench_wrong_words.py [--only NAME] [--edits 4]

For every clip of ../shared/speech/ (else tests/data/speech/) except Japanese (its script has no
spaces to edit) the phone pass runs as analysis runs it (phone_pass.run_phone_pass: English with
pocketsphinx piece by piece and the wrong-word check, French and Italian with the viseme aligner),
first with the clip's correct script, then with edited scripts, nothing else changed:
- sub: a word (3+ letters, not the first or last) replaced by a word of similar length with
  different mouth shapes (one with p/b/m for one without, and the other way round);
- del: a spoken word left out of the script; ins: a word the speaker did not say put in.
Up to `--edits` substitutions per clip, spread over the script, half as many deletions and
insertions. Where the edited word really is comes from the viseme aligner's alignment of the
correct script (for an insertion: 50 ms either side of the start of the word it goes before).

Table 1 (the product): reports = fallen-back stretches (recognized/acoustic) with the correct
script; found = edits with a fallen-back stretch within 50 ms of the edit; cover = mean share of
the edited word's span that the reported stretches cover (found edits); elsewhere = edited scripts
with a new fallen-back stretch more than 0.3 s from the edit.
Table 2: pocketsphinx's word costs (minus its score per frame, judged over 0.15 s; the product's
criterion) on correct words against substituted ones.
Table 3 (why the viseme path has no check): the same question asked of the viseme recognizer, per
10 ms frame log p(free recognition's class) - log p(aligned class), summarised per word three ways
(mean = over its frames, mean150 = over at least 0.15 s centred on it, clip4_150 = the same with
frames clipped to 0..4), thresholded at the highest value of any correct word (no false report,
fitted to these clips).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from talkface_studio.audio.g2p import g2p  # noqa: E402
from talkface_studio.audio.loading import load_audio  # noqa: E402
from talkface_studio.audio.phone_pass import run_phone_pass  # noqa: E402
from talkface_studio.audio.viseme_align import align  # noqa: E402
from talkface_studio.audio.viseme_decode import decode, guard_silence  # noqa: E402
from talkface_studio.audio.viseme_phones import posteriors  # noqa: E402
from talkface_studio.audio.viseme_set import CLASS_INDEX  # noqa: E402
from talkface_studio.audio.wrong_words import word_costs  # noqa: E402

FPS = 100
# (words with p/b/m, words without), per language
REPLACEMENTS = {
    "en": (["maybe", "bump", "mop", "baby", "ample", "mumble", "pompom", "ambiguous"],
           ["tissue", "lazy", "church", "eye", "sky", "dog", "shoes", "kitchen", "easily"]),
    "fr": (["pomme", "bombe", "maman", "papa", "impossible"], ["ciel", "lit", "chou", "soleil", "cinq", "aiguille"]),
    "it": (["mamma", "pepe", "bambino", "pompa", "ombrello"], ["sole", "tetto", "chiesa", "zio", "scuola", "gatto"]),
}
INSERTED = {"en": "maybe", "fr": "pomme", "it": "mamma"}
CRITERIA = {"mean": (0.0, None), "mean150": (0.15, None), "clip4_150": (0.15, 4.0)}


def speech_dir() -> Path:
    shared = ROOT.parent / "shared" / "speech"
    return shared if shared.is_dir() else ROOT / "tests" / "data" / "speech"


FALLBACK = ("recognized", "acoustic")
# pocketsphinx's ARPAbet -> viseme class (first class of a diphthong), to score its phones on the viseme posteriors
ARPABET_VISEME = {"AA": "AA", "AE": "AA", "AH": "AH", "AO": "AO", "AW": "AA", "AY": "AA", "EH": "EH", "ER": "R",
                  "EY": "EH", "IH": "IY", "IY": "IY", "OW": "AO", "OY": "AO", "UH": "UW", "UW": "UW", "B": "M",
                  "P": "M", "M": "M", "F": "F", "V": "F", "TH": "TH", "DH": "TH", "T": "T", "D": "T", "N": "T",
                  "L": "T", "S": "S", "Z": "S", "SH": "SH", "ZH": "SH", "CH": "SH", "JH": "SH", "K": "K", "G": "K",
                  "NG": "K", "HH": "K", "R": "R", "W": "W", "Y": "Y", "SIL": "SIL"}


def frame_gaps(post, phones) -> np.ndarray:
    """Per 10 ms frame: log p(free recognition's class) - log p(aligned class), viseme recognizer."""
    lp = guard_silence(np.asarray(post.for_alignment, np.float32), post.level)
    n = len(lp)
    free, aligned = np.zeros(n, np.int64), np.full(n, CLASS_INDEX["SIL"])
    for span in decode(post.for_alignment, post.level, closure_evidence=post.darkness):
        free[int(round(span.start * FPS)):int(round(span.end * FPS))] = CLASS_INDEX[span.phone]
    for p in phones:
        name = p.phone if p.phone in CLASS_INDEX else ARPABET_VISEME.get(p.phone, "AH")
        aligned[max(0, int(round(p.start * FPS))):int(round(p.end * FPS))] = CLASS_INDEX[name]
    rows = np.arange(n)
    return lp[rows, free] - lp[rows, aligned]


def aligned_runs(x16, post, text: str, lang: str) -> dict:
    """{"product": PhonePass, "ps": (words, pocketsphinx word costs), "vis": (frame costs, words)}."""
    result = run_phone_pass(x16, text, lang)
    out = {"product": result}
    if lang == "en":
        out["ps"] = ([(w.start, w.end, w.word) for w in result.words], word_costs(result.words))
    al = align(post.for_alignment, g2p(text, lang), post.level, post.darkness)
    out["vis"] = (frame_gaps(post, al.visemes), [(w.start, w.end, w.text) for w in al.words])
    return out


def summaries(gap: np.ndarray, words, criterion: str) -> list[float]:
    span, cap = CRITERIA[criterion]
    out = []
    for s, e, _ in words:
        mid, half = (s + e) / 2, max(span, e - s) / 2
        a, b = max(0, int(round((mid - half) * FPS))), min(len(gap), int(round((mid + half) * FPS)))
        x = gap[a:b] if cap is None else np.clip(gap[a:b], 0.0, cap)
        out.append(float(x.mean()) if len(x) else 0.0)
    return out


def edits(text: str, lang: str, n_sub: int):
    """(kind, token index, original, new, edited script) for the script's tokens."""
    toks = text.split()
    cand = [i for i, t in enumerate(toks) if len(re.sub(r"\W", "", t)) >= 3 and 0 < i < len(toks) - 1]
    if not cand:
        return
    picks = sorted({cand[int(k)] for k in np.linspace(0, len(cand) - 1, min(n_sub, len(cand)))})
    used: set[str] = set()
    for i in picks:
        core = re.sub(r"\W", "", toks[i])
        with_lips, without = REPLACEMENTS[lang]
        pool = without if re.search("[pbmPBM]", core) else with_lips
        new = min(pool, key=lambda c: (abs(len(c) - len(core)), c in used, c))
        used.add(new)
        yield "sub", i, toks[i], new, " ".join(toks[:i] + [new + re.sub(r"[\w'’-]", "", toks[i])] + toks[i + 1:])
    for i in picks[: max(1, n_sub // 2)]:
        yield "del", i, toks[i], "", " ".join(toks[:i] + toks[i + 1:])
    for i in picks[: max(1, n_sub // 2)]:
        yield "ins", i, "", INSERTED[lang], " ".join(toks[:i] + [INSERTED[lang]] + toks[i:])


def collect(only: str | None, n_sub: int) -> list[dict]:
    clips = []
    for wav in sorted(speech_dir().glob("*.wav")):
        meta = json.loads(wav.with_suffix(".json").read_text())
        lang = meta["language"][:2]
        if lang not in REPLACEMENTS or (only and only not in wav.stem):
            continue
        x16 = load_audio(wav).mono(16000)
        post = posteriors(x16)
        correct = aligned_runs(x16, post, meta["text"], lang)
        ref_words = correct["vis"][1]
        done = []
        for kind, i, orig, new, script in edits(meta["text"], lang, n_sub):
            where = (ref_words[i][0] - 0.05, ref_words[i][0] + 0.05) if kind == "ins" else ref_words[i][:2]
            done.append(dict(kind=kind, orig=orig, new=new, where=where, runs=aligned_runs(x16, post, script, lang)))
        clips.append(dict(name=wav.stem, lang=lang, correct=correct, edits=done))
        print(f"  {wav.stem}: {len(done)} edits", file=sys.stderr, flush=True)
    return clips


def fallbacks(result) -> list:
    return [st for st in result.stretches if st.path in FALLBACK]


def near(a: float, b: float, where, pad: float) -> bool:
    return a < where[1] + pad and b > where[0] - pad


def product_table(clips: list[dict]) -> None:
    print("\n1. Reported (fallen-back stretches) with the correct script and with edited ones")
    print(f"{'langs':6s} {'clips':>5s} {'reports':>7s} {'sub found':>9s} {'cover':>5s} {'del found':>9s} "
          f"{'ins found':>9s} {'elsewhere':>9s}")
    for langs in (("en",), ("fr", "it")):
        group = [c for c in clips if c["lang"] in langs]
        if not group:
            continue
        reports = sum(len(fallbacks(c["correct"]["product"])) for c in group)
        found = {k: [0, 0] for k in ("sub", "del", "ins")}
        cover, elsewhere, lines = [], 0, []
        for c in group:
            before = {(round(st.start, 2), round(st.end, 2)) for st in fallbacks(c["correct"]["product"])}
            for ed in c["edits"]:
                fb = fallbacks(ed["runs"]["product"])
                hits = [st for st in fb if near(st.start, st.end, ed["where"], 0.05)]
                found[ed["kind"]][0] += bool(hits)
                found[ed["kind"]][1] += 1
                if hits and ed["kind"] == "sub":
                    a, b = ed["where"]
                    cover.append(sum(max(0.0, min(b, st.end) - max(a, st.start)) for st in hits) / max(b - a, 1e-3))
                far = [st for st in fb if not near(st.start, st.end, ed["where"], 0.3)
                       and (round(st.start, 2), round(st.end, 2)) not in before]
                elsewhere += bool(far)
                lines += [f"   elsewhere, {c['name']} {ed['kind']} \"{ed['orig']}\"->\"{ed['new']}\" at "
                          f"{ed['where'][0]:.2f} s: {st.start:.2f}-{st.end:.2f} s \"{st.words}\"" for st in far]
        cells = [f"{a}/{b}" for a, b in found.values()]
        print(f"{'+'.join(langs):6s} {len(group):5d} {reports:7d} {cells[0]:>9s} "
              f"{(np.mean(cover) if cover else 0):5.2f} {cells[1]:>9s} {cells[2]:>9s} {elsewhere:9d}")
        for line in lines:
            print(line)
    for c in clips:
        for st in fallbacks(c["correct"]["product"]):
            print(f"   correct script, {c['name']}: {st.start:.2f}-{st.end:.2f} s {st.path} \"{st.words}\"\n"
                  f"      ({st.reason})")


def cost_table(clips: list[dict]) -> None:
    group = [c for c in clips if "ps" in c["correct"]]
    if not group:
        return
    corr = [(v, c["name"], w[2], w[0]) for c in group for w, v in zip(*c["correct"]["ps"])]
    subs = []
    for c in group:
        for ed in c["edits"]:
            if ed["kind"] == "sub":
                words, costs = ed["runs"]["ps"]
                subs.append(max([v for w, v in zip(words, costs) if near(w[0], w[1], ed["where"], 0.05)], default=0.0))
    values = np.array([v for v, *_ in corr])
    print("\n2. pocketsphinx word cost (nats per frame, judged over 0.15 s), English")
    print(f"   correct words ({len(values)}): q50 {np.median(values):.2f}  q90 {np.percentile(values, 90):.2f}  "
          f"q99 {np.percentile(values, 99):.2f}  max {values.max():.2f}")
    print(f"   substituted words ({len(subs)}): q10 {np.percentile(subs, 10):.2f}  q25 {np.percentile(subs, 25):.2f}  "
          f"q50 {np.median(subs):.2f}  q75 {np.percentile(subs, 75):.2f}")
    for v, name, word, start in sorted(corr, reverse=True)[:4]:
        print(f"   highest correct: {v:.2f} {name} \"{word}\" at {start:.2f} s")


def viseme_table(clips: list[dict]) -> None:
    print("\n3. Viseme recognizer's evidence, at the threshold with no false report on the correct scripts")
    print(f"{'langs':6s} {'criterion':10s} {'words':>5s} {'thresh':>6s} {'worst correct word':30s} "
          f"{'sub found':>9s} {'del found':>9s} {'ins found':>9s}")
    for langs in (("en",), ("fr", "it")):
        group = [c for c in clips if c["lang"] in langs]
        if not group:
            continue
        for criterion in CRITERIA:
            worst, who, n_words = -np.inf, "", 0
            for c in group:
                gap, words = c["correct"]["vis"]
                vals = summaries(gap, words, criterion)
                n_words += len(vals)
                j = int(np.argmax(vals))
                if vals[j] > worst:
                    worst, who = vals[j], f"{c['name'][:18]} \"{words[j][2]}\""
            found = {k: [0, 0] for k in ("sub", "del", "ins")}
            for c in group:
                for ed in c["edits"]:
                    gap, words = ed["runs"]["vis"]
                    vals = summaries(gap, words, criterion)
                    hit = max([v for v, w in zip(vals, words) if near(w[0], w[1], ed["where"], 0.05)], default=0.0)
                    found[ed["kind"]][0] += hit > worst
                    found[ed["kind"]][1] += 1
            cells = " ".join(f"{f'{a}/{b}':>9s}" for a, b in found.values())
            print(f"{'+'.join(langs):6s} {criterion:10s} {n_words:5d} {worst:6.2f} {who[:30]:30s} {cells}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", help="clips whose name contains this")
    ap.add_argument("--edits", type=int, default=4, help="substitutions per clip")
    args = ap.parse_args()
    started = time.perf_counter()
    clips = collect(args.only, args.edits)
    product_table(clips)
    cost_table(clips)
    viseme_table(clips)
    print(f"\n{sum(len(c['edits']) for c in clips)} edited scripts on {len(clips)} clips, "
          f"{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
