"""What an open mouth shows behind the lips: teeth on their arch, gums, tongue, a dark cavity.

Drawn in the mouth's own frame (``rim_frame``: u corner to corner, v down in pixels) over the
teeth of ``dental_arch`` seen through the frame's head pose, so the upper teeth hang from the skull
and the lower ones ride on the jaw, both at their real size however the lips move, and a turned
head shows the arch turned. Back to front:

- the cavity: the lips' colour darkened to ~20 %, dimmer still deep in the throat (soft falloff,
  no rim), the cheeks' inner walls at the corners a little lighter;
- the tongue: a mound on the floor of the mouth behind the lower teeth, its top softly lit;
- the lower teeth: their biting edges above the lower lip when the jaw drops, in shadow;
- the upper teeth: the portrait's own where it shows them (pasted from the teeth atlas at their
  place on the arch, so at their size), drawn elsewhere: rounded crowns with dark gaps between
  them, lit by how squarely they face the camera, darker toward the back (the dark corridor at the
  corners of a smile), translucent at the biting edge, shaded by the upper lip;
- the gums above the crowns, where a lip lifts that far.

A narrow opening lets in little light, so the cavity, tongue and lower teeth dim as the lips come
together; the upper teeth's fronts stay lit, shaded just below the upper lip. Colours come
from ``mouth_look`` (the portrait's own), so greyscale stays greyscale and no hue is invented.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from talkface_studio.face.normalize import estimate_pose

from .dental_arch import (LOWER_K, LOWER_WIDTHS, MM, UPPER_K, UPPER_WIDTHS, ArchView, lower_tables,
                          tooth_roundness, upper_tables, view_arch)
from .mouth_look import CHIN, LIP_SHADOW, MouthLook, shadow_below_lip
from .pixel_window import smoothstep
from .rim_frame import RimFrame, profiles

LOWER_CROWN_MM = 9.0
LOWER_SHOWN_MM = 2.0       # the lower lip covers all but this much of the lower teeth (jaw well open)
LOWER_GAP_MM = (4.0, 12.0)  # lip gap over which the lower teeth come into view
TONGUE_GAP_MM = (3.0, 10.0)  # lip gap over which the tongue rises into view
CORRIDOR_MM = 9.0          # teeth this far behind the incisors are in the cheeks' shadow (half lit)
GUM_CORRIDOR_MM = 4.0      # ... gums sooner: above the premolars a smile shows the cheek's dark inside
EMBRASURE_MM = 0.5         # how far the biting corners of neighbouring crowns round off
SCALLOP_MM = 1.2           # how far the gum line dips between crowns
TONGUE_MM = 3.5            # the tongue's top rises this far above the lower teeth's edge (midline)
LIGHT_GAP_MM = (0.5, 5.0)  # lip gap over which the light reaching inside goes from dim to full
RELAXED_SHOWN_MM = 1.5     # of the upper incisors a relaxed upper lip leaves in view (face mm: the
                           # eyes' outer corners 63 apart, ~2 mm of a real face)
END_SHADE = 0.7            # a relaxed mouth's corners shade the teeth behind them this much
RELAXED_DIM = 0.2         # ... and its lips let this much less light onto the front teeth
UPPER_LIP_MID = 13


@dataclass(frozen=True)
class MouthScale:
    """One frame's mouth measures: pixels per mm, inner-lip gap (largest) in mm."""

    mm: float
    gap_mm: float

    @property
    def gap_px(self) -> float:
        return self.mm * self.gap_mm


