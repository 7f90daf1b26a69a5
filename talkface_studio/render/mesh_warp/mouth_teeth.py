"""The teeth behind parted lips, drawn over one strip of the opening (``mouth_interior``).

Each pixel is put on the frame's view of an arch (``dental_arch.ArchView``): which tooth it is on,
how high above that tooth's biting edge, how squarely the tooth faces the camera, how far behind
the front teeth. The upper row is the portrait's own teeth where it shows them (pasted from the
teeth atlas at their place on the arch, so at their size), drawn elsewhere: rounded crowns with
dark gaps between them, lit by how squarely they face the camera, darker toward the back (the
dark corridor at the mouth's corners), translucent at the biting edge, in the upper lip's shadow
just below it; the gums above the crowns where a lip lifts that far. The lower row shows its
biting edges above the lower lip when the jaw drops, a shade darker.
"""

from __future__ import annotations

import numpy as np

from .dental_arch import (LOWER_K, LOWER_WIDTHS, UPPER_K, UPPER_WIDTHS, ArchView, lower_tables,
                          tooth_roundness, upper_tables)
from .mouth_look import LIP_SHADOW, MouthLook, shadow_below_lip
from .pixel_ops import ops_of
from .pixel_window import smoothstep
from .rim_frame import RimFrame, profiles

CORRIDOR_MM = 9.0          # teeth this far behind the incisors are in the cheeks' shadow (half lit)
GUM_CORRIDOR_MM = 4.0      # ... gums sooner: above the premolars a smile shows the cheek's dark inside
EMBRASURE_MM = 0.7         # how far the biting corners of neighbouring crowns round off
SCALLOP_MM = 1.2           # how far the gum line dips between crowns
LOWER_CROWN_MM = 9.0
LOWER_LIGHT = 0.72         # the lower teeth stand in the upper teeth's and lip's shade
TONGUE_HALF_MM = 15.0      # the tongue fills the lower arch this far to each side of the midline
END_SHADE = 0.7            # a relaxed mouth's corners shade the teeth behind them this much
RELAXED_DIM = 0.2          # ... and its lips let this much less light onto the front teeth


def col(rgb, like):
    """An RGB colour as [3, 1, 1], an array like ``like`` (numpy, or a tensor on its device)."""
    return ops_of(like).const(rgb, like)[:, None, None]


def over(out, colour, alpha):
    return out + (colour - out) * alpha[None]


def arch_coords(rf: RimFrame, view: ArchView):
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


def upper_curves(view: ArchView, look: MouthLook):
    """Profiles over the frame's upper arch: edge height, lift, crown, gap, roundness, facing,
    depth, brightness, and where on the portrait the same tooth point is (x, y, seen there)."""
    x = view.x_mm
    gap, lift, crown, bright = upper_tables(x)
    crown = crown - SCALLOP_MM * np.sqrt(gap)      # (tabulated: a sqrt per pixel stalls, see profiles)
    curves = [view.edge_up, lift, crown, gap, tooth_roundness(x, UPPER_K, UPPER_WIDTHS), view.facing,
              view.depth_mm, bright]
    if look.atlas is not None:
        p = look.arch
        a_p = np.interp(x, p.x_mm, p.u) * (p.a_hi - p.a_lo) + p.a_lo
        up_p = np.interp(x, p.x_mm, p.edge_up)
        src = p.origin + np.outer(a_p, p.across) + np.outer(up_p * p.px_per_mm, p.up)
        seen = np.clip(1.0 - np.maximum(p.x_mm[0] - x, x - p.x_mm[-1]), 0.0, 1.0)
        curves += [src[:, 0], src[:, 1], seen]
    return [(view.u, c) for c in curves]


def lower_curves(view: ArchView):
    """Profiles over the frame's lower arch: edge height, gap, roundness, facing, depth, and the
    tongue's dome (1 on the midline, 0 at its sides) and lateral position (-1..1)."""
    x = view.x_mm
    side = np.clip(x / TONGUE_HALF_MM, -1.0, 1.0)
    dome = 1.0 - side * side
    return [(view.u, c) for c in (view.edge_up, lower_tables(x), tooth_roundness(x, LOWER_K, LOWER_WIDTHS),
                                  view.facing, view.depth_mm, dome, side)]


def _own_teeth(look: MouthLook, sx, sy, h_mm, view_p: ArchView):
    """Sample the teeth atlas at the portrait's point of each pixel's tooth: ([3, h, w] colour,
    known, the portrait's lip shadow there)."""
    x0, y0, w, h = look.atlas_box
    px = sx + h_mm * view_p.px_per_mm * float(view_p.up[0])
    py = sy + h_mm * view_p.px_per_mm * float(view_p.up[1])
    xp = ops_of(px)
    s = xp.sample(look.atlas, xp.stack([px - x0, py - y0], axis=-1), zeros=True)
    return s[:3], s[3], s[4]


