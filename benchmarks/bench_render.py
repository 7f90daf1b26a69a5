"""Mesh-warp renderer speed and fidelity on the demo portrait.

Speed: median wall and CPU (process) ms per frame at 256/512/1024 px vs. a floor measured in the
same run, interleaved with the frames (one bare ``grid_sample`` of the same size); ``--stages`` adds
per-stage CPU ms. Fidelity (``--quality``): MediaPipe re-detects landmarks on the
rendered frames; mean error vs. the driving landmarks, mouth opening and iris position, then
per held head pose (yaw +-15/25, pitch and roll +-15) and per inner-lip gap (2-12 mm).

    .venv/bin/python benchmarks/bench_render.py [--quality] [--stages] [--frames 30] [--device cpu]
        [--expressive] [--detail 1.0]

``--expressive`` adds held emotions (angry, happy, disgusted, sad in turn, level 3) to the take, so
the expression fold shading has work to do; ``--detail 0`` renders without it (the baseline).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from talkface_studio.face.geometry import rotation_from_angles
from talkface_studio.face.portrait import fit_portrait
from talkface_studio.render.mesh_warp.appearance import mouth_gap
from talkface_studio.render.mesh_warp.face_loops import EYES, INNER_LOWER_LIP, INNER_UPPER_LIP, MOUTH_CORNERS
from talkface_studio.render.registry import get_renderer

PORTRAIT = Path(__file__).resolve().parents[1] / "resources" / "demo" / "portrait.png"


def driven_take(lm: np.ndarray, n: int) -> np.ndarray:
    """A synthetic take: jaw opening, head sway, gaze wander and one blink."""
    width = np.linalg.norm(lm[MOUTH_CORNERS[1], :2] - lm[MOUTH_CORNERS[0], :2])
    line = lm[list(INNER_UPPER_LIP) + list(MOUTH_CORNERS), 1].max()
    cx = lm[list(MOUTH_CORNERS), 0].mean()
    w = np.clip((lm[:, 1] - line) / 3.0, 0, 1) * np.exp(-((lm[:, 0] - cx) / (1.3 * width)) ** 2)
    w[INNER_LOWER_LIP], w[list(INNER_UPPER_LIP)] = 1.0, 0.0
    centre = lm[:468].mean(0)
    frames = []
    for i in range(n):
        t = i / max(n - 1, 1)
        f = lm.copy()
        f[:, 1] += 0.4 * width * max(0.0, np.sin(2 * np.pi * 3 * t)) * w
        for rim in EYES:
            r = np.linalg.norm(lm[rim.iris_ring, :2] - lm[rim.iris_centre, :2], axis=1).mean()
            f[[rim.iris_centre, *rim.iris_ring], 0] += 0.7 * r * np.sin(2 * np.pi * t)
            if 0.45 < t < 0.55:
                f[rim.upper, :2] += 0.9 * (lm[rim.lower, :2] - lm[rim.upper, :2])
        rot = rotation_from_angles(12 * np.sin(2 * np.pi * t), 6 * np.sin(4 * np.pi * t), 5 * np.cos(2 * np.pi * t))
        frames.append((f - centre) @ rot.T + centre)
    return np.stack(frames)


def with_emotions(portrait, lms: np.ndarray, size: int) -> np.ndarray:
    """Add a held emotion to each frame (quarters of the take: angry, happy, disgusted, sad)."""
    from talkface_studio.face.relocate import relocate
    from talkface_studio.perform.blendshapes import compose
    ident = np.asarray(portrait.landmarks, np.float32) * size / portrait.image.shape[0]
    rest = relocate(ident, compose({}, 1), {})[0]
    out = lms.copy()
    for i in range(len(lms)):
        emo = ("angry", "happy", "disgusted", "sad")[4 * i // len(lms)]
        out[i] += relocate(ident, compose({f"emo_{emo}": np.ones(1, np.float32)}, 1), {})[0] - rest
    return out


def _stages(renderer, prep, lm) -> dict[str, float]:
    """One frame, stage by stage (CPU seconds of this process, so other load on the machine counts
    less than in wall time)."""
    from talkface_studio.render.mesh_warp import flow
    from talkface_studio.render.mesh_warp.eyes import draw_eyes
    from talkface_studio.render.mesh_warp.footprint import sample_footprints
    from talkface_studio.render.mesh_warp.mirror_fill import mirror_field, paint_mirror
    from talkface_studio.render.mesh_warp.seam_tone import match_seam_tone, painted_share
    from talkface_studio.render.mesh_warp.mouth import draw_mouth
    from talkface_studio.render.mesh_warp.raster import rasterize_displacement
    from talkface_studio.render.mesh_warp.silhouette import silhouette_edges, soften_silhouette
    from talkface_studio.render.mesh_warp.wrinkles import shade_frame
    out, t = {}, time.process_time()

    def tick(name):
        nonlocal t
        now = time.process_time()
        out[name] = now - t
        t = now
    from talkface_studio.render.mesh_warp.lip_contact import refine_lips, uncross_lips
    lm = uncross_lips(lm)
    pts, depth = renderer._mesh_points(prep, lm)
    refilled = np.zeros((prep.grid, prep.grid), bool)
    coarse = rasterize_displacement(prep.mesh, pts, depth, prep.grid, prep.size, refilled)
    if prep.glasses is not None:
        from talkface_studio.render.mesh_warp.rigid_glasses import hold_glasses
        coarse = hold_glasses(coarse, prep.nodes, *prep.glasses, prep.look.landmarks, lm, prep.mesh)
    tick("raster")
    window = renderer._window(prep, lm)
    grid = renderer._grid(prep, coarse)
    refine_lips(grid, prep.mesh, pts, depth, lm, prep.size, prep.look.landmarks,
                prep.size / prep.grid)
    tick("upsample")
    frame = renderer._composite(prep, grid, window)
    tick("sample")
    sample_footprints(frame, grid, coarse, prep.cpu["layer4"], prep.cpu["plate4"], prep.blurred,
                      prep.resolution, window, refilled)
    tick("footprint")
    mirror = mirror_field(prep.mesh, pts, depth, prep.grid, prep.size)
    paint_mirror(frame, mirror, prep.cpu["layer4"], prep.cpu["plate4"], prep.mirror_gain, window)
    match_seam_tone(frame, coarse, painted_share(refilled, mirror), prep.mesh.edge_depth, window)
    tick("hidden")
    edges = silhouette_edges(prep.mesh, pts, depth)
    if edges is not None:
        soften_silhouette(frame, coarse, edges, prep.cpu["layer4"], prep.cpu["plate4"], window)
    tick("outline")
    if renderer.detail > 0:
        shade_frame(frame, grid[0], lm, prep.folds)
    tick("folds")
    draw_mouth(frame, lm, prep.look, prep.texture)
    tick("mouth")
    draw_eyes(frame, grid[0], lm, prep.look, prep.iris_patches, prep.texture, prep.irisless, prep.glasses_frame)
    tick("eyes")
    flow.to_image(frame, prep.plate_u8, window)
    tick("to_uint8")
    return out


def bench_speed(portrait, device: str, frames: int, stages: bool, expressive: bool = False,
                detail: float = 1.0, sizes=(256, 512, 1024), batch: int = 0) -> None:
    """Frames and the floor (one bare grid_sample of the frame size) alternate, so a burst of load
    from elsewhere on the machine hits both."""
    renderer = get_renderer("mesh_warp", device=device, detail=detail, batch=batch)
    print(f"{'size':>6} {'wall ms':>8} {'cpu ms':>7} {'floor wall':>11} {'floor cpu':>10} "
          f"{'ratio wall':>11} {'ratio cpu':>10} {'fps':>6}")
    rows = {}
    for size in sizes:
        lms = driven_take(np.asarray(portrait.landmarks, float) * size / portrait.image.shape[0], frames)
        if expressive:
            lms = with_emotions(portrait, lms, size)
        list(renderer.render(portrait, lms[:2], size))                       # warm the caches
        dev = str(renderer.device)      # the floor is torch's, on the renderer's device
        tex = torch.rand(1, 3, size, size, device=dev)
        # The floor samples the frame through a slightly jittered identity: the same coherent
        # memory access as a real warp (a random grid would thrash the cache and flatter us).
        ident = (torch.arange(size, device=dev) + 0.5) * (2 / size) - 1
        yy, xx = torch.meshgrid(ident, ident, indexing="ij")
        grid = (torch.stack([xx, yy], -1)[None] + (torch.rand(1, size, size, 2, device=dev) - 0.5) * (4 / size))
        wall, cpu, fwall, fcpu = [], [], [], []
        step = max(1, renderer.batch)  # a batch is timed whole and shared out among its frames
        for a in range(0, len(lms), step):
            t0, c0 = time.perf_counter(), time.process_time()
            list(renderer.render(portrait, lms[a:a + step], size))
            t1, c1 = time.perf_counter(), time.process_time()
            wall += [(t1 - t0) / step] * step
            cpu += [(c1 - c0) / step] * step
            t0, c0 = time.perf_counter(), time.process_time()
            F.grid_sample(tex, grid, align_corners=False).cpu()
            fwall.append(time.perf_counter() - t0)
            fcpu.append(time.process_time() - c0)
        m, c, fw, fc = (statistics.median(x) * 1e3 for x in (wall, cpu, fwall, fcpu))
        print(f"{size:>6} {m:>8.1f} {c:>7.1f} {fw:>11.2f} {fc:>10.2f} {m / fw:>11.1f} {c / fc:>10.1f} "
              f"{1e3 / m:>6.0f}")
        if stages and renderer.device.type == "cpu":
            prep = renderer.prepare(portrait, size)
            with torch.inference_mode():
                per = [_stages(renderer, prep, lm) for lm in lms]
            rows[size] = {k: statistics.median(p[k] for p in per) * 1e3 for k in per[0]}
    if rows:
        names = list(next(iter(rows.values())))
        print("\nper stage, median cpu ms: " + " ".join(f"{n:>9}" for n in names))
        for size, row in rows.items():
            print(f"{size:>25} " + " ".join(f"{row[n]:>9.2f}" for n in names))


def bench_quality(portrait, frames: int, expressive: bool = False, detail: float = 1.0) -> None:
    import mediapipe as mp
    size = 512
    lms = driven_take(np.asarray(portrait.landmarks, float) * size / portrait.image.shape[0], frames)
    if expressive:
        lms = with_emotions(portrait, lms, size)
    renderer = get_renderer("mesh_warp", device="cpu", detail=detail)
    errs, gaps, iris = [], [], []
    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True) as mesh:
        for lm, frame in zip(lms, renderer.render(portrait, lms, size)):
            found = mesh.process(frame).multi_face_landmarks
            if not found:
                errs.append(np.nan)
                continue
            det = np.array([[p.x * size, p.y * size, p.z * size] for p in found[0].landmark])
            errs.append(np.linalg.norm(det[:468, :2] - lm[:468, :2], axis=1).mean())
            gaps.append((mouth_gap(lm), mouth_gap(det)))
            iris.append(np.mean([det[r.iris_centre, 0] - lm[r.iris_centre, 0] for r in EYES]))
    errs = np.array(errs)
    gaps = np.array(gaps)
    print(f"frames {len(errs)}, face found in {np.isfinite(errs).sum()}")
    print(f"mean landmark error (px @512): median {np.nanmedian(errs):.2f}, max {np.nanmax(errs):.2f}")
    print(f"mouth opening driving vs detected: corr {np.corrcoef(gaps.T)[0, 1]:.2f}")
    print(f"iris x error (px): mean |e| {np.mean(np.abs(iris)):.2f}")


def bench_poses(portrait, detail: float = 1.0) -> None:
    """Re-detection error of held head poses (neutralized portrait relocated like the app does),
    with the mean signed offset: a warp that does not follow its landmarks shows up as a bias."""
    import mediapipe as mp
    from talkface_studio.face.relocate import relocate
    from talkface_studio.face.topology import REGIONS
    from talkface_studio.perform.blendshapes import compose
    from talkface_studio.perform.neutralize import neutralize_identity
    size = 512
    ident, _ = neutralize_identity(np.asarray(portrait.landmarks, np.float32) * size / portrait.image.shape[0])
    poses = [("yaw", v) for v in (-25, -15, 0, 15, 25)] + [("pitch", v) for v in (-15, 15)] \
        + [("roll", v) for v in (-15, 15)]
    renderer = get_renderer("mesh_warp", device="cpu", detail=detail)
    oval = REGIONS["face_oval"]
    print(f"\n{'pose':>10} {'mean err px':>12} {'mean dx':>8} {'mean dy':>8} {'oval err':>9} {'inner err':>10}")
    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True) as mesh:
        for name, value in poses:
            lm = relocate(ident, compose({}, 1), {f"head_{name}": np.array([value], np.float32)})[0]
            frame = next(renderer.render(portrait, lm[None], size))
            found = mesh.process(frame).multi_face_landmarks
            if not found:
                print(f"{name:>5} {value:>+4}   face not found")
                continue
            det = np.array([[p.x * size, p.y * size] for p in found[0].landmark])
            d = det[:468] - lm[:468, :2]
            err = np.linalg.norm(d, axis=1)
            inner = np.setdiff1d(np.arange(468), oval)
            print(f"{name:>5} {value:>+4} {err.mean():>12.2f} {d[:, 0].mean():>+8.2f} {d[:, 1].mean():>+8.2f} "
                  f"{err[oval].mean():>9.2f} {err[inner].mean():>10.2f}")


def bench_gaps(portrait) -> None:
    """Lips parted by 2..12 mm on the demo portrait (its own smile parts them ~7.4 mm): the gap
    MediaPipe reads back from the rendered frame."""
    import mediapipe as mp
    from talkface_studio.render.mesh_warp.mouth import eye_span, lip_gap_mm
    size = 512
    src = np.asarray(portrait.landmarks, float) * size / portrait.image.shape[0]
    gaps = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, lip_gap_mm(src), 9.0, 12.0])
    lms = []
    for g in gaps:
        lm = src.copy()
        up, lo = lm[INNER_UPPER_LIP], lm[INNER_LOWER_LIP]
        width = np.linalg.norm(lm[MOUTH_CORNERS[1], :2] - lm[MOUTH_CORNERS[0], :2])
        line = lm[list(INNER_UPPER_LIP) + list(MOUTH_CORNERS), 1].max()
        w = np.clip((lm[:, 1] - line) / 3.0, 0, 1) * np.exp(-((lm[:, 0] - lm[list(MOUTH_CORNERS), 0].mean())
                                                             / (1.3 * width)) ** 2)
        w[INNER_LOWER_LIP] = w[INNER_UPPER_LIP] = 0.0
        new_lo = up + (lo - up) * g / lip_gap_mm(src)
        lm[:, 1] += (new_lo - lo)[4, 1] * w
        lm[INNER_LOWER_LIP] = new_lo
        lms.append(lm)
    renderer = get_renderer("mesh_warp", device="cpu")
    got = []
    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True) as mesh:
        for frame in renderer.render(portrait, np.stack(lms), size):
            found = mesh.process(frame).multi_face_landmarks
            det = np.array([[p.x * size, p.y * size, p.z * size] for p in found[0].landmark]) if found else None
            got.append(lip_gap_mm(det) if det is not None else np.nan)
    print("\ninner-lip gap, driving mm:  " + " ".join(f"{g:5.1f}" for g in gaps))
    print("re-detected mm:            " + " ".join(f"{g:5.1f}" for g in got))
    below = gaps[1:] < gaps[6] - 0.1
    print(f"corr (2 mm .. wide) {np.corrcoef(gaps[1:], got[1:])[0, 1]:.2f}, "
          f"below the portrait's gap {np.corrcoef(gaps[1:][below], np.array(got[1:])[below])[0, 1]:.2f}"
          f"  (eye span {eye_span(src):.0f} px = 63 mm)")


def profile_512(portrait, frames: int, device: str, detail: float) -> None:
    """The top lines of a cProfile run of ``frames`` frames at 512 px (CPU time of this process)."""
    import cProfile
    import io
    import pstats
    renderer = get_renderer("mesh_warp", device=device, detail=detail)
    lms = driven_take(np.asarray(portrait.landmarks, float) * 512 / portrait.image.shape[0], frames)
    list(renderer.render(portrait, lms[:1], 512))
    prof = cProfile.Profile(time.process_time)
    prof.runcall(lambda: list(renderer.render(portrait, lms, 512)))
    out = io.StringIO()
    pstats.Stats(prof, stream=out).strip_dirs().sort_stats("tottime").print_stats(12)
    text = out.getvalue()
    print(f"\ncProfile, {frames} frames at 512 px, top lines by own CPU time:\n" + text[text.find("   ncalls"):].rstrip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=30)
    ap.add_argument("--short", action="store_true", help="CI: 3 frames at 256 px (checks that it runs)")
    ap.add_argument("--batch", type=int, default=0, help="frames drawn together (0: the device's default)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--quality", action="store_true")
    ap.add_argument("--stages", action="store_true", help="also print per-stage CPU ms")
    ap.add_argument("--expressive", action="store_true", help="hold emotions (fold shading at work)")
    ap.add_argument("--detail", type=float, default=1.0, help="fold shading amount (0: off)")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    portrait = fit_portrait(PORTRAIT, size=512)
    import os
    one, five, _ = os.getloadavg()
    print(f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores; "
          f"medians of {3 if args.short else args.frames} frames")
    if args.short:
        bench_speed(portrait, args.device, 3, True, args.expressive, args.detail, sizes=(256,), batch=args.batch)
        return
    bench_speed(portrait, args.device, args.frames, args.stages, args.expressive, args.detail, batch=args.batch)
    profile_512(portrait, args.frames, args.device, args.detail)
    if args.quality:
        bench_quality(portrait, args.frames, args.expressive, args.detail)
        bench_poses(portrait, args.detail)
        bench_gaps(portrait)


if __name__ == "__main__":
    main()
