"""Does the portrait wear glasses, and where are they?

Glasses are rigid: they move with the skull, not with the brows, lids and cheeks a warp moves
around the eyes. Finding them needs no model, only the edge structure spectacles leave across the
eye region, measured in millimetres of the face (the outer eye corners are taken 63 mm apart):

- the **bridge**: a thin, nearly horizontal bar across the nose between the eyes (rimless
  glasses have one too), where a bare nose bridge is smooth skin;
- the **rims' lower edges**: an arc below each eye, a few millimetres under the lower lid, at the
  same height on both sides;
- the **temple arms**: thin lines running from the lenses' outer edges back toward the ears;
- the **top bar**: the bridge's line carried on over both lenses (full-rim, browline and cat-eye
  frames join the bridge to the rims' tops), where a nose's shading between the eyes stops at them.

Each cue is a row of strong vertical-gradient pixels that keeps going across its window: the
score is how much the best row's mean edge strength stands out over the window's typical row,
normalised by the image's contrast over ~8 mm around it (a thick dark frame is its own strongest
edge: a narrower window, 4 mm, divided a thick bar by itself and scored thick tinted frames 0.82).
Glasses need the bridge plus one of the other three, which wrinkles, brows, lashes and a nose's
shading do not give together. The score is a property of the face, not of the pixels it happens
to have: the renderer measures it on the portrait at its own resolution, whatever size it renders.

``footprint`` draws where the frame lies: a band around each lens (a rounded rectangle placed
on the face in 3-D: a turned face's far lens lies past its nose, ``_lenses``), the bridge and
the arms to the face's outline level with the lenses, and the top bar along the bridge's line;
the renderer moves that band rigidly with the head, and the eyes inside the lenses keep their own
motion. Where the top bar stands out, the bar's own top edge is measured along it (``bar_top``):
the band ends just above it, and the round bands' arcs above it are left out. They lie over the
brows (the older woman's, a rimless pair's), and brows held there do not lower: 0 % of an angry
brow's 6 mm reached the pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.ndimage import gaussian_filter, map_coordinates, maximum_filter, median_filter, sobel

from .topology import REGIONS

EYE_SPAN_MM = 63.0
RIGHT_EYE, LEFT_EYE = (33, 133), (362, 263)      # (outer, inner), (inner, outer): image left to right
THRESHOLD = 1.0
BRIDGE_MIN = 0.8     # the bridge's line stands out this much (a bare nose: ~0.2-0.65) ...
SIDE_MIN = 0.9       # ... and the rims', the arms' or the top bar's this much (wrinkles alone
                     # reach ~0.8-1.3 on the rims; a bare face's top bar ~-0.4-0.65)
CONTRAST_MM = 8.0    # the window the gradient is normalised over
# The frame's footprint: lenses ~this much wider than the eye on each side, this tall for their
# width, centred this far below the eye corners' line; the frame a band this wide around them.
LENS_MARGIN_MM, LENS_ASPECT, LENS_DROP_MM, RIM_BAND_MM = 10.0, 0.7, 2.0, 3.5
# a frame wraps round the face: each lens is angled this much from the face's plane, so a turned
# face's near lens is foreshortened less than the turn alone makes it and its far lens more (the
# 3/4 man's: 0.85 and 0.65 of their frontal width in the photo; the turn alone, 0.77 both)
LENS_WRAP_DEG = 8.0
# the lens's outline, |u|^n + |v|^n = 1: 2 an ellipse, 4 near a rounded rectangle (a round
# frame's rim still lies inside its band, RIM_BAND_MM either side; an ellipse's band left the 3/4
# man's square rim's top corners to be carried up by a raised brow, torn off the frame)
LENS_SQUARENESS = 4.0
TOP_BAND_MM = (6.5, 4.5)   # the top bar's band above and below the bridge's line (a thick
                           # frame's bar is ~5 mm, and a cat-eye's rises toward its hinges)
EYE_CLEAR_MM = 2.0   # the eyes' openings, grown this much, stay out of the top bar
BAR_MARGIN_MM = 3.0  # the top bar's band reaches this far over the bar's measured top edge (a
                     # coarse grid's node is ~2 mm: with less, skin pulled over the bar drags it)
BAR_EDGE_MM = 0.25   # rows the bar's top edge is searched in, this far apart ...
BAR_WING_MM = 10.0   # ... in columns from this far outside one outer eye corner to the other's
BAR_DARKER = 0.4     # a column is on the bar where under its top edge is this much darker (``_bar_top``)


@dataclass(frozen=True)
class GlassesFound:
    score: float     # >= 1: glasses (both the bridge and a side cue stand out enough)
    bridge: float    # how much each cue's strongest line stands out over its window's typical one
    rims: float
    arms: float
    top: float = 0.0
    bridge_mm: float = 0.0   # where the bridge's line runs: mm below the inner eye corners' line
    bar_top: tuple = ()      # (u, top): the top bar's top edge, ``top`` mm over the bridge's line at
                             # ``u`` mm along the eye line from the inner corners' midpoint; () where
                             # the bar does not stand out (its band then reaches TOP_BAND_MM[0])

    @property
    def present(self) -> bool:
        return self.score >= THRESHOLD


def _band_strength(grad: np.ndarray, centre: np.ndarray, along: np.ndarray, half_len: float,
                   offsets: np.ndarray) -> np.ndarray:
    """Mean gradient strength along lines parallel to ``along`` through centre + offset * normal,
    one value per offset (pixels)."""
    normal = np.array([-along[1], along[0]])
    t = np.linspace(-half_len, half_len, max(int(2 * half_len), 8))
    pts = centre[None, None] + t[None, :, None] * along + offsets[:, None, None] * normal
    vals = map_coordinates(grad, [pts[..., 1] - 0.5, pts[..., 0] - 0.5], order=1, mode="nearest")
    return vals.mean(axis=1)


def _stand_out(profile: np.ndarray) -> float:
    """How far the strongest line stands above the typical one, in units of the typical one."""
    base = float(np.median(profile))
    return float((profile.max() - base) / max(base, 1e-6))


def detect(image: np.ndarray, lm: np.ndarray) -> GlassesFound:
    """image uint8 [H, W, 3] (a portrait crop), lm [478, 3] its landmarks in the same pixels."""
    lm = np.asarray(lm, dtype=np.float64)
    mm = float(np.linalg.norm(lm[263, :2] - lm[33, :2])) / EYE_SPAN_MM
    grey = image[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    grey = gaussian_filter(grey, max(0.4, 0.15 * mm))
    # the vertical gradient, normalised by the local contrast (a dark photo is no less sharp)
    gy = np.abs(sobel(grey, axis=0)) + 0.3 * np.abs(sobel(grey, axis=1))
    local = gaussian_filter(gy, CONTRAST_MM * mm) + 1.0
    grad = gy / local
    axis = lm[263, :2] - lm[33, :2]
    along = axis / max(np.linalg.norm(axis), 1e-6)
    down = np.array([-along[1], along[0]])
    # Bridge: across the nose between the inner corners, from 6 mm above to 8 mm below them.
    inner = 0.5 * (lm[133, :2] + lm[362, :2])
    gap = float(np.linalg.norm(lm[362, :2] - lm[133, :2]))
    bridge_offsets = np.arange(-6, 8, 0.5)
    bridge_line = _band_strength(grad, inner, along, 0.3 * gap, bridge_offsets * mm)
    bridge, bridge_mm = _stand_out(bridge_line), float(bridge_offsets[np.argmax(bridge_line)])
    # Lower rims: below each eye, same band on both sides (3 to 12 mm under the lower lid).
    rims = []
    for outer, inner_k, lower in ((33, 133, 145), (263, 362, 374)):
        centre = np.array([0.5 * (lm[outer, 0] + lm[inner_k, 0]), lm[lower, 1]])
        rims.append(_band_strength(grad, centre, along, 0.45 * np.linalg.norm(lm[outer, :2] - lm[inner_k, :2]),
                                   np.arange(3, 12, 0.5) * mm))
    rim = _stand_out(np.minimum(rims[0], rims[1]))
    # Arms: from each outer corner toward the ear, near the eye line.
    arms = []
    for outer, sign in ((33, -1.0), (263, 1.0)):
        start = lm[outer, :2] + sign * along * 9.0 * mm
        arms.append(_band_strength(grad, start, along, 5.0 * mm, np.arange(-5, 4, 0.5) * mm))
    arm = _stand_out(np.minimum(arms[0], arms[1]))
    # Top bar: over each eye, 16 mm above to 10 mm below the inner corners' line; how much the
    # rows within 1.5 mm of the bridge's line stand out there.
    offsets = np.arange(-16, 10, 0.5)
    tops = []
    for a, b in ((33, 133), (362, 263)):
        centre = 0.5 * (lm[a, :2] + lm[b, :2])
        shift = float((centre - inner) @ down) / mm          # the eye's centre below the inner line
        tops.append(_band_strength(grad, centre, along, 0.45 * np.linalg.norm(lm[b, :2] - lm[a, :2]),
                                   (offsets - shift) * mm))
    profile = np.minimum(tops[0], tops[1])
    base = max(float(np.median(profile)), 1e-6)
    top = float((profile[np.abs(offsets - bridge_mm) <= 1.5].max() - base) / base)
    score = min(bridge / BRIDGE_MIN, max(rim, arm, top) / SIDE_MIN)
    bar_top = _bar_top(grey, lm, mm, along, down, inner + down * bridge_mm * mm) if top >= SIDE_MIN else ()
    return GlassesFound(score, bridge, rim, arm, top, bridge_mm, bar_top)


def _bar_top(grey: np.ndarray, lm: np.ndarray, mm: float, along, down, line: np.ndarray) -> tuple:
    """The top bar's top edge across the face: in each column (every 0.5 mm along the eye line,
    from BAR_WING_MM outside one outer eye corner to the other's), the row up to TOP_BAND_MM[0]
    over the bridge's line through ``line`` where the portrait darkens most going down, off the
    eyes. A column is on the bar where the 1.5 mm under that edge are BAR_DARKER darker than the
    1.5 mm over it (a thick frame: ~0.8; the skin between the lenses, a lid's crease: 0.1-0.4);
    elsewhere the band stops BAR_MARGIN_MM over the bridge's line. -> (u, top) mm, smoothed
    along the bar, plus BAR_MARGIN_MM, at most TOP_BAND_MM[0] (the band never grows)."""
    ends = [float((lm[k, :2] - line) @ along) / mm for k in (33, 263)]
    u = np.arange(min(ends) - BAR_WING_MM, max(ends) + BAR_WING_MM, 0.5)
    v = np.arange(-TOP_BAND_MM[0] - BAR_MARGIN_MM, 1.0, BAR_EDGE_MM)
    pts = line + (u[None, :, None] * along + v[:, None, None] * down) * mm
    at = [pts[..., 1] - 0.5, pts[..., 0] - 0.5]
    g = map_coordinates(grey, at, order=1, mode="nearest")
    eyes = map_coordinates(_eye_openings(grey.shape, lm, mm), at, order=0, mode="constant") > 0
    step = max(1, int(round(0.5 / BAR_EDGE_MM)))                   # rows 1 mm apart
    darker = np.where(eyes[step:-step], -np.inf, g[:-2 * step] - g[2 * step:])
    k = np.argmax(darker, axis=0) + step                             # the edge's row
    cols = np.arange(len(u))
    rows = np.arange(1, 3 * step + 1)                                # 0.25-1.5 mm off the edge
    over = g[np.clip(k[None] - rows[:, None], 0, len(v) - 1), cols].mean(0)
    under = g[np.clip(k[None] + rows[:, None], 0, len(v) - 1), cols].mean(0)
    bar = (over - under >= BAR_DARKER * np.maximum(over, 1.0)) & np.isfinite(darker.max(0))
    top = np.where(bar, BAR_MARGIN_MM - v[k], BAR_MARGIN_MM)
    # a lone column off (a glint) or on (a wrinkle) is outvoted; then the bar's ends are held
    # 1.5 mm on (where a bar's end curves up, the median cuts it)
    top = maximum_filter(median_filter(top, size=9, mode="nearest"), size=7, mode="nearest")
    top = np.clip(top, BAR_MARGIN_MM, TOP_BAND_MM[0])
    return tuple(map(float, u)), tuple(map(float, top))


def _eye_openings(shape, lm: np.ndarray, mm: float) -> np.ndarray:
    """uint8 [H, W]: 1 over the eyes' openings grown by EYE_CLEAR_MM (lids keep blinking there)."""
    eyes = np.zeros(shape, np.uint8)
    for side in ("right_eye", "left_eye"):
        pts = np.round(lm[REGIONS[side], :2] - 0.5).astype(np.int32)
        cv2.fillConvexPoly(eyes, cv2.convexHull(pts), 1)
    r = max(1, int(round(EYE_CLEAR_MM * mm)))
    return cv2.dilate(eyes, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))


