"""Open vowels on the gallery portraits: does an open mouth read as speech or as a grin?

For each gallery portrait, the 8 frames where the neutral take opens the jaw widest (open vowels of
a human clip) are rendered in a neutral, sad, angry and happy take (level 3), and measured:

- width:  mouth corner to corner, mm (pupils 63 mm apart), of the driving landmarks;
- h/w:    inner-lip opening at the midline over the inner mouth's width (a wide slot is a grin, a
          taller oval is speech);
- teeth:  share of the opening's pixels brighter than the portrait's cheeks (%, rendered at
          --size): a band of lit teeth across the opening is what reads as a grin;
- what the opening shows (``tests/mouth_interior_stats.py``; mean over the frames, and the
  frames' lip gap in mm): black, share darker than 8 % luminance (%); spread, its luminance's
  standard deviation (0..1); upper and lower, the band under the upper lip (the teeth's edges)
  and the lower part (tongue, lower teeth) against the middle (the cavity), x; rim, the most
  saturated pixels along the opening's outline against the lips' saturation, x (a coloured rim
  reads > 1); grey, the largest channel spread inside (a greyscale portrait: a few levels);
- reads:  DEVELOPMENT CHECK, where /work/evalenv exists: the independent FER2013 classifier's mean
          probabilities (happy, neutral, the painted emotion) over those frames (not part of the
          product; upscaled crops of 512 px frames).

    .venv/bin/python benchmarks/bench_open_vowels.py [--size 512] [--portrait NAME ...]
        [--emotion NAME ...] [--classifier /work/evalenv/bin/python]

Run it against another checkout with PYTHONPATH=that/checkout to compare.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from expression_takes import FER_LABEL, _classify, take_snapshot
from gallery import PORTRAITS, portrait_path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))   # the interior's measures
from mouth_interior_stats import interior_stats  # noqa: E402

CLIP = "en_m_librivox_sense_0890"
INNER = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95]
CHEEKS = (205, 425)
STATS = ("gap_mm", "black", "spread", "upper", "lower", "rim", "grey")
LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def geometry(lm: np.ndarray) -> tuple[float, float]:
    """(mouth width mm, midline opening / inner width) of landmarks [478, 3] in any pose."""
    from talkface_studio.face.normalize import normalize
    from talkface_studio.perform.face_fields import MM
    n, _ = normalize(np.asarray(lm, np.float64))
    width = (n[291, 0] - n[61, 0]) / MM
    inner = max(n[308, 0] - n[78, 0], 1e-6)
    return float(width), float((n[14, 1] - n[13, 1]) / inner)


def teeth_share(img: np.ndarray, lm: np.ndarray) -> float:
    """Share of the opening's pixels brighter than the cheeks' skin."""
    mask = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(lm[INNER, :2]).astype(np.int32)], 1)
    if mask.sum() < 10:
        return 0.0
    lum = img.astype(np.float32) @ LUMA
    mm = np.linalg.norm(lm[263, :2] - lm[33, :2]) / 88.0
    yy, xx = np.mgrid[:img.shape[0], :img.shape[1]] + 0.5
    skin = np.zeros(img.shape[:2], bool)
    for k in CHEEKS:
        skin |= np.hypot(xx - lm[k, 0], yy - lm[k, 1]) < 5 * mm
    return float((lum[mask > 0] > np.median(lum[skin])).mean())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--portrait", nargs="*", default=list(PORTRAITS))
    ap.add_argument("--emotion", nargs="*", default=["neutral", "sad", "angry", "surprised", "happy"])
    ap.add_argument("--classifier", default="/work/evalenv/bin/python")
    ap.add_argument("--classifier-tools", default="/work/evaltools")
    args = ap.parse_args(argv)
    from talkface_studio.render.registry import get_renderer

    fer = Path(args.classifier).exists() and Path(args.classifier_tools, "fer_eval.py").exists()
    start = time.perf_counter()
    print(f"{'portrait':<24}{'emotion':<10}{'width mm':>9}{'h/w':>6}{'teeth %':>8}{'gap mm':>7}{'black %':>8}"
          f"{'spread':>7}{'upper':>6}{'lower':>6}{'rim':>5}{'grey':>5}"
          + ("   FER (dev check): happy / neutral / painted" if fer else ""))
    rows = []
    renderer = get_renderer("mesh_warp", device="cpu")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.portrait:
            path = portrait_path(name, Path(tmp))
            frames = None
            for emotion in args.emotion:
                snap = take_snapshot(path, CLIP, emotion, Path(tmp))
                if frames is None:
                    neutral = snap if emotion == "neutral" else take_snapshot(path, CLIP, "neutral", Path(tmp))
                    frames = sorted(int(f) for f in np.argsort(-neutral.channels["jaw_open"])[:8])
                lms = [snap.landmarks(f, f + 1, args.size)[0] for f in frames]
                imgs = [next(iter(renderer.render(snap.portrait, lm[None], args.size))) for lm in lms]
                geo = np.array([geometry(lm) for lm in lms])
                teeth = 100 * np.mean([teeth_share(i, lm) for i, lm in zip(imgs, lms)])
                each = [interior_stats(i, lm) for i, lm in zip(imgs, lms)]
                st = {k: float(np.nanmean([e[k] for e in each])) for k in STATS}
                rows.append(st)
                line = (f"{name[:24]:<24}{emotion:<10}{geo[:, 0].mean():>9.1f}{geo[:, 1].mean():>6.2f}{teeth:>8.1f}"
                        f"{st['gap_mm']:>7.1f}{100 * st['black']:>8.1f}{st['spread']:>7.3f}{st['upper']:>6.2f}"
                        f"{st['lower']:>6.2f}{st['rim']:>5.2f}{st['grey']:>5.0f}")
                if fer:
                    reads = [r for r in _classify(np.stack(imgs), args.classifier, args.classifier_tools, Path(tmp)) if r]
                    if reads:
                        p = {k: float(np.mean([r[k] for r in reads])) for k in reads[0]}
                        painted = FER_LABEL.get(emotion)
                        line += f"   {p['happy']:.2f} / {p['neutral']:.2f}" + (f" / {p[painted]:.2f}" if painted else "")
                print(line, flush=True)
    mean = {k: float(np.nanmean([r[k] for r in rows])) for k in STATS}
    print(f"{'mean':<58}{mean['gap_mm']:>7.1f}{100 * mean['black']:>8.1f}{mean['spread']:>7.3f}"
          f"{mean['upper']:>6.2f}{mean['lower']:>6.2f}{mean['rim']:>5.2f}")
    print(f"(frames {frames} of {CLIP}; {args.size} px; {time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
