"""What an open mouth shows behind the lips, drawn: oral cavity, tongue, lower and upper teeth.

Drawn in the mouth's own frame (``rim_frame``: u corner to corner 0..1, v down in pixels). Sizes
are in millimetres of the face (``MouthScale.mm``: pixels per mm, from the eye span), so a tooth is
a tooth's height however wide the lips stretch. Light enters between the lips from the front:

- the cavity is oral mucosa (the portrait's lip colour, more saturated and darker), lighter near
  the lips and toward the corners, darkest deep in the throat;
- the tongue is a rounded mass low in the mouth that rises into view as the jaw opens, its top
  softly lit;
- the lower teeth's top edges show above the lower lip, slightly in shadow; the upper teeth hang
  from the upper lip (about 10 mm incisors cut by the lip), shaded by it, narrowing toward the
  corners on an arch.

Colours come from the portrait (``PortraitLook``), so they suit any skin tone and lighting. Every
edge is anti-aliased; every size is a continuous function of the landmarks, so nothing pops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .appearance import PortraitLook
from .pixel_window import smoothstep
from .rim_frame import PROFILE_SAMPLES, RimFrame, profiles

UPPER_TOOTH_ANGLE = 0.3     # radians of arch per upper tooth (~8 teeth across a wide smile)
LOWER_TOOTH_ANGLE = 0.21    # lower incisors are narrower
UPPER_TEETH_MM = 8.5        # most an upper incisor (~10 mm) shows below the upper lip
LOWER_TEETH_MM = 4.0        # most the lower incisors' tops show above the lower lip
TONGUE_MM = (6.0, 16.0)     # lip gap over which the tongue rises from behind the lower teeth


@dataclass(frozen=True)
class MouthScale:
    """One frame's mouth measures: pixels per mm, inner-lip gap (largest) in mm."""

    mm: float
    gap_mm: float

    @property
    def gap_px(self) -> float:
        return self.mm * self.gap_mm


def mucosa_colour(lip: np.ndarray) -> np.ndarray:
    """Inside of the lips, lit: the lip colour made redder (mucosa is wetter and more vascular
    than the vermilion) by raising each channel's share of the red to a power."""
    lip = np.asarray(lip, dtype=np.float64)
    red = max(float(lip.max()), 1.0)
    return (red * (lip / red) ** 2.2 * 0.8).astype(np.float32)


def _col(rgb, dev) -> torch.Tensor:
    return torch.as_tensor(np.asarray(rgb, dtype=np.float32), device=dev)[:, None, None]


def _tooth_notches(width: float, angle: float) -> np.ndarray:
    """1 at a gap between teeth, 0 mid-tooth: teeth are equal steps of angle around the dental
    arch, so seen from the front they narrow toward the corners."""
    u = np.linspace(0.0, 1.0, PROFILE_SAMPLES)
    theta = np.arcsin(np.clip(2 * u - 1, -0.999, 0.999))
    phase = theta / angle + 0.5
    frac = phase - np.floor(phase)
    to_gap = np.minimum(frac, 1 - frac) * angle * 0.5 * width * np.cos(theta)   # px
    return np.exp(-to_gap / (0.005 * width + 0.3))


def arch_profiles(width: float):
    """Functions of u alone, as curves for ``profiles`` (one lookup for all): tongue dome, upper and
    lower tooth notches, a faint tooth-to-tooth ripple of brightness."""
    u = np.linspace(0.0, 1.0, PROFILE_SAMPLES)
    across = np.clip(2 * u - 1, -0.999, 0.999)
    dome = np.sqrt(np.clip(1 - across ** 2 / 0.55, 0, None))
    ripple = np.cos(8 * np.arcsin(across))
    return [(u, dome), (u, _tooth_notches(width, UPPER_TOOTH_ANGLE)),
            (u, _tooth_notches(width, LOWER_TOOTH_ANGLE)), (u, ripple)]