def _eye_axes(shape, lm: np.ndarray):
    """(landmarks as float64, px per mm, pixel-centre grids xx and yy of ``shape``, the unit vector
    along the eye line and the one down the face across it)."""
    lm = np.asarray(lm, dtype=np.float64)
    mm = float(np.linalg.norm(lm[263, :2] - lm[33, :2])) / EYE_SPAN_MM
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]] + 0.5
    axis = lm[263, :2] - lm[33, :2]
    along = axis / max(np.linalg.norm(axis), 1e-6)
    return lm, mm, xx, yy, along, np.array([-along[1], along[0]])


def footprint(shape, lm: np.ndarray, found: GlassesFound | None = None) -> np.ndarray:
    """float32 [H, W] 0..1: where the glasses' frame lies (feathered): a band around each lens
    (the lens itself is left out: the eyes behind it keep moving), the bridge and the arms out to
    the face's outline. With ``found`` (``detect``), also the top bar: a band along the bridge's
    line across both lenses, less the eyes' openings (lids keep blinking under it). A browline or
    cat-eye frame's thick top runs there, well inside the round lens's band, and the brows moving
    behind it would otherwise bend it."""
    lm, mm, xx, yy, along, down = _eye_axes(shape, lm)
    out = np.zeros(shape, np.float32)
    lenses = []
    # a measured top bar is the frame's top: the round bands' arcs above it are skin (brows)
    roof = _bar_rows(lm, mm, along, down, found, xx, yy)[:2] if found is not None and found.bar_top else None
    placed, mm3 = _lenses(lm, along, down)
    for c, half_w, half_h in placed:
        du = ((xx - c[0]) * along[0] + (yy - c[1]) * along[1]) / half_w
        dv = ((xx - c[0]) * down[0] + (yy - c[1]) * down[1]) / half_h
        rho = (np.abs(du) ** LENS_SQUARENESS + np.abs(dv) ** LENS_SQUARENESS) ** (1.0 / LENS_SQUARENESS)
        band = np.abs(rho - 1.0) * half_h <= RIM_BAND_MM * mm3
        if roof is not None:
            band &= roof[1] >= -roof[0]
        out = np.maximum(out, band.astype(np.float32))
        lenses.append((c, half_w, half_h))
    # the bridge between the lenses' inner edges, the arms from their outer edges to the outline level
    # with them (``_arm_end``)
    (c0, w0, h0), (c1, w1, h1) = lenses
    segments = ((c0 + along * w0, c1 - along * w1), (_arm_end(lm, c0 - along * w0, h0, along, down, -1.0), c0 - along * w0),
                (c1 + along * w1, _arm_end(lm, c1 + along * w1, h1, along, down, 1.0)))
    for p0, p1 in segments:
        seg = p1 - p0
        t = np.clip(((xx - p0[0]) * seg[0] + (yy - p0[1]) * seg[1]) / max(seg @ seg, 1e-6), 0, 1)
        d = np.hypot(xx - (p0[0] + t * seg[0]), yy - (p0[1] + t * seg[1]))
        out = np.maximum(out, (d <= RIM_BAND_MM * mm).astype(np.float32))
    # never over the eyes' openings (one sees through a lens): on a turned face's far eye, half
    # hidden by the nose, the bridge's band covered the eye and held it open while the lids moved
    openings = _eye_openings(shape, lm, mm)
    out[openings > 0] = 0.0
    if found is not None:
        out = np.maximum(out, _top_bar(shape, lm, mm, along, down, found, xx, yy, openings))
    return _feathered(out, mm)


