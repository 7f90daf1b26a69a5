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

from dataclasses import dataclass

import numpy as np
import torch

from . import flow
from .appearance import PortraitLook, mouth_gap
from .face_loops import INNER_LOWER_LIP, INNER_UPPER_LIP, MOUTH_CORNERS
from .pixel_window import smoothstep
from .rim_frame import PROFILE_SAMPLES, Axis, RimFrame, profiles, rim_strips, soft_bump

TOOTH_ANGLE = 0.3        # radians of arch per upper tooth (~8 teeth across a wide smile)
CLOSE_BAND = 0.07        # lip texture re-stretched this many mouth widths beyond the inner rims
PARTED_MM = (1.0, 2.0)   # inner-lip gap (mm) over which the closed lips' seam becomes an opening
EYE_SPAN_MM = 63.0       # outer eye corner to corner, the face's ruler
EYE_CORNERS = (33, 263)
OWN_MOUTH_MM = (0.15, 0.8)   # this close to the portrait's own mouth the plain warp shows it as is


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


def _own_teeth(out: torch.Tensor, rf: RimFrame, texture: torch.Tensor, s_axis: Axis, teeth: "TeethMap"
               ) -> torch.Tensor:
    """A portrait that shows its teeth keeps them: its upper teeth hang from the upper lip and its
    lower teeth ride on the lower lip (each sampled from the portrait at the same distance from
    its lip), and the jaw opening between them reveals the drawn cavity. Teeth keep their size
    whatever the lips do (``TeethMap``): rounded lips narrow the row they show, a small gap shows
    only their edges. Photographic, and continuous with the portrait's own mouth at rest."""
    s_top, s_bottom = rf.curves                           # the portrait's rims at this pixel
    s_gap = (s_bottom - s_top).clamp_min(0)
    scale = teeth.scale
    u = teeth.source_u(rf.u)
    below_top = (rf.v - rf.top).clamp_min(0) * scale      # source px below the upper lip
    above_bottom = (rf.bottom - rf.v).clamp_min(0) * scale
    upper = flow.sample(texture, s_axis.to_px(u, s_top + below_top))[0]
    lower = flow.sample(texture, s_axis.to_px(u, s_bottom - above_bottom))[0]
    # The upper row shows down to ~60% of the portrait's gap, the lower row up to ~35%; the cut
    # edges fade over a couple of pixels. Once the jaw opens beyond the portrait's (``beyond``),
    # the cavity side of each row is in shadow; until then the rows meet as in the portrait.
    beyond = teeth.beyond
    up_a = smoothstep(-1.5, 1.5, ((0.65 - 0.05 * beyond) * s_gap - below_top) / scale)
    lo_a = smoothstep(-1.5, 1.5, (0.35 * s_gap - above_bottom) / scale)
    up_shade = 1 - 0.25 * beyond * smoothstep(0.3, 0.6, below_top / s_gap.clamp_min(1e-3))
    lo_shade = 1 - beyond * (0.1 + 0.25 * smoothstep(0.15, 0.35, above_bottom / s_gap.clamp_min(1e-3)))
    out = out + (lower * lo_shade[None] - out) * lo_a[None]
    return out + (upper * up_shade[None] - out) * up_a[None]


@dataclass(frozen=True)
class TeethMap:
    """Where a frame's mouth pixel finds the portrait's teeth. Teeth are bone: they keep their size
    (``scale`` = portrait px per frame px, from the eye span) and stay centred on the mouth, while
    the mouth's own u axis stretches with the lips (``k_u`` = portrait u per frame u)."""

    scale: float
    k_u: float
    beyond: float       # 0 while the lips part no more than the portrait's, 1 when clearly more

    @staticmethod
    def between(s_axis: Axis, t_width: float, s_lm: np.ndarray, t_lm: np.ndarray) -> "TeethMap":
        scale = eye_span(s_lm) / max(eye_span(t_lm), 1e-6)
        beyond = smoothstep(0.0, 1.5, lip_gap_mm(t_lm) - lip_gap_mm(s_lm))
        return TeethMap(scale, t_width * scale / s_axis.width, beyond)

    def source_u(self, u: torch.Tensor) -> torch.Tensor:
        return 0.5 + (u - 0.5) * self.k_u

    def curves_in_frame_u(self, curves):
        """The portrait's rim profiles [(u, v)] re-indexed by the frame's u (looked up per pixel)."""
        return [(0.5 + (su - 0.5) / self.k_u, sv) for su, sv in curves]


def _source_mouth(colours: PortraitLook):
    """The portrait's mouth axis and its inner-lip profiles in that frame."""
    src = colours.landmarks
    s_axis = Axis.between(src[MOUTH_CORNERS[0], :2], src[MOUTH_CORNERS[1], :2])
    return s_axis, [s_axis.to_uv(src[INNER_UPPER_LIP, :2]), s_axis.to_uv(src[INNER_LOWER_LIP, :2])]


def _draw_open(frame: torch.Tensor, lm: np.ndarray, colours: PortraitLook, opening: float,
               strength: float, texture: torch.Tensor | None) -> None:
    s_axis, curves = _source_mouth(colours)
    teeth = None
    if texture is not None:
        width = float(np.linalg.norm(lm[MOUTH_CORNERS[1], :2] - lm[MOUTH_CORNERS[0], :2]))
        teeth = TeethMap.between(s_axis, width, colours.landmarks, lm)
        curves = teeth.curves_in_frame_u(curves)
    for rf in rim_strips(*_rims(lm), frame.shape[-1], 2.0, frame.device,
                         extra_curves=curves if texture is not None else None):
        out = _interior(rf, opening, colours, teeth_drawn=texture is None)
        if texture is not None:
            out = _own_teeth(out, rf, texture, s_axis, teeth)
        alpha = _ramp(rf.inside()) * strength
        win = rf.window(frame)
        win += (out - win) * alpha[None]


