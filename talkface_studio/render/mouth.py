"""The mouth between the lips: when they part further than in the portrait, draw what is behind
them (``mouth_interior``: cavity, tongue, teeth); when they close over a portrait that shows teeth,
draw closed lips.

Drawn in the mouth's own frame (``rim_frame``: u along the corner-to-corner axis 0..1, v down from
the upper inner lip in pixels), so it follows roll and asymmetric openings; the opening's ends are
rounded whatever the landmark polygon does. A portrait that shows its teeth keeps them (the upper
row hangs from the upper lip at its own size); lower teeth, tongue and cavity are drawn in colours
taken from the portrait, so they are lit like it. Every edge is anti-aliased.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from . import flow
from .appearance import PortraitLook, mouth_gap
from .face_loops import INNER_LOWER_LIP, INNER_UPPER_LIP, MOUTH_CORNERS
from .mouth_interior import MouthScale, interior
from .pixel_window import smoothstep
from .rim_frame import Axis, RimFrame, rim_strips, soft_bump

ROUND_ENDS = 0.14        # the opening's ends are rounded over this fraction of the mouth width
CLOSE_BAND = 0.07        # lip texture re-stretched this many mouth widths beyond the inner rims
PARTED_MM = (1.0, 2.0)   # inner-lip gap (mm) over which the closed lips' seam becomes an opening
EYE_SPAN_MM = 63.0       # outer eye corner to corner, the face's ruler
EYE_CORNERS = (33, 263)
OWN_MOUTH_MM = (0.15, 0.8)   # this close to the portrait's own mouth the plain warp shows it as is


def _rims(lm: np.ndarray):
    return (lm[MOUTH_CORNERS[0], :2], lm[MOUTH_CORNERS[1], :2], lm[INNER_UPPER_LIP, :2],
            lm[INNER_LOWER_LIP, :2])


def _ramp(x: torch.Tensor, soft: float = 1.0) -> torch.Tensor:
    """Anti-aliased step: 0 for x < -soft/2, 1 for x > soft/2 (x in pixels)."""
    return (0.5 + x / soft).clamp(0.0, 1.0)


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
    # The upper row shows down to ~65% of the portrait's gap (70% once the jaw opens beyond it, where
    # the lower lip no longer hides its tips), the lower row up to ~35%; the cut
    # edges fade over a couple of pixels. Once the jaw opens beyond the portrait's (``beyond``),
    # the cavity side of each row is in shadow; until then the rows meet as in the portrait.
    beyond = teeth.beyond
    up_a = smoothstep(-1.5, 1.5, ((0.65 + 0.05 * beyond) * s_gap - below_top) / scale)
    # The lower row gives way to drawn lower teeth (``interior``): the portrait's lower rim
    # mostly shows the upper teeth's tips or the lip, which a dropped jaw would not carry down.
    lo_a = smoothstep(-1.5, 1.5, (0.35 * s_gap - above_bottom) / scale) * (1 - teeth.drawn_lower)
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
    drawn_lower: float  # how far the drawn lower teeth replaced the portrait's (slower than beyond)

    @staticmethod
    def between(s_axis: Axis, t_width: float, s_lm: np.ndarray, t_lm: np.ndarray) -> "TeethMap":
        scale = eye_span(s_lm) / max(eye_span(t_lm), 1e-6)
        wider = lip_gap_mm(t_lm) - lip_gap_mm(s_lm)
        return TeethMap(scale, t_width * scale / s_axis.width, smoothstep(0.0, 1.5, wider),
                        smoothstep(0.0, 4.0, wider))

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


def _draw_open(frame: torch.Tensor, lm: np.ndarray, colours: PortraitLook, strength: float,
               texture: torch.Tensor | None) -> None:
    s_axis, curves = _source_mouth(colours)
    scale = MouthScale(eye_span(lm) / EYE_SPAN_MM, lip_gap_mm(lm))
    teeth = None
    if texture is not None:
        width = float(np.linalg.norm(lm[MOUTH_CORNERS[1], :2] - lm[MOUTH_CORNERS[0], :2]))
        teeth = TeethMap.between(s_axis, width, colours.landmarks, lm)
        curves = teeth.curves_in_frame_u(curves)
    for rf in rim_strips(*_rims(lm), frame.shape[-1], 2.0, frame.device,
                         extra_curves=curves if texture is not None else None, round_ends=ROUND_ENDS):
        if texture is None:
            out = interior(rf, scale, colours)
        else:
            out = interior(rf, scale, colours, upper_teeth=0.0, lower_teeth=teeth.drawn_lower)
            out = _own_teeth(out, rf, texture, s_axis, teeth)
        alpha = _ramp(rf.inside(), 1.3) * strength
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
        else:          # ... on its own rim; inside the opening (painted over, except where its
            reach = torch.full_like(seam, band)          # rounded ends leave lip) its inner edge
            d = torch.where(upper, rf.top - rf.v, rf.v - rf.bottom).clamp_min(0)
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
        # Inside an opening whose rounded ends leave lip at the corners, that lip stays.
        corner = 1 - smoothstep(0.9, 1.0, (2 * rf.u - 1).abs())
        if not seam_on:
            corner = torch.where(rf.inside() > 0, torch.ones_like(corner), corner)
        alpha = ((1 - smoothstep(0.55, 1.0, d.clamp_min(0) / reach.clamp_min(1e-3)))
                 * corner * ((rf.u > 0) & (rf.u < 1)) * amount)
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
            _draw_open(frame, lm, colours, strength, None)
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
        _draw_open(frame, lm, colours, strength, texture)