def _lenses(lm: np.ndarray, along, down) -> tuple[list, float]:
    """([(centre, half width along the eye line, half height across it)] of each lens (right eye,
    left eye), in image px; true px per mm). A lens is placed and sized on the face in 3-D, from the
    landmarks' depth: both lenses the size of the eyes' mean width (a turned face's far eye is
    foreshortened and half hidden by the nose: sized on it alone, the 3/4 man's far lens was a
    ring round the eye itself, held still while his lids narrowed), narrowed by the turn and the
    frame's wrap (``LENS_WRAP_DEG``), and carried sideways by the turn as far as the frame's
    plane, level with the nose bridge, stands in front of the eyes (his far lens lies past his
    nose). Only the turn: a head tipped up or down keeps the lenses LENS_DROP_MM under the eyes
    (set on frontal faces; the forehead-to-chin line says little about how the frame tilts)."""
    xyz = lm[:, :3]
    span = float(np.linalg.norm(xyz[263] - xyz[33]))
    mm = span / EYE_SPAN_MM                                   # true px per mm, turned or not
    turn = np.arccos(min(1.0, float(np.linalg.norm(lm[263, :2] - lm[33, :2])) / max(span, 1e-6)))
    x_axis = (xyz[263] - xyz[33]) / max(span, 1e-6)
    chin = xyz[152] - xyz[10]
    y_axis = chin - (chin @ x_axis) * x_axis
    z_axis = np.cross(x_axis, y_axis / max(float(np.linalg.norm(y_axis)), 1e-6))   # into the image
    widths = [float(np.linalg.norm(xyz[b] - xyz[a])) for a, b in (RIGHT_EYE, LEFT_EYE)]
    half = 0.25 * sum(widths) + LENS_MARGIN_MM * mm
    eyes = [0.5 * (xyz[a] + xyz[b]) for a, b in (RIGHT_EYE, LEFT_EYE)]
    nearer = 0 if eyes[0][2] <= eyes[1][2] else 1          # depth grows away from the camera
    out = []
    for k, eye in enumerate(eyes):
        ahead = float((xyz[168] - eye) @ z_axis)               # < 0: the bridge stands in front
        sideways = float(z_axis[:2] @ along) * ahead
        c = eye[:2] + down * LENS_DROP_MM * mm + along * sideways
        # (a face seen nearly in profile would turn its far lens past edge-on: a sliver, not less)
        narrow = max(float(np.cos(turn + np.radians(LENS_WRAP_DEG) * (-1.0 if k == nearer else 1.0))), 0.1)
        out.append((c, half * narrow, LENS_ASPECT * half))
    return out, mm