def drawn_teeth(teeth, cavity, h_rel, crown, gap, rnd, facing, depth):
    """Procedural crowns: rounded, gaps between, lit by facing, darker toward the back, a soft
    highlight across the middle of the front teeth, translucent along the biting edge. The line
    between two crowns is darkest at the biting edge (the notch between their rounded corners)
    and near the gum, fainter where they touch."""
    # Lit from the front: by how squarely a crown faces the light, and, deep in the mouth, by how
    # far the cheeks shade it, less so where it faces the opening (a turned head shows the near
    # side's premolars lit, the far side's teeth turned away into the dark).
    xp = ops_of(h_rel)
    dc = depth / CORRIDOR_MM
    t = xp.clip(h_rel / xp.clip(crown, 1.0), 0, 1)             # 0 at the edge .. 1 at the gum
    notch = 0.28 + 0.3 * (1 - smoothstep(0.0, 0.2, t)) + 0.15 * smoothstep(0.6, 1.0, t)
    shade = (0.5 + 0.5 * facing * facing) / (1.0 + 2.0 * dc * dc * (1.0 - facing)) \
        * (1 - 0.3 * rnd * rnd) * (1 - notch * gap)
    shade = shade * (1 - 0.12 * smoothstep(0.7, 1.0, t)) * (1 - 0.06 * smoothstep(0.0, 0.3, 0.3 - t))
    f4 = facing * facing
    mid = xp.clip((t - 0.5) / 0.22, -1, 1)
    hl = 1.0 + 0.07 * f4 * f4 * (1 - mid * mid)
    colour = teeth * (shade * hl)[None]
    edge = 1 - smoothstep(0.0, 0.5, h_rel)                     # translucent biting edge
    return colour + (cavity - colour) * (0.25 * edge)[None]


def lower_teeth(out, below_edge, mm, lower, teeth, cavity):
    """The lower row's crowns down from their biting edge (``below_edge`` mm), over ``out``."""
    edge_lo, gap_lo, rnd_lo, face_lo, depth_lo = lower[:5]
    xp = ops_of(out)
    inside = xp.clip(below_edge * mm + 0.5, 0, 1) * xp.clip((LOWER_CROWN_MM - below_edge) * mm, 0, 1)
    colour = drawn_teeth(teeth, cavity, xp.clip(below_edge, 0), xp.full_like(below_edge, LOWER_CROWN_MM),
                         gap_lo * 0.7, rnd_lo, face_lo, depth_lo) * LOWER_LIGHT
    return over(out, colour, inside * (face_lo > 0.02))


def upper_teeth(out, rf: RimFrame, view: ArchView, table, look: MouthLook, mm: float, below_top, across,
                relaxed: float, reuse_teeth: bool):
    """The upper row, its gums, and the portrait's own upper teeth where it shows them, over ``out``
    (``table``: ``upper_curves`` of ``view``, tabulated)."""
    like = out          # colours are made like it
    xp = ops_of(out)
    lip_shadow = shadow_below_lip(below_top / mm)
    u_up, h_up = arch_coords(rf, view)
    cur = profiles(u_up, table)
    edge, lift, crown, gap_up, rnd, facing, depth_up, bright = cur[:8]
    h_line = h_up - edge                                       # mm above the central edge line
    # Each crown's biting corners are rounded (small V notches between teeth at the edge) and
    # the gum arcs over each crown (scalloped, lower between teeth).
    h_rel = h_line - lift - EMBRASURE_MM * gap_up
    cavity = col(look.cavity, like)
    teeth = col(look.teeth, like)
    colour = drawn_teeth(teeth, cavity, xp.clip(h_rel, 0), crown, gap_up, rnd, facing, depth_up)
    colour = colour * (lip_shadow * bright)[None]
    out = over(out, colour, xp.clip(h_rel * mm + 0.5, 0, 1) * (facing > 0.02))
    gum_on = xp.clip((h_rel - crown) * mm + 0.5, 0, 1) * (facing > 0.02)
    # (at the corners, above the premolars, the cheek's dark inside shows rather than gum)
    dg = depth_up / GUM_CORRIDOR_MM
    gum = col(look.gum, like) * ((0.6 + 0.4 * facing) / (1.0 + dg * dg) * lip_shadow)[None]
    out = over(out, gum, gum_on)
    if reuse_teeth and look.atlas is not None:
        # Where the portrait shows this part of its upper teeth, they are its own pixels.
        sx, sy, seen = cur[8:]
        own, known, own_shadow = _own_teeth(look, sx, sy, h_line, look.arch)
        # the photo has its own lip's shadow on them: trade it for this frame's
        own = xp.clip(own * (lip_shadow / xp.clip(own_shadow, LIP_SHADOW))[None], 0.5, 255.0)
        if relaxed > 0:
            # lit as a smile's wide-open lips let them be; behind relaxed lips less light reaches
            # them, and the mouth's corners and cheeks shade all but the front teeth
            shade = (1.0 - RELAXED_DIM) * (1.0 - END_SHADE * smoothstep(0.3, 0.9, abs(across)))
            own = own * (1.0 - relaxed * (1.0 - shade))[None]
        out = over(out, own, known * seen)
    return out
