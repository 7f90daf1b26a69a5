"""Measures of whole takes for bench_expressions.py: closed-mouth seams in rendered frames, head
and gaze statistics, and the optional independent-classifier development check."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from gallery import DATA, EMOTIONS
from talkface_studio.audio.analysis import analyze
from talkface_studio.core.emotion_track import EmotionTrack
from talkface_studio.core.timebase import FrameRate
from talkface_studio.face.topology import REGIONS
from talkface_studio.perform.base import PerformRequest
from talkface_studio.perform.registry import get_performer

FER_LABEL = {"neutral": "neutral", "angry": "angry", "disgusted": "disgust", "fear": "fear", "happy": "happy",
             "sad": "sad", "surprised": "surprise"}  # FER2013 has no contempt
RATES = ("23.976", "24", "25", "30", "60")


def take_snapshot(portrait: Path, clip: str, emotion: str, workdir: Path, seed: int = 0):
    """A generated take of `clip` spoken by `portrait` with `emotion` painted at level 3 throughout."""
    from talkface_studio.pipeline.new_project import new_project
    from talkface_studio.pipeline.take_state import TakeState

    script = json.loads((DATA / "speech" / f"{clip}.json").read_text(encoding="utf-8"))["text"]
    project = new_project(workdir / f"{clip}-{emotion}.tfs", DATA / "speech" / f"{clip}.wav", portrait, fps="25",
                          transcript=script, seed=seed)
    take = project.takes[0]
    if emotion != "neutral":
        take.emotion_track.paint(0, take.n_frames, emotion, 3)
    state = TakeState(project)
    state.generate(take)
    return state.snapshot(take)


def _render(renderer, snap, frames, size: int) -> list[np.ndarray]:
    return [next(iter(renderer.render(snap.portrait, snap.landmarks(f, f + 1, size), size=size))) for f in frames]


def _mouth_patch(rgb: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """The mouth cut out along its landmarks (box around the lips, 40 % margin), grey 64 x 32."""
    lips = landmarks[REGIONS["lips"], :2]
    (x0, y0), (x1, y1) = lips.min(axis=0), lips.max(axis=0)
    mx, my = 0.4 * (x1 - x0), 0.4 * max(y1 - y0, 0.3 * (x1 - x0))
    box = (int(x0 - mx), int(y0 - my), int(np.ceil(x1 + mx)), int(np.ceil(y1 + my)))
    patch = Image.fromarray(rgb).crop(box).convert("L").resize((64, 32), Image.BILINEAR)
    return np.asarray(patch, np.float32)


def seam_stability(paths: dict, clips: list[str], workdir: Path, size: int = 256) -> None:
    from talkface_studio.render.registry import get_renderer

    print(f"\n3. Closed-mouth seams: change between consecutive frames of a lip closure ({len(clips)} clips,"
          f" {size} px; grey levels, mouth cut out along its landmarks); for scale, the same while talking")
    renderer = get_renderer("mesh_warp", device="cpu")
    print(f"{'portrait / emotion':<26}  {'pairs':>5}  {'mean':>6}  {'max':>6}  {'talking':>7}")
    for name, path in paths.items():
        for emotion in ("neutral", "happy", "surprised"):
            seam, speech = [], []
            for clip in clips:
                snap = take_snapshot(path, clip, emotion, workdir)
                closed = set(np.flatnonzero(snap.channels["lip_press"] >= 0.99).tolist())
                pairs = sorted(f for f in closed if f - 1 in closed)
                talking = [int(f) for f in np.flatnonzero(snap.channels["jaw_open"] > 0.3)[:6] if f > 0]
                frames = sorted(set(pairs) | {f - 1 for f in pairs} | set(talking) | {f - 1 for f in talking})
                images = dict(zip(frames, _render(renderer, snap, frames, size)))
                lm = {f: snap.landmarks(f, f + 1, size)[0] for f in frames}

                def change(f):
                    return float(np.abs(_mouth_patch(images[f], lm[f]) - _mouth_patch(images[f - 1], lm[f - 1])).mean())

                seam += [change(f) for f in pairs]
                speech += [change(f) for f in talking]
            nan = float("nan")
            print(f"{name[:14] + ' ' + emotion:<26}  {len(seam):>5}  {np.mean(seam) if seam else nan:>6.2f}"
                  f"  {np.max(seam) if seam else nan:>6.2f}  {np.mean(speech) if speech else nan:>7.2f}", flush=True)


def _emotion_weights(kind: str, n: int) -> np.ndarray:
    if kind == "changing":  # posture jumps: neutral, sad, angry, surprised painted with no transition
        track = EmotionTrack(default_transition=0)
        for i, emotion in enumerate(("sad", "angry", "surprised"), start=1):
            track.paint(i * n // 4, (i + 1) * n // 4 if i < 3 else n, emotion, 3)
        return track.weights(n)
    w = np.zeros((n, 8), np.float32)
    w[:, EMOTIONS.index(kind)] = 1.0
    return w


def head_and_gaze(clips: list[str], seeds: int) -> None:
    print(f"\n4. Head motion over {len(clips)} clips x {seeds} seeds x (neutral, happy, angry, sad, changing"
          " emotions with no transition)")
    print(f"{'fps':>7}  {'peak deg/s':>10}  {'peak deg/s2':>11}  {'max step deg':>12}  {'steps>1deg per 16 s':>19}")
    kinds = ("neutral", "happy", "angry", "sad", "changing")
    gaze_means, beyond, one_side, peak_step, still = [], [0, 0, 0], [], [], []
    for rate_text in RATES:
        rate = FrameRate.parse(rate_text)
        speed = accel = step = 0.0
        big = seconds = 0.0
        for clip in clips:
            features = analyze(DATA / "speech" / f"{clip}.wav", rate, phones=False)
            for kind in kinds:
                weights = _emotion_weights(kind, features.n_frames)
                for seed in range(seeds):
                    ch = get_performer("procedural").perform(PerformRequest(features, weights, rate, seed, {})).channels
                    head = np.stack([ch[k] for k in ("head_yaw", "head_pitch", "head_roll")], axis=1).astype(float)
                    d = np.abs(np.diff(head, axis=0))
                    speed = max(speed, d.max() * rate.fps)
                    accel = max(accel, np.abs(np.diff(head, 2, axis=0)).max() * rate.fps**2)
                    step = max(step, d.max())
                    big += float((d > 1.0).any(axis=1).sum())
                    seconds += features.n_frames / rate.fps
                    if rate_text == "25" and kind == "neutral":
                        yaw = ch["gaze_yaw"].astype(float)
                        gaze = np.stack([yaw, ch["gaze_pitch"]], axis=1)
                        gaze_means.append(yaw.mean())
                        beyond[0] += int((yaw < -3).sum())
                        beyond[1] += int((yaw > 3).sum())
                        beyond[2] += len(yaw)
                        one_side.append(max(np.mean(yaw < -3), np.mean(yaw > 3)))
                        g = np.hypot(*np.diff(gaze, axis=0).T)
                        peak_step.append(g.max())
                        still.append(np.median(g))
        print(f"{rate_text:>7}  {speed:>10.1f}  {accel:>11.0f}  {step:>12.2f}  {16 * big / max(seconds, 1e-9):>19.2f}")
    m = np.array(gaze_means)
    print(f"\n5. Gaze (eye-in-head yaw), neutral takes at 25 fps, {len(m)} takes ({len(clips)} clips x {seeds} seeds)")
    print(f"   take means: mean {m.mean():+.2f} deg, std {m.std():.2f}, range {m.min():+.2f} .. {m.max():+.2f}")
    below, above = 100 * beyond[0] / beyond[2], 100 * beyond[1] / beyond[2]
    print(f"   frames below -3 deg: {below:.0f} %, above +3 deg: {above:.0f} %;"
          f" most one-sided take: {100 * max(one_side):.0f} % of its frames beyond 3 deg on one side")
    print(f"   saccades: largest step per take (median) {np.median(peak_step):.1f} deg/frame;"
          f" fixations: median step {np.median(still):.2f} deg/frame")


def _classify(frames: np.ndarray, python: str, tools: str, workdir: Path) -> list:
    path = workdir / "classify.npz"
    np.savez(path, frames=frames)
    code = ("import sys, json, numpy as np; sys.path.insert(0, sys.argv[1]); from fer_eval import classify; "
            "print(json.dumps([classify(f) for f in np.load(sys.argv[2])['frames']]))")
    out = subprocess.run([python, "-c", code, tools, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _variants(rgb: np.ndarray) -> list[np.ndarray]:
    grey = (rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)).astype(np.uint8)
    return [rgb, rgb[:, ::-1].copy(), np.repeat(grey[..., None], 3, axis=2)]


def classifier_reads(paths: dict, clip: str, workdir: Path, python: str, tools: str, size: int = 384) -> None:
    """DEVELOPMENT CHECK with an independent FER2013 classifier (not part of the product)."""
    from talkface_studio.face.relocate import relocate
    from talkface_studio.perform.blendshapes import compose
    from talkface_studio.perform.neutralize import neutralize_identity
    from talkface_studio.perform.procedural.visemes import REST
    from talkface_studio.render.registry import get_renderer

    renderer = get_renderer("mesh_warp", device="cpu")
    print("\n6. DEVELOPMENT CHECK (independent FER2013 classifier, not part of the product): probability of the"
          " painted emotion,\n   mean of original, mirrored and greyscale frames; held = expression with the mouth"
          f" at rest, spoken = 6 frames of {clip}; (rise over the neutral take)")
    shown = [e for e in EMOTIONS if e in FER_LABEL]
    print(f"{'portrait':<16}{'frames':>8}  " + "  ".join(f"{e[:9]:>15}" for e in shown))
    for name, path in paths.items():
        held, spoken = [], []
        for emotion in shown:
            snap = take_snapshot(path, clip, emotion, workdir)
            identity, _ = neutralize_identity(np.asarray(snap.portrait.landmarks, np.float32))
            channels = {"lip_press": np.array([REST[3]], np.float32)}
            if emotion != "neutral":
                channels[f"emo_{emotion}"] = np.ones(1, np.float32)
            lm = relocate(identity, compose(channels, 1), {}, scale=size / snap.portrait_size)
            held.append(_variants(next(iter(renderer.render(snap.portrait, lm, size=size)))))
            frames = np.linspace(10, snap.n_frames - 10, 6).astype(int)
            spoken.append([v for img in _render(renderer, snap, frames, size) for v in _variants(img)])
        for label, sets in (("held", held), ("spoken", spoken)):
            flat = np.stack([img for imgs in sets for img in imgs])
            reads = _classify(flat, python, tools, workdir)
            k = len(sets[0])
            probs = {}
            for i, emotion in enumerate(shown):
                found = [r for r in reads[i * k:(i + 1) * k] if r]
                probs[emotion] = {c: float(np.mean([r[c] for r in found])) for c in found[0]} if found else None
            cells = []
            for emotion in shown:
                p, n = probs[emotion], probs["neutral"]
                c = FER_LABEL[emotion]
                cells.append("no face" if p is None else f"{p[c]:.2f} ({p[c] - (n or {}).get(c, 0):+.2f})")
            print(f"{name[:16]:<16}{label:>8}  " + "  ".join(f"{c:>15}" for c in cells), flush=True)
