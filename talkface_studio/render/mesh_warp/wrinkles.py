"""Expression detail shading: the folds a warp cannot make.

A warp moves skin but does not crease it, so a frown drawn by moving the brows alone is faint, and a
portrait's own smile folds survive an angry face. Per portrait, every fold of ``fold_lines`` is
drawn once in the portrait's own pixels as two small maps: ``crease`` (a dark core with the bulging
skin beside it lit) and ``relax`` (what, added, fills the portrait's own fold line there from the
skin beside it: ``smile_relief.fill_valleys``, so pores and tone are kept). Per frame the
landmarks say how squeezed (or stretched) each fold's skin is against the portrait; the weighted
maps are summed in the portrait's pixels and carried to the frame by the warp's own sampling grid,
so folds ride on the skin. Creases multiply all three channels alike (the portrait's tone and
lighting stay); the relax is added (a sum resamples like the skin under it, a ratio flares beside
a sharp crease); both are zero at rest, and a frame whose folds are all at rest is untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import erfc
from skimage.draw import polygon2mask

from .fold_lines import PLACED, compression, fold_weights, pair_lengths
from .fold_snap import STEP_MM, densify, smoothed_luminance, snap_line
from .smile_relief import REGION as SMILE_REGION
from .smile_relief import capped_ratio, fill_valleys, relief_map, smile_removed, smile_score
from .face_loops import EYES, OUTER_LIPS
from .photo_sharpness import edge_sigma
from . import pixel_ops
from .pixel_ops import ops_of

RELAX_MAX = 1.5           # the most a relaxed fold is lifted (x its own value: a deep crease's core)
LUMA = pixel_ops.LUMA.astype(np.float32)   # the frame's layers are float32
FOLD_HALF_MM = 1.5        # a portrait's own fold lines are up to ~twice this wide
STRIP = 30000             # values per strip: keeps each torch op under its parallel grain (one thread)
_BROWS = ((46, 53, 52, 65, 55, 107, 66, 105, 63, 70), (276, 283, 282, 295, 285, 336, 296, 334, 293, 300))
_NOSTRILS = ((98, 97, 2, 326, 327, 294, 278, 344, 440, 275, 4, 45, 220, 115, 48, 64),)


_SMILE_FOLDS = np.array([p.fold.name in ("nasolabial", "dimple") for p in PLACED])


@dataclass
class FoldMap:
    x0: int
    y0: int
    crease: np.ndarray      # [h, w] float32, signed luminance change at full depth (-depth..+)
    tri: np.ndarray         # [n, 3] mesh vertices and barycentric weights [n, 3] of the lines' points:
    bary: np.ndarray        # where the fold lands in a frame
    reach: float            # how far its shading reaches from its lines, source pixels
    relax: np.ndarray       # [3, h, w] float32, 0..255 units, added: relaxes the portrait's own fold


@dataclass
class FoldShading:
    """Per portrait and output size: one FoldMap per placed fold and the portrait's fold lengths."""

    maps: list
    source_lengths: np.ndarray
    size: int
    amount: float = 1.0

    source_scale: float = 1.0
    smile: FoldMap | None = None    # the portrait's own smile shading to relax (``smile_relief``)
    smile_score: float = 0.0

    def scale_to(self, lm: np.ndarray) -> float:
        """Frame pixels per portrait pixel for this frame's face."""
        return _mm_to_px(lm) * 63.0 / self.source_scale

    def weights(self, lm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        deepen, relax = fold_weights(compression(lm, self.source_lengths))
        return deepen * self.amount, relax * self.amount


def _mm_to_px(lm: np.ndarray) -> float:
    iris = np.linalg.norm(lm[468, :2] - lm[473, :2])
    return float(max(iris, 1e-3) / 63.0)


def _draw_line(points: np.ndarray, amp: np.ndarray, sigma: float, bulge: float, bulge_off: float,
               reach: float, joined=(False, False)):
    """Signed crease profile of one polyline over its bounding window -> (x0, y0, [h, w], distance).
    ``joined`` (first end, last end): the line goes on there as its mirrored twin (a forehead line
    across the midline), so that end is cut square, half depth on the end's line, instead of
    rounded: two round caps over each other drew the crease twice as deep, a dot at the midline."""
    lo = np.floor(points.min(0) - reach).astype(int)
    hi = np.ceil(points.max(0) + reach).astype(int)
    xs = np.arange(lo[0], hi[0]) + 0.5
    ys = np.arange(lo[1], hi[1]) + 0.5
    q = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 1, 2)
    a, b = points[:-1][None], points[1:][None]
    ab = b - a
    t = np.clip(((q - a) * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-9), 0, 1)
    near = a + t[..., None] * ab
    d = np.linalg.norm(q - near, axis=-1)
    k = np.argmin(d, axis=1)
    rows = np.arange(len(k))
    dist, tk = d[rows, k], t[rows, k]
    side = np.sign(ab[0, k, 0] * (q[rows, 0, 1] - a[0, k, 1]) - ab[0, k, 1] * (q[rows, 0, 0] - a[0, k, 0]))
    amp_q = amp[k] + (amp[k + 1] - amp[k]) * tk
    signed = dist * side
    core = np.exp(-0.5 * (dist / sigma) ** 2)
    value = -core
    if bulge:
        # the skin pushed up beside the crease catches light; the crease edge on that side is sharper
        value = value + 0.28 * np.exp(-0.5 * ((signed * np.sign(bulge) - bulge_off) / (1.6 * sigma)) ** 2)
    else:
        value = value + 0.18 * np.exp(-0.5 * ((dist - 2.2 * sigma) / sigma) ** 2)
    for end, (tip, inward) in enumerate(((points[0], points[1]), (points[-1], points[-2]))):
        if joined[end]:
            axis = (tip - inward) / max(float(np.linalg.norm(tip - inward)), 1e-9)
            past = ((q[:, 0] - tip) * axis).sum(-1)        # > 0 beyond the end
            value = value * (0.5 * erfc(past / (np.sqrt(2.0) * sigma)))
    h, w = len(ys), len(xs)
    return lo[0], lo[1], (value * amp_q).reshape(h, w), dist.reshape(h, w)


