"""What the renderer learns about the portrait's mouth once: where its teeth are, their colours.

- **Where the teeth sit.** The upper incisors' biting edge is found in the photo when the portrait
  shows its teeth: along the middle of the opening the luminance falls sharply where the upper
  teeth end (a dark gap, or the shadow line over the lower teeth). With closed lips it is taken
  ~1 mm below the lips' meeting line, behind them. Either way it is stored in normalized face space
  (``dental_arch``), so every frame finds it through its own head pose: the upper teeth stay with
  the skull whatever the lips do, and a neutral upper lip hides most of a smile's teeth.
- **Colours, all from the portrait.** Teeth: the portrait's own (the brighter half of the upper
  teeth band) when it shows them, else its sclera, a shade darker, warmed by a trace of the skin's
  tint. Gums, the inner lips' wet lining, the tongue and the oral cavity: the lips' hue, darker and
  (the tongue, the deep cavity) less saturated. A greyscale portrait has no tint anywhere, so
  nothing drawn can add one.
- **The teeth atlas.** A small window of the portrait around its mouth with, as a fourth channel,
  where its upper teeth are visible: frames paste the portrait's own teeth from it (``mouth``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter, gaussian_filter1d, map_coordinates

from talkface_studio.face.normalize import Pose, estimate_pose

from .dental_arch import LOWER_BEHIND_MM, MM, UPPER_K, ArchView, view_arch
from .face_loops import INNER_LOWER_LIP, INNER_UPPER_LIP, MOUTH_CORNERS
from .pixel_ops import LUMA, ops_of
from .rim_frame import Axis, profiles

CHIN = 152
LIP_SHADOW = 0.72          # light left on the teeth right under the upper lip
LIP_SHADOW_MM = 2.0        # ... all of it this far below
CLOSED_EDGE_MM = 2.5       # closed lips: the biting edge this far below their meeting line (the
                           # upper incisors a relaxed adult face shows with the lips apart)
RIM_TO_EDGE_MM = 3.5       # the biting edge lies this far behind the upper lip's inner rim
EDGE_SLACK_MM = 0.0        # the teeth atlas reaches this far below the found biting edge
CHEEKS = (205, 425)        # mid-cheek landmarks, left and right
GREY_CHROMA = 4.0          # mean channel spread (0..255) below which a face counts as greyscale
WHITE_CHROMA_SHARE = 0.75  # the white of an eye is at most this colourful (chroma over luminance) as
                           # the lit skin in the same light (measured 0.67-0.70); more, and what was
                           # read is no white: a tinted lens, lids or skin in a squint, a red eye
TEETH_CHROMA_SHARE = 0.5   # ... then the teeth take this share of the lit skin's colour (the gallery's
                           # portraits that show their own teeth: 0.17-0.66)


@dataclass(frozen=True)
class MouthLook:
    pose: Pose                   # the portrait's head pose
    edge_n: np.ndarray           # [3] upper central biting edge, normalized face space
    lower_n: np.ndarray          # [3] lower central biting edge (the portrait's jaw position)
    chin_y: float                # the portrait's chin height, normalized (jaw opening reference)
    own_teeth: bool              # the portrait shows its upper teeth
    teeth: np.ndarray            # [3] RGB colours 0..255
    gum: np.ndarray
    cavity: np.ndarray           # the oral cavity just inside the lips, lit
    cavity_deep: np.ndarray      # ... deep in the mouth, where hardly any light reaches
    tongue: np.ndarray           # the tongue's top, lit
    mucosa: np.ndarray           # the inner lips' wet lining
    arch: ArchView               # the upper arch as the portrait sees it
    atlas: object | None         # texture (``pixel_ops``: numpy [h, w, 5], a tensor [1, 5, h, w] on
                                 # the GPU path): RGB (+ TEXTURE_OFFSET), upper teeth shown, lip shadow
    atlas_box: tuple[int, int, int, int]   # (x0, y0, w, h) of the atlas in portrait pixels


def shadow_below_lip(mm_below):
    """How much light reaches a point this far (mm, array or tensor) below the upper lip's inner
    rim: LIP_SHADOW at the rim, all of it LIP_SHADOW_MM below."""
    t = mm_below / LIP_SHADOW_MM
    t = ops_of(t).clip(t, 0.0, 1.0)
    return LIP_SHADOW + (1.0 - LIP_SHADOW) * t * t * (3.0 - 2.0 * t)


def luminance(rgb) -> float:
    return float(np.asarray(rgb, dtype=np.float64) @ LUMA)


def _tinted(base: np.ndarray, lum: float, chroma_gain: float, grey: bool) -> np.ndarray:
    """A colour of luminance ``lum`` with ``base``'s tint scaled by ``chroma_gain`` (none if grey)."""
    base = np.asarray(base, dtype=np.float64)
    tint = base - luminance(base)
    if grey:
        tint = tint * 0.0
    return np.clip(lum + tint * chroma_gain * lum / max(luminance(base), 1.0), 0, 255).astype(np.float32)