def _over(out: torch.Tensor, colour: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    return out + (colour - out) * alpha[None]


def interior(rf: RimFrame, scale: MouthScale, look: PortraitLook, upper_teeth: float = 1.0,
             lower_teeth: float = 1.0) -> torch.Tensor:
    """[3, h, w] colour of the open mouth behind the lips. ``upper_teeth`` / ``lower_teeth`` (0..1)
    weight the drawn rows (a portrait showing its own teeth pastes those instead, see ``mouth``)."""
    dev = rf.u.device
    width, mm = rf.width, scale.mm
    gap = (rf.bottom - rf.top).clamp_min(0)
    below_top, above_bottom = rf.v - rf.top, rf.bottom - rf.v
    across = (2 * rf.u - 1).clamp(-1, 1)
    across2 = across * across
    centre = (1 - across2).clamp_min(0)
    lip = _col(look.lip, dev)
    mucosa = _col(mucosa_colour(look.lip), dev)
    teeth = _col(look.teeth, dev)
    warm = torch.tensor([1.0, 0.94, 0.86], device=dev)[:, None, None]   # light bounced off mucosa
    dome_shape, notch_up, notch_lo, ripple = profiles(rf.u, arch_profiles(width))

    # Cavity: lit near the lips, dim toward the throat (deep and central), which opens up as the
    # jaw drops; the corners are the cheeks' inner walls, close to the light.
    from_lips = torch.minimum(below_top, above_bottom).clamp_min(0)
    depth = from_lips / (0.25 * scale.gap_px + 3.0 * mm + 1.0) * (0.35 + 0.65 * centre)
    lit = 1.0 / (1.0 + 4.0 * depth * depth)
    out = mucosa * (0.1 + 0.55 * lit)[None]

    # Tongue: a dome on the floor of the mouth rising into view as the lips part, redder and a
    # little lighter than the cavity; its top catches the light, its flanks fall into shadow.
    rise = smoothstep(*TONGUE_MM, scale.gap_mm)
    tongue_h = gap * (0.12 + 0.3 * rise) * dome_shape
    on = ((tongue_h - above_bottom) / (0.6 * mm + 0.7)).clamp(0, 1)
    to_top = (tongue_h - above_bottom).clamp_min(0) / (0.35 * tongue_h + 1.0)   # 0 at its top
    top_lit = 1.0 / (1.0 + to_top * to_top)
    tongue = lip * torch.tensor([1.0, 0.62, 0.6], device=dev)[:, None, None] \
        * ((0.42 + 0.45 * top_lit) * (0.55 + 0.45 * centre))[None]
    out = _over(out, tongue, on)

    # Lower teeth: the front ones' top edges just above the lower lip, a little in shadow, tips
    # catching more light than the roots; hidden toward the corners behind the lower lip.
    if lower_teeth > 0:
        low_h = (torch.clamp(0.16 * gap, max=LOWER_TEETH_MM * mm) * (1 - 2.2 * across2).clamp_min(0)
                 - notch_lo * (0.004 * width + 0.2))
        low_a = ((low_h - above_bottom) / 1.2).clamp(0, 1) * (lower_teeth * smoothstep(2.0, 6.0, scale.gap_mm))
        tip = (above_bottom / low_h.clamp_min(1)).clamp(0, 1)
        low_shade = (0.55 + 0.25 * tip) * (1 - 0.12 * notch_lo) * (1 - 0.5 * across2)
        out = _over(out, teeth * warm * low_shade[None], low_a)

    # Upper teeth, nearly straight tips with small notches, in the upper lip's soft shadow,
    # darker toward the cheeks, translucent at the tips.
    if upper_teeth > 0:
        tooth_h = (torch.clamp(0.55 * gap, max=UPPER_TEETH_MM * mm) * (1 - 0.4 * across2)
                   - notch_up * (0.008 * width + 0.3))
        teeth_a = (smoothstep(-0.8, 0.8, tooth_h - below_top) * (1 - smoothstep(0.8, 0.98, across.abs()))
                   * upper_teeth)
        lip_shadow = 0.65 + 0.35 * smoothstep(-0.02 * width, 0.12 * width, below_top)
        tip = 1 - 0.1 * smoothstep(0.65, 1.0, below_top / tooth_h.clamp_min(1))
        shade = lip_shadow * tip * (1 - 0.18 * notch_up) * (1 - 0.5 * across2) * (0.97 + 0.03 * ripple)
        out = _over(out, teeth * shade[None], teeth_a)
    return out
