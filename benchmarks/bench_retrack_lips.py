"""Do the rendered lips read to an independent face tracker as they were driven?

bench_lipsync measures the landmarks stage 1 drives; a viewer, and anyone who checks a take with a
face tracker, sees the rendered frames. Here every human clip's take is rendered (stage 2, the
default mesh-warp renderer) for a few gallery portraits, with and without its script, and
MediaPipe's face mesh (the tracker the portraits are fitted with, run on the rendered pixels alone)
finds the face again in each frame inside a reference p/b/m or open vowel (bench_lipsync's
references, +-40 ms). Both sides are measured the same way: the inner-lip gap at the midline
(landmarks 13 / 14) after the head's pose is taken out (face.normalize), in the project's mm.

    .venv/bin/python benchmarks/bench_retrack_lips.py [--only NAME] [--portrait NAME ...]
        [--modes script,none] [--size 384]

Columns: close = reference p/b/m with the lips closed (gap < 1 mm) in the driven landmarks /
in what the tracker found; open = reference open vowels whose gap reaches 6 mm, driven / tracked;
gap = median over those vowels of their widest gap (mm), driven / tracked; r = correlation of the
driven and tracked gaps over the measured frames; found = share of those frames in which the
tracker found a face.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lipsync_measures as lm  # noqa: E402
from bench_lipsync import human_clips  # noqa: E402
from gallery import portrait_path  # noqa: E402

PORTRAITS = ("astronaut", "glasses_greyscale_small", "smiling_man", "young_man_turned")
FPS = 25.0


def midline_gap_mm(landmarks: np.ndarray) -> float:
    """Inner-lip gap at the midline of image landmarks [478, 3], pose removed, in mm."""
    from talkface_studio.face.normalize import normalize

    n, _ = normalize(np.asarray(landmarks, np.float64))
    return float((n[14, 1] - n[13, 1]) / lm.MM)


def measured_frames(refs, n: int) -> list[int]:
    frames = set()
    for r in refs:
        if r.kind == "bilabial" or (r.kind == "open" and r.end - r.start >= 0.04):
            s = lm._frames(r.start, r.end, FPS, n)
            frames.update(range(s.start, s.stop))
    return sorted(frames)


def take_gaps(clip: dict, portrait: Path, scripted: bool, size: int, workdir: Path, renderer) -> tuple:
    """(driven, tracked) gap arrays over the take's frames (nan where not measured / not found)."""
    from talkface_studio.face.mesh_tracker import detect_faces
    from talkface_studio.pipeline.new_project import new_project
    from talkface_studio.pipeline.take_state import TakeState

    project = new_project(workdir / f"{clip['name']}-{portrait.stem}-{int(scripted)}.tfs", clip["path"],
                          portrait, fps="25", transcript=clip["text"] if scripted else None,
                          language=clip["language"])
    take = project.takes[0]
    state = TakeState(project)
    state.generate(take)
    snap = state.snapshot(take)
    n = take.n_frames
    driven, tracked = np.full(n, np.nan), np.full(n, np.nan)
    for f in measured_frames(clip["refs"], n):
        marks = snap.landmarks(snap.first_frame + f, snap.first_frame + f + 1, size)
        image = next(iter(renderer.render(snap.portrait, marks, size=size)))
        driven[f] = midline_gap_mm(marks[0])
        faces = detect_faces(image)
        if faces:
            centre = marks[0][:468, :2].mean(axis=0)
            found = min(faces, key=lambda t: np.linalg.norm(t[:468, :2].mean(axis=0) - centre))
            tracked[f] = midline_gap_mm(found)
    return driven, tracked


def scores(refs, driven: np.ndarray, tracked: np.ndarray) -> dict:
    n = len(driven)

    def widest(gap, r, pick):
        window = gap[lm._frames(r.start, r.end, FPS, n)]
        return pick(window) if np.isfinite(window).any() else np.nan

    bil = [r for r in refs if r.kind == "bilabial"]
    opens = [r for r in refs if r.kind == "open" and r.end - r.start >= 0.04]
    out = {}
    for side, gap in (("driven", driven), ("tracked", tracked)):
        shut = [widest(gap, r, np.nanmin) for r in bil]
        wide = [widest(gap, r, np.nanmax) for r in opens]
        out[f"close_{side}"] = (sum(g < lm.CLOSED_MM for g in shut), len(bil))
        out[f"open_{side}"] = (sum(g >= lm.OPEN_MM for g in wide), len(opens))
        out[f"gap_{side}"] = float(np.nanmedian(wide)) if wide and np.isfinite(wide).any() else np.nan
    measured = np.isfinite(driven)
    both = measured & np.isfinite(tracked)
    out["found"] = float(both.sum() / max(measured.sum(), 1))
    out["r"] = float(np.corrcoef(driven[both], tracked[both])[0, 1]) if both.sum() > 2 else np.nan
    return out


def fraction(pair) -> str:
    k, n = pair
    return f"{k}/{n}" if n else "-"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="clips whose name contains this")
    ap.add_argument("--portrait", nargs="*", default=list(PORTRAITS))
    ap.add_argument("--modes", default="script,none")
    ap.add_argument("--size", type=int, default=384)
    args = ap.parse_args(argv)
    from talkface_studio.render.registry import get_renderer

    start = time.perf_counter()
    renderer = get_renderer("mesh_warp", device="cpu")
    clips = [c for c in human_clips() if c["refs"] and (not args.only or args.only in c["name"])]
    totals: dict = {}
    print(f"{'clip':<32} {'portrait':<18} {'script':<6} {'close drv/trk':>14} {'open drv/trk':>14} "
          f"{'gap mm':>11} {'r':>5} {'found':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for clip in clips:
            for name in args.portrait:
                path = portrait_path(name, work)
                for mode in args.modes.split(","):
                    d, t = take_gaps(clip, path, mode == "script", args.size, work, renderer)
                    s = scores(clip["refs"], d, t)
                    for key in ("close_driven", "close_tracked", "open_driven", "open_tracked"):
                        k, n = totals.get((mode, key), (0, 0))
                        totals[(mode, key)] = (k + s[key][0], n + s[key][1])
                    print(f"{clip['name'][:32]:<32} {name[:18]:<18} {mode:<6} "
                          f"{fraction(s['close_driven']) + ' ' + fraction(s['close_tracked']):>14} "
                          f"{fraction(s['open_driven']) + ' ' + fraction(s['open_tracked']):>14} "
                          f"{s['gap_driven']:>5.1f} {s['gap_tracked']:>5.1f} {s['r']:>5.2f} {s['found']:>6.2f}",
                          flush=True)
    for mode in args.modes.split(","):
        print(f"{mode}: p/b/m closed, driven {fraction(totals[(mode, 'close_driven')])}, tracked "
              f"{fraction(totals[(mode, 'close_tracked')])}; open vowels opened, driven "
              f"{fraction(totals[(mode, 'open_driven')])}, tracked {fraction(totals[(mode, 'open_tracked')])}")
    print(f"bench_retrack_lips: {time.perf_counter() - start:.0f} s, {args.size} px, portraits {', '.join(args.portrait)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
