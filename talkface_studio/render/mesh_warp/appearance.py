"""What the renderer learns from the portrait once: colours of lips, sclera, lashes, the iris
texture, and how open the mouth and eyes already are. Everything the synthetic mouth and eyes draw
is derived from these, so they suit any skin tone and lighting."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.ndimage import gaussian_filter, gaussian_filter1d, map_coordinates
from skimage.draw import polygon2mask

from .face_loops import (EYES, INNER_LOWER_LIP, INNER_UPPER_LIP, MOUTH_CORNERS, OUTER_LIPS, EyeRim,
                         inner_lip_loop)
from .pixel_ops import ops_of
from .rim_frame import Axis, profiles

IRIS_PATCH = 48          # iris texture resolution (pixels across the disc's bounding square)
IRIS_EXTENT = 1.15       # patch covers this many iris radii (keeps the dark limbal ring)
SCLERA_KEEP = 0.25       # share of the portrait's lid gap next to each lid not used as sclera (lashes, shade)
SCLERA_ROW = 25          # samples of the held sclera's colour from corner to corner
SCLERA_ROW_BLUR = 0.06   # ... smoothed along the eye over this many eye widths
OPENING_SEEN = (10.0, 20.0)  # grey levels by which an opening's darkest (or brightest) tenth passes the lips'


@dataclass(frozen=True)
class EyeLook:
    centre: np.ndarray       # [2] source iris centre, output pixels
    radius: float            # source iris radius, output pixels
    opening: float           # lid gap / eye width in the portrait
    patch: np.ndarray        # [P, P, 3] float iris texture, occluded parts filled by symmetry
    lid: np.ndarray          # [3] upper-lid skin colour (above the lashes)
    open_patch: np.ndarray | None = None   # the whole disc for an eye opened wider than the
                                           # portrait's: hidden parts from its radial profile
    open_radius: float = 0.0  # the dark iris's own radius seen in the photo (output px), for that disc
    sclera_row: np.ndarray | None = None   # [SCLERA_ROW, 3] the sclera a widened lid uncovers,
                                           # corner to corner (``sclera_row``)


@dataclass(frozen=True)
class PortraitLook:
    lip: np.ndarray          # [3] float RGB 0..255
    sclera: np.ndarray
    lash: np.ndarray
    mouth_open: float        # inner-lip gap / mouth width in the portrait
    eyes: tuple[EyeLook, EyeLook]
    irisless: np.ndarray     # [S, S, 3] float: the portrait with its irises painted out (sclera)
    teeth: np.ndarray        # [3] the portrait's own teeth when it shows them, else from the sclera
    landmarks: np.ndarray    # [478, 3] the portrait's landmarks in output pixels
    mouth: object = None     # mouth_look.MouthLook: teeth placement, mouth colours, teeth atlas
    smile_score: float = 0.0  # how much the portrait smiles (``smile_relief.smile_score``)
    mouth_seen: float = 1.0   # how clearly the photo shows the landmarks' opening (``opening_seen``)


def _mask(points_xy: np.ndarray, shape) -> np.ndarray:
    return polygon2mask(shape, points_xy[:, ::-1] - 0.5)


def _robust_colour(pixels: np.ndarray, fallback, brightest: float | None = None) -> np.ndarray:
    if len(pixels) < 4:
        return np.asarray(fallback, dtype=np.float32)
    if brightest is not None:
        lum = pixels.mean(1)
        pixels = pixels[lum >= np.quantile(lum, 1 - brightest)]
    return np.median(pixels, axis=0).astype(np.float32)


def opening_seen(img: np.ndarray, lm: np.ndarray) -> float:
    """How clearly the portrait shows the opening its landmarks draw between the inner lips, 0..1.

    An opening shows a dark cavity below the lips' darkest tenth or teeth above their brightest
    tenth. On a small, old photograph the tracker can take closed lips for parted ones (the inner
    loop round the whole lower lip): inside it is lip, and what the plain warp shows there is no
    opening at all (0). Too few pixels to tell: 1."""
    lum = img.astype(np.float32).mean(2)
    inside = _mask(lm[inner_lip_loop(), :2], lum.shape)
    lips = _mask(lm[OUTER_LIPS, :2], lum.shape) & ~inside
    if inside.sum() < 20 or lips.sum() < 20:
        return 1.0
    (in_lo, in_hi), (lip_lo, lip_hi) = np.percentile(lum[inside], [10, 90]), np.percentile(lum[lips], [10, 90])
    step = max(lip_lo - in_lo, in_hi - lip_hi)
    return float(np.clip((step - OPENING_SEEN[0]) / (OPENING_SEEN[1] - OPENING_SEEN[0]), 0.0, 1.0))


def lid_gap(lm: np.ndarray, eye: EyeRim) -> float:
    """Mean upper-to-lower lid distance over eye width (0 closed, ~0.3 wide open)."""
    a, b = lm[eye.corners[0], :2], lm[eye.corners[1], :2]
    gap = np.linalg.norm(lm[eye.upper, :2] - lm[eye.lower, :2], axis=1).mean()
    return float(gap / max(np.linalg.norm(b - a), 1e-6))


def mouth_gap(lm: np.ndarray) -> float:
    """Largest inner-lip gap over mouth width."""
    a, b = lm[MOUTH_CORNERS[0], :2], lm[MOUTH_CORNERS[1], :2]
    gap = np.linalg.norm(lm[INNER_UPPER_LIP, :2] - lm[INNER_LOWER_LIP, :2], axis=1).max()
    return float(gap / max(np.linalg.norm(b - a), 1e-6))


def _iris_patch(img: np.ndarray, eye_poly: np.ndarray, centre: np.ndarray, radius: float) -> np.ndarray:
    """Iris texture around ``centre``; pixels hidden by the lids in the portrait are replaced by their
    mirror image across the horizontal (the upper lid usually hides the top, rarely the bottom), and
    failing that by the mean colour of the visible iris at that radius."""
    h, w = img.shape[:2]
    visible_img = _mask(eye_poly, (h, w))
    off = (np.arange(IRIS_PATCH) + 0.5) / IRIS_PATCH * 2 - 1          # -1..1
    oy, ox = np.meshgrid(off, off, indexing="ij")
    ext = radius * IRIS_EXTENT
    px, py = centre[0] + ox * ext, centre[1] + oy * ext

    def lookup(x, y):
        xi = np.clip(np.floor(x).astype(int), 0, w - 1)
        yi = np.clip(np.floor(y).astype(int), 0, h - 1)
        rgb = np.stack([map_coordinates(img[..., k].astype(np.float32), [y - 0.5, x - 0.5], order=1,
                                        mode="nearest") for k in range(3)], axis=-1)
        return rgb, visible_img[yi, xi]

    colour, vis = lookup(px, py)
    mirrored, vis_m = lookup(px, 2 * centre[1] - py)
    use_m = ~vis & vis_m
    colour[use_m] = mirrored[use_m]
    vis = vis | use_m
    r = np.hypot(ox, oy)
    bins = np.minimum((r * 6).astype(int), 8)
    fallback = _robust_colour(colour[vis], [90, 70, 50])
    for b in np.unique(bins[~vis]):
        ring = (bins == b) & vis
        fill = colour[ring].mean(0) if ring.sum() >= 3 else fallback
        colour[(bins == b) & ~vis] = fill
    return colour


def _seen_iris_radius(img: np.ndarray, shown: np.ndarray, centre: np.ndarray,
                      radius: float) -> tuple[float, float]:
    """The iris's radius as the photo shows it: half the dark run across the row through its centre
    (where it turns 80 % of the way from the iris's grey level to the sclera's: at 60 % a light-brown
    iris's lighter rim was left out and drew about a third too small), 0.7-0.95 of the
    landmarks' circle, 0.85 where the row cannot tell (a dark or nearly closed eye). On most of the
    gallery the circle is a fifth larger than the dark iris (the limbus is soft), and a disc of the
    circle's size read as a dark hole. Also the grey level above which a pixel is sclera (inf where
    the row cannot tell)."""
    h, w = img.shape[:2]
    x = centre[0] + np.linspace(-1.4, 1.4, 57) * radius
    y = np.full_like(x, centre[1])
    lum = map_coordinates(img.astype(np.float32).mean(-1), [y - 0.5, x - 0.5], order=1, mode="nearest")
    inside = shown[int(np.clip(centre[1], 0, h - 1)), np.clip(x.astype(int), 0, w - 1)]
    core = np.abs(x - centre[0]) < 0.7 * radius
    if inside.sum() < 20 or not (core & inside).any():
        return 0.85 * radius, np.inf
    dark, light = np.median(lum[core & inside]), np.percentile(lum[inside], 90)
    if light - dark < 20:
        return 0.85 * radius, np.inf
    edge = dark + 0.8 * (light - dark)
    over = (lum > edge) & inside
    mid = len(x) // 2
    right = np.flatnonzero(over[mid:])
    left = np.flatnonzero(over[:mid][::-1])
    half = [(run[0] + 0.5) * (x[1] - x[0]) for run in (left, right) if len(run)]
    if not half:
        return 0.85 * radius, np.inf
    return float(np.clip(np.mean(half), 0.7 * radius, 0.95 * radius)), float(edge)


def _open_iris_patch(img: np.ndarray, eye_poly: np.ndarray, centre: np.ndarray, radius: float,
                     sclera_grey: float) -> np.ndarray:
    """The whole iris disc (``radius``: as the photo shows it) for an eye opened wider than the
    portrait's: the iris the photo shows clearly (a few rows in from the lids, where lashes and their
    shadow lie) kept, the rest from its radial profile (an iris is close to radially symmetric:
    pupil, iris, darker limbus), each ring's colour the median of what shows of it, leaving out
    sclera (grey levels above ``sclera_grey``) inside the circle. Mirroring, as ``_iris_patch``
    does, copies lid skin and lashes into the iris when the photo shows only a slit of it."""
    h, w = img.shape[:2]
    shown = _mask(eye_poly, (h, w))
    margin = int(np.ceil(0.25 * radius))
    if margin > 0:
        inner = shown.copy()
        inner[margin:] &= shown[:-margin]
        inner[:-margin] &= shown[margin:]
        shown = inner
    off = (np.arange(IRIS_PATCH) + 0.5) / IRIS_PATCH * 2 - 1          # -1..1
    oy, ox = np.meshgrid(off, off, indexing="ij")
    ext = radius * IRIS_EXTENT
    px, py = centre[0] + ox * ext, centre[1] + oy * ext
    colour = np.stack([map_coordinates(img[..., k].astype(np.float32), [py - 0.5, px - 0.5], order=1,
                                       mode="nearest") for k in range(3)], axis=-1)
    vis = shown[np.clip(np.floor(py).astype(int), 0, h - 1), np.clip(np.floor(px).astype(int), 0, w - 1)]
    r = np.hypot(ox, oy) * IRIS_EXTENT                                 # in iris radii
    # what shows of the iris: not the sclera inside the landmarks' circle (catchlights near the
    # pupil stay)
    iris_like = vis & ((colour.mean(-1) < sclera_grey) | (r < 0.6))
    edges = np.linspace(0.0, IRIS_EXTENT, 13)
    mids, rings = [], []
    for lo, hi in zip(edges[:-1], edges[1:]):
        px_ring = colour[iris_like & (r >= lo) & (r < hi)]
        if len(px_ring) >= 3:
            mids.append((lo + hi) / 2)
            rings.append(np.median(px_ring, axis=0))
    if not mids:
        return colour
    profile = np.stack([np.interp(r, mids, [c[k] for c in rings]) for k in range(3)], axis=-1)
    profile *= (1 - 0.2 * np.clip((r - 0.8) / 0.2, 0, 1))[..., None]  # the darker limbal ring
    keep = gaussian_filter(iris_like.astype(np.float32), 1.5)[..., None] * iris_like[..., None]
    return (colour * keep + profile * (1 - keep)).astype(np.float32)


def _paint_out_iris(img: np.ndarray, eye_poly: np.ndarray, centre: np.ndarray, radius: float,
                    fallback: np.ndarray) -> None:
    """In place: replace the iris by the sclera on either side of it, row by row (keeps the lids'
    shading on the sclera, which a flat colour would not)."""
    h, w = img.shape[:2]
    inside = _mask(eye_poly, (h, w))
    ys, xs = np.nonzero(inside)
    if len(ys) == 0:
        return
    hide = 1.25 * radius
    for y in range(max(0, int(centre[1] - hide) - 1), min(h, int(centre[1] + hide) + 2)):
        row_x = xs[ys == y]
        dist = np.hypot(np.arange(w) + 0.5 - centre[0], y + 0.5 - centre[1])
        todo = np.flatnonzero(dist <= hide)
        if len(todo) == 0:
            continue
        known = row_x[np.hypot(row_x + 0.5 - centre[0], y + 0.5 - centre[1]) > hide]
        for k in range(3):
            img[y, todo, k] = (np.interp(todo, known, img[y, known, k]) if len(known)
                               else fallback[k] * 0.9)


def clear_band(s_top, s_bot):
    """The part of the portrait's eye opening clear of its lids (their lashes and shade), between
    source v's s_top and s_bot of the lids at the same u: (lo, hi), at least a pixel apart.
    numpy or torch."""
    xp = ops_of(s_top)
    keep = SCLERA_KEEP * xp.clip(s_bot - s_top, 0)
    lo = s_top + keep
    return lo, xp.clip(s_bot - keep, lo + 1.0)


def sclera_row(irisless: np.ndarray, lm: np.ndarray, eye: EyeRim) -> np.ndarray:
    """The colour a widened eye holds beyond the photo's own sclera, corner to corner: the iris-free
    portrait averaged down each column of the clear band and smoothed along the eye. Holding the
    band's edge row instead carried every pixel of it up the uncovered eyeball as a vertical streak
    (a glint, a vessel, the painted-out iris's rim)."""
    axis = Axis.between(lm[eye.corners[0], :2], lm[eye.corners[1], :2])
    u = np.linspace(0.0, 1.0, SCLERA_ROW)
    lo, hi = clear_band(*profiles(u, [axis.to_uv(lm[eye.upper, :2]), axis.to_uv(lm[eye.lower, :2])]))
    v = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, 7)
    px = axis.to_px(np.broadcast_to(u[:, None], v.shape), v)
    row = np.stack([map_coordinates(irisless[..., k], [px[..., 1] - 0.5, px[..., 0] - 0.5], order=1,
                                    mode="nearest").mean(1) for k in range(3)], axis=-1)
    return gaussian_filter1d(row, SCLERA_ROW_BLUR * (SCLERA_ROW - 1), axis=0, mode="nearest").astype(np.float32)


