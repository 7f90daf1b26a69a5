"""Close-ups of the open mouth: the gallery portraits' open vowels cropped at full resolution.

What to look at after any change to the mouth's interior (teeth, tongue, cavity, inner lips). Per
portrait and emotion, the frame where the neutral take opens widest, rendered at --size and cut
out around the mouth at full resolution: straight on, with the head turned by -/+ --yaw degrees
(head_yaw overridden on that frame), and at 2 x --size. ``--sweep`` adds one row per portrait of
the neutral face opening its jaw through lip gaps of ~2-20 mm (real mm: pupils 63 mm apart).

    .venv/bin/python benchmarks/mouth_closeups.py -o closeups.png [--size 512] [--yaw 25]
        [--portrait NAME ...] [--emotion NAME ...] [--sweep] [--cell 320]

Run it against another checkout with PYTHONPATH=that/checkout to compare renderers.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from expression_takes import take_snapshot
from gallery import PORTRAITS, label, portrait_path

CLIP = "en_m_librivox_sense_0890"
LIPS_OUTER = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146]
SWEEP_JAW = (0.12, 0.25, 0.4, 0.55, 0.75, 1.0)


def crop_mouth(img: np.ndarray, lm: np.ndarray, cell: int, zoom: float = 1.0) -> np.ndarray:
    """A square around the lips (1.6 mouth widths / zoom), resized to cell x cell."""
    pts = lm[LIPS_OUTER, :2]
    c = 0.5 * (pts.min(0) + pts.max(0))
    half = 0.8 * float(np.ptp(pts[:, 0])) / zoom
    box = (int(c[0] - half), int(c[1] - half), int(c[0] + half), int(c[1] + half))
    return np.asarray(Image.fromarray(img).crop(box).resize((cell, cell), Image.LANCZOS))


def lip_gap_real_mm(lm: np.ndarray) -> float:
    from talkface_studio.face.normalize import normalize
    from talkface_studio.perform.face_fields import INNER_LOWER, INNER_UPPER, MM
    n, _ = normalize(np.asarray(lm, np.float64))
    return float(np.linalg.norm(n[INNER_LOWER, :2] - n[INNER_UPPER, :2], axis=1).max() / MM)


def _with(channels: dict, f: int, **over) -> dict:
    out = {k: np.asarray(v[f:f + 1], np.float32) for k, v in channels.items()}
    for k, v in over.items():
        out[k] = np.array([v], np.float32)
    return out


def emotion_row(renderer, snap, frame: int, size: int, yaw: float, cell: int, tag: str) -> np.ndarray:
    from talkface_studio.face.relocate import relocate
    scale = size / snap.portrait_size
    expression = snap.expression_rows(snap.first_frame + frame, snap.first_frame + frame + 1)
    cells = []
    for name, y, s in (("", None, size), (f"yaw {-yaw:+.0f}", -yaw, size), (f"yaw {yaw:+.0f}", yaw, size),
                       (f"{2 * size} px", None, 2 * size)):
        ch = _with(snap.channels, frame) if y is None else _with(snap.channels, frame, head_yaw=y)
        lm = relocate(snap.identity, expression, ch, scale=scale * s / size)
        img = next(iter(renderer.render(snap.portrait, lm, s)))
        text = f"{tag} {name} {lip_gap_real_mm(lm[0]):.0f}mm".replace("  ", " ")
        cells.append(label(crop_mouth(img, lm[0], cell), text))
    return np.concatenate(cells, axis=1)


def sweep_row(renderer, snap, size: int, cell: int, tag: str) -> np.ndarray:
    """The neutral identity opening its jaw (closed-mouth channels otherwise)."""
    from talkface_studio.face.relocate import relocate
    from talkface_studio.perform.blendshapes import compose
    cells = []
    for jaw in SWEEP_JAW:
        expr = compose({"jaw_open": np.array([jaw], np.float32)}, 1)
        lm = relocate(snap.identity, expr, {}, scale=size / snap.portrait_size)
        img = next(iter(renderer.render(snap.portrait, lm, size)))
        cells.append(label(crop_mouth(img, lm[0], cell), f"{tag} gap {lip_gap_real_mm(lm[0]):.1f}mm"))
    return np.concatenate(cells, axis=1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default="gallery-out/mouth_closeups.png")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--cell", type=int, default=320)
    ap.add_argument("--yaw", type=float, default=25.0)
    ap.add_argument("--portrait", nargs="*", default=list(PORTRAITS))
    ap.add_argument("--emotion", nargs="*", default=["neutral", "sad", "angry", "surprised", "happy"])
    ap.add_argument("--sweep", action="store_true", help="add a jaw-opening sweep per portrait")
    args = ap.parse_args(argv)
    from talkface_studio.render.registry import get_renderer

    start = time.perf_counter()
    renderer = get_renderer("mesh_warp", device="cpu")
    rows, sweeps = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.portrait:
            path = portrait_path(name, Path(tmp))
            frame = None
            for emotion in ("neutral", *[e for e in args.emotion if e != "neutral"]):
                snap = take_snapshot(path, CLIP, emotion, Path(tmp))
                if frame is None:
                    frame = int(np.argmax(snap.channels["jaw_open"]))
                    if args.sweep:
                        sweeps.append(sweep_row(renderer, snap, args.size, args.cell, name[:10]))
                if emotion in args.emotion:
                    rows.append(emotion_row(renderer, snap, frame, args.size, args.yaw, args.cell,
                                            f"{name[:10]} {emotion[:4]}"))
            print(f"{name}: frame {frame}", flush=True)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.concatenate(rows, axis=0)).save(out)
    if sweeps:
        Image.fromarray(np.concatenate(sweeps, axis=0)).save(out.with_name(out.stem + "_sweep" + out.suffix))
    print(f"wrote {out} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