def _paste(x0, y0, arr, into_x0, into_y0, into, combine):
    h, w = arr.shape
    ys, xs = y0 - into_y0, x0 - into_x0
    view = into[ys:ys + h, xs:xs + w]
    view[...] = combine(view, arr)


def _keep_out(lm: np.ndarray, shape, lip_corners_free: bool = False) -> np.ndarray:
    """Lips, eyes, brows and nostrils: features, not folds; relaxing must never lift them.
    ``lip_corners_free``: the lips' outline pulled in from the corners (a smile's corner pits may
    be lifted, the lips' colour never)."""
    mask = np.zeros(shape, bool)
    loops = [OUTER_LIPS] + [e.loop for e in EYES] + [np.array(b) for b in _BROWS] + [np.array(n) for n in _NOSTRILS]
    for i, loop in enumerate(loops):
        pts = lm[np.asarray(loop), :2]
        centre = pts.mean(0)
        pts = centre + (pts - centre) * (np.array([0.85, 1.15]) if i == 0 and lip_corners_free else 1.15)
        mask |= polygon2mask(shape, pts[:, ::-1] - 0.5)
    return mask


def prepare_folds(image: np.ndarray, lm: np.ndarray, amount: float = 1.0) -> FoldShading:
    """image uint8 [S, S, 3] at output size, lm [478, 3] its landmarks in the same pixels."""
    size = image.shape[0]
    px = _mm_to_px(lm)
    # Only where the portrait's skin is darker than on both sides of it (a fold's valley, filled
    # to its banks). Per channel, so a relaxed fold takes the colour of the skin around it (a
    # fold's shadow is redder as well as darker; a lift of the luminance alone would paint it
    # orange), capped by one factor for all channels (capped one by one they would shift its hue).
    rgb = image[..., :3].astype(np.float32).transpose(2, 0, 1) + 1.0
    lift = rgb * capped_ratio(1.0 + fill_valleys(rgb, FOLD_HALF_MM * px) / rgb, 0.0, RELAX_MAX)
    lift[:, _keep_out(lm, lift.shape[1:])] = 0.0
    # a crease is drawn as the photo would show it: as soft as the photo's own edges, the same
    # darkness spread wider (a one-pixel line on a soft face looks inked on)
    blur = edge_sigma(image, lm)
    lum = smoothed_luminance(image, px)
    maps = []
    for placed in PLACED:
        parts, reach_max = [], 0.0
        for tri, bary, line in placed.lines:
            pts = (lm[tri, :2] * bary[..., None]).sum(axis=1)
            amp = np.array(line.amplitude)
            if placed.fold.snap:
                pts, amp = densify(pts, amp, STEP_MM * px)
                # snapped every millimetre, drawn through every third point (smoothed over 3 mm, the
                # line loses nothing; each segment costs a pass over the fold's window)
                keep = np.unique(np.r_[np.arange(0, len(pts), 3), len(pts) - 1])
                pts, amp = snap_line(lum, pts, px)[keep], amp[keep]
            sharp = max(0.8, line.sigma_mm * px)
            sigma = float(np.hypot(sharp, blur))
            reach = max(4 * sigma, line.bulge_mm * px + 3 * sigma, 4.5 * px)
            reach_max = max(reach_max, reach)
            joined = tuple(placed.fold.mirrored and line.points[i][0] == 0 for i in (0, -1))
            parts.append(_draw_line(pts, amp * (sharp / sigma), sigma, line.bulge, line.bulge_mm * px, reach,
                                    joined))
        x0 = max(0, min(p[0] for p in parts))
        y0 = max(0, min(p[1] for p in parts))
        x1 = min(size, max(p[0] + p[2].shape[1] for p in parts))
        y1 = min(size, max(p[1] + p[2].shape[0] for p in parts))
        if x1 <= x0 or y1 <= y0:
            maps.append(None)
            continue
        crease = np.zeros((y1 - y0, x1 - x0), np.float32)
        near = np.full((y1 - y0, x1 - x0), np.inf, np.float32)
        for lx, ly, val, dist in parts:
            # clip each part to the map window (a fold may run off the frame)
            cx0, cy0 = max(lx, x0), max(ly, y0)
            cx1, cy1 = min(lx + val.shape[1], x1), min(ly + val.shape[0], y1)
            if cx1 <= cx0 or cy1 <= cy0:
                continue
            sl = (slice(cy0 - ly, cy1 - ly), slice(cx0 - lx, cx1 - lx))
            _paste(cx0, cy0, val[sl], x0, y0, crease, lambda v, a: np.where(np.abs(a) > np.abs(v), a, v))
            _paste(cx0, cy0, dist[sl], x0, y0, near, np.minimum)
        # the portrait's own fold is expected within a few mm of where the canonical one lies
        region = np.exp(-0.5 * (near / (3.5 * px)) ** 2)
        relax = (lift[:, y0:y1, x0:x1] * region).astype(np.float32)
        tri = np.concatenate([t for t, _, _ in placed.lines])
        bary = np.concatenate([b for _, b, _ in placed.lines])
        maps.append(FoldMap(x0, y0, crease * np.float32(placed.fold.depth), tri, bary, reach_max, relax))
    return FoldShading(maps, pair_lengths(lm), size, float(amount), _mm_to_px(lm) * 63.0,
                       _smile_map(image, lm, px), smile_score(lm))


