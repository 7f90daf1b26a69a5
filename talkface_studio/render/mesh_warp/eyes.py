"""Eyes: the eyeball stays put while the lids slide over it; the iris is redrawn at the gaze.

The warp carries the portrait's eye into the target lids (the eye openings are filled by strip
triangles), which squashes the eyeball when a lid lowers. So when a lid closes, the opening shows
the portrait's eye mapped rigidly with the eye corners instead, and the band between the lid's rest
line and the lowered lid becomes lid skin: the portrait's own skin from above its lashes, stretched,
shaded round over the eyeball, with a crease at the top and the lashes along the margin. When the
target iris landmarks (468-477) say the iris went elsewhere, the portrait's iris texture is pasted
there and the old iris is painted over with the portrait's iris-free sclera. When a lid opens wider
than the portrait's (surprise, fear, a glare), the warp would stretch the photo's eye opening into
a tall iris with no white above it; instead the eyeball is again mapped rigidly with the corners,
the band the lid uncovers is the portrait's own sclera (its iris-free texture from the part of the
eye the photo shows clear of the lids, beyond it that band's colour smoothed along the eye,
``appearance.sclera_row``, toward its clearest sclera colour), the iris is redrawn as a full disc of
its own size (``appearance.EyeLook.open_patch``), the lid casts its shadow on the eyeball with a
lid-margin line along its new edge, and a crease shades the skin a little above the raised margin
(the lid tucks under it). Eyes the portrait shows turned well away keep
the warp, widened or looking elsewhere (their iris is an ellipse in the photo). An eye that neither
blinks, widens nor looks elsewhere is left exactly as the warp drew it (no work at all).
"""

from __future__ import annotations

import numpy as np

from . import flow
from .appearance import IRIS_EXTENT, SCLERA_ROW, EyeLook, PortraitLook, clear_band, lid_gap
from .face_loops import EYES, EyeRim
from .pixel_ops import ops_of
from .pixel_window import smoothstep
from .rim_frame import Axis, rim_strips, soft_bump

LASH_BAND = 0.12     # lashes and lid-margin shadow above the portrait's lid, in eye widths (skipped)
LID_SKIN = 0.15      # lid skin above that, in eye widths: what an unfolding lid shows
WIDEN_ON = (0.2, 0.45)   # lid gap over the portrait's, minus 1: where the widened eye takes over
CREASE_ABOVE = 0.08  # a raised lid's crease above its margin, in eye widths (~2.5 mm: the lid tucks under it)


def _blend(base, colour, alpha):
    return base + (colour - base) * alpha


def _gaze_gate(grid, lm: np.ndarray, rim: EyeRim, look: EyeLook) -> float:
    """How far the gaze moved beyond what the lids' warp already did (source pixels at the target
    iris centre vs. the portrait's iris centre); sub-pixel differences keep the warped eye as is."""
    size = grid.shape[0]
    c_t = lm[rim.iris_centre, :2]
    ci = np.clip(np.floor(c_t).astype(int), 0, size - 1)
    src = ops_of(grid).to_numpy(flow.grid_to_pixels(grid[ci[1], ci[0]], size))
    drift = float(np.linalg.norm(c_t + (src - (ci + 0.5)) - look.centre))
    return smoothstep(0.25, 1.0, drift)


