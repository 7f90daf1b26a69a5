"""Head-turn sheet: each portrait at a row of head yaws (and pitches), neutral expression.

One row per portrait: the portrait as fitted, then the renderer's frame at each angle. Turns show
what a still photo cannot: the far cheek stretching, the near side uncovering background.

    .venv/bin/python benchmarks/turn_sheet.py [-o gallery-out/turns.png] [--yaw -25,-15,0,15,25]
        [--pitch 0] [--size 256] [--portrait NAME ...] [--more]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from gallery import MORE, PORTRAITS, label, portrait_path


def turned_frames(fit, yaws, pitch: float, size: int) -> list[np.ndarray]:
    """The renderer's frames of `fit` with the head at each yaw (degrees) and one pitch."""
    from talkface_studio.face.relocate import relocate
    from talkface_studio.face.topology import canonical_face
    from talkface_studio.render.registry import get_renderer

    identity = np.asarray(fit.landmarks, np.float32)
    landmarks = np.stack([relocate(identity, canonical_face()[None],
                                   {"head_yaw": np.array([y], np.float32),
                                    "head_pitch": np.array([pitch], np.float32)})[0] for y in yaws])
    return list(get_renderer("mesh_warp", device="cpu").render(fit, landmarks, size=size))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default="gallery-out/turns.png")
    ap.add_argument("--yaw", default="-25,-15,0,15,25", help="comma-separated degrees")
    ap.add_argument("--pitch", type=float, default=0.0)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--portrait", nargs="*", default=None)
    ap.add_argument("--more", action="store_true", help="add the extended gallery")
    args = ap.parse_args(argv)
    from talkface_studio.face.portrait import fit_portrait

    yaws = [float(a) for a in args.yaw.split(",")]
    names = list(PORTRAITS) if args.portrait is None else list(args.portrait)
    if args.more:
        names += [n for n in MORE if n not in names]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            fit = fit_portrait(portrait_path(name, Path(tmp)), size=args.size)
            frames = turned_frames(fit, yaws, args.pitch, args.size)
            cells = [label(fit.image, name[:22])] + [label(f, f"yaw {y:+.0f}") for f, y in zip(frames, yaws)]
            rows.append(np.concatenate(cells, axis=1))
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.concatenate(rows, axis=0)).save(out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