def teeth_tone(sclera, skin_bright) -> np.ndarray:
    """The teeth's tone (any luminance): the sclera's white balance warmed by a trace of the skin's
    tint, if the sclera can be a white in the light that lit the skin's highlights; else a white
    with TEETH_CHROMA_SHARE of the skin's tint (amber lenses read as the eyes' whites once gave a
    smile orange teeth). Between WHITE_CHROMA_SHARE and 4/3 of it the two blend, so a portrait
    near the limit does not switch at some render size."""
    sclera = np.asarray(sclera, np.float64)
    skin = np.asarray(skin_bright, np.float64)
    white_l, skin_l = max(luminance(sclera), 1.0), max(luminance(skin), 1.0)
    own = sclera + 0.12 * (skin - skin_l)
    limit = WHITE_CHROMA_SHARE * np.linalg.norm(skin - skin_l) / skin_l
    excess = np.linalg.norm(sclera - white_l) / white_l - limit
    if excess <= 0.0:
        return own
    t = min(excess / max(limit / 3.0, 1e-3), 1.0)
    t = t * t * (3.0 - 2.0 * t)
    return (1.0 - t) * own + t * white_l * (1.0 + TEETH_CHROMA_SHARE * (skin - skin_l) / skin_l)


def mouth_colours(lip: np.ndarray, sclera: np.ndarray, skin_bright: np.ndarray, teeth_px: np.ndarray | None,
                  grey: bool) -> dict:
    """Teeth, gum, cavity and tongue colours from the portrait's lips, sclera, the skin's highlights
    (its brighter pixels) and (if shown) its own teeth pixels [N, 3]."""
    if teeth_px is not None and len(teeth_px) >= 12:
        lum = teeth_px @ LUMA
        teeth = np.median(teeth_px[lum >= np.quantile(lum, 0.5)], axis=0)
    else:
        # the sclera's white balance (if it can be a white: ``teeth_tone``), a little darker than
        # the sclera (teeth behind lips get less light than the eyes), or than the skin's
        # highlights where the sclera is darker than those (a sclera in the shade of a brow or
        # behind glasses reads darker than teeth in the same light)
        tone = teeth_tone(sclera, skin_bright)
        lum = min(max(0.92 * luminance(sclera), 0.95 * luminance(skin_bright)), 230.0)
        teeth = tone * lum / max(luminance(tone), 1.0)
    if grey:
        teeth = np.full(3, luminance(teeth))
    lip_l = luminance(lip)
    # What a photo of an open mouth shows (as shares of the lips' luminance): the cavity just inside
    # the lips a deep red-brown, near black at the back but never pure black; the tongue lit, the
    # lips' hue but darker and less saturated; the inner lips' wet lining a shade darker than the
    # lips' outside.
    return {"teeth": np.clip(teeth, 0, 255).astype(np.float32),
            "gum": _tinted(lip, 0.8 * lip_l, 1.15, grey),
            "cavity": _tinted(lip, 0.42 * lip_l, 1.0, grey),
            "cavity_deep": _tinted(lip, 0.09 * lip_l, 0.8, grey),
            "tongue": _tinted(lip, 0.6 * lip_l, 0.9, grey),
            "mucosa": _tinted(lip, 0.82 * lip_l, 1.05, grey)}


def is_greyscale(img: np.ndarray, mask: np.ndarray) -> bool:
    px = img[mask].astype(np.float32)
    if len(px) == 0:
        return False
    return float(np.mean(px.max(1) - px.min(1))) < GREY_CHROMA


def _mouth_frame(lm: np.ndarray):
    axis = Axis.between(lm[MOUTH_CORNERS[0], :2], lm[MOUTH_CORNERS[1], :2])
    up = axis.to_uv(np.concatenate([lm[[MOUTH_CORNERS[0]], :2], lm[INNER_UPPER_LIP, :2], lm[[MOUTH_CORNERS[1]], :2]]))
    lo = axis.to_uv(np.concatenate([lm[[MOUTH_CORNERS[0]], :2], lm[INNER_LOWER_LIP, :2], lm[[MOUTH_CORNERS[1]], :2]]))
    return axis, up, lo