def draw_eye(frame, grid, lm: np.ndarray, rim: EyeRim, look: EyeLook, patch, texture, irisless,
             colours: PortraitLook, glasses_frame=None) -> None:
    """Paint one eye into frame [3, S, S] (float 0..255) in place.

    grid [S, S, 2]: the warp's sampling grid (grid_sample units); lm [478, 3]: target landmarks;
    patch: the portrait's two iris textures (``appearance.EyeLook.patch``, ``.open_patch``);
    texture and irisless: the portrait, and the portrait with its irises painted out (textures of
    ``pixel_ops``). glasses_frame: texture [S, S, 1] of the glasses' footprint in the portrait, or
    None: a widened eye is not drawn over the frame (its top bar often sits just above the lid).
    """
    size = frame.shape[-1]
    xp = ops_of(frame)
    patch, open_patch = patch
    closure = 1.0 - lid_gap(lm, rim) / max(look.opening, 1e-3)
    lid_on = smoothstep(0.05, 0.3, closure)
    facing = _facing(look, colours, rim)
    widen_on = smoothstep(*WIDEN_ON, _opening(lm, rim) / max(_opening(colours.landmarks, rim), 1e-3) - 1)
    widen_on *= facing
    # a turned-away eye's iris is not redrawn at the gaze either: its patch is an ellipse cut
    # from beside the nose (a round iris with a ring of lens and lashes pasted over the bridge);
    # the warp carries that eye's own iris with its lids
    gate = _gaze_gate(grid, lm, rim, look) * facing if facing > 0 else 0.0
    c_t = lm[rim.iris_centre, :2]
    r_t = float(np.linalg.norm(lm[rim.iris_ring, :2] - c_t, axis=1).mean())
    if lid_on <= 0 and widen_on <= 0 and (gate <= 0 or r_t <= 0.5):
        return

    src_lm = colours.landmarks
    s_axis = Axis.between(src_lm[rim.corners[0], :2], src_lm[rim.corners[1], :2])
    axis = Axis.between(lm[rim.corners[0], :2], lm[rim.corners[1], :2])
    scale = s_axis.width / axis.width                     # source px per target px
    s_uu, s_vu = s_axis.to_uv(src_lm[rim.upper, :2])
    # The lid's rest line on this face: the portrait's upper lid carried rigidly with the corners.
    rest_pts = axis.a + np.outer(s_uu * axis.width, axis.ex) + np.outer(s_vu / scale, axis.ey)
    curves = [(s_uu, s_vu)]
    squeeze = 1.0                          # the redrawn iris's width over its height
    reach = rest_pts                       # what the window must cover besides the rims
    if widen_on > 0:
        reach = np.concatenate([rest_pts, lm[rim.upper, :2] - axis.ey * (2 * CREASE_ABOVE * axis.width)])
        curves.append(s_axis.to_uv(src_lm[rim.lower, :2]))    # sclera is taken between the lids
        row_u = np.linspace(0.0, 1.0, SCLERA_ROW)               # ... and held beyond them
        curves += [(row_u, look.sclera_row[:, k] + flow.TEXTURE_OFFSET) for k in range(3)]
        r_t = look.open_radius / scale     # the iris keeps its own size (landmarks may stretch it)
        patch = open_patch
        squeeze = _turned_share(lm, rim) / _turned_share(src_lm, rim)
        squeeze = min(max(squeeze, 0.5), 1.0)
    if lid_on > 0:
        curves.append(axis.to_uv(lm[rim.brow_lower, :2]))    # the brow's lower edge: the lid band's ceiling
    for rf in rim_strips(lm[rim.corners[0], :2], lm[rim.corners[1], :2], lm[rim.upper, :2],
                         lm[rim.lower, :2], size, 2.0 + 0.05 * axis.width, frame, extra=reach,
                         extra_curves=curves):
        win = rf.window(frame)
        inside = rf.inside()
        cov = xp.clip(0.5 + inside, 0, 1)
        u = xp.clip(rf.u, 0, 1)
        width = rf.width

        # Where the opening samples the portrait: the warp's (squashing) positions blended toward a
        # rigid map of the eye as the lid closes, so the eyeball does not squash under a blink.
        warp_px = flow.grid_to_pixels(grid[rf.y0:rf.y0 + rf.h, rf.x0:rf.x0 + rf.w], size)
        src_px = warp_px
        free = 1.0                                             # not the glasses' frame
        if widen_on > 0 and glasses_frame is not None:
            free = 1 - xp.sample(glasses_frame, warp_px)[0]
            cov = cov * free
        if lid_on > 0:
            src_px = warp_px + (s_axis.to_px(rf.u, rf.v * scale) - warp_px) * lid_on
        elif widen_on > 0:
            s_v = _sclera_v(rf, scale)
            src_px = warp_px + (s_axis.to_px(rf.u, s_v) - warp_px) * widen_on
        eye = flow.sample(texture, src_px)
        show_iris = max(gate, widen_on)
        if show_iris > 0 and r_t > 0.5:
            # Paint the old iris over with sclera (a widened eye: all of it, the band the lid
            # uncovers included), then paste the iris at the gaze.
            # Distances through squares (no sqrt, see rim_frame.profiles): near a circle of radius R,
            # R - |d| ~ (R^2 - |d|^2) / 2R, which is all an anti-aliased edge needs.
            off = src_px - xp.const(look.centre, frame)
            r_old = 1.3 * look.radius
            fill = xp.clip((r_old * r_old - (off * off).sum(-1)) / (2 * r_old) + 0.5, 0, 1) * gate
            if widen_on > 0:
                fill = xp.clip(fill, widen_on)
            eye = _blend(eye, flow.sample(irisless, src_px), fill[None])
            if widen_on > 0:
                # beyond the photo's clear sclera: its colour smoothed along the eye, not the held
                # edge row's every pixel, then (the band the upper lid uncovers) toward the
                # portrait's clearest sclera colour, gradually (the photo's sclera next to a
                # narrow eye's lid is shaded)
                held = smoothstep(0.0, 0.1 * s_axis.width, abs(s_v - rf.v * scale))
                eye = _blend(eye, xp.stack(rf.curves[2:5]), (held * widen_on)[None])
                beyond = smoothstep(0.0, 0.1 * s_axis.width, s_v - rf.v * scale)
                eye = _blend(eye, xp.const(colours.sclera, frame)[:, None, None],
                             (0.5 * widen_on * beyond)[None])
            pts = axis.to_px(rf.u, rf.v)
            d = (pts - xp.const(c_t, frame)) / r_t
            if squeeze < 0.999:            # a head turned further than the photo's: narrower
                ex = xp.const(axis.ex, frame)
                d = d + ex * ((d * ex).sum(-1) * (1 / squeeze - 1))[..., None]
            disc = xp.clip((1.0 - (d * d).sum(-1)) * (0.5 * r_t) + 0.5, 0, 1) * show_iris
            # the patch spans IRIS_EXTENT radii each way from its centre
            p_h, p_w = xp.size(patch)
            iris = xp.sample(patch, (d / IRIS_EXTENT + 1.0) * xp.const([p_w / 2.0, p_h / 2.0], frame))
            eye = _blend(eye, iris, disc[None])
        # The lids shade the top of the eyeball (depth inside the opening).
        eye = eye * (0.78 + 0.22 * smoothstep(0.0, max(1.0, 0.12 * width), rf.v - rf.top))[None]
        win[:] = _blend(win, eye, (cov * max(lid_on, gate, widen_on))[None])

        if lid_on > 0:
            _draw_lid(win, rf, u, s_axis, scale, texture, colours, lid_on, closure, rf.curves[-1])
        elif widen_on > 0:
            _draw_raised_lid(win, rf, colours, widen_on, free)


