"""A per-recording closure-rate prior for recognition without a script: does raising the bilabial
class only in recordings whose networks call too few closures beat a global bias? An experiment,
not shipped (README, "Languages and lip sync without a script": "A per-recording closure-rate prior").

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_closure_rate.py [--cache DIR]
    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_closure_rate.py --cache DIR --pipeline global:0 prior:0.0693

Idea: a language says p/b/m at a known rate. Per recording, the networks' expected share of
bilabial time is the sum of P(M) over the sum of 1 - P(SIL) (`expected_share`). Where that falls
below a wanted share, the M class gets the bias (log-probability, 0..MAX_BIAS) that brings it up
to it (`prior_bias`); a recording already there is left as it is. The wanted share is the
language's share of p/b/m times the networks' own calibration (expected / true bilabial time) on
held-out synthetic speech, the fit set (bench_closure_place's "cal" voices and seeds, never
trained on): its median (1.19) or, to touch only recordings far below, its 10th percentile (0.72).

The language's share is read from espeak-ng: its phone times on training/viseme_texts sentences
(and on their frequent words alone), and, as a check, the share of phones in running text (the
GPL-3 text in English; the same 300 program messages from Debian's gettext catalogs in each
language). Never from the benchmark clips.

Printed without --pipeline (about 105 s; 40 s with a cache): the shares; the fit set's
calibration; per clip its expected share and the bias the prior gives; then on the decoded labels
(viseme_decode.decode with the shipped closure evidence): reference p/b/m with an M span within
40 ms and M spans on one, for a global bias 0..1 and for the prior at wanted shares 0.05..0.12, on
the human clips with independent references (json or pocketsphinx, as bench_lipsync), the French
and Italian clips (DTW reference), bench_lipsync's synthetic sentences and bench_visemes' held-out
synthetic sentences; and the prior's cost. With --pipeline MODE ...: bench_lipsync's `none` rows
(its own code: the performer's landmarks) and bench_visemes' held-out synthetic rows, the decoder's
M class moved per mode: global:B (B everywhere) or prior:R (R the wanted share in English, other
languages scaled by their share from the training sentences); about 45 s a mode.
"""

from __future__ import annotations

import argparse
import contextlib
import pickle
import sys
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from talkface_studio.audio.viseme_decode import decode  # noqa: E402
from talkface_studio.audio.viseme_phones import posteriors  # noqa: E402
from talkface_studio.audio.viseme_set import CLASS_INDEX, phone_to_visemes  # noqa: E402

TOLERANCE_S = 0.04
M, SIL = CLASS_INDEX["M"], CLASS_INDEX["SIL"]
MAX_BIAS = 2.0
# bench_visemes' held-out synthetic sentences (voice, language), its seeds
HELD_OUT = (("en-us", "en"), ("es", "es"), ("de", "de"), ("fr-fr", "fr"), ("it", "it"), ("ja", "ja"), ("pl", "pl"))
SHARE_VOICES = {"en": "en-us", "es": "es", "de": "de", "fr": "fr-fr", "it": "it", "ja": "ja", "pl": "pl"}


def is_bilabial(phone: str) -> bool:
    return phone_to_visemes(phone)[:1] == ("M",) and phone not in ("β", "ɸ")


# ---------------------------------------------------------------- data


def _entry(name, kind, lang, x, bilabial, true_m_s=None):
    post = posteriors(x)
    return dict(name=name, kind=kind, lang=lang, logp=post.logp, level=post.level, darkness=post.darkness,
                bilabial=bilabial, true_m_s=true_m_s, seconds=len(x) / 16000)


def human_entries() -> list[dict]:
    import bench_lipsync

    from talkface_studio.audio.loading import load_audio

    out = []
    for clip in bench_lipsync.human_clips():
        if not clip["refs"]:
            continue
        kind = "human" if clip["ref_source"] in ("json timings", "pocketsphinx reference") else "human_dtw"
        bil = [(r.start, r.end) for r in clip["refs"] if r.kind == "bilabial"]
        out.append(_entry(clip["name"], kind, clip["language"], load_audio(clip["path"]).mono(16000), bil))
    return out