def confine(shading: FoldShading, matte: np.ndarray) -> FoldShading:
    """Keep the folds on the moving layer (head, hair, neck): every map weighted by its alpha
    matte [S, S] (portrait pixels), in place. A crow's foot or a forehead line drawn past the
    face's outline would otherwise shade the still background beside the temple."""
    for m in [*shading.maps, shading.smile]:
        if m is None:
            continue
        h, w = m.crease.shape
        a = np.zeros((h, w), np.float32)
        part = matte[max(m.y0, 0):m.y0 + h, max(m.x0, 0):m.x0 + w]
        a[max(-m.y0, 0):max(-m.y0, 0) + part.shape[0], max(-m.x0, 0):max(-m.x0, 0) + part.shape[1]] = part
        m.crease *= a
        m.relax *= a[None]
    return shading


def _smile_map(image: np.ndarray, lm: np.ndarray, px: float) -> FoldMap | None:
    found = relief_map(image, lm, _keep_out(lm, image.shape[:2], lip_corners_free=True))
    if found is None:
        return None
    x0, y0, gain = found
    idx = np.array([k for k, _ in SMILE_REGION])
    tri = np.stack([idx, idx, idx], axis=1)
    bary = np.tile([1.0, 0.0, 0.0], (len(idx), 1))
    reach = max(r for _, r in SMILE_REGION) * px
    return FoldMap(x0, y0, np.zeros(gain.shape[1:], np.float32), tri, bary, reach, gain)