def _opening(lm: np.ndarray, rim: EyeRim) -> float:
    """Lid gap (image plane) over the eye's width in 3-D: unlike ``lid_gap`` it does not grow as a
    turned head foreshortens the eye's width (at 30 degrees of yaw a neutral eye read 15 % wider)."""
    width = np.linalg.norm(lm[rim.corners[1]] - lm[rim.corners[0]])
    gap = np.linalg.norm(lm[rim.upper, :2] - lm[rim.lower, :2], axis=1).mean()
    return float(gap / max(width, 1e-6))


def _turned_share(lm: np.ndarray, rim: EyeRim) -> float:
    """The eye's width in the image over its width in 3-D: how much a turned head foreshortens it."""
    gap = lm[rim.corners[1]] - lm[rim.corners[0]]
    return float(np.linalg.norm(gap[:2]) / max(np.linalg.norm(gap), 1e-6))


def _facing(look: EyeLook, colours: PortraitLook, rim: EyeRim) -> float:
    """1 for an eye the portrait shows from the front, 0 for one turned away (iris radius over eye
    width ~0.2 from the front, ~0.3 at 50 degrees): a turned eye's iris is an ellipse in the photo,
    which the round iris of a widened eye would not match, so the warp draws it as before."""
    src = colours.landmarks
    width = float(np.linalg.norm(src[rim.corners[1], :2] - src[rim.corners[0], :2]))
    return 1.0 - smoothstep(0.26, 0.29, look.radius / max(width, 1e-6))


def _sclera_v(rf, scale: float):
    """Source v (portrait px, across its eye axis) for each pixel of a widened opening: the rigid
    map inside the part of the portrait's opening away from its lids (``appearance.clear_band``),
    and beyond it the edge of that band held, so the uncovered eyeball gets the portrait's own
    sclera, not a smear of its lashes and lid (folding the band back repeated its lash shadows as
    stripes). ``draw_eye`` fades the held edge into the band's smoothed colour."""
    xp = ops_of(rf.v)
    lo, hi = clear_band(rf.curves[0], rf.curves[1])
    return xp.minimum(xp.clip(rf.v * scale, lo), hi)


