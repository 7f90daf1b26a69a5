"""Does the face tracker find the rendered face where the renderer put it? And is a miss the
renderer's or the tracker's?

For each portrait, takes of one human clip with each emotion painted at level 3 are rendered
(512 px, an open and a closed frame each), and MediaPipe's face mesh (the tracker the portraits
were fitted with) is run on every frame. Error: the median distance of its 478 points from the
landmarks the frame was driven with, in outer-eye-corner distances (median and worst frame).
Two controls tell the tracker's own limit on that face from the renderer's part:

- still:   the untouched portrait moved 2-4 px and scaled +-3 % (a frame with nothing rendered):
           how far the tracker wanders on the same pixels (median / worst of four);
- upright: the same frames (and still photos) turned about the face's centre until the eyes are
           level, tracked, and the points turned back (the tracker's mesh model expects an
           upright face).

    .venv/bin/python benchmarks/bench_refit.py [--portrait NAME ...] [--clip NAME]

Run it against another checkout with PYTHONPATH=that/checkout to compare renderers.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gallery import EMOTIONS, pick_frames, portrait_path  # noqa: E402

SIZE = 512
MOVES = ((3, -2, 1.0), (-4, 3, 1.03), (2, 4, 0.97), (-2, -3, 1.0))


def _error(found, lm) -> float:
    """Median point distance in outer-eye-corner distances (inf when no face was found)."""
    if found is None:
        return float("inf")
    eye = np.linalg.norm(lm[263, :2] - lm[33, :2])
    return float(np.median(np.linalg.norm(found[:, :2] - lm[:, :2], axis=1)) / eye)


def _track(img, turn=None):
    """The tracker's largest face [478, 3] in img's pixels; with turn (centre, degrees) tracked
    on the image turned by that much and the points turned back."""
    from talkface_studio.face.mesh_tracker import detect_faces
    if turn is None:
        faces = detect_faces(img)
        return faces[0] if faces else None
    m = cv2.getRotationMatrix2D(turn[0], turn[1], 1.0)
    faces = detect_faces(cv2.warpAffine(img, m, img.shape[1::-1], flags=cv2.INTER_LINEAR,
                                        borderMode=cv2.BORDER_REFLECT))
    if not faces:
        return None
    back = cv2.invertAffineTransform(m)
    out = faces[0].copy()
    out[:, :2] = faces[0][:, :2] @ back[:, :2].T + back[:, 2]
    return out


def _moved(img, lm, dx, dy, scale):
    s = img.shape[0]
    m = np.array([[scale, 0, dx + (1 - scale) * s / 2], [0, scale, dy + (1 - scale) * s / 2]])
    out = cv2.warpAffine(img, m, (s, s), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    moved = lm.copy()
    moved[:, :2] = lm[:, :2] * scale + m[:, 2]
    return out, moved


def measure(name: str, clip: str, workdir: Path) -> dict:
    from expression_takes import take_snapshot
    from talkface_studio.render.registry import get_renderer
    renderer = get_renderer("mesh_warp", device="cpu")
    frames, portrait = [], None
    for emotion in EMOTIONS:
        snap = take_snapshot(portrait_path(name, workdir), clip, emotion, workdir)
        portrait = snap.portrait
        picked = pick_frames(snap.channels, "open,closed")
        for _, f in picked:
            lm = np.asarray(snap.landmarks(f, f + 1, SIZE)[0], np.float64)
            frames.append((emotion, lm, next(iter(renderer.render(portrait, lm[None], SIZE)))))
    photo = np.asarray(portrait.image)[..., :3]
    lm0 = np.asarray(portrait.landmarks, np.float64) * SIZE / photo.shape[0]
    if photo.shape[0] != SIZE:
        photo = cv2.resize(photo, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
    roll = float(np.degrees(np.arctan2(lm0[263, 1] - lm0[33, 1], lm0[263, 0] - lm0[33, 0])))
    turn = (tuple(lm0[:, :2].mean(0)), roll)
    stills = [_moved(photo, lm0, *m) for m in MOVES]
    still = [_error(_track(im), l) for im, l in stills]
    still_upright = [_error(_track(im, turn), l) for im, l in stills]
    plain = [_error(_track(img), lm) for _, lm, img in frames]
    upright = [_error(_track(img, turn), lm) for _, lm, img in frames]
    worst = max((e, name) for e, (name, _, _) in zip(upright, frames) if np.isfinite(e))
    return {"roll": roll, "still": still, "still_upright": still_upright, "plain": plain,
            "upright": upright, "worst": worst}


def _fmt(errs) -> str:
    found = [e for e in errs if np.isfinite(e)]
    lost = len(errs) - len(found)
    return f"{np.median(found):.3f} / {max(found):.3f}" + (f" ({lost} lost)" if lost else "")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--portrait", nargs="*", default=["astronaut", "smiling_man", "full_body_greyscale"])
    ap.add_argument("--clip", default="en_m_librivox_sense_0890")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    print(f"tracker re-fit error, median / worst, in eye distances ({SIZE} px, 8 emotions x open/closed)")
    print(f"{'portrait':22s} {'roll':>5s}  {'still photo':>14s}  {'still upright':>14s}  {'frames':>20s}  "
          f"{'frames upright':>14s}  worst upright")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.portrait:
            r = measure(name, args.clip, Path(tmp))
            print(f"{name:22s} {r['roll']:5.1f}  {_fmt(r['still']):>14s}  {_fmt(r['still_upright']):>14s}  "
                  f"{_fmt(r['plain']):>20s}  {_fmt(r['upright']):>14s}  {r['worst'][1]}")
    print(f"({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
