"""The soft parts of an open mouth, over one strip of the opening (``mouth_interior``): the oral
cavity, the tongue, and the inner lips' wet lining along the rims.

Light comes in through the opening from the front, so how lit a point is follows how far in from
the lips it lies. Seen in a photograph of speech:

- the cavity is a deep red-brown just inside the lips, darkening to near black at the back and the
  centre of a wide opening (never pure black), darkest toward the corners (the cheeks' shade); a
  wider opening lets the light reach further in;
- the tongue's top rises in the lower part of the opening behind the lower teeth: lit toward its
  front, in shade toward its top edge (its back) and sides, the lips' hue but darker and less
  saturated, with a soft wet highlight;
- the lower lip's inner lining faces up into the light: a band a little brighter than the cavity
  (a shade darker than the lip outside) with a thin wet highlight; the upper lip's lining faces
  down and lies in its own shade. Lining between lip and interior, not a cut-out edge.
"""

from __future__ import annotations

from .pixel_ops import ops_of
from .rim_frame import soft_bump

CAVITY_REACH_MM = (2.2, 0.2)   # light reaches this far in from the lips: a + b * lip gap (mm)
TONGUE_SHADE_MM = 2.5          # the tongue's top edge (its back) is in shade, lit from this far below
TONGUE_SHINE = 0.13            # the wet highlight on the tongue's front, as a share of the teeth's colour
LOWER_LINING_MM = 0.9          # the lower lip's wet lining shows this much, plus a pixel
UPPER_LINING_MM = 0.3          # ... the upper lip's, in its shade
LINING_SHINE = 0.06            # the lower lining's wet highlight, as a share of the way to the teeth's colour


def cavity(near, deep, from_lips_mm, centre, gap_mm: float):
    """[3, h, w] cavity colour: ``near`` just inside the lips fading to ``deep`` further in."""
    reach = CAVITY_REACH_MM[0] + CAVITY_REACH_MM[1] * gap_mm
    lit = (0.35 + 0.65 * centre) * soft_bump(from_lips_mm / reach)
    return deep + (near - deep) * lit[None]


def tongue(out, base, shine, below_top_mm, dome, side, mm: float):
    """The tongue over ``out``: ``below_top_mm`` how far (mm) below its visible top edge a pixel
    lies (negative above it), ``dome`` 1 on the midline falling to 0 at its sides, ``side`` -1..1
    across it. ``base`` its lit colour, ``shine`` the light's colour (the teeth's)."""
    xp = ops_of(out)
    on = xp.clip(below_top_mm * mm + 0.5, 0, 1) * (dome > 0)
    f = xp.clip(below_top_mm / TONGUE_SHADE_MM, 0, 1)
    lit = (0.38 + 0.62 * f * (2 - f)) * (0.5 + 0.5 * dome)
    lit = lit * (1.0 - 0.15 * soft_bump(side * 9.0))           # the groove down its middle
    gloss = soft_bump((below_top_mm - 0.55 * TONGUE_SHADE_MM) * 1.1) * soft_bump(side * 2.6)
    colour = base * lit[None] + shine * (TONGUE_SHINE * gloss)[None]
    return out + (colour - out) * on[None]


def inner_lips(out, lining, shine, below_top, above_bottom, centre, mm: float):
    """The lips' wet lining along the rims of the opening, over ``out`` (distances in pixels). The
    lower one fades toward the corners, where the lips turn away from the light (no outline); a
    narrow opening shows less of either."""
    xp = ops_of(out)
    height = below_top + above_bottom                          # the opening's height here
    w_lo = xp.clip(0.22 * height, 0.5, LOWER_LINING_MM * mm + 1.0)
    lo = xp.clip(1.0 - above_bottom / w_lo, 0, 1) * xp.clip(centre * 2.5, 0, 1)
    wet = soft_bump((above_bottom - 0.45 * w_lo) / (0.2 * w_lo + 0.3))
    lower = lining + (shine - lining) * (LINING_SHINE * wet)[None]
    out = out + (lower - out) * (lo * (2 - lo))[None]
    w_up = xp.clip(0.12 * height, 0.4, UPPER_LINING_MM * mm + 0.6)
    up = xp.clip(1.0 - below_top / w_up, 0, 1)
    return out + (lining * 0.6 - out) * (0.8 * up * up)[None]