def shade_frame(frame, grid, lm: np.ndarray, shading: FoldShading) -> bool:
    """Shade frame [3, S, S] (float, in place) with the folds carried by the warp: multiplied by
    1 + the creases drawn where the skin is squeezed, plus the lift that relaxes the portrait's
    own folds (and its smile) where they are stretched away.

    grid [S, S, 2]: the warp's sampling grid (grid_sample units). Returns whether anything was
    drawn; a frame whose folds are all at rest is left exactly as it was."""
    deepen, relax = shading.weights(lm)
    gone = 0.0
    if shading.smile is not None:
        gone = smile_removed(shading.smile_score, lm) * shading.amount
        # the smile's relief takes the folds a smile makes as a whole; their own relax maps would
        # lift the same lines again where the warp stretches them (a pale patch by the corners)
        relax = relax * np.where(_SMILE_FOLDS, 1.0 - min(gone, 1.0), 1.0)
    active = [(m, dw, rw) for m, dw, rw in zip(shading.maps, deepen, relax) if m is not None and (dw > 0 or rw > 0)]
    if gone > 0:
        active.append((shading.smile, 0.0, gone))
    if not active:
        return False
    size = shading.size
    # Sum in the portrait's pixels, over the bounding box of the active folds only: channels 0-2
    # the creases' factor - 1, 3-5 the lift (0..255 units, added: it resamples like the skin).
    sx0 = min(m.x0 for m, _, _ in active)
    sy0 = min(m.y0 for m, _, _ in active)
    sx1 = max(m.x0 + m.crease.shape[1] for m, _, _ in active)
    sy1 = max(m.y0 + m.crease.shape[0] for m, _, _ in active)
    src = np.zeros((6, sy1 - sy0, sx1 - sx0), np.float32)
    for m, dw, rw in active:
        view = src[:, m.y0 - sy0:m.y0 - sy0 + m.crease.shape[0], m.x0 - sx0:m.x0 - sx0 + m.crease.shape[1]]
        if dw > 0:
            view[:3] += np.float32(dw) * m.crease
        if rw > 0:
            # the smile's relief and a fold's own relax reach for the same skin where they
            # overlap: the brighter of the two colours, not the sum (a shadow lifted twice turns
            # into a streak), and whole (channel by channel the two would mix their hues)
            lift = np.float32(rw) * m.relax
            lum, had = np.tensordot(LUMA, lift, axes=1), np.tensordot(LUMA, view[3:], axes=1)
            take = ((lum > had) & (np.abs(lum) > 0.25)) | (np.abs(had) <= 0.25)
            view[3:] = np.where(take[None], lift, view[3:])
    adds = bool(src[3:].any())
    if not adds:
        src = src[:3]
    sh, sw = src.shape[1:]
    xp = ops_of(frame)
    # two 3-channel textures, not one of 6: OpenCV remaps and numpy blends 3 channels laid out
    # like the frame's several times faster (torch does not mind)
    crease_t = xp.texture(src[:3].transpose(1, 2, 0), frame)
    lift_t = xp.texture(src[3:].transpose(1, 2, 0), frame) if adds else None
    # Where in the frame those folds land: their lines carried by the frame's mesh, padded by their
    # reach (scaled with the face, plus slack for skin stretched across the fold).
    zoom = shading.scale_to(lm)
    boxes = []
    for m, _, _ in active:
        pts = (lm[m.tri, :2] * m.bary[..., None]).sum(axis=1)
        r = 1.5 * m.reach * zoom + 2
        boxes.append(np.r_[pts.min(0) - r, pts.max(0) + r])
    boxes = np.array(boxes)
    x0, y0 = (int(max(0, np.floor(v))) for v in boxes[:, :2].min(0))
    x1, y1 = (int(min(size, np.ceil(v))) for v in boxes[:, 2:].max(0))
    if x1 <= x0 or y1 <= y0:
        return False
    # grid_sample units of the full portrait -> pixels of the summed window
    half = size / 2.0
    shift = xp.const([half - sx0, half - sy0], frame)
    step = max(1, STRIP // (src.shape[0] * (x1 - x0)))
    for ya in range(y0, y1, step):
        yb = min(y1, ya + step)
        at = grid[ya:yb, x0:x1] * half + shift
        win = frame[:, ya:yb, x0:x1]
        win *= xp.sample(crease_t, at, zeros=True) + 1.0
        if adds:
            win += xp.sample(lift_t, at, zeros=True)
        xp.clip_(win, 0.5, 255.49)   # the cast to uint8 must not wrap
    return True