def lipsync_synthetic_entries() -> list[dict]:
    import bench_lipsync
    import espeak_events
    from scipy.signal import resample_poly

    out = []
    for lang, (voice, sentences) in bench_lipsync.SYNTHETIC.items():
        sr = espeak_events.SAMPLE_RATE
        parts, bil, t = [np.zeros(int(0.3 * sr), np.float32)], [], 0.3
        for sentence in sentences:
            spoken = espeak_events.speak(sentence, voice, 165)
            bil += [(t + p.start, t + p.end) for p in spoken.phonemes
                    if bench_lipsync.lm.classify_ipa(p.ipa) == "bilabial"]
            parts += [spoken.samples, np.zeros(int(0.5 * sr), np.float32)]
            t += len(spoken.samples) / sr + 0.5
        x = np.concatenate(parts)
        if sr != 16000:
            x = resample_poly(x, 16000, sr).astype(np.float32)
        out.append(_entry(f"espeak_{lang}", "synthetic", lang, x, bil))
    return out


def held_out_entries() -> list[dict]:
    """bench_visemes.synthetic_rows' sentences (same seeds, voices and rates)."""
    from talkface_studio.training.espeak_synth import synthesize
    from talkface_studio.training.viseme_texts import random_sentence

    out = []
    for voice, lang in HELD_OUT:
        rng = np.random.default_rng(987654 + zlib.crc32(voice.encode()) % 1000)
        for i in range(3):
            text = random_sentence(voice, rng)
            variant = ("m2", "f3", "klatt4")[i % 3]
            syn = synthesize(text, f"{voice}+{variant}", rate=int(rng.integers(140, 220)))
            bil = [(p.start, p.end) for p in syn.phones if is_bilabial(p.phone)]
            out.append(_entry(f"held_out_{lang}_{i}", "held_out", lang, syn.samples, bil,
                              sum(e - s for s, e in bil)))
    return out


def fit_entries(set_name: str = "cal") -> list[dict]:
    """bench_closure_place's "cal" set (Festival voices of real speakers, espeak-ng voices; seeds
    never trained on): where the networks' own calibration is read. `set_name` "test": its other
    voices and seeds."""
    import bench_closure_place as bcp

    from talkface_studio.training import festival_synth as fs
    from talkface_studio.training.espeak_synth import synthesize
    from talkface_studio.training.viseme_texts import random_sentence

    base, festival, espeak = bcp.SETS[set_name]
    out = []
    for voice in [v for v in festival if v in fs.available_voices()]:
        rng = np.random.default_rng(base + zlib.crc32(voice.encode()) % 1000)
        for i in range(8):
            syn = fs.synthesize(random_sentence(fs.VOICES[voice][2], rng, n_words=10), voice,
                                stretch=float(rng.uniform(0.9, 1.2)))
            bil = [(p.start, p.end) for p in syn.phones if is_bilabial(p.phone)]
            out.append(_entry(f"fit_{voice}_{i}", "fit", fs.VOICES[voice][2][:2], syn.samples, bil,
                              sum(e - s for s, e in bil)))
    for voice, variant in espeak:
        rng = np.random.default_rng(base + zlib.crc32(voice.encode()) % 1000)
        for i in range(6):
            syn = synthesize(random_sentence(voice, rng, n_words=10), f"{voice}+{variant}",
                             rate=int(rng.integers(140, 220)))
            bil = [(p.start, p.end) for p in syn.phones if is_bilabial(p.phone)]
            out.append(_entry(f"fit_{voice}_{i}", "fit", voice[:2], syn.samples, bil, sum(e - s for s, e in bil)))
    return out


def language_share(lang: str, common_only: bool = False, n: int = 60, seed: int = 424242) -> float:
    """Share of speech time (phones other than pauses) that espeak-ng spends on p/b/m when it reads
    training/viseme_texts sentences in `lang` (frequent words and pseudo-words), or its frequent
    words alone."""
    from talkface_studio.training.espeak_synth import synthesize
    from talkface_studio.training.viseme_texts import LANGUAGE_TEXT, random_sentence

    voice = SHARE_VOICES[lang]
    rng = np.random.default_rng(seed + zlib.crc32(voice.encode()) % 1000)
    bil = speech = 0.0
    for _ in range(n):
        if common_only and voice != "ja":
            words = LANGUAGE_TEXT[voice][0].split()
            text = " ".join(words[i] for i in rng.integers(0, len(words), 10)) + "."
        else:
            text = random_sentence(voice, rng, n_words=10)
        for p in synthesize(text, voice, rate=175).phones:
            if phone_to_visemes(p.phone)[:1] == ("SIL",):
                continue
            speech += p.end - p.start
            bil += (p.end - p.start) * is_bilabial(p.phone)
    return bil / max(speech, 1e-9)


