"""How well the skin refilled on a turned head matches the real skin beside it.

When the generated head turns the photo's hidden side into view, two passes paint skin the photo
never showed: the mirror pass (``mirror_fill``: the other side's skin) and the unfolded-sheet
refill (``unfolded_sheet``: the skin beside it, reflected). Per frame this takes the pixels they
paint (``refill``: mirror weight over 0.5, or a refilled grid node's cell) and the real skin (the
other pixels whose source lies deeper than ``EDGE`` px inside the photo's face) and reports:

- ``step``: the median, over refill pixels within ``BAND`` px of real skin (the seam), of the
  colour distance (RGB, 0..255) between the mean of the refill and the mean of the real skin
  around the pixel (Gaussian ``SIGMA`` px, each mean over its own pixels): the step at the seam;
- ``patch``: the same with means over ``PATCH`` px: a strip of another brightness or colour;
- ``detail``: the refill's fine detail (mean difference from a 1-px Gaussian mean) over that of
  the real skin beside it: 1 as textured, near 0 blurred flat;
- ``far``: the share of seam pixels more than ``FAR`` levels from the real skin's ``PATCH``-px
  local mean (a pale patch, a band of background colour).

Rows: each gallery portrait (``--more`` included) at yaw -30..30 (pitch 0, 512 px); ``-`` where nothing is refilled.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/turn_seams.py [--yaw=-30,-15,-10,-5,5,10,15,30]
        [--portrait NAME ...] [--size 512]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

from gallery import MORE, PORTRAITS, portrait_path

from talkface_studio.render.mesh_warp.unfolded_sheet import EDGE   # px at 512: real skin lies this deep in the face

SIGMA = 3.0     # px at 512: the local means either side of the seam
PATCH = 8.0     # px at 512: the same at the scale of a refilled strip (its width)
BAND = 8.0      # px at 512: refill pixels this near real skin are the seam's
FAR = 40.0      # levels (RGB distance) from the skin's local mean: a refill pixel far off


def _spy():
    """Patch the renderer so each frame leaves its refilled nodes, mirror field and coarse field."""
    from talkface_studio.render.mesh_warp import raster, renderer
    seen: dict = {}
    refill, mirror, rasterize = raster.refill_unfolded, renderer.mirror_field, renderer.rasterize_displacement

    def refill_spy(disp, drawn, *a, **k):
        got = refill(disp, drawn, *a, **k)
        seen["refill"] = got.copy()
        return got

    def mirror_spy(*a, **k):
        seen["mirror"] = got = mirror(*a, **k)
        return got

    def rasterize_spy(*a, **k):
        seen["coarse"] = got = rasterize(*a, **k)
        return got
    raster.refill_unfolded, renderer.mirror_field = refill_spy, mirror_spy
    renderer.rasterize_displacement = rasterize_spy
    return seen


def _masked_mean(img: np.ndarray, mask: np.ndarray, sigma: float):
    m = mask.astype(np.float32)
    num = cv2.GaussianBlur(img * m[..., None], (0, 0), sigma)
    den = cv2.GaussianBlur(m, (0, 0), sigma)
    return num / np.maximum(den, 1e-6)[..., None], den


def refill_mask(seen: dict, grid: int, size: int) -> np.ndarray:
    """bool [S, S]: pixels the mirror pass paints (weight > 0.5) or whose nearest grid node was refilled."""
    out = np.zeros((size, size), bool)
    if seen.get("refill") is not None and seen["refill"].any():
        nodes = seen["refill"].reshape(grid, grid).astype(np.uint8)
        out |= cv2.resize(nodes, (size, size), interpolation=cv2.INTER_NEAREST) > 0
    field = seen.get("mirror")
    if field is not None:
        _, weight, (i0, j0), st = field
        h, w = weight.shape
        x0, y0 = int(round(j0 * st)), int(round(i0 * st))
        up = cv2.resize(weight, (int(round(w * st)), int(round(h * st))), interpolation=cv2.INTER_LINEAR)
        y1, x1 = min(y0 + up.shape[0], size), min(x0 + up.shape[1], size)
        out[y0:y1, x0:x1] |= up[:y1 - y0, :x1 - x0] > 0.5
    return out


def skin_mask(coarse: np.ndarray, edge_depth: np.ndarray, refill: np.ndarray) -> np.ndarray:
    """bool [S, S]: pixels sampling the photo deeper than EDGE inside its face, not refilled."""
    size = edge_depth.shape[0]
    disp = cv2.resize(coarse.astype(np.float32), (size, size), interpolation=cv2.INTER_LINEAR)
    ys, xs = np.mgrid[0:size, 0:size]
    sx = np.clip((xs + 0.5 + disp[..., 0]).astype(np.int64), 0, size - 1)
    sy = np.clip((ys + 0.5 + disp[..., 1]).astype(np.int64), 0, size - 1)
    away = cv2.dilate(refill.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=2) == 0
    return (edge_depth[sy, sx] >= EDGE * size / 512.0) & away


def seam_numbers(frame: np.ndarray, refill: np.ndarray, skin: np.ndarray, size: int):
    """(step, patch, detail, far) as the module says; None where too few refill pixels lie near real skin."""
    s = size / 512.0
    img = frame.astype(np.float32)
    near = cv2.distanceTransform((~skin).astype(np.uint8), cv2.DIST_L2, 5) <= BAND * s
    seam = refill & near
    if seam.sum() < 20:
        return None

    def step_at(sigma):
        mean_r, wr = _masked_mean(img, refill, sigma)
        mean_k, wk = _masked_mean(img, skin, sigma)
        ok = seam & (wk > 0.05) & (wr > 0.05)
        return float(np.median(np.linalg.norm(mean_r[ok] - mean_k[ok], axis=1))) if ok.sum() >= 20 else float("nan")
    wide, _ = _masked_mean(img, skin, PATCH * s)
    far = float((np.linalg.norm(img[seam] - wide[seam], axis=1) > FAR).mean())
    # detail: the pixels' difference from their 1-px Gaussian mean, refill against the skin by it
    grey = img.mean(2)
    fine = np.abs(grey - cv2.GaussianBlur(grey, (0, 0), 1.0 * s))
    inner = cv2.erode(refill.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    beside = skin & (cv2.distanceTransform((~refill).astype(np.uint8), cv2.DIST_L2, 5) <= 2 * BAND * s)
    detail = float("nan")
    if (inner & near).any() and beside.any():
        detail = float(fine[inner & near].mean() / max(fine[beside].mean(), 1e-6))
    return step_at(SIGMA * s), step_at(PATCH * s), detail, far


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--yaw", default="-30,-15,-10,-5,5,10,15,30")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--portrait", nargs="*", default=None)
    args = ap.parse_args(argv)
    from talkface_studio.face.portrait import fit_portrait
    from talkface_studio.face.relocate import relocate
    from talkface_studio.face.topology import canonical_face
    from talkface_studio.render.mesh_warp.renderer import MeshWarpRenderer

    seen = _spy()
    yaws = [float(a) for a in args.yaw.split(",")]
    names = list(args.portrait) if args.portrait else list(PORTRAITS) + list(MORE)
    size = args.size
    print(f"{'portrait':26s} {'yaw':>4s} {'refill px':>9s} {'step':>6s} {'patch':>6s} {'detail':>6s} {'far %':>6s}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            fit = fit_portrait(portrait_path(name, Path(tmp)), size=size)
            renderer = MeshWarpRenderer(device="cpu")
            prep = renderer.prepare(fit, size)
            identity = np.asarray(fit.landmarks, np.float32)
            for yaw in yaws:
                lm = relocate(identity, canonical_face()[None], {"head_yaw": np.array([yaw], np.float32),
                                                                 "head_pitch": np.array([0.0], np.float32)})[0]
                seen.clear()
                frame = renderer.render_frame(prep, lm.astype(np.float64))
                refill = refill_mask(seen, prep.grid, size)
                got = None
                if refill.any():
                    skin = skin_mask(seen["coarse"], prep.mesh.edge_depth, refill)
                    got = seam_numbers(frame, refill, skin, size)
                if got is None:
                    print(f"{name[:26]:26s} {yaw:+4.0f} {int(refill.sum()):9d} {'-':>6s} {'-':>6s} {'-':>6s} {'-':>6s}")
                    continue
                rows.append(got)
                print(f"{name[:26]:26s} {yaw:+4.0f} {int(refill.sum()):9d} {got[0]:6.1f} {got[1]:6.1f} "
                      f"{got[2]:6.2f} {100 * got[3]:6.1f}")
    if rows:
        step, patch, detail, far = np.nanmedian(np.array(rows), axis=0)
        print(f"medians over {len(rows)} frames: step {step:.1f}, patch {patch:.1f}, detail {detail:.2f}, "
              f"far {100 * far:.1f} %")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main())