class TeethPose:
    """The frame's view of both arches (the lower one worked out only when asked for).

    ``relaxed`` (0..1): how much of the portrait's smile this frame has taken away. A smile lifts
    the upper lip off the teeth; a relaxed upper lip covers all but their edges (~2-3 mm of the
    incisors show in speech). When the driving lips do not cover them that far (stage 1 lowers a
    smile's upper lip only about half way), the upper arch is drawn that much higher, in
    proportion to the smile taken away: a neutral /a/ then shows the teeth's edges under the lip,
    not the smile's full row of crowns."""

    def __init__(self, pose, lower_n: np.ndarray, look: MouthLook, edge_n: np.ndarray | None = None,
                 relaxed: float = 0.0):
        self._pose, self._lower_n = pose, lower_n
        self.upper = view_arch(pose, look.edge_n if edge_n is None else edge_n, UPPER_K)
        self._lower = None
        self.relaxed = float(relaxed)

    @property
    def lower(self) -> ArchView:
        if self._lower is None:
            self._lower = view_arch(self._pose, self._lower_n, LOWER_K)
        return self._lower

    @staticmethod
    def of(lm: np.ndarray, look: MouthLook, relaxed: float = 0.0) -> "TeethPose":
        pose = estimate_pose(lm)
        norm = ((lm[[CHIN, UPPER_LIP_MID]] - pose.translation) @ pose.rotation) / pose.scale
        drop = norm[0, 1] - look.chin_y                  # jaw opened (+) or closed vs the portrait
        lower = look.lower_n + np.array([0.0, drop, 0.25 * drop])
        lower[1] = max(lower[1], look.edge_n[1] - 2.0 * MM)   # never above the overbite
        edge = look.edge_n
        shown = (edge[1] - norm[1, 1]) / MM              # crown height below the upper lip's rim
        if relaxed > 0 and look.own_teeth and shown > RELAXED_SHOWN_MM:
            edge = edge - np.array([0.0, relaxed * (shown - RELAXED_SHOWN_MM) * MM, 0.0])
        return TeethPose(pose, lower, look, edge, relaxed)


def _col(rgb, dev) -> torch.Tensor:
    return torch.as_tensor(np.asarray(rgb, dtype=np.float32), device=dev)[:, None, None]


