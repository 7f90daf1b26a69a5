"""A picture of plate mode: the photo, a plate frame, and which pixels differ (README "Plate mode").

Builds a project over a real photo (tests/data/portraits/smiling_man.jpg, 910x1137, waist up, an
office behind) and the demo line, renders a stretch of it with `render --plate` into a PNG
sequence, and puts the frame that changes most beside the photo, with the changed pixels in
orange (brightness: how much) on black: only the head, hair, neck and collar light up.

    .venv/bin/python benchmarks/plate_sheet.py [-o docs/plate-2026-12-01.jpg] [--frames 20-60]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from talkface_studio.cli.main import main as cli  # noqa: E402

PHOTO = ROOT / "tests" / "data" / "portraits" / "smiling_man.jpg"
AUDIO = ROOT / "resources" / "demo" / "line.wav"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--out", type=Path, default=ROOT / "docs" / "plate-2026-12-01.jpg")
    ap.add_argument("--frames", default="20-60")
    ap.add_argument("--width", type=int, default=1200, help="width of the sheet in pixels")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy(PHOTO, work / PHOTO.name)
        shutil.copy(AUDIO, work / AUDIO.name)
        tfs = work / "scene.tfs"
        assert cli(["new", str(tfs), "--audio", str(work / AUDIO.name), "--portrait", str(work / PHOTO.name),
                    "--fps", "25", "--take", "t1"]) == 0
        assert cli(["generate", str(tfs)]) == 0
        assert cli(["render", str(tfs), "--plate", "--frames", args.frames, "-o", str(work / "seq")]) == 0
        photo = np.asarray(Image.open(work / PHOTO.name).convert("RGB"))
        best = None
        for path in sorted((work / "seq").glob("t1.*.png")):
            frame = np.asarray(Image.open(path))
            diff = np.abs(frame.astype(int) - photo).max(axis=2)
            if best is None or diff.sum() > best[0]:
                best = (diff.sum(), path.name, frame, diff)
    _, name, frame, diff = best
    changed = np.zeros_like(photo)
    level = np.clip(diff * 6 + (diff > 0) * 40, 0, 255)
    changed[..., 0], changed[..., 1] = level, level * 0.55
    sheet = Image.fromarray(np.concatenate([photo, frame, changed], axis=1))
    scale = args.width / sheet.width
    sheet = sheet.resize((args.width, round(sheet.height * scale)), Image.Resampling.LANCZOS)
    draw = ImageDraw.Draw(sheet)
    w = sheet.width / 3
    for i, text in enumerate(("the photo", f"plate frame ({name})", "pixels that differ")):
        x0, y0, x1, y1 = draw.textbbox((i * w + 8, 8), text)
        draw.rectangle((x0 - 3, y0 - 3, x1 + 3, y1 + 3), fill=(0, 0, 0))
        draw.text((i * w + 8, 8), text, fill=(255, 255, 255))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out, quality=85)
    print(f"wrote {args.out} ({sheet.width}x{sheet.height}; {name}: {(diff > 0).mean():.1%} of the photo's "
          f"pixels differ)")


if __name__ == "__main__":
    main()