def _draw_raised_lid(win, rf, colours: PortraitLook, widen_on: float, free=1.0) -> None:
    """The raised lid: the lashes' dark line along the new upper rim, the shade the lid casts on
    the eyeball just below it, and the crease it tucks under a little above it (the warp only
    compresses the portrait's lid skin between margin and brow, which reads as a bare stretch
    of skin; times ``free``: 0 over the glasses' frame)."""
    xp = ops_of(win)
    width = rf.width
    across = 2 * xp.clip(rf.u, 0, 1) - 1
    below = rf.v - rf.top
    # the crease: a soft shadow line following the margin, fading before the corners where the
    # fold runs out (only darkening: the frame's colours stay convex blends, see flow.to_image)
    crease = soft_bump((below + CREASE_ABOVE * width) / (0.025 * width + 0.6))
    win[:] = win * (1 - 0.22 * crease * (1 - smoothstep(0.5, 0.9, abs(across))) * (free * widen_on))[None]
    ends = (1 - smoothstep(0.7, 1.0, abs(across))) * free
    shade = 1 - 0.3 * smoothstep(0.0, 1.0, 1 - below / (0.1 * width + 1.0)) * \
        smoothstep(-1.5, 0.0, below)
    win[:] = win * (1 - (1 - shade) * ends * widen_on)[None]
    lash = xp.const(colours.lash, win)[:, None, None]
    line = soft_bump(below / (0.015 * width + 0.5)) * ends
    win[:] = _blend(win, lash, (line * 0.7 * widen_on * ((rf.u > 0) & (rf.u < 1)))[None])


def _draw_lid(win, rf, u, s_axis: Axis, scale: float, texture, colours: PortraitLook, lid_on: float,
              closure: float, brow) -> None:
    """Lid skin from a little above its rest line down to the lowered lid margin (the warp
    stretches the portrait's lashes over that band), with crease and lashes; never above the
    brow's lower edge ``brow`` (target px across the eye, per pixel): a lid lowered under a
    lowered brow (anger) tucks under it, it is not painted over it."""
    width = rf.width
    s_top = rf.curves[0]                                   # portrait's lid, source frame
    rest = s_top / scale                                   # ... carried onto this face
    xp = ops_of(win)
    hi = xp.maximum(rest - 0.12 * width, brow)             # band top: over the stretched lashes
    span = xp.clip(rf.top - hi, 1e-3)                      # band height, target px
    f = xp.clip((rf.v - hi) / span, 0, 1)                  # 0 at the crease .. 1 at the margin
    s_v = s_top - (LASH_BAND + (1 - f) * LID_SKIN) * s_axis.width
    skin = flow.sample(texture, s_axis.to_px(u, s_v))
    across = 2 * u - 1
    crease = 1 - 0.15 * soft_bump((rf.v - hi) / (0.04 * width + 0.6))
    round_ = 0.9 + 0.1 * (1 - across * across)              # the lid is lit like a dome
    skin = skin * (crease * round_ * (0.9 - 0.1 * f * f))[None]     # turning away at the margin
    band = xp.clip(0.5 + (rf.top - rf.v), 0, 1) * smoothstep(0.0, 0.08 * width + 1.0, rf.v - hi)
    band = band * (1 - smoothstep(0.75, 1.0, abs(across))) * lid_on     # soft at the corners
    win[:] = _blend(win, skin, band[None])
    # Lashes along the margin: denser as the lid closes and the upper and lower lashes meet.
    lash = xp.const(colours.lash, win)[:, None, None]
    thick = (0.015 + 0.02 * smoothstep(0.4, 0.95, closure)) * width + 0.35
    line = soft_bump((rf.v - rf.top) / thick) * (1 - smoothstep(0.75, 1.0, abs(across)))
    win[:] = _blend(win, lash, (line * 0.85 * lid_on * ((rf.u > 0) & (rf.u < 1)))[None])


def draw_eyes(frame, grid, lm, colours: PortraitLook, patches, texture, irisless, glasses_frame=None) -> None:
    for rim, look, patch in zip(EYES, colours.eyes, patches):
        draw_eye(frame, grid, lm, rim, look, patch, texture, irisless, colours, glasses_frame)
