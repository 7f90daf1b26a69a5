"""Does real speech help the viseme recognizer find lip closures without a script? An experiment,
not shipped (README, issue 9's "tried and not shipped").

    PYTHONPATH=$PWD .venv/bin/python benchmarks/real_speech_finetune.py --out runs/real_speech [--source klettres]
    .venv/bin/python benchmarks/bench_lipsync.py --no-speed --weights runs/real_speech/viseme_recognizer.safetensors

1. Label (once per source, cached in OUT/SOURCE.npz) the real speech the way a user's take with a
   script is labelled: the package's own viseme aligner (audio/viseme_phones) places the script, and
   a recording is kept only when the whole script was placed (no stretch fell back).
   `--source asterisk` (default): every Asterisk prompt with a transcript (asterisk_prompts: Allison
   Smith in US English and Mexican Spanish, a Russian speaker; about 80 min): 1358 prompts,
   67.6 min (~10 min on the 2-core box). `--source klettres`: KDE KLettres' letters and syllables
   (klettres_syllables: one or two speakers in each of 15 languages, isolated "B", "ba", "pet"),
   cut to their speech, kept only where the labels are plausible too, and joined per speaker into
   3-6 s clips: 754 of 1106 recordings, 11.2 min with their margins (163 s). `both`: the two.
2. Fine-tune the packaged recipe-2 network: COPIES augmented copies of every recording (recipe 2's
   room and channel effects, the labels carried through any speed change) and 30 min of recipe-2
   synthetic speech; each batch of 24 windows half real, half synthetic; STEPS steps at a peak
   rate of LR (~7 min).
3. Write OUT/viseme_recognizer.safetensors + .json for bench_lipsync / bench_visemes `--weights`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import asterisk_prompts  # noqa: E402
import klettres_syllables  # noqa: E402

from talkface_studio.audio.viseme_decode import labels_to_spans  # noqa: E402
from talkface_studio.audio.viseme_features import FPS, features, frame_level_db, n_frames_for  # noqa: E402
from talkface_studio.audio.viseme_set import CLASS_INDEX  # noqa: E402
from talkface_studio.training.train_visemes import _batch, _packaged_recipe2, _stack, fit, load_initial_state  # noqa: E402
from talkface_studio.training.viseme_data import Clip, augment, frame_labels, jaw_target, make_clips  # noqa: E402

STEPS, LR, REAL_SHARE, COPIES, SYNTHETIC_S, BATCH = 600, 5e-4, 0.5, 2, 1800, 24
SOURCES = {"asterisk": asterisk_prompts, "klettres": klettres_syllables}


def label_prompts(cache: Path, source: str) -> dict:
    """{"names", "sample_ends", "frame_ends", "samples", "labels"} of the source's recordings that the
    aligner placed whole (and, for KLettres' isolated syllables, whose labels are plausible)."""
    if cache.is_file():
        with np.load(cache, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    from talkface_studio.audio.viseme_phones import viseme_phone_pass

    reader = SOURCES[source]
    names, samples, labels = [], [], []
    for p in reader.prompts():
        x = reader.decode(p.path)
        result = viseme_phone_pass(x, p.text, p.language)
        if result.source != "aligned" or result.stretches:
            continue
        lab = np.zeros(n_frames_for(len(x)), np.int8)
        for v in result.phones:
            lab[int(round(v.start * FPS)) : int(round(v.end * FPS))] = CLASS_INDEX[v.phone]
        if source == "klettres" and (lab := klettres_syllables.plausible(x, lab)) is None:
            continue
        names.append(p.name)
        samples.append(x)
        labels.append(lab)
    data = {"names": np.array(names), "sample_ends": np.cumsum([len(x) for x in samples]),
            "frame_ends": np.cumsum([len(v) for v in labels]),
            "samples": np.concatenate(samples), "labels": np.concatenate(labels)}
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, **data)
    return data


def relabel(labels: np.ndarray, time_map, n: int) -> np.ndarray:
    """Frame labels [T] carried through a speed change (`time_map`: seconds in -> seconds out) to n
    frames: their spans, mapped and drawn again as the synthetic clips' phones are."""
    return frame_labels(labels_to_spans(labels), n, time_map, classes_of=lambda name: (name,))


def recordings(data: dict) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, samples, frame labels) of each recording in a label_prompts cache."""
    s_ends, f_ends = data["sample_ends"], data["frame_ends"]
    return [(str(data["names"][i]), data["samples"][(s_ends[i - 1] if i else 0) : s_ends[i]],
             data["labels"][(f_ends[i - 1] if i else 0) : f_ends[i]]) for i in range(len(s_ends))]


def joined(recs, rng: np.random.Generator, seconds=(3.0, 6.0)) -> list[tuple[np.ndarray, np.ndarray]]:
    """Isolated syllables -> one speaker's (the name's folder) syllables in a row, 3-6 s a clip: each
    cut to its labelled speech and 0.05-0.3 s of its own room either side (whole frames, so the
    labels stay on the grid), so a training window hears several and the clip is normalised as a
    take is."""
    silence = CLASS_INDEX["SIL"]
    by_speaker: dict[str, list] = {}
    for name, x, lab in recs:
        by_speaker.setdefault(name.rsplit("/", 1)[0], []).append((x, lab))
    out = []
    for speaker in sorted(by_speaker):
        group = by_speaker[speaker]
        xs, labs, length, goal = [], [], 0.0, rng.uniform(*seconds)
        for i in rng.permutation(len(group)):
            x, lab = group[i]
            spoken = np.flatnonzero(lab != silence)
            start = max(spoken[0] - int(rng.uniform(5, 30)), 0)
            end = min(spoken[-1] + int(rng.uniform(5, 30)), len(x) // 160)
            xs.append(x[start * 160 : end * 160])
            labs.append(lab[start:end])
            length += (end - start) / FPS
            if length >= goal:
                out.append((np.concatenate(xs), np.concatenate(labs)))
                xs, labs, length, goal = [], [], 0.0, rng.uniform(*seconds)
        if xs:
            out.append((np.concatenate(xs), np.concatenate(labs)))
    return out


def real_clips(utterances, rng: np.random.Generator) -> list[Clip]:
    """Each (samples, frame labels) padded with 0.05-0.4 s of silence and augmented as recipe 2's speech."""
    out = []
    for i in rng.permutation(len(utterances)):
        x, lab = utterances[i]
        lead = np.zeros(int(rng.uniform(0.05, 0.4) * 16000), np.float32)
        padded = np.concatenate([lead, x, np.zeros(int(rng.uniform(0.05, 0.4) * 16000), np.float32)])
        shifted = np.zeros(n_frames_for(len(padded)), np.int8)
        k = int(round(len(lead) / 160))
        shifted[k : k + len(lab)] = lab[: len(shifted) - k]
        y, time_map = augment(padded, rng, 2)
        labels = relabel(shifted, time_map, n_frames_for(len(y)))
        out.append(Clip(features(y).astype(np.float16), labels,
                        jaw_target(labels, frame_level_db(y)).astype(np.float16), "real"))
    return out


