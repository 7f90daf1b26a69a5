"""A scene's script against one actor's recording: lines the actor did not say, and one the script lacks.

    nice -n 10 .venv/bin/python benchmarks/bench_script_lines.py
    nice -n 10 .venv/bin/python benchmarks/bench_script_lines.py --each-missing   # ~2 min more
    nice -n 10 .venv/bin/python benchmarks/bench_script_lines.py --retakes        # ~1.5 min more

The English recordings of ../shared/speech (not the two-speaker phone call), joined in one take
with 1 s of silence between them (94 s with the shared recordings), analysed with edited scripts:
- as said: the recordings' scripts, one line each;
- other actor: the other actor's line after each of them (12 lines nobody says in the take);
- one not said: one line nobody says, in the middle;
- slate: "Scene twelve, take three." before and "Cut, thank you everybody." after;
- one missing: a said line left out of the script;
- cut in lines: the whole script, the take cut in the middle of a vowel about 40 % into its first
  recording and 60 % into its last of 3 s or more (a stretch cut from a longer recording inside two
  lines, the short ones after the second not in it; the references inside it, 0.1 s clear of the
  cuts).
With --each-missing, then each English line in turn left out of the script (a line said that the
script lacks, wherever it falls), with a total. With --retakes, each English recording in turn said
twice in a row (a retake in the same file) while the script has its line once, every reading's
p/b/m counted, with a total.
Then the French and the Italian recordings, each language's two joined, with the other actor's
line after each, with the first one's line missing from the script (the viseme aligner's path),
and cut inside both lines as above.
References: each recording's own, as bench_lipsync reads them (pocketsphinx's alignment of its
script or its json timings; the DTW reference for French and Italian). Columns: p/b/m closed,
closure spans on a p/b/m, stretches that fell back, notices of script words not heard, notices of
words said again (retakes), analysis seconds (one run, this box's noise).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_lipsync as bl  # noqa: E402
import lipsync_measures as lm  # noqa: E402

OTHER = ["Are you sure about that?", "I never thought of it that way.", "Well, what happens next?",
         "Tell me more about the garden.", "Nobody believes a word of it.", "Go on.", "That sounds like trouble to me.",
         "Why would anyone do that?", "We should leave before dark.", "Really? Again?", "I can hardly wait.",
         "Thank you, that is all."]
OTHER_IN = {"fr": ["Êtes-vous bien sûr de cela ?", "Personne ne me l'a jamais dit."],
            "it": ["Sei proprio sicuro di questo?", "Nessuno me l'ha mai detto."]}
UNSAID = "Please remember to bring the blue umbrella before the storm begins."
SR = 16000


def joined_take(folder: Path, language: str = "en", said_twice: int | None = None
                ) -> tuple[Path, list[str], list[lm.RefPhone], list[tuple[float, float]]]:
    """The recordings joined with 1 s of silence (recording `said_twice` twice in a row) -> the
    take, the recordings' scripts (one line each, once), the references of every reading and the
    (start, end) seconds of each reading."""
    clips = [c for c in bl.human_clips() if c["language"] == language and "dialog" not in c["name"]]
    order = list(range(len(clips)))
    if said_twice is not None:
        order.insert(said_twice, said_twice)
    parts, refs, spans, t = [], [], [], 0.0
    for c in (clips[i] for i in order):
        x = bl.load_audio(c["path"]).mono(SR)
        refs += [lm.RefPhone(r.start + t, r.end + t, r.kind) for r in (c["refs"] or [])]
        parts += [x, np.zeros(SR, np.float32)]
        spans.append((t, t + len(x) / SR))
        t += len(x) / SR + 1.0
    path = folder / f"scene_{language}{'' if said_twice is None else f'_twice{said_twice}'}.wav"
    sf.write(path, np.concatenate(parts), SR)
    return path, [c["text"] for c in clips], refs, spans


def cut_inside(folder: Path, path: Path, refs: list[lm.RefPhone], spans: list[tuple[float, float]],
               language: str) -> tuple[Path, list[lm.RefPhone]]:
    """The take cut in the middle of a vowel ~40 % into its first recording and ~60 % into its last
    of 3 s or more -> the cut take and the references inside it, 0.1 s clear of the cuts, in its time."""
    x, _ = sf.read(str(path), dtype="float32")
    (s0, e0), (s1, e1) = spans[0], [(a, b) for a, b in spans if b - a >= 3.0][-1]
    opens = [(r.start + r.end) / 2 for r in refs if r.kind == "open"]
    a = min(opens, key=lambda t: abs(t - (s0 + 0.4 * (e0 - s0))))
    b = min(opens, key=lambda t: abs(t - (s1 + 0.6 * (e1 - s1))))
    cut = folder / f"scene_{language}_cut.wav"
    sf.write(cut, x[int(a * SR):int(b * SR)], SR)
    inside = [lm.RefPhone(r.start - a, r.end - a, r.kind) for r in refs if r.start > a + 0.1 and r.end < b - 0.1]
    return cut, inside


def scripts(lines: list[str]) -> dict[str, str]:
    middle = len(lines) // 2
    return {
        "as said": "\n".join(lines),
        "other actor": "\n".join(t for pair in zip(lines, OTHER) for t in pair),
        "one not said": "\n".join(lines[:middle] + [UNSAID] + lines[middle:]),
        "slate": "\n".join(["Scene twelve, take three."] + lines + ["Cut, thank you everybody."]),
        "one missing": "\n".join(lines[:middle] + lines[middle + 1:]),
    }


def row(label: str, r: dict) -> None:
    closed, spans = f"{r['closed'][0]}/{r['closed'][1]}", f"{r['mprec'][0]}/{r['mprec'][1]}"
    print(f"{label:<17}{closed:>9}{spans:>9}{r['fell_back']:>11}{r['unheard']:>11}{r['said_again']:>12}"
          f"{r['seconds']:>9.1f}")


def main() -> int:
    each_missing, retakes = "--each-missing" in sys.argv[1:], "--retakes" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        path, lines, refs, spans = joined_take(Path(tmp))
        duration = sf.info(str(path)).duration
        print(f"take: {len(lines)} English recordings joined, {duration:.1f} s; "
              f"{sum(r.kind == 'bilabial' for r in refs)} reference p/b/m")
        print(f"{'script':<17}{'closed':>9}{'spans':>9}{'fell back':>11}{'not heard':>11}{'said again':>12}"
              f"{'seconds':>9}")
        for name, text in scripts(lines).items():
            row(name, bl.measure(dict(name=name, path=path, text=text, language="en", refs=refs), True))
        cut, inside = cut_inside(Path(tmp), path, refs, spans, "en")
        row("cut in lines", bl.measure(dict(name="cut", path=cut, text="\n".join(lines), language="en", refs=inside),
                                       True))
        if each_missing:
            total = np.zeros(5, int)
            for k in range(len(lines)):
                text = "\n".join(lines[:k] + lines[k + 1:])
                r = bl.measure(dict(name=f"missing {k}", path=path, text=text, language="en", refs=refs), True)
                row(f"missing line {k}", r)
                total += [*r["closed"], *r["mprec"], r["fell_back"]]
            print(f"each missing: {total[0]}/{total[1]} closed, {total[2]}/{total[3]} spans on a p/b/m, "
                  f"{total[4]} fell back")
        if retakes:
            total = np.zeros(6, int)
            for k in range(len(lines)):
                twice, _, twice_refs, _ = joined_take(Path(tmp), said_twice=k)
                r = bl.measure(dict(name=f"twice {k}", path=twice, text="\n".join(lines), language="en",
                                    refs=twice_refs), True)
                row(f"line {k} twice", r)
                total += [*r["closed"], *r["mprec"], r["fell_back"], r["said_again"]]
            print(f"retakes: {total[0]}/{total[1]} closed, {total[2]}/{total[3]} spans on a p/b/m, "
                  f"{total[4]} fell back, {total[5]} reported said again")
        for language, other in OTHER_IN.items():
            path, lines, refs, spans = joined_take(Path(tmp), language)
            both = {"as said": lines, "other actor": [t for pair in zip(lines, other) for t in pair],
                    "first missing": lines[1:]}
            for name, script in both.items():
                row(f"{language} {name}",
                    bl.measure(dict(name=name, path=path, text="\n".join(script), language=language, refs=refs), True))
            cut, inside = cut_inside(Path(tmp), path, refs, spans, language)
            row(f"{language} cut in lines", bl.measure(dict(name="cut", path=cut, text="\n".join(lines),
                                                             language=language, refs=inside), True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