def _over(out: torch.Tensor, colour: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    return out + (colour - out) * alpha[None]


def _arch_coords(rf: RimFrame, view: ArchView):
    """Per pixel: (u on the arch's table, height above the arch's central edge line in mm before the
    per-tooth lift)."""
    ax = rf.axis
    ox, oy = float(ax.a[0] - view.origin[0]), float(ax.a[1] - view.origin[1])
    exw = ax.ex * ax.width
    # q - origin = (ox, oy) + u * ex * width + v * ey, dotted with across / up
    a = (ox * view.across[0] + oy * view.across[1]) + rf.u * float(exw @ view.across) \
        + rf.v * float(ax.ey @ view.across)
    h = ((ox * view.up[0] + oy * view.up[1]) + rf.u * float(exw @ view.up) + rf.v * float(ax.ey @ view.up)) \
        / view.px_per_mm
    return view.to_u(a), h


def _upper_curves(view: ArchView, look: MouthLook):
    """Profiles over the frame's upper arch: edge height, lift, crown, gap, roundness, facing,
    depth, and where on the portrait the same tooth point is (x, y, seen there)."""
    x = view.x_mm
    gap, lift, crown = upper_tables(x)
    crown = crown - SCALLOP_MM * np.sqrt(gap)      # (tabulated: a sqrt per pixel stalls, see profiles)
    curves = [view.edge_up, lift, crown, gap, tooth_roundness(x, UPPER_K, UPPER_WIDTHS), view.facing,
              view.depth_mm]
    if look.atlas is not None:
        p = look.arch
        a_p = np.interp(x, p.x_mm, p.u) * (p.a_hi - p.a_lo) + p.a_lo
        up_p = np.interp(x, p.x_mm, p.edge_up)
        src = p.origin + np.outer(a_p, p.across) + np.outer(up_p * p.px_per_mm, p.up)
        seen = np.clip(1.0 - np.maximum(p.x_mm[0] - x, x - p.x_mm[-1]), 0.0, 1.0)
        curves += [src[:, 0], src[:, 1], seen]
    return [(view.u, c) for c in curves]


def _lower_curves(view: ArchView):
    x = view.x_mm
    gap = lower_tables(x)
    dome = np.sqrt(np.clip(1.0 - (x / 13.0) ** 2, 0.0, None))
    return [(view.u, c) for c in (view.edge_up, gap, tooth_roundness(x, LOWER_K, LOWER_WIDTHS),
                                  view.facing, view.depth_mm, dome)]


def _own_teeth(look: MouthLook, sx, sy, h_mm, view_p: ArchView):
    """Sample the teeth atlas at the portrait's point of each pixel's tooth: ([3, h, w] colour,
    known, the portrait's lip shadow there)."""
    x0, y0, w, h = look.atlas_box
    px = sx + h_mm * view_p.px_per_mm * float(view_p.up[0])
    py = sy + h_mm * view_p.px_per_mm * float(view_p.up[1])
    g = torch.stack([(px - x0) * (2.0 / w) - 1.0, (py - y0) * (2.0 / h) - 1.0], dim=-1)[None]
    s = F.grid_sample(look.atlas, g, mode="bilinear", padding_mode="zeros", align_corners=False)[0]
    return s[:3], s[3], s[4]


def _drawn_teeth(teeth, cavity, h_rel, crown, gap, rnd, facing, depth):
    """Procedural crowns: rounded, gaps between, lit by facing, darker toward the back, a soft
    highlight across the middle of the front teeth, translucent along the biting edge."""
    dc = depth / CORRIDOR_MM
    shade = (0.62 + 0.38 * facing) / (1.0 + dc * dc) * (1 - 0.25 * rnd * rnd) * (1 - 0.3 * gap)
    t = (h_rel / crown.clamp_min(1.0)).clamp(0, 1)             # 0 at the edge .. 1 at the gum
    shade = shade * (1 - 0.12 * smoothstep(0.7, 1.0, t)) * (1 - 0.06 * smoothstep(0.0, 0.3, 0.3 - t))
    f4 = facing * facing
    mid = ((t - 0.5) / 0.22).clamp(-1, 1)
    hl = 1.0 + 0.07 * f4 * f4 * (1 - mid * mid)
    col = teeth * (shade * hl)[None]
    edge = 1 - smoothstep(0.0, 0.5, h_rel)                     # translucent biting edge
    return col + (cavity - col) * (0.25 * edge)[None]


def _lower_arch(out, rf, pose, look, mm, centre, above_bottom, shown, rise, teeth, cavity):
    """The tongue and the lower teeth over ``out``."""
    dev = out.device
    u_lo, h_lo = _arch_coords(rf, pose.lower)
    edge_lo, gap_lo, rnd_lo, face_lo, depth_lo, dome = profiles(u_lo, _lower_curves(pose.lower))
    below_edge = torch.minimum(edge_lo - h_lo, shown - above_bottom / mm)   # mm below their edge
    over_tongue = (TONGUE_MM * dome - 1.0) * rise - 1.5 * (1 - rise) + below_edge   # mm below its top
    on_tongue = (over_tongue / 1.2 + 0.5).clamp(0, 1) * (dome > 0)
    ot = over_tongue.clamp_min(0) / 3.0
    tongue_lit = 1.0 / (1.0 + ot * ot)
    tongue = _col(look.tongue, dev) * ((0.35 + 0.65 * tongue_lit) * (0.5 + 0.5 * centre))[None]
    out = _over(out, tongue, on_tongue)
    if shown <= 0:
        return out
    lo_in = (below_edge * mm + 0.5).clamp(0, 1) * ((LOWER_CROWN_MM - below_edge) * mm).clamp(0, 1)
    lo_col = _drawn_teeth(teeth, cavity, below_edge.clamp_min(0), torch.full_like(below_edge, LOWER_CROWN_MM),
                          gap_lo * 0.5, rnd_lo, face_lo, depth_lo) * 0.55
    out = _over(out, lo_col, lo_in * (face_lo > 0.02))
    return out


def interior(rf: RimFrame, scale: MouthScale, look: MouthLook, pose: TeethPose,
             reuse_teeth: bool = True) -> torch.Tensor:
    """[3, h, w] colour of the open mouth behind the lips (see the module docstring)."""
    dev = rf.u.device
    mm = scale.mm
    below_top, above_bottom = rf.v - rf.top, rf.bottom - rf.v
    across = (2 * rf.u - 1).clamp(-1, 1)
    centre = (1 - across * across).clamp_min(0)
    cavity = _col(look.cavity, dev)
    light = 0.55 + 0.45 * smoothstep(*LIGHT_GAP_MM, scale.gap_mm)

    # Cavity: lit near the lips, dim toward the throat, which opens up as the jaw drops.
    from_lips = torch.minimum(below_top, above_bottom).clamp_min(0)
    depth = from_lips / (0.25 * scale.gap_px + 3.0 * mm + 1.0) * (0.35 + 0.65 * centre)
    lit = 1.0 / (1.0 + 4.0 * depth * depth)
    out = cavity * (0.35 + 0.65 * lit)[None]

    # Lower arch: tongue behind the teeth, then the teeth's crowns down from their edge; the lower
    # lip leaves little of them uncovered, more as the jaw drops.
    shown = LOWER_SHOWN_MM * smoothstep(*LOWER_GAP_MM, scale.gap_mm)
    if shown * mm < 0.5:            # less than half a pixel of them: not worth drawing
        shown = 0.0
    rise = smoothstep(*TONGUE_GAP_MM, scale.gap_mm)
    teeth = _col(look.teeth, dev)
    # (a slightly parted mouth shows neither; a strip of the opening well above the lower lip
    # shows neither either: the tongue rises at most TONGUE_MM above the lower teeth)
    reach = (shown + TONGUE_MM + 1.0) * mm + 2.0
    if (shown > 0 or rise > 0) and float(above_bottom.min()) < reach:
        out = _lower_arch(out, rf, pose, look, mm, centre, above_bottom, shown, rise, teeth, cavity)
    out = out * light                                          # a narrow opening lets little in

    # Upper arch: crowns from the biting edge up to the gums, their fronts lit from outside, the
    # upper lip shading what is just below it.
    lip_shadow = shadow_below_lip(below_top / mm)
    u_up, h_up = _arch_coords(rf, pose.upper)
    cur = profiles(u_up, _upper_curves(pose.upper, look))
    edge, lift, crown, gap_up, rnd, facing, depth_up = cur[:7]
    h_line = h_up - edge                                       # mm above the central edge line
    # Each crown's biting corners are rounded (small V notches between teeth at the edge) and
    # the gum arcs over each crown (scalloped, lower between teeth).
    h_rel = h_line - lift - EMBRASURE_MM * gap_up
    col = _drawn_teeth(teeth, cavity, h_rel.clamp_min(0), crown, gap_up, rnd, facing, depth_up)
    col = col * lip_shadow[None]
    on_teeth = (h_rel * mm + 0.5).clamp(0, 1) * (facing > 0.02)
    out = _over(out, col, on_teeth)
    gum_on = ((h_rel - crown) * mm + 0.5).clamp(0, 1) * (facing > 0.02)
    # (at the corners, above the premolars, the cheek's dark inside shows rather than gum)
    dg = depth_up / GUM_CORRIDOR_MM
    gum = _col(look.gum, dev) * ((0.6 + 0.4 * facing) / (1.0 + dg * dg)
                                 * lip_shadow)[None]
    out = _over(out, gum, gum_on)
    if reuse_teeth and look.atlas is not None:
        # Where the portrait shows this part of its upper teeth, they are its own pixels.
        sx, sy, seen = cur[7:]
        own, known, own_shadow = _own_teeth(look, sx, sy, h_line, look.arch)
        # the photo has its own lip's shadow on them: trade it for this frame's
        own = (own * (lip_shadow / own_shadow.clamp_min(LIP_SHADOW))[None]).clamp(0.5, 255.0)
        if pose.relaxed > 0:
            # lit as a smile's wide-open lips let them be; behind relaxed lips less light reaches
            # them, and the mouth's corners and cheeks shade all but the front teeth
            shade = (1.0 - RELAXED_DIM) * (1.0 - END_SHADE * smoothstep(0.3, 0.9, across.abs()))
            own = own * (1.0 - pose.relaxed * (1.0 - shade))[None]
        out = _over(out, own, known * seen)
    low_shadow = 0.85 + 0.15 * smoothstep(0.0, 1.0 * mm + 0.5, above_bottom)
    return out * low_shadow[None]
