"""Mouth interior: when the lips part further than in the portrait, draw what is behind them; when
they close over a portrait that shows teeth, draw closed lips.

Drawn in the mouth's own frame (``rim_frame``: u along the corner-to-corner axis 0..1, v down from
the upper inner lip in pixels), so it follows roll and asymmetric openings. The interior is lit
from the front: the cavity is darkest at the back and toward the cheeks, the upper lip casts a soft
shadow over the upper teeth, teeth have a gradient and faint separations (spaced as on an arch, so
they narrow toward the corners), the lower teeth sit in shadow and the tongue shows only when the
jaw is well open. Colours come from the portrait (lips, its own teeth or sclera), so they are lit
like it. Every edge is anti-aliased.
"""

from __future__ import annotations

import numpy as np
import torch

from . import flow
from .appearance import PortraitLook, mouth_gap
from .face_loops import INNER_LOWER_LIP, INNER_UPPER_LIP, MOUTH_CORNERS
from .pixel_window import smoothstep
from .rim_frame import PROFILE_SAMPLES, Axis, RimFrame, profiles, rim_strips, soft_bump

TOOTH_ANGLE = 0.3        # radians of arch per upper tooth (~8 teeth across a wide smile)
CLOSE_BAND = 0.07        # lip texture re-stretched this many mouth widths beyond the inner rims


def _rims(lm: np.ndarray):
    return (lm[MOUTH_CORNERS[0], :2], lm[MOUTH_CORNERS[1], :2], lm[INNER_UPPER_LIP, :2],
            lm[INNER_LOWER_LIP, :2])


def _col(rgb, dev) -> torch.Tensor:
    return torch.as_tensor(np.asarray(rgb, dtype=np.float32), device=dev)[:, None, None]


def _ramp(x: torch.Tensor, soft: float = 1.0) -> torch.Tensor:
    """Anti-aliased step: 0 for x < -soft/2, 1 for x > soft/2 (x in pixels)."""
    return (0.5 + x / soft).clamp(0.0, 1.0)


def _arch(width: float):
    """Functions of u alone, tabulated (numpy): the tongue's dome, notches between upper teeth
    (1 at a gap; teeth are equal steps of angle around the dental arch, so they narrow toward the
    corners) and a faint tooth-to-tooth ripple of brightness."""
    u = np.linspace(0.0, 1.0, PROFILE_SAMPLES)
    across = np.clip(2 * u - 1, -0.999, 0.999)
    theta = np.arcsin(across)
    phase = theta / TOOTH_ANGLE + 0.5
    frac = phase - np.floor(phase)
    to_gap = np.minimum(frac, 1 - frac) * TOOTH_ANGLE * 0.5 * width * np.cos(theta)   # px
    notch = np.exp(-to_gap / (0.005 * width + 0.3))
    dome = np.sqrt(np.clip(1 - across ** 2 / 0.6, 0, None))
    return [(u, dome), (u, notch), (u, np.cos(8 * theta))]