def _phone_share(texts: list[str], lang: str) -> float:
    """Share of p/b/m among the phones espeak-ng reads in `texts` (audio/g2p)."""
    from talkface_studio.audio.g2p import g2p

    phones = [p.lstrip("ˈˌ") for t in texts for w in g2p(t, lang) for p in w.phones]
    phones = [p for p in phones if phone_to_visemes(p)[:1] not in (("SIL",), ())]
    return sum(map(is_bilabial, phones)) / max(len(phones), 1)


MESSAGE_CATALOGS = ("bash", "coreutils", "apt", "dpkg", "findutils", "diffutils", "gettext-runtime", "Linux-PAM",
                    "adduser")


def running_text_shares(n_messages: int = 300) -> dict[str, float]:
    """p/b/m share of phones in running text rather than word lists: the GNU GPL-3 preamble and
    terms (English prose, /usr/share/common-licenses), and the same 300 program messages in each
    language (Debian's gettext catalogs of bash, coreutils, apt, ...: English msgids and their
    translations). Empty where the files are missing."""
    import gettext
    import re

    def clean(s: str) -> str:
        s = re.sub(r"%[-+ #0-9.*]*[a-zA-Z]|--?[a-z][\w-]*|\\n|[`'\"<>\[\]{}()=/_|*]", " ", s)
        return re.sub(r"\s+", " ", s).strip()

    out = {}
    gpl = Path("/usr/share/common-licenses/GPL-3")
    if gpl.is_file():
        text = gpl.read_text()
        text = re.sub(r"\s+", " ", text[text.find("Preamble"):])
        sentences = [s for s in re.split(r"(?<=[.;:])\s+", text) if 20 < len(s) < 300][:150]
        out["en (GPL-3 prose)"] = _phone_share(sentences, "en")
    langs = [lang for lang in SHARE_VOICES if lang != "en"]
    table: dict[str, dict] = {lang: {} for lang in langs}
    for name in MESSAGE_CATALOGS:
        per = {}
        for lang in langs:
            try:
                with open(f"/usr/share/locale/{lang}/LC_MESSAGES/{name}.mo", "rb") as fh:
                    per[lang] = gettext.GNUTranslations(fh)._catalog
            except OSError:
                per[lang] = {}
        for key in per[langs[0]]:
            if isinstance(key, str) and key and all(key in per[lang] for lang in langs):
                for lang in langs:
                    table[lang][key] = per[lang][key]
    keys = [k for k in table[langs[0]] if len(clean(k).split()) >= 4 and not re.search(r"[A-Z]{3,}|\.c\b|http", k)]
    if not keys:
        return out
    keys = [keys[i] for i in np.random.default_rng(5).permutation(len(keys))[:n_messages]]
    out["en (messages)"] = _phone_share([clean(k) for k in keys], "en")
    for lang in langs:
        out[f"{lang} (messages)"] = _phone_share([clean(table[lang][k]) for k in keys], lang)
    return out


# ---------------------------------------------------------------- the prior


