"""Lip-sync phones on real voices, with and without the script, in every language of ../shared/speech.

For each human clip (never used in training) and each mode (script / no script) it runs the real
analysis (`audio.analysis.analyze` at 25 fps, the clip's language) and prints:

- path: how most of the phones were made (aligned / piecewise by pocketsphinx for English, by the
  viseme aligner otherwise; recognized; acoustic), the count of stretches per path, and the viseme
  aligner's confidence;
- bilabials: of the reference p/b/m (clips with phone timings: praatio mary/bobby, parselmouth
  north_wind, the JSUT Japanese clip), the fraction labelled as a lip closure (M, or P/B/M from
  pocketsphinx) within +-1 video frame of the reference span;
- open: of the reference open vowels (a, ɑ, æ, ʌ, ə, ɛ, e, ɔ, o, ...), the fraction with an open
  label (AA, AH, EH, AO or an ARPAbet vowel of those classes) inside the span;
- loud->speech: loud frames (loudness >= 0.5) labelled as speech, not silence;
- ref: where those references come from: json (the clip's own timings), DTW for French and Italian
  (benchmarks/dtw_reference.py: espeak-ng speaks the script, its exact phone times are carried onto
  the recording by dynamic time warping on MFCCs; independent of the package's aligner and
  recognizer; validated by bench_dtw_reference.py and bench_lipsync.py), "-" none;
- dips: where no json reference exists (French, Italian, long English): of the script's lip closures
  that the aligner placed, the fraction that sit on a level dip (quietest 20 ms at least 6 dB
  below the median of the aligned vowels) - and the same for the spans moved 120 ms later, a
  control that shows what chance gives.

A larger English check uses pocketsphinx's forced alignment of each English clip to its script as
the reference (an independent aligner with its own US-English acoustic model; clips where it fails
are skipped): frame agreement of viseme classes over speech frames, bilabials found (+-40 ms) and
open vowels opened, M precision (frames labelled M that pocketsphinx calls p/b/m) and closure
events (M spans) that sit on a reference p/b/m within 40 ms, for recognition without the script
and for the viseme aligner with it.

Then the same on held-out synthetic sentences (espeak-ng, unseen seeds, exact phone times) in
seven languages, and speed on 60 s of speech against the mel extraction of the same audio.

    .venv/bin/python benchmarks/bench_visemes.py [--speech ../shared/speech] [--runs 3] [--weights W]

`--weights` judges another recognizer: a .safetensors file (one network) or an ensemble manifest
(.json, see audio/viseme_ensemble.py); the default is the packaged one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from talkface_studio.audio.analysis import analyze  # noqa: E402
from talkface_studio.audio.loading import load_audio  # noqa: E402
from talkface_studio.audio.viseme_set import OPEN_CLASSES, phone_to_visemes  # noqa: E402
from talkface_studio.core.timebase import FrameRate  # noqa: E402
from timing import median_seconds  # noqa: E402

RATE = FrameRate(25)
BILABIAL_LABELS = {"M", "P", "B"}
# ARPAbet labels (pocketsphinx) -> the viseme class of their (first) shape
ARPA_CLASS = {"AE": "AA", "AW": "AA", "AY": "AA", "EY": "EH", "OW": "AO", "OY": "AO", "IH": "IY", "UH": "UW",
              "ER": "R", "P": "M", "B": "M", "V": "F", "DH": "TH", "D": "T", "N": "T", "L": "T", "Z": "S",
              "ZH": "SH", "CH": "SH", "JH": "SH", "G": "K", "NG": "K", "HH": "K"}
ROMAJI = {"sh": "ʃ", "ch": "tʃ", "ts": "ts", "j": "dʒ", "y": "j", "r": "ɾ", "N": "ɴ", "sil": "_", "pau": "_",
          "cl": "_"}


def label_class(label: str) -> str:
    return ARPA_CLASS.get(label, label)


def default_speech_dir() -> Path:
    for candidate in (ROOT.parent / "shared" / "speech", ROOT / ".." / "shared" / "speech",
                      Path("/work/shared/speech")):
        if candidate.is_dir():
            return candidate
    return ROOT / "tests" / "data" / "speech"


def reference_phones(meta: dict) -> list[tuple[float, float, str]]:
    timings = meta.get("timings") or {}
    for key in ("phone", "phonemes", "phones"):
        rows = timings.get(key)
        if rows and isinstance(rows[0], list) and len(rows[0]) == 3:
            out = []
            for s, e, p in rows:
                p = ROMAJI.get(p, p) if meta.get("language", "").startswith("ja") else p
                out.append((float(s), float(e), str(p)))
            return out
    return []


def frame_labels(features) -> np.ndarray:
    return np.array([label_class(x) for x in features.phone_at()])


def bilabial_hits(labels, ref) -> tuple[int, int]:
    hits = total = 0
    for s, e, p in ref:
        if phone_to_visemes(p) != ("M",) or p in ("β", "ɸ"):
            continue
        total += 1
        a, b = int(np.floor(s * RATE.fps)) - 1, int(np.ceil(e * RATE.fps)) + 1
        hits += bool(np.isin(labels[max(a, 0) : b], list(BILABIAL_LABELS | {"M"})).any())
    return hits, total


def open_hits(labels, ref) -> tuple[int, int]:
    hits = total = 0
    for s, e, p in ref:
        if phone_to_visemes(p)[0] not in OPEN_CLASSES:
            continue
        total += 1
        a, b = int(np.floor(s * RATE.fps)), max(int(np.ceil(e * RATE.fps)), int(np.floor(s * RATE.fps)) + 1)
        hits += bool(np.isin(labels[a:b], list(OPEN_CLASSES)).any())
    return hits, total


def loud_coverage(features, labels) -> float:
    loud = features.loudness >= 0.5
    return float((labels[loud] != "SIL").mean()) if loud.any() else 1.0


def closure_dips(features, x16: np.ndarray) -> tuple[float, float, int]:
    """Aligned lip closures on level dips: (fraction, fraction for spans moved 120 ms, count)."""
    from talkface_studio.audio.viseme_features import frame_level_db

    level = frame_level_db(x16)  # 100 fps
    spans = [(s.start_frame / RATE.fps, s.end_frame / RATE.fps) for s in features.phones
             if label_class(s.phone) == "M"]
    vowels = [s for s in features.phones if label_class(s.phone) in OPEN_CLASSES | {"IY", "UW"}]
    if not spans or not vowels:
        return float("nan"), float("nan"), 0
    vowel_db = np.median(np.concatenate([level[int(v.start_frame * 4) : int(v.end_frame * 4)] for v in vowels]))

    def quietest(a, b):
        seg = level[max(0, int(a * 100) - 2) : int(b * 100) + 2]
        return float(np.min(np.convolve(seg, np.ones(2) / 2, mode="valid"))) if len(seg) >= 2 else vowel_db

    on = [quietest(a, b) < vowel_db - 6 for a, b in spans]
    moved = [quietest(a + 0.12, b + 0.12) < vowel_db - 6 for a, b in spans]
    return float(np.mean(on)), float(np.mean(moved)), len(spans)


def clip_rows(speech: Path):
    rows = []
    for meta_path in sorted(speech.glob("*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        wav = meta_path.with_suffix(".wav")
        if not wav.is_file():
            continue
        language = meta.get("language", "en").split()[0]
        ref = reference_phones(meta)
        ref_source = "json" if ref else "-"
        if not ref and language[:2] in ("fr", "it"):
            from dtw_reference import load_16k
            from dtw_reference import reference_phones as dtw_phones

            timed = dtw_phones(load_16k(wav), meta["text"], language).phones
            ref, ref_source = [(p.start, p.end, p.ipa) for p in timed], "DTW"
        x16 = load_audio(wav).mono(16000)
        for with_script in (True, False):
            f = analyze(wav, RATE, transcript=meta["text"] if with_script else None, language=language,
                        use_cache=False)
            labels = frame_labels(f)
            path = f.phone_source
            if with_script:
                path += "/" + ("pocketsphinx" if language.startswith("en") else "visemes")
            stretches = f.report.stretches if f.report else ()
            if with_script and len(stretches) > 1:
                kinds = {}
                for st in stretches:
                    kinds[st.path] = kinds.get(st.path, 0) + 1
                path += " (" + ", ".join(f"{n} {k}" for k, n in kinds.items()) + ")"
            conf = None
            if with_script and not language.startswith("en"):
                from talkface_studio.audio.viseme_phones import viseme_phone_pass

                conf = viseme_phone_pass(x16, meta["text"], language).confidence
            bh, bt = bilabial_hits(labels, ref)
            oh, ot = open_hits(labels, ref)
            dips = closure_dips(f, x16) if with_script and ref_source != "json" else (float("nan"),) * 2 + (0,)
            rows.append(dict(clip=meta_path.stem, lang=language, script="yes" if with_script else "no", path=path,
                             ref=ref_source,
                             conf=conf, bil=(bh, bt), open=(oh, ot),
                             loud=loud_coverage(f, labels), dips=dips))
    return rows


class _Ref(NamedTuple):
    start: float
    end: float
    phone: str  # ARPAbet without stress, or SIL


def _arpabet(name: str) -> str:
    """pocketsphinx label -> ARPAbet without stress; fillers and noise become SIL."""
    from talkface_studio.audio.features import ARPABET

    name = re.sub(r"\d", "", name.upper())
    return name if name in ARPABET else "SIL"


def english_reference_rows(speech: Path):
    """Recognizer and viseme aligner against pocketsphinx's alignment of the English clips."""
    from lipsync_measures import reference_alignment
    from talkface_studio.audio.viseme_phones import recognize, viseme_phone_pass

    totals = {mode: {"agree": [0, 0], "bil": [0, 0], "open": [0, 0], "mprec": [0, 0], "mspan": [0, 0]}
              for mode in ("recognized", "aligned/visemes")}
    used = 0
    for meta_path in sorted(speech.glob("en_*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        x16 = load_audio(meta_path.with_suffix(".wav")).mono(16000)
        timed = reference_alignment(x16, meta["text"])
        if timed is None:
            continue
        ref = [_Ref(a, b, _arpabet(name)) for a, b, name in timed]
        used += 1
        n = len(x16) // 160 + 1
        truth = _labels_100(((p.start, p.end, label_class(p.phone)) for p in ref), n)
        for mode, result in (("recognized", recognize(x16)),
                             ("aligned/visemes", viseme_phone_pass(x16, meta["text"], "en"))):
            got = _labels_100(((p.start, p.end, p.phone) for p in result.phones), n)
            t = totals[mode]
            speech_frames = truth != "SIL"
            t["agree"][0] += int((got[speech_frames] == truth[speech_frames]).sum())
            t["agree"][1] += int(speech_frames.sum())
            t["mprec"][0] += int((truth[got == "M"] == "M").sum())
            t["mprec"][1] += int((got == "M").sum())
            bilabials = [p for p in ref if label_class(p.phone) == "M"]
            for span in result.phones:  # closure events: does each sit on a spoken p/b/m (+-40 ms)?
                if span.phone == "M":
                    t["mspan"][1] += 1
                    t["mspan"][0] += any(span.start < p.end + 0.04 and span.end > p.start - 0.04 for p in bilabials)
            for p in ref:
                cls = label_class(p.phone)
                a, b = int(p.start * 100), max(int(p.end * 100), int(p.start * 100) + 1)
                if cls == "M":
                    t["bil"][1] += 1
                    t["bil"][0] += "M" in got[max(0, a - 4) : b + 4]
                elif cls in OPEN_CLASSES:
                    t["open"][1] += 1
                    t["open"][0] += bool(np.isin(got[a:b], list(OPEN_CLASSES)).any())
    return used, totals


def _labels_100(spans, n: int) -> np.ndarray:
    out = np.full(n, "SIL", dtype="<U3")
    for s, e, p in spans:
        out[int(round(s * 100)) : int(round(e * 100))] = p
    return out


def synthetic_rows(n_per_language: int = 3):
    from talkface_studio.audio.phones import to_spans
    from talkface_studio.audio.viseme_phones import viseme_phone_pass
    from talkface_studio.training.espeak_synth import synthesize
    from talkface_studio.training.viseme_texts import random_sentence

    rows = []
    for voice, lang in (("en-us", "en"), ("es", "es"), ("de", "de"), ("fr-fr", "fr"), ("it", "it"), ("ja", "ja"),
                        ("pl", "pl")):
        rng = np.random.default_rng(987654 + zlib.crc32(voice.encode()) % 1000)
        totals = {k: [0, 0] for k in ("bil_s", "open_s", "bil_r", "open_r")}
        for i in range(n_per_language):
            text = random_sentence(voice, rng)
            variant = ("m2", "f3", "klatt4")[i % 3]
            syn = synthesize(text, f"{voice}+{variant}", rate=int(rng.integers(140, 220)))
            ref = [(p.start, p.end, p.phone) for p in syn.phones]
            n = RATE.frames_in(syn.duration)
            for key, script in (("s", text), ("r", None)):
                result = viseme_phone_pass(syn.samples, script, lang)
                spans = to_spans(result.phones, RATE, n)
                labels = np.full(n, "SIL", dtype="<U3")
                for sp in spans:
                    labels[sp.start_frame : sp.end_frame] = sp.phone
                for name, (h, t) in (("bil", bilabial_hits(labels, ref)), ("open", open_hits(labels, ref))):
                    totals[f"{name}_{key}"][0] += h
                    totals[f"{name}_{key}"][1] += t
        rows.append((lang, totals))
    return rows


def speed_rows(speech: Path, runs: int):
    """60 s of Italian speech (both Italian clips, repeated) with its script."""
    from talkface_studio.audio.viseme_features import log_mel
    from talkface_studio.audio.viseme_phones import recognize, viseme_phone_pass

    parts, texts = [], []
    for name in ("it_m_asterisk_demo_congrats", "it_m_asterisk_demo_echotest"):
        wav = speech / f"{name}.wav"
        if wav.is_file():
            parts.append(load_audio(wav).mono(16000))
            texts.append(json.loads(wav.with_suffix(".json").read_text(encoding="utf-8"))["text"])
    if not parts:
        return []
    x, text = np.concatenate(parts), " ".join(texts)
    while len(x) < 60 * 16000:
        x, text = np.concatenate([x, x]), f"{text} {text}"
    x = x[: 60 * 16000]
    text = text[: int(len(text) * 60 * 16000 / len(x))]
    recognize(x[:16000])  # load the network once (not part of the per-take cost)
    floor = median_seconds(lambda: log_mel(x), runs)
    rec = median_seconds(lambda: recognize(x), runs)
    ali = median_seconds(lambda: viseme_phone_pass(x, text, "it"), runs)
    import soundfile as sf

    wav = Path(tempfile.mkdtemp(prefix="bench-visemes-")) / "it60.wav"
    sf.write(str(wav), x, 16000)
    full_rec = median_seconds(lambda: analyze(wav, RATE, language="it", use_cache=False), runs)
    full_ali = median_seconds(lambda: analyze(wav, RATE, transcript=text, language="it", use_cache=False), runs)
    return [("log-mel of 60 s (floor)", floor), ("recognition without script, 60 s", rec),
            ("alignment of the script, 60 s", ali),
            ("analyze() without script, 60 s (all features)", full_rec),
            ("analyze() with the script, 60 s (all features)", full_ali)]


def fmt_frac(pair) -> str:
    h, t = pair
    return f"{h / t:.2f} ({h}/{t})" if t else "-"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--speech", type=Path, default=default_speech_dir())
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-synthetic", action="store_true")
    ap.add_argument("--weights", type=Path, help="judge other recognizer weights (.safetensors) or an ensemble "
                    "manifest (.json; default: the packaged recognizer)")
    args = ap.parse_args()
    if args.weights:
        from talkface_studio.audio import viseme_model

        viseme_model._DEFAULT = viseme_model.load_recognizer(args.weights)
    os.environ.setdefault("TALKFACE_CACHE_DIR", tempfile.mkdtemp(prefix="bench-visemes-"))
    import torch

    torch.set_num_threads(2)
    t0 = time.perf_counter()
    rows = clip_rows(args.speech)
    print(f"Human recordings in {args.speech} (analysis at 25 fps; never used in training)\n")
    head = f"{'clip':34s} {'lang':5s} {'script':6s} {'path':38s} {'conf':>5s} {'ref':4s} {'bilabials':>12s} {'open vowels':>12s} " \
           f"{'loud->speech':>12s} {'dips (moved)':>14s}"
    print(head)
    print("-" * len(head))
    for r in rows:
        conf = f"{r['conf']:.2f}" if r["conf"] is not None else "-"
        dips = f"{r['dips'][0]:.2f} ({r['dips'][1]:.2f})" if r["dips"][2] else "-"
        print(f"{r['clip'][:34]:34s} {r['lang']:5s} {r['script']:6s} {r['path'][:38]:38s} {conf:>5s} {r['ref']:4s} "
              f"{fmt_frac(r['bil']):>12s} {fmt_frac(r['open']):>12s} {r['loud']:>12.2f} {dips:>14s}")
    for script in ("yes", "no"):
        sel = [r for r in rows if r["script"] == script]
        bil = (sum(r["bil"][0] for r in sel), sum(r["bil"][1] for r in sel))
        opn = (sum(r["open"][0] for r in sel), sum(r["open"][1] for r in sel))
        print(f"{'ALL, script ' + script:34s} {'':5s} {'':6s} {'':38s} {'':>5s} {'':4s} {fmt_frac(bil):>12s} "
              f"{fmt_frac(opn):>12s} {statistics.mean(r['loud'] for r in sel):>12.2f}")
    used, totals = english_reference_rows(args.speech)
    print(f"\nEnglish clips against pocketsphinx's alignment ({used} clips where it held)")
    print(f"{'mode':18s} {'frame agreement':>18s} {'bilabials':>14s} {'M precision':>14s} {'M spans on pbm':>16s} "
          f"{'open vowels':>14s}")
    for mode, t in totals.items():
        print(f"{mode:18s} {fmt_frac(t['agree']):>18s} {fmt_frac(t['bil']):>14s} {fmt_frac(t['mprec']):>14s} "
              f"{fmt_frac(t['mspan']):>16s} {fmt_frac(t['open']):>14s}")
    if not args.no_synthetic:
        print("\nHeld-out synthetic sentences (espeak-ng, unseen seeds; exact phone times), 3 per language")
        print(f"{'lang':5s} {'bilabials, script':>20s} {'open, script':>16s} {'bilabials, none':>18s} {'open, none':>16s}")
        for lang, t in synthetic_rows():
            print(f"{lang:5s} {fmt_frac(t['bil_s']):>20s} {fmt_frac(t['open_s']):>16s} {fmt_frac(t['bil_r']):>18s} "
                  f"{fmt_frac(t['open_r']):>16s}")
    print(f"\nSpeed (median of {args.runs}; 2-core shared CPU box; targets: recognition <= 2 s, alignment <= 3 s)")
    speed = speed_rows(args.speech, args.runs)
    floor = speed[0][1] if speed else None
    for name, sec in speed:
        print(f"  {name:48s} {sec:6.3f} s  {sec / floor:6.1f}x the floor")
    print(f"\n(total bench time {time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