def _arm_end(lm: np.ndarray, hinge: np.ndarray, half_h: float, along, down, sign: float) -> np.ndarray:
    """Where an arm meets the face's outline: the outline's outermost point (``sign`` -1: toward
    the image's left along the eye line, +1: right) among those level with the lens (within its
    half-height across the eye line through its outer edge, ``hinge``): the arms run back to the
    ears. Over the whole outline, a turned and rolled head's outermost point can be its jaw: the
    3/4 man's far arm ran from his lens down through his moustache to his chin (the footprint
    reached 121 rows below his nose tip), and held rigid there it pasted the car's window over
    his cheek. With no point level (a lens past a turned face's outline), the arm ends at the lens."""
    oval = lm[REGIONS["face_oval"], :2]
    level = np.abs((oval - hinge) @ down) <= half_h
    if not level.any():
        return hinge
    pts = oval[level]
    return pts[np.argmax(sign * (pts @ along))]


def top_bar(shape, lm: np.ndarray, found: GlassesFound) -> np.ndarray:
    """float32 [H, W] 0..1: the top bar's band alone (feathered as ``footprint``): where a frame
    hides what lies behind it (brows under a thick bar), so skin the warp pulls out from there
    must not bring the frame's pixels along."""
    lm, mm, xx, yy, along, down = _eye_axes(shape, lm)
    return _feathered(_top_bar(shape, lm, mm, along, down, found, xx, yy, _eye_openings(shape, lm, mm)), mm)