def _m_and_silence(logp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(M) and P(SIL) per frame."""
    p = np.exp(logp - logp.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return p[:, M], p[:, SIL]


def _share(pm: np.ndarray, psil: np.ndarray, bias: float) -> float:
    """sum P(M) / sum (1 - P(SIL)) once `bias` is added to log P(M) and the frame renormalised."""
    norm = 1.0 - pm + pm * np.exp(bias)
    return float((pm * np.exp(bias) / norm).sum() / max((1.0 - psil / norm).sum(), 1e-9))


def expected_share(logp: np.ndarray, bias: float = 0.0) -> float:
    """Expected bilabial share of speech time: sum P(M) / sum (1 - P(SIL)), with `bias` added to M."""
    return _share(*_m_and_silence(logp), bias)


def prior_bias(logp: np.ndarray, wanted: float, max_bias: float = MAX_BIAS) -> float:
    """The bias on M (0..max_bias) that brings the expected bilabial share up to `wanted`; 0 where
    it is there already."""
    pm, psil = _m_and_silence(logp)
    if _share(pm, psil, 0.0) >= wanted:
        return 0.0
    lo, hi = 0.0, max_bias
    if _share(pm, psil, hi) <= wanted:
        return max_bias
    for _ in range(30):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _share(pm, psil, mid) < wanted else (lo, mid)
    return (lo + hi) / 2


def random_minute_logp() -> np.ndarray:
    """60 s (6000 frames) of random log-posteriors over the viseme classes, for timing."""
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 2, (6000, len(CLASS_INDEX))).astype(np.float32)
    return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))


def prior_cost(runs: int = 5) -> str:
    """Seconds to find the bias on 60 s of posteriors (6000 frames), median of `runs`."""
    from timing import median_seconds

    logp = random_minute_logp()
    seconds = median_seconds(lambda: prior_bias(logp, 0.5), runs)
    return f"the prior on 60 s of posteriors: {1000 * seconds:.1f} ms (median of {runs})"


# ---------------------------------------------------------------- scoring


def _overlaps(a: float, b: float, refs, tol: float = TOLERANCE_S) -> bool:
    return any(a < e + tol and b > s - tol for s, e in refs)


def score(entry: dict, bias: float) -> tuple[int, int, int, int]:
    logp = entry["logp"].copy()
    logp[:, M] += bias
    ms = [(s.start, s.end) for s in decode(logp, entry["level"], closure_evidence=entry["darkness"]) if s.phone == "M"]
    closed = sum(_overlaps(s, e, ms) for s, e in entry["bilabial"])
    good = sum(_overlaps(a, b, entry["bilabial"]) for a, b in ms)
    return closed, len(entry["bilabial"]), good, len(ms)


def total(entries, biases) -> tuple[int, int, int, int]:
    rows = [score(e, b) for e, b in zip(entries, biases)]
    return tuple(int(sum(r[i] for r in rows)) for i in range(4))


def fmt(t) -> str:
    c, n, g, s = t
    return f"{c}/{n} closed, {g}/{s} ({g / max(s, 1):.2f}) spans on one"


_LANGUAGE = ["en"]  # the language of the clip being analysed (set per clip by the runners below)


@contextlib.contextmanager
def decoder_mode(mode: str, share: dict):
    """Move the decoder's M class for the product path: "global:B" adds B everywhere, "prior:R" adds
    prior_bias up to R x (the clip's language's share / English's), R a share of speech time."""
    from talkface_studio.audio import viseme_decode

    kind, value = mode.split(":")
    original = viseme_decode.favour_closures

    def patched(logp, evidence, bias=viseme_decode.CLOSURE_BIAS):
        logp = np.array(logp, np.float32, copy=True)
        if kind == "global":
            logp[:, M] += float(value)
        else:
            lang = _LANGUAGE[0][:2]
            logp[:, M] += prior_bias(logp, float(value) * share.get(lang, share["en"]) / share["en"])
        return original(logp, evidence, bias)

    viseme_decode.favour_closures = patched
    try:
        yield
    finally:
        viseme_decode.favour_closures = original


def lipsync_rows(modes: list[str], share: dict) -> None:
    """bench_lipsync's `none` rows (the performer's landmarks, its own measures) per decoder mode."""
    import tempfile

    import bench_lipsync

    clips = bench_lipsync.human_clips() + bench_lipsync.synthetic_clips(Path(tempfile.mkdtemp(prefix="closure-rate-")))
    for mode in modes:
        rows = []
        with decoder_mode(mode, share):
            for clip in clips:
                _LANGUAGE[0] = clip["language"]
                r = bench_lipsync.measure(clip, False)
                r.update(name=clip["name"], mode="none", refs=bool(clip["refs"]),
                         ref=bench_lipsync.short_source(clip["ref_source"]),
                         synthetic=clip["name"].startswith("espeak_"))
                rows.append(r)
        per_clip = ", ".join(f"{r['name'].replace('en_f_librivox_', '').replace('en_m_librivox_', '')[:18]} "
                             f"{r['closed'][0]}/{r['closed'][1]} {r['mprec'][0]}/{r['mprec'][1]}"
                             for r in rows if r["refs"])
        print(f"\nbench_lipsync `none`, {mode}: {per_clip}")
        bench_lipsync.closed_counts(rows)


def held_out_rows(modes: list[str], share: dict) -> None:
    """bench_visemes' held-out synthetic sentences (its own code and measures) per decoder mode."""
    import bench_visemes

    from talkface_studio.audio import viseme_phones

    original = viseme_phones.viseme_phone_pass

    def tracked(x16, transcript=None, language="en", recognizer=None, **heard):
        _LANGUAGE[0] = language
        return original(x16, transcript, language, recognizer, **heard)

    viseme_phones.viseme_phone_pass = tracked
    try:
        for mode in modes:
            with decoder_mode(mode, share):
                rows = bench_visemes.synthetic_rows()
            cells = [f"{lang} {t['bil_r'][0]}/{t['bil_r'][1]} open {t['open_r'][0]}/{t['open_r'][1]}"
                     for lang, t in rows]
            print(f"held-out synthetic without a script, {mode}: bilabials " + ", ".join(cells))
    finally:
        viseme_phones.viseme_phone_pass = original


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, help="keep the clips' posteriors here between runs")
    ap.add_argument("--pipeline", nargs="*", help="run bench_lipsync's `none` rows and bench_visemes' held-out "
                    "synthetic sentences with these decoder modes (global:B, prior:R; R the wanted share of speech "
                    "time on p/b/m in English, other languages scaled by their share)")
    args = ap.parse_args()
    cache = args.cache / "entries.pkl" if args.cache else None
    if cache and cache.is_file():
        data = pickle.loads(cache.read_bytes())
    else:
        data = dict(human=human_entries(), lipsync=lipsync_synthetic_entries(), held=held_out_entries(),
                    fit=fit_entries(),
                    share={lang: (language_share(lang), language_share(lang, common_only=True))
                           for lang in SHARE_VOICES})
        if cache:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_bytes(pickle.dumps(data))
    share = {k: v[0] for k, v in data["share"].items()}
    if args.pipeline:
        lipsync_rows(args.pipeline, share)
        held_out_rows(args.pipeline, share)
        return 0
    print("bilabial share of speech time in espeak-ng's reading (training sentences / frequent words only):")
    print("  " + ", ".join(f"{k} {a:.3f} / {b:.3f}" for k, (a, b) in data["share"].items()))
    print("bilabial share of phones in running text: "
          + ", ".join(f"{k} {v:.3f}" for k, v in running_text_shares().items()))
    print(prior_cost())
    fit = data["fit"]
    ratios = np.array([expected_share(e["logp"]) * _speech_s(e) / e["true_m_s"] for e in fit if e["true_m_s"]])
    p10, calib = float(np.percentile(ratios, 10)), float(np.median(ratios))
    print(f"fit set ({len(fit)} clips): expected / true bilabial time, median {calib:.2f}, "
          f"10th-90th percentile {p10:.2f}-{np.percentile(ratios, 90):.2f}")
    sets = {"human (json/sphinx)": [e for e in data["human"] if e["kind"] == "human"],
            "human fr/it (DTW)": [e for e in data["human"] if e["kind"] == "human_dtw"],
            "bench_lipsync synthetic": data["lipsync"], "held-out synthetic": data["held"]}

    def lang_share(e):
        return share.get(e["lang"], share["en"])

    print("\nper clip: expected bilabial share, its ratio to the language's share (training sentences), the bias "
          "up to the fit set's 10th percentile, p/b/m with an M span")
    for entries in sets.values():
        for e in entries:
            s = expected_share(e["logp"])
            print(f"  {e['name'][:34]:34s} {s:.3f}  ratio {s / lang_share(e):.2f}  "
                  f"bias {prior_bias(e['logp'], p10 * lang_share(e)):.2f}  "
                  f"closed {score(e, 0.0)[0]}/{len(e['bilabial'])}")
    print("\ndecoded labels: reference p/b/m with an M span within 40 ms / M spans on one")
    print("global bias on M:")
    for bias in np.arange(0.0, 1.01, 0.125):
        print(f"  {bias:+.3f}  " + " | ".join(f"{n}: {fmt(total(es, [bias] * len(es)))}" for n, es in sets.items()))
    print("per-recording prior, the wanted share of speech time (English; other languages scaled by their share):")
    wanted = [(f"{w:.4f}", w) for w in (0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.11, 0.12)]
    wanted += [(f"fit p10 x en = {p10 * share['en']:.4f}", p10 * share["en"]),
               (f"fit median x en = {calib * share['en']:.4f}", calib * share["en"])]
    for label, w in wanted:
        parts = []
        for n, es in sets.items():
            biases = [prior_bias(e["logp"], w * lang_share(e) / share["en"]) for e in es]
            parts.append(f"{n}: {fmt(total(es, biases))}")
        print(f"  {label}  " + " | ".join(parts))
    return 0


def _speech_s(entry: dict) -> float:
    _, psil = _m_and_silence(entry["logp"])
    return float((1.0 - psil).sum()) / 100.0


if __name__ == "__main__":
    sys.exit(main())