def _interior(rf: RimFrame, opening: float, colours: PortraitLook, teeth_drawn: bool = True
              ) -> torch.Tensor:
    """[3, h, w] colour of the open mouth behind the lips (teeth left out when the portrait's own
    are pasted over it, see ``_own_teeth``)."""
    dev = rf.u.device
    width = rf.width
    gap = (rf.bottom - rf.top).clamp_min(0)
    below_top, above_bottom = rf.v - rf.top, rf.bottom - rf.v
    across = (2 * rf.u - 1).clamp(-1, 1)
    across2 = across * across
    lip = _col(colours.lip, dev)
    teeth = _col(colours.teeth, dev)
    dome_shape, notch, ripple = profiles(rf.u, _arch(width))

    # Cavity: light enters between the lips, so it is dimmest far from both lips and at the cheeks.
    from_lips = torch.minimum(below_top, above_bottom).clamp_min(0)
    glow = 1.0 / (1.0 + from_lips / (0.05 * width + 1.0))
    out = lip * ((0.09 + 0.22 * glow) * (1 - 0.45 * across2))[None]

    # Tongue: only when the jaw is well open; a low dome on the floor, mostly in shadow, its top
    # catching a little light from the front.
    tongue_on = smoothstep(0.25, 0.4, opening)
    if tongue_on > 0:
        dome = 0.36 * gap * dome_shape
        on = smoothstep(-2.0, 2.0, dome - above_bottom) * tongue_on
        top_lit = 1 - (above_bottom / dome.clamp_min(1)).clamp(0, 1)      # 1 at the dome's top
        tongue = lip * torch.tensor([0.9, 0.5, 0.5], device=dev)[:, None, None] \
            * (0.3 + 0.25 * top_lit * (1 - across2))[None]
        out = out + (tongue - out) * on[None]

    if not teeth_drawn:
        return out
    # Lower teeth: only the tips of the front ones, just above the lower lip, in shadow.
    low_h = torch.clamp(0.12 * gap, max=0.04 * width) * (1 - 2.2 * across2).clamp_min(0)
    low_a = 0.7 * smoothstep(-1.0, 1.0, low_h - above_bottom) * smoothstep(0.1, 0.25, opening)
    out = out + (teeth * (0.35 + 0.15 * (above_bottom / low_h.clamp_min(1)).clamp(0, 1))[None] - out) \
        * low_a[None]

    # Upper teeth, nearly straight tips with small notches between them.
    tooth_h = (torch.clamp(0.55 * gap, max=0.15 * width) * (1 - 0.4 * across2)
               - notch * (0.008 * width + 0.3))
    teeth_a = smoothstep(-0.8, 0.8, tooth_h - below_top) * (1 - smoothstep(0.8, 0.98, across.abs()))
    # Shadow of the upper lip over the teeth, darker toward the cheeks, translucent tips, faint gaps.
    lip_shadow = 0.5 + 0.5 * smoothstep(-0.02 * width, 0.12 * width, below_top)
    tip = 1 - 0.1 * smoothstep(0.65, 1.0, below_top / tooth_h.clamp_min(1))
    shade = lip_shadow * tip * (1 - 0.22 * notch) * (1 - 0.65 * across2) * (0.97 + 0.03 * ripple)
    out = out + (teeth * shade[None] - out) * teeth_a[None]
    return out


def _own_teeth(out: torch.Tensor, rf: RimFrame, texture: torch.Tensor, s_axis: Axis) -> torch.Tensor:
    """A portrait that shows its teeth keeps them: its upper teeth hang from the upper lip and its
    lower teeth ride on the lower lip (each sampled from the portrait at the same distance from
    its lip), and the jaw opening between them reveals the drawn cavity. Photographic, and
    continuous with the portrait's own mouth at rest."""
    s_top, s_bottom = rf.curves
    scale = s_axis.width / rf.width                       # source px per target px
    s_gap = (s_bottom - s_top).clamp_min(0)
    u = rf.u.clamp(0, 1)
    below_top = (rf.v - rf.top).clamp_min(0) * scale      # source px below the upper lip
    above_bottom = (rf.bottom - rf.v).clamp_min(0) * scale
    upper = flow.sample(texture, s_axis.to_px(u, s_top + below_top))[0]
    lower = flow.sample(texture, s_axis.to_px(u, s_bottom - above_bottom))[0]
    # The upper row shows down to ~60% of the portrait's gap, the lower row up to ~35%; the cut
    # edges fade over a couple of pixels and the cavity side of each is in shadow.
    up_a = smoothstep(-1.5, 1.5, (0.6 * s_gap - below_top) / scale)
    lo_a = smoothstep(-1.5, 1.5, (0.35 * s_gap - above_bottom) / scale)
    up_shade = 1 - 0.25 * smoothstep(0.3, 0.6, below_top / s_gap.clamp_min(1e-3))
    lo_shade = 0.9 - 0.25 * smoothstep(0.15, 0.35, above_bottom / s_gap.clamp_min(1e-3))
    out = out + (lower * lo_shade[None] - out) * lo_a[None]
    return out + (upper * up_shade[None] - out) * up_a[None]


def _source_mouth(colours: PortraitLook):
    """The portrait's mouth axis and its inner-lip profiles in that frame."""
    src = colours.landmarks
    s_axis = Axis.between(src[MOUTH_CORNERS[0], :2], src[MOUTH_CORNERS[1], :2])
    return s_axis, [s_axis.to_uv(src[INNER_UPPER_LIP, :2]), s_axis.to_uv(src[INNER_LOWER_LIP, :2])]