def main() -> int:
    import torch
    from safetensors.torch import save_file

    from talkface_studio.audio.viseme_model import VisemeNetConfig, build

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "real_speech")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--source", choices=("asterisk", "klettres", "both"), default="asterisk",
                    help="the real speech: Asterisk's prompts, KLettres' syllables or both")
    ap.add_argument("--copies", type=int, default=COPIES, help="augmented copies of every recording")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    torch.manual_seed(args.seed)
    started = time.perf_counter()
    sources = ("asterisk", "klettres") if args.source == "both" else (args.source,)
    utterances = []
    for source in sources:
        recs = recordings(label_prompts(args.out / f"{source}.npz", source))
        print(f"{source}: {len(recs)} recordings placed whole, {sum(len(x) for _, x, _ in recs) / 16000 / 60:.1f} "
              f"min ({time.perf_counter() - started:.0f} s)", flush=True)
        for _ in range(args.copies):
            utterances += joined(recs, rng) if source == "klettres" else [(x, lab) for _, x, lab in recs]
    real = _stack(real_clips(utterances, rng))
    synthetic = _stack(make_clips(args.seed * 1000 + 12345, SYNTHETIC_S, 2))
    counts = np.bincount(synthetic[1], minlength=len(CLASS_INDEX)).astype(np.float64)
    weights = (counts.sum() / np.maximum(counts, 1)) ** 0.5
    config = VisemeNetConfig()
    net = build(config, dropout=0.1)
    load_initial_state(net, _packaged_recipe2())
    n_real = int(round(BATCH * REAL_SHARE))

    def mixed_batch():  # half real windows, half synthetic
        parts = [_batch(rng, *real, n_real), _batch(rng, *synthetic, BATCH - n_real)]
        return tuple(np.concatenate(a) for a in zip(*parts))

    fit(net, mixed_batch, STEPS, LR, torch.tensor(weights / weights.mean(), dtype=torch.float32), 2.0, "cpu",
        lambda line: print(line, flush=True))
    config.version = f"real-speech-{args.source}-ft-s{STEPS}-seed{args.seed}"
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in net.state_dict().items()}
    save_file(state, str(args.out / "viseme_recognizer.safetensors"), metadata={"version": config.version})
    config.save(args.out / "viseme_recognizer.json")
    print(f"wrote {args.out / 'viseme_recognizer.safetensors'} ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