def _restretch_lips(frame: torch.Tensor, texture: torch.Tensor, lm: np.ndarray, colours: PortraitLook,
                    amount: float, seam_on: bool) -> None:
    """For a portrait that shows its teeth: near the inner rims the warp carries those teeth (they
    bleed into the lip triangles) and squeezes them as the lips close. Re-stretch each lip's own
    texture, sampled a little inside the portrait's lip, over the rims. Closed lips (``seam_on``)
    meet at a soft dark seam halfway between the rims; parted lips end at their own rims (the
    opening is drawn over what lies between)."""
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
        upper = rf.v < seam
        if seam_on:    # each lip's inner edge lands on the seam
            reach = band + 0.5 * (rf.bottom - rf.top).clamp_min(0)   # target px, seam to band edge
            d = (rf.v - seam).abs()
        else:          # ... on its own rim; d < 0 inside the opening, which is painted over
            reach = torch.full_like(seam, band)
            d = torch.where(upper, rf.top - rf.v, rf.v - rf.bottom)
        k = (band * scale - margin) / reach.clamp_min(1e-3)       # source px per target px: the
        # band's outer edge samples where the warp would (continuous), d = 0 the lip's inner edge
        s_v = torch.where(upper, s_top - margin - d * k, s_bottom + margin + d * k)
        lips = flow.sample(texture, s_axis.to_px(u, s_v))[0]
        # The seam: a thin dark line, the lower lip in the upper lip's shadow just below it.
        sigma = 0.012 * width + 0.45
        below = (rf.v - seam).clamp_min(0)
        if seam_on:
            shade = (1 - 0.32 * soft_bump(d / sigma)) * (1 - 0.15 / (1 + below / (0.04 * width + 1)))
            lips = lips * shade[None]
        # Fade out at the band's outer edges and at the corners, where the warp's lips take over.
        alpha = ((1 - smoothstep(0.55, 1.0, d.clamp_min(0) / reach.clamp_min(1e-3)))
                 * (1 - smoothstep(0.9, 1.0, (2 * rf.u - 1).abs())) * ((rf.u > 0) & (rf.u < 1)) * amount)
        win = rf.window(frame)
        win += (lips - win) * alpha[None]


def eye_span(lm: np.ndarray) -> float:
    """Outer eye corner to corner, 3-D (a turned head does not shrink it), in lm's pixels."""
    return float(np.linalg.norm(lm[EYE_CORNERS[1]] - lm[EYE_CORNERS[0]]))


def lip_gap_mm(lm: np.ndarray) -> float:
    """Largest inner-lip gap in millimetres, taking the outer eye corners as 63 mm apart."""
    gap = np.linalg.norm(lm[INNER_UPPER_LIP, :2] - lm[INNER_LOWER_LIP, :2], axis=1).max()
    return float(gap / max(eye_span(lm), 1e-6) * EYE_SPAN_MM)


def _mouth_width_mm(lm: np.ndarray) -> float:
    return float(np.linalg.norm(lm[MOUTH_CORNERS[1], :2] - lm[MOUTH_CORNERS[0], :2])
                 / max(eye_span(lm), 1e-6) * EYE_SPAN_MM)


def draw_mouth(frame: torch.Tensor, lm: np.ndarray, colours: PortraitLook,
               texture: torch.Tensor | None = None) -> None:
    """Paint the mouth into frame [3, S, S] (float 0..255) in place; lm [478, 3] target.

    A portrait without teeth of its own: the drawn mouth fades in as the lips part beyond the
    portrait's opening. A portrait that shows its teeth: lips parted by more than ~1.5 mm show an
    opening of exactly that size (its own teeth behind the lips, never squeezed), narrower or wider
    than the portrait's; nearly closed lips meet at a seam. Around the portrait's own opening the
    drawing fades into the plain warp (which then shows the portrait's mouth as it is), so nothing
    pops as the gap crosses it, and still landmarks reproduce the portrait."""
    opening = mouth_gap(lm)
    own = colours.mouth_open
    if texture is None or own < 0.03:
        strength = smoothstep(own, own + 0.05, opening)
        if strength > 0:
            _draw_open(frame, lm, colours, opening, strength, None)
        return
    gap_mm = lip_gap_mm(lm)
    parted = smoothstep(*PARTED_MM, gap_mm)
    # How far this mouth is from the portrait's own (mm of gap, plus a third of the width change).
    src = colours.landmarks
    unlike = abs(gap_mm - lip_gap_mm(src)) + abs(_mouth_width_mm(lm) - _mouth_width_mm(src)) / 3
    unlike_own = smoothstep(*OWN_MOUTH_MM, unlike)
    closed = (1.0 - parted) * smoothstep(0.0, 0.3, 1.0 - opening / own)
    if closed > 0:
        _restretch_lips(frame, texture, lm, colours, closed, seam_on=True)
    strength = parted * unlike_own
    if strength > 0:
        _restretch_lips(frame, texture, lm, colours, strength, seam_on=False)
        _draw_open(frame, lm, colours, opening, strength, texture)