def _draw_open(frame: torch.Tensor, lm: np.ndarray, colours: PortraitLook, opening: float,
               strength: float, texture: torch.Tensor | None) -> None:
    s_axis, curves = _source_mouth(colours)
    for rf in rim_strips(*_rims(lm), frame.shape[-1], 2.0, frame.device,
                         extra_curves=curves if texture is not None else None):
        out = _interior(rf, opening, colours, teeth_drawn=texture is None)
        if texture is not None:
            out = _own_teeth(out, rf, texture, s_axis)
        alpha = _ramp(rf.inside()) * strength
        win = rf.window(frame)
        win += (out - win) * alpha[None]


def _restretch_lips(frame: torch.Tensor, texture: torch.Tensor, lm: np.ndarray, colours: PortraitLook,
                    amount: float, seam_on: bool) -> None:
    """For a portrait that shows its teeth: near the inner rims the warp carries those teeth (they
    bleed into the lip triangles) and squeezes them as the lips close. Re-stretch each lip's own
    texture, sampled a little inside the portrait's lip, over the rims; closed lips meet at a soft
    dark seam (``seam_on``)."""
    size = frame.shape[-1]
    width = float(np.linalg.norm(lm[MOUTH_CORNERS[1], :2] - lm[MOUTH_CORNERS[0], :2]))
    band = CLOSE_BAND * width
    s_axis, curves = _source_mouth(colours)
    for rf in rim_strips(*_rims(lm), size, band + 2.0, frame.device, extra_curves=curves):
        u = rf.u.clamp(0, 1)
        s_top, s_bottom = rf.curves
        seam = 0.5 * (rf.top + rf.bottom)
        scale = s_axis.width / rf.width
        margin = 0.25 * band * scale             # skip the portrait's rim: teeth bleed into it
        reach = band + 0.5 * (rf.bottom - rf.top).clamp_min(0)   # target px from seam to band edge
        k = (band * scale - margin) / reach.clamp_min(1e-3)       # source px per target px: the
        # band's outer edge samples where the warp would (continuous), the seam the lip's inner edge
        d = (rf.v - seam).abs()
        upper = rf.v < seam
        s_v = torch.where(upper, s_top - margin - d * k, s_bottom + margin + d * k)
        lips = flow.sample(texture, s_axis.to_px(u, s_v))[0]
        # The seam: a thin dark line, the lower lip in the upper lip's shadow just below it.
        sigma = 0.012 * width + 0.45
        below = (rf.v - seam).clamp_min(0)
        if seam_on:
            shade = (1 - 0.32 * soft_bump(d / sigma)) * (1 - 0.15 / (1 + below / (0.04 * width + 1)))
            lips = lips * shade[None]
        # Fade out at the band's outer edges and at the corners, where the warp's lips take over.
        alpha = ((1 - smoothstep(0.55, 1.0, d / reach.clamp_min(1e-3)))
                 * (1 - smoothstep(0.9, 1.0, (2 * rf.u - 1).abs())) * ((rf.u > 0) & (rf.u < 1)) * amount)
        win = rf.window(frame)
        win += (lips - win) * alpha[None]


def draw_mouth(frame: torch.Tensor, lm: np.ndarray, colours: PortraitLook,
               texture: torch.Tensor | None = None) -> None:
    """Paint the mouth into frame [3, S, S] (float 0..255) in place; lm [478, 3] target.

    Nothing is drawn while the opening matches the portrait's (the warp shows its own mouth)."""
    opening = mouth_gap(lm)
    teeth_shown = texture is not None and colours.mouth_open >= 0.03
    strength = smoothstep(colours.mouth_open, colours.mouth_open + 0.05, opening)
    if strength > 0:
        if teeth_shown:
            _restretch_lips(frame, texture, lm, colours, strength, seam_on=False)
        _draw_open(frame, lm, colours, opening, strength, texture if teeth_shown else None)
    elif teeth_shown and opening < colours.mouth_open:
        closing = smoothstep(0.0, 0.7, 1.0 - opening / colours.mouth_open)
        if closing > 0:
            _restretch_lips(frame, texture, lm, colours, closing, seam_on=True)