def find_biting_edge(img: np.ndarray, lm: np.ndarray, lip: np.ndarray, mm: float):
    """(v of the upper teeth's biting edge below the upper lip's landmarks at the mouth's middle, in
    pixels along the mouth axis' normal; teeth shown?). Closed or dark mouths: (None, False)."""
    axis, up, lo = _mouth_frame(lm)
    us = np.linspace(0.38, 0.62, 9)
    top, bottom = np.interp(us, *up), np.interp(us, *lo)
    gap = float(np.median(bottom - top))
    if gap < 2.1 * mm or gap < 2.0:
        return None, False
    t = np.linspace(0.0, 1.0, max(int(gap * 2), 8))
    rows = []
    for u, a, b in zip(us, top, bottom):
        p = axis.a + u * axis.width * axis.ex + np.outer(a + t * (b - a), axis.ey)
        rgb = np.stack([map_coordinates(img[..., k].astype(np.float32), [p[:, 1] - 0.5, p[:, 0] - 0.5],
                                        order=1, mode="nearest") for k in range(3)], axis=1)
        rows.append(rgb @ LUMA)
    prof = gaussian_filter1d(np.median(np.stack(rows), axis=0), max(0.6, 0.04 * len(t)))
    # The upper teeth: the brightest band in the upper two thirds of the opening (the landmarks
    # often sit a little inside the lips, so the band may start below them).
    upper_part = t < 0.7
    k_peak = int(np.argmax(np.where(upper_part, prof, -np.inf)))
    peak = float(prof[k_peak])
    if peak < 1.12 * luminance(lip) + 8:
        return None, False                         # an open mouth, dark behind the lips
    slope = np.gradient(prof, t)
    win = (t > max(t[k_peak], 0.2)) & (t < 0.95)
    if not win.any():
        return min(0.65 * gap, 16.0 * mm), True
    k = int(np.flatnonzero(win)[np.argmin(slope[win])])
    drop = peak - prof[min(k + max(2, len(t) // 10), len(t) - 1)]
    edge_t = t[k] if drop > 0.15 * peak else 0.65
    return min(edge_t * gap, 16.0 * mm), True


def cheek_mask(shape, lm: np.ndarray, mm: float) -> np.ndarray:
    """Discs of skin on both cheeks (below the eyes, beside the nose): the skin's own colour."""
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]] + 0.5
    mask = np.zeros(shape, bool)
    for k in CHEEKS:
        mask |= (xx - lm[k, 0]) ** 2 + (yy - lm[k, 1]) ** 2 < (8.5 * mm) ** 2
    return mask


def read_mouth(img: np.ndarray, lm: np.ndarray, lip: np.ndarray, sclera: np.ndarray,
               texture_offset: float) -> MouthLook:
    """img uint8 [S, S, 3] at output size, lm [478, 3] in its pixels; lip and sclera colours."""
    lm = np.asarray(lm, dtype=np.float64)
    pose = estimate_pose(lm)
    mm = pose.scale * MM
    skin_mask = cheek_mask(img.shape[:2], lm, mm)
    norm = ((lm - pose.translation) @ pose.rotation) / pose.scale
    axis, up, lo = _mouth_frame(lm)
    top_mid = float(np.interp(0.5, *up))
    edge_v, own = find_biting_edge(img, lm, lip, mm)
    grey = is_greyscale(img, skin_mask)
    # The biting edge's normalized position: RIM_TO_EDGE_MM behind the upper lip's inner rim, at the
    # height found in the photo (or CLOSED_EDGE_MM below closed lips' meeting line: the 1-3 mm of
    # upper teeth a relaxed face shows once its lips part).
    rim_n = norm[13].copy()
    rim_img = axis.a + 0.5 * axis.width * axis.ex + top_mid * axis.ey
    if edge_v is None:
        closed_mid = 0.5 * (top_mid + float(np.interp(0.5, *lo)))
        edge_v = closed_mid - top_mid + CLOSED_EDGE_MM * mm
    target = rim_img + edge_v * axis.ey
    edge_n = rim_n + np.array([0.0, 0.0, RIM_TO_EDGE_MM * MM])
    # slide it along the head's vertical until it projects onto the found edge
    down = (pose.scale * pose.rotation @ np.array([0.0, 1.0, 0.0]))[:2]
    here = (pose.scale * pose.rotation @ edge_n + pose.translation)[:2]
    edge_n[1] += float((target - here) @ down / max(down @ down, 1e-12))
    bottom_mid = float(np.interp(0.5, *lo))
    open_mm = max(0.0, (bottom_mid - top_mid - edge_v) / mm - 3.5)     # jaw already open below the edge
    lower_n = edge_n + np.array([0.0, (-2.0 + open_mm) * MM, LOWER_BEHIND_MM * MM])
    arch = view_arch(pose, edge_n, UPPER_K)
    teeth_px, atlas, box = None, None, (0, 0, 0, 0)
    if own:
        atlas, box, teeth_px = _teeth_atlas(img, lm, arch, mm, texture_offset, luminance(lip))
    skin_px = img[skin_mask].reshape(-1, 3).astype(np.float64)
    if len(skin_px) >= 8:
        lum = skin_px @ LUMA
        skin = np.median(skin_px[lum >= np.quantile(lum, 0.8)], axis=0)
    else:
        skin = np.array([180.0, 140.0, 120.0])
    colours = mouth_colours(lip, sclera, skin, teeth_px, grey)
    return MouthLook(pose, edge_n, lower_n, float(norm[CHIN, 1]), own, arch=arch, atlas=atlas,
                     atlas_box=box, **colours)


def _teeth_atlas(img: np.ndarray, lm: np.ndarray, arch: ArchView, mm_px: float, offset: float,
                 lip_lum: float):
    """The portrait's mouth window (RGB + offset); as a 4th channel, where it shows its upper teeth:
    inside the inner lips, down to the biting edge, so the teeth's own edges come along
    (anti-aliased over a pixel), and, where the teeth are clearly brighter than the lips, not over
    broad dark patches (a smile's dark corners, tinted by the lips: frames draw teeth in the
    cheeks' shade there instead); as a 5th, the shade its upper lip casts there
    (``shadow_below_lip``)."""
    axis, up, lo = _mouth_frame(lm)
    pts = lm[np.concatenate([INNER_UPPER_LIP, INNER_LOWER_LIP, MOUTH_CORNERS]), :2]
    pad = 4
    x0, y0 = np.floor(pts.min(0) - pad).astype(int).clip(0)
    x1, y1 = np.minimum(np.ceil(pts.max(0) + pad).astype(int), [img.shape[1], img.shape[0]])
    w, h = int(x1 - x0), int(y1 - y0)
    yy, xx = np.mgrid[y0:y1, x0:x1] + 0.5
    q = np.stack([xx, yy], -1) - axis.a
    u = q @ axis.ex / axis.width
    v = q @ axis.ey
    top, bottom = np.interp(u, *up), np.interp(u, *lo)
    # The biting edge across the mouth, as the portrait's arch places it (its smile arc).
    a = (np.stack([xx, yy], -1) - arch.origin) @ arch.across
    ua = np.asarray(arch.to_u(a), dtype=np.float32)
    (edge_up,) = profiles(ua, [(arch.u, arch.edge_up)])
    height = (np.stack([xx, yy], -1) - arch.origin) @ arch.up / arch.px_per_mm - edge_up  # mm
    inside = np.clip(np.minimum(v - top, bottom - v) + 0.5, 0, 1) * (u > 0.02) * (u < 0.98)
    above_edge = np.clip((height + EDGE_SLACK_MM) * arch.px_per_mm + 0.5, 0, 1)
    vis = (inside * above_edge).astype(np.float32)
    rgb = img[y0:y1, x0:x1].astype(np.float32)
    teeth_px = rgb[(vis > 0.9) & (height > 0.5)]
    if len(teeth_px) >= 12:
        lum = teeth_px @ LUMA
        teeth_lum = float(np.median(lum[lum >= np.quantile(lum, 0.5)]))
        if teeth_lum > lip_lum + 30:
            # (blurred over ~1.5 mm: the thin dark lines between teeth stay theirs)
            broad = gaussian_filter(rgb @ LUMA.astype(np.float32), 1.5 * mm_px)
            vis *= np.clip((broad - lip_lum) / (0.5 * (teeth_lum - lip_lum)), 0.0, 1.0)
    # the portrait's own upper lip shadow on its teeth (frames swap it for theirs)
    shadow = shadow_below_lip(np.clip(v - top, 0, None) / mm_px).astype(np.float32)
    atlas = np.concatenate([rgb + offset, vis[..., None], shadow[..., None]], axis=2)
    return np.ascontiguousarray(atlas, dtype=np.float32), (int(x0), int(y0), w, h), teeth_px
