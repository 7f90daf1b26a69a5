"""Portrait gallery: every gallery portrait x the eight emotions at level 3, speaking one line.

The contact sheet the team looks at before and after every change to stage 1 or stage 2
(`make gallery`). For each portrait three frames: the frame where the neutral take
opens the jaw widest (an open vowel), a frame inside a lip closure (/p b m/) and a frame where the
mouth is at rest in a pause (the emotion held on its own, e.g. a smile's parted lips), so the
expression over open speech, the closed-mouth seam and the held expression are all on the sheet:
one row per portrait and moment, one column per emotion. The first column is the portrait as given
(its crop, not animated).

    .venv/bin/python benchmarks/gallery.py [-o docs/gallery.jpg] [--size 160] [--clip CLIP]
        [--portrait NAME ...] [--more] [--emotion NAME ...] [--frames open,closed,rest,F...]

Portraits: skimage's astronaut plus tests/data/portraits/ (copies of ../shared/portraits/); `--more`
adds the extended gallery of tests/data/portraits/more/ (older, turned, thick glasses, full-body).
The speech clip is tests/data/speech/CLIP.wav with its script from CLIP.json.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
EMOTIONS = ("neutral", "happy", "sad", "angry", "surprised", "fear", "disgusted", "contempt")
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".ppm", ".webp", ".tif", ".tiff", ".bmp"}
# skimage's astronaut, then every image in tests/data/portraits/ (add a hard face there to add a row)
PORTRAITS = ("astronaut", *sorted(p.stem for p in (DATA / "portraits").iterdir() if p.suffix.lower() in IMAGE_SUFFIXES))
# the extended gallery: kinds of face the default rows lack, kept apart so the tests over the
# default gallery stay fast (shown with --more, or by name)
MORE = tuple(sorted(p.stem for p in (DATA / "portraits" / "more").iterdir() if p.suffix.lower() in IMAGE_SUFFIXES))


def portrait_path(name: str, workdir: Path) -> Path:
    """astronaut comes from scikit-image (offline); the others from tests/data/portraits/."""
    if name == "astronaut":
        from skimage import data

        path = workdir / "astronaut.png"
        if not path.exists():
            Image.fromarray(data.astronaut()).save(path)
        return path
    found = sorted(p for folder in (DATA / "portraits", DATA / "portraits" / "more")
                   for p in folder.glob(f"{name}.*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not found:
        raise SystemExit(f"gallery: no portrait named {name!r} in {DATA / 'portraits'} or its more/")
    return found[0]


def pick_frames(channels: dict, spec: str) -> list[tuple[str, int]]:
    """'open,closed,rest' -> [(label, frame)] from the neutral take's mouth channels; numbers pass through."""
    jaw, press = channels["jaw_open"], channels["lip_press"]
    out = []
    for item in spec.split(","):
        item = item.strip()
        if item == "open":
            out.append(("open", int(np.argmax(jaw))))
        elif item == "closed":
            # the middle of the longest run of full closure between speech (not the rest pose)
            closed = np.flatnonzero(press >= 0.99)
            speech = np.flatnonzero(jaw > 0.15)
            if len(speech):
                closed = closed[(closed > speech[0]) & (closed < speech[-1])]
            out.append(("closed", int(closed[len(closed) // 2]) if len(closed) else 0))
        elif item == "rest":
            out.append(("rest", _longest_rest(channels)))
        else:
            out.append((f"f{int(item)}", int(item)))
    return out


def _longest_rest(channels: dict) -> int:
    """The middle of the longest run of frames where the mouth is at rest (a pause), else frame 0."""
    from talkface_studio.perform.blendshapes import mouth_freedom

    free = mouth_freedom(channels, len(channels["jaw_open"])) > 0.95
    best, start = (0, 0), None
    for f, ok in enumerate(np.append(free, False)):
        if ok and start is None:
            start = f
        elif not ok and start is not None:
            best, start = max(best, (f - start, start)), None
    return int(best[1] + best[0] // 2)


def render_cells(portrait: Path, clip: str, emotions, frame_spec: str, size: int, workdir: Path):
    """{emotion: [frame images]} plus the portrait crop and the chosen frame labels."""
    from expression_takes import take_snapshot  # it imports this module: here, not at the top
    from talkface_studio.render.registry import get_renderer

    renderer = get_renderer("mesh_warp", device="cpu")
    cells, frames, crop = {}, None, None
    for emotion in ("neutral", *[e for e in emotions if e != "neutral"]):
        snap = take_snapshot(portrait, clip, emotion, workdir)
        if frames is None:
            frames = pick_frames(snap.channels, frame_spec)
            crop = np.asarray(Image.fromarray(snap.portrait.image).resize((size, size), Image.LANCZOS))
        imgs = []
        for _, f in frames:
            lm = snap.landmarks(f, f + 1, size)
            imgs.append(next(iter(renderer.render(snap.portrait, lm, size=size))))
        if emotion in emotions:
            cells[emotion] = imgs
    return crop, cells, frames


def label(img: np.ndarray, text: str) -> np.ndarray:
    pil = Image.fromarray(img)
    draw = ImageDraw.Draw(pil)
    draw.rectangle([0, 0, 7 * len(text) + 6, 14], fill=(0, 0, 0))
    draw.text((3, 1), text, fill=(255, 255, 255))
    return np.asarray(pil)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default="gallery-out/gallery.png")
    ap.add_argument("--size", type=int, default=192, help="cell size in pixels (rendered at this size)")
    ap.add_argument("--clip", default="en_m_librivox_sense_0890")
    ap.add_argument("--portrait", nargs="*", default=None, help="names (default: the gallery)")
    ap.add_argument("--more", action="store_true", help="add the extended gallery (tests/data/portraits/more/)")
    ap.add_argument("--emotion", nargs="*", default=list(EMOTIONS))
    ap.add_argument("--frames", default="open,closed,rest", help="open, closed, rest and/or frame numbers")
    args = ap.parse_args(argv)
    names = list(PORTRAITS) if args.portrait is None else list(args.portrait)
    if args.more:
        names += [n for n in MORE if n not in names]
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for name in names:
            crop, cells, frames = render_cells(portrait_path(name, workdir), args.clip, args.emotion,
                                               args.frames, args.size, workdir)
            for k, (tag, f) in enumerate(frames):
                first = label(crop, name[:22]) if k == 0 else np.full_like(crop, 24)
                row = [first] + [label(cells[e][k], f"{e} {tag}") for e in args.emotion]
                rows.append(np.concatenate(row, axis=1))
            print(f"{name}: frames {', '.join(f'{t}={f}' for t, f in frames)}", flush=True)
    sheet = np.concatenate(rows, axis=0)
    Image.fromarray(sheet).save(out, **({"quality": 88} if out.suffix.lower() in (".jpg", ".jpeg") else {}))
    print(f"wrote {out} ({sheet.shape[1]}x{sheet.shape[0]}) in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