def _iris_circle(lm: np.ndarray, eye: EyeRim) -> tuple[np.ndarray, float]:
    """The iris landmarks' centre and mean radius."""
    c = lm[eye.iris_centre, :2].astype(np.float64)
    return c, float(np.linalg.norm(lm[eye.iris_ring, :2] - c, axis=1).mean())


def read_portrait(img: np.ndarray, lm: np.ndarray) -> PortraitLook:
    """img uint8 [S, S, 3] at output size, lm [478, 3] in the same pixels."""
    shape = img.shape[:2]
    lips = _mask(lm[OUTER_LIPS, :2], shape) & ~_mask(lm[inner_lip_loop(), :2], shape)
    lip = _robust_colour(img[lips], [150, 80, 80])
    eyes, sclera_px, lash_px = [], [], []
    # The iris as the photo shows it, one size for both eyes (each row's reading is noisy).
    circles = [_iris_circle(lm, eye) for eye in EYES]
    openings = [_mask(lm[eye.loop, :2], shape) for eye in EYES]
    seen = [_seen_iris_radius(img, inside, c, r) for inside, (c, r) in zip(openings, circles)]
    seen_share = float(np.mean([r_seen / max(r, 1e-6) for (r_seen, _), (_, r) in zip(seen, circles)]))
    for eye, (c, r), inside, (_, sclera_grey) in zip(EYES, circles, openings, seen):
        poly = lm[eye.loop, :2]
        yy, xx = np.nonzero(inside)
        far = np.hypot(xx + 0.5 - c[0], yy + 0.5 - c[1]) > 1.25 * r
        sclera_px.append(img[yy[far], xx[far]])
        # Lashes: the darkest pixels just above the upper lid.
        up = lm[eye.upper, :2]
        band = _mask(np.concatenate([up, up[::-1] - [0, max(1.5, 0.15 * r)]]), shape)
        lash_px.append(img[band])
        width = float(np.linalg.norm(lm[eye.corners[1], :2] - lm[eye.corners[0], :2]))
        skin = _mask(np.concatenate([up - [0, 0.12 * width], up[::-1] - [0, 0.3 * width]]), shape)
        lid = _robust_colour(img[skin], [170, 130, 110])
        r_seen = seen_share * r
        eyes.append(EyeLook(c, r, lid_gap(lm, eye), _iris_patch(img, poly, c, r), lid,
                            _open_iris_patch(img, poly, c, r_seen, sclera_grey), r_seen))
    sclera_all = np.concatenate(sclera_px)
    sclera = _robust_colour(sclera_all, [220, 210, 200], brightest=0.5)
    lash_all = np.concatenate(lash_px)
    lash = _robust_colour(lash_all[lash_all.mean(1) <= np.quantile(lash_all.mean(1), 0.2)]
                          if len(lash_all) > 10 else lash_all, [40, 30, 25])
    teeth = _teeth_colour(img, lm, sclera, lip)
    irisless = img.astype(np.float32)
    for eye, look in zip(EYES, eyes):
        _paint_out_iris(irisless, lm[eye.loop, :2], look.centre, look.radius, sclera)
    eyes = [replace(look, sclera_row=sclera_row(irisless, lm, eye)) for eye, look in zip(EYES, eyes)]
    return PortraitLook(lip=lip, sclera=sclera, lash=lash, mouth_open=mouth_gap(lm), eyes=tuple(eyes),
                        irisless=irisless, teeth=teeth, landmarks=np.asarray(lm, dtype=np.float64))


def _teeth_colour(img: np.ndarray, lm: np.ndarray, sclera: np.ndarray, lip: np.ndarray) -> np.ndarray:
    """Teeth are a little warmer and darker than the sclera; a smiling portrait shows its own."""
    fallback = sclera * np.array([0.96, 0.93, 0.85], dtype=np.float32)
    if mouth_gap(lm) < 0.05:
        return fallback
    px = img[_mask(lm[inner_lip_loop(), :2], img.shape[:2])].astype(np.float32)
    if len(px) < 20:
        return fallback
    bright = px[px.mean(1) >= np.quantile(px.mean(1), 0.7)]
    colour = np.median(bright, axis=0)
    # Only trust it if it is clearly lighter than the lips (teeth, not a dark open mouth).
    return colour.astype(np.float32) if colour.mean() > lip.mean() + 25 else fallback