def _feathered(band: np.ndarray, mm: float) -> np.ndarray:
    return np.clip(gaussian_filter(band, 1.2 * mm) * 1.5, 0.0, 1.0).astype(np.float32)


def _bar_rows(lm, mm, along, down, found: GlassesFound, xx, yy):
    """(top [H, W]: how far (px) over the bridge's line the top bar's band reaches in each pixel's
    column, dv [H, W]: each pixel's px below that line, du [H, W]: px along it, the point of
    that line between the inner eye corners)."""
    inner = 0.5 * (lm[133, :2] + lm[362, :2]) + down * found.bridge_mm * mm
    du = (xx - inner[0]) * along[0] + (yy - inner[1]) * along[1]
    dv = (xx - inner[0]) * down[0] + (yy - inner[1]) * down[1]
    top = TOP_BAND_MM[0] * mm
    if found.bar_top:
        top = np.interp(du / mm, *found.bar_top) * mm      # beyond the measured ends: theirs
    return top, dv, du, inner


def _top_bar(shape, lm, mm, along, down, found: GlassesFound, xx, yy, openings: np.ndarray) -> np.ndarray:
    """float32 [H, W] 0/1: the band along the bridge's line from one side of the face's outline to
    the other, less the eyes' openings (``_eye_openings``, uint8)."""
    top, dv, du, inner = _bar_rows(lm, mm, along, down, found, xx, yy)
    # out to the face's outline: the hinges, and the arms from them, sit at the top bar's height
    oval = (lm[REGIONS["face_oval"], :2] - inner) @ along
    u0, u1 = float(oval.min()), float(oval.max())
    bar = ((du >= u0) & (du <= u1) & (dv >= -top) & (dv <= TOP_BAND_MM[1] * mm)).astype(np.uint8)
    return (bar & (1 - openings)).astype(np.float32)
