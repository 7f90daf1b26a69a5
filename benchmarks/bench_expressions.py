"""Stage 1 on the gallery portraits: expressions, neutralization, closed-mouth seams, head and gaze.

Prints issue 10's measures, each as a table:
1. per portrait and emotion, what level 3 does to each region (mm on the project's scale: each
   face's outer eye corners taken as 88.5 mm apart, as on the canonical face whose irises are 63 mm
   apart): brow height (inner, outer) and gap, lid aperture, white above the iris, mouth-corner
   height (vs the eyes) and lift (vs the mouth's centre), mouth width, lip gap;
2. the smile a portrait holds, before and after neutralization (what a neutral take drives);
3. seam stability: frame-to-frame change (grey levels, 0-255) of the closed mouth in rendered frames
   during lip closures (p b m), the mouth cut out along its landmarks so head motion does not count;
4. head motion at 23.976-60 fps over clips x seeds x emotions: peak angular speed and acceleration,
   steps above 1 deg per frame;
5. gaze: where the eyes rest per take (mean yaw), how often they are beyond +-3 deg each way;
6. only where the independent classifier's environment exists (a DEVELOPMENT CHECK, not part of the
   product; see --classifier): its probability of the painted emotion on held and spoken frames,
   original + mirrored + greyscale, and the rise over the neutral take.

    .venv/bin/python benchmarks/bench_expressions.py [--portrait NAME ...] [--seeds 3] [--no-render]
        [--classifier /work/evalenv/bin/python --classifier-tools /work/evaltools]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from talkface_studio.face.portrait import fit_portrait  # noqa: E402
from talkface_studio.face.relocate import relocate  # noqa: E402
from talkface_studio.perform.blendshapes import compose  # noqa: E402
from talkface_studio.perform.expression_measures import measure  # noqa: E402
from talkface_studio.perform.neutralize import neutralize_identity  # noqa: E402
from talkface_studio.perform.procedural.visemes import REST  # noqa: E402

from expression_takes import classifier_reads, head_and_gaze, seam_stability  # noqa: E402
from gallery import DATA, EMOTIONS, PORTRAITS, portrait_path  # noqa: E402

REGION_COLUMNS = (("inner_brow", "brow in"), ("outer_brow", "brow out"), ("brow_gap", "brow gap"),
                  ("eye_open", "lids"), ("sclera_above_iris", "white>iris"), ("corner_height", "corner ht"),
                  ("corner_lift", "corner-ctr"), ("mouth_width", "mouth w"), ("lip_gap", "lip gap"))
SMILE_COLUMNS = (("corner_lift", "corner-ctr"), ("corner_height", "corner ht"), ("cheek_height", "cheek ht"),
                 ("lower_lid", "lower lid"), ("eye_open", "lids"), ("lip_gap", "lip gap"), ("mouth_width", "mouth w"))
REST_MOUTH = {"lip_press": np.array([REST[3]], np.float32)}


def _row(cells, widths) -> str:
    return "  ".join(f"{c:>{w}}" if i else f"{c:<{w}}" for i, (c, w) in enumerate(zip(cells, widths)))


def _held(identity_px, emotion: str | None) -> dict[str, float]:
    channels = dict(REST_MOUTH)
    if emotion and emotion != "neutral":
        channels[f"emo_{emotion}"] = np.ones(1, np.float32)
    return {k: float(v[0]) for k, v in measure(relocate(identity_px, compose(channels, 1), {})).items()}


def region_table(fits: dict) -> None:
    print("\n1. Level 3, held with the mouth at rest: change from the neutral face (mm)")
    widths = (24,) + (10,) * len(REGION_COLUMNS)
    print(_row(["portrait / emotion", *[h for _, h in REGION_COLUMNS]], widths))
    for name, fit in fits.items():
        identity, _ = neutralize_identity(fit.landmarks)
        base = _held(identity, None)
        for emotion in EMOTIONS[1:]:
            m = _held(identity, emotion)
            print(_row([f"{name[:14]} {emotion}", *[f"{m[k] - base[k]:+.1f}" for k, _ in REGION_COLUMNS]], widths))


def smile_table(fits: dict) -> None:
    print("\n2. The portrait's own expression and what a neutral take drives (mm; corner-ctr > 0 = smile)")
    widths = (34,) + (10,) * len(SMILE_COLUMNS)
    print(_row(["portrait", *[h for _, h in SMILE_COLUMNS]], widths))
    for name, fit in fits.items():
        own = {k: float(v[0]) for k, v in measure(fit.landmarks).items()}
        identity, coefficients = neutralize_identity(fit.landmarks)
        neutral = _held(identity, None)
        removed = ", ".join(f"{k} {v:.2f}" for k, v in coefficients.items() if v)
        print(_row([f"{name[:18]} as photographed", *[f"{own[k]:.1f}" for k, _ in SMILE_COLUMNS]], widths))
        print(_row([f"{name[:18]} neutral take", *[f"{neutral[k]:.1f}" for k, _ in SMILE_COLUMNS]], widths)
              + f"   removed: {removed or 'nothing'}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--portrait", nargs="*", default=list(PORTRAITS))
    ap.add_argument("--clip", default="en_m_librivox_sense_0890", help="speech clip for the classifier check")
    ap.add_argument("--seam-clips", nargs="*", default=["en_m_librivox_sense_0890", "en_m_goforward",
                                                          "en_m_praatio_bobby", "en_m_praatio_mary"])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--no-render", action="store_true", help="skip the rendered measures (3 and 6)")
    ap.add_argument("--classifier", default="/work/evalenv/bin/python",
                    help="python of the independent classifier's environment (development check)")
    ap.add_argument("--classifier-tools", default="/work/evaltools")
    args = ap.parse_args(argv)
    clips = sorted(p.stem for p in (DATA / "speech").glob("*.json"))
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        paths = {name: portrait_path(name, Path(tmp)) for name in args.portrait}
        fits = {name: fit_portrait(path, size=512) for name, path in paths.items()}
        region_table(fits)
        smile_table(fits)
        print(f"   ({time.perf_counter() - start:.1f} s)")
        if not args.no_render:
            t = time.perf_counter()
            seam_stability(paths, args.seam_clips, Path(tmp))
            print(f"   ({time.perf_counter() - t:.1f} s)")
        t = time.perf_counter()
        head_and_gaze(clips, args.seeds)
        print(f"   ({time.perf_counter() - t:.1f} s)")
        if not args.no_render:
            if Path(args.classifier).exists() and Path(args.classifier_tools, "fer_eval.py").exists():
                t = time.perf_counter()
                classifier_reads(paths, args.clip, Path(tmp), args.classifier, args.classifier_tools)
                print(f"   ({time.perf_counter() - t:.1f} s)")
            else:
                print(f"\n6. classifier check skipped: {args.classifier} not found (development check only)")
    print(f"\nbench_expressions: {time.perf_counter() - start:.1f} s on {len(fits)} portraits, "
          f"{len(clips)} clips, {args.seeds} seeds; " + json.dumps({"portraits": list(fits)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
