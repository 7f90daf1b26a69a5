"""What an open mouth shows behind the lips: teeth on their arch, gums, tongue, a dark cavity,
the lips' wet lining.

Drawn in the mouth's own frame (``rim_frame``: u corner to corner, v down in pixels) over the
teeth of ``dental_arch`` seen through the frame's head pose, so the upper teeth hang from the skull
and the lower ones ride on the jaw, both at their real size however the lips move, and a turned
head shows the arch turned. Back to front:

- the cavity (``mouth_soft_tissue``): deep red-brown just inside the lips, near black at the back;
- the tongue: its top rising in the lower part of the opening behind the lower teeth, on the lower
  arch (so it turns with the head), lit toward its front, with a soft wet highlight;
- the lower teeth: their biting edges above the lower lip as the jaw drops;
- the upper teeth (``mouth_teeth``): the portrait's own where it shows them, drawn elsewhere, in
  the upper lip's shade just below it; the gums above them where a lip lifts that far;
- the lips' wet lining along both rims (lower a little brighter, with a wet line; upper shaded).

A narrow opening lets in little light, so the cavity, tongue and lower teeth dim as the lips come
together; the upper teeth's fronts stay lit. Colours come from ``mouth_look`` (the portrait's
own), so greyscale stays greyscale and no hue is invented. Millimetres are the project's
(``dental_arch.MM``: pupils 63 mm apart).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from talkface_studio.face.normalize import estimate_pose

from .dental_arch import LOWER_K, MM, UPPER_K, ArchView, view_arch
from .mouth_look import MouthLook
from .mouth_soft_tissue import cavity, inner_lips, tongue
from .mouth_teeth import arch_coords, col, lower_curves, lower_teeth, upper_curves, upper_teeth
from .pixel_ops import ops_of
from .pixel_window import smoothstep
from .rim_frame import RimFrame, profiles, tabulate

LOWER_SHOWN_MM = 2.5       # of the lower teeth a jaw dropped wide leaves above the lower lip ...
LOWER_GAP_MM = (7.0, 18.0)  # ... coming into view over this lip gap
TONGUE_MM = (2.2, 0.17)    # the tongue's top rises a + b * lip gap mm above the lower teeth's edge
TONGUE_GAP_MM = (2.0, 9.0)  # (midline), coming up into view over this lip gap
LIGHT_GAP_MM = (0.7, 7.0)  # lip gap over which the light reaching inside goes from dim to full
RELAXED_SHOWN_MM = 3.3     # of the upper incisors a relaxed upper lip leaves in view in speech
OVERBITE_MM = 2.0          # the lower incisors never rise higher than this above the upper ones' edge
UPPER_LIP_MID, LOWER_LIP_MID = 13, 14


@dataclass(frozen=True)
class MouthScale:
    """One frame's mouth measures: pixels per mm, inner-lip gap (largest) in mm."""

    mm: float
    gap_mm: float

    @property
    def lower_shown(self) -> float:
        """mm of the lower teeth above the lower lip (0: hidden)."""
        shown = LOWER_SHOWN_MM * smoothstep(*LOWER_GAP_MM, self.gap_mm)
        return shown if shown * self.mm >= 0.5 else 0.0      # under half a pixel: not worth drawing

    @property
    def tongue_mm(self) -> float:
        """How far (mm) the tongue's top rises above the lower teeth's edge on the midline."""
        return smoothstep(*TONGUE_GAP_MM, self.gap_mm) * (TONGUE_MM[0] + TONGUE_MM[1] * self.gap_mm)


class TeethPose:
    """The frame's view of both arches (the lower one worked out only when asked for).

    The upper arch hangs from the skull where ``mouth_look`` placed it. ``relaxed`` (0..1): how much
    of the portrait's smile this frame has taken away. A smile lifts the upper lip off the teeth;
    a relaxed upper lip covers all but their edges (~2-3 mm of the incisors show in speech). When
    the driving lips do not cover them that far (stage 1 lowers a smile's upper lip only about half
    way), the upper arch is drawn that much higher, in proportion to the smile taken away: a
    neutral /a/ then shows the teeth's edges under the lip, not the smile's full row of crowns.

    The lower arch rides on the jaw, and so does the lower lip: its biting edge is placed from
    this frame's lower lip (``MouthScale.lower_shown`` above it), whatever the stage-1 backend did
    with the chin, so lower teeth and tongue come into view as the lips part."""

    def __init__(self, pose, upper_n: np.ndarray, lower_n: np.ndarray, relaxed: float = 0.0):
        self._pose, self._lower_n = pose, lower_n
        self.upper = view_arch(pose, upper_n, UPPER_K)
        self._lower = None
        self._tables = {}
        self.relaxed = float(relaxed)

    @property
    def lower(self) -> ArchView:
        if self._lower is None:
            self._lower = view_arch(self._pose, self._lower_n, LOWER_K)
        return self._lower

    def table(self, which: str, look: MouthLook, like):
        """The arch's profiles (``mouth_teeth.upper_curves`` / ``lower_curves``) tabulated once per
        frame for all its strips."""
        if which not in self._tables:
            curves = upper_curves(self.upper, look) if which == "upper" else lower_curves(self.lower)
            self._tables[which] = tabulate(curves, like)
        return self._tables[which]

    @staticmethod
    def of(lm: np.ndarray, look: MouthLook, relaxed: float = 0.0, lower_shown: float = 0.0) -> "TeethPose":
        pose = estimate_pose(lm)
        r, s, t = np.asarray(pose.rotation), pose.scale, pose.translation
        down = (s * r @ np.array([0.0, MM, 0.0]))[:2]       # one mm down the head, in the image

        def below(p_n, landmark):
            """mm by which the normalized point p_n is seen below the landmark, along the head's
            vertical in the image (the teeth lie mm behind the lips: a pitched head shifts them)."""
            return float((s * r @ p_n + t - lm[landmark])[:2] @ down / (down @ down))

        edge = look.edge_n.copy()
        if relaxed > 0 and look.own_teeth:
            shown = below(edge, UPPER_LIP_MID)
            if shown > RELAXED_SHOWN_MM:
                edge[1] -= relaxed * (shown - RELAXED_SHOWN_MM) * MM
        lower = look.lower_n.copy()
        lower[1] -= (below(lower, LOWER_LIP_MID) + lower_shown) * MM
        lower[1] = max(lower[1], edge[1] - OVERBITE_MM * MM)
        return TeethPose(pose, edge, lower, relaxed)


def _lower_arch(out, rf: RimFrame, pose: TeethPose, look: MouthLook, scale: MouthScale, above_bottom):
    """The tongue and the lower teeth over ``out``."""
    like, mm = out, scale.mm      # colours and tables are made like ``out`` (numpy, or on its device)
    shown = scale.lower_shown
    u_lo, h_lo = arch_coords(rf, pose.lower)
    lower = profiles(u_lo, pose.table("lower", look, like))
    dome, side = lower[5], lower[6]
    # mm below the lower teeth's edge, the lower lip covering all but ``shown`` of them
    below_edge = ops_of(out).minimum(lower[0] - h_lo, shown - above_bottom / mm)
    tongue_top = (scale.tongue_mm + 0.6) * dome - 0.6
    teeth = col(look.teeth, like)
    out = tongue(out, col(look.tongue, like), teeth, below_edge + tongue_top, dome, side, mm)
    if shown > 0:
        out = lower_teeth(out, below_edge, mm, lower, teeth, col(look.cavity, like))
    return out


def interior(rf: RimFrame, scale: MouthScale, look: MouthLook, pose: TeethPose,
             reuse_teeth: bool = True):
    """[3, h, w] colour of the open mouth behind the lips (see the module docstring)."""
    like = rf.u          # colours and tables are made like it
    xp = ops_of(like)
    mm = scale.mm
    below_top, above_bottom = rf.v - rf.top, rf.bottom - rf.v
    across = xp.clip(2 * rf.u - 1, -1, 1)
    centre = xp.clip(1 - across * across, 0)
    light = 0.55 + 0.45 * smoothstep(*LIGHT_GAP_MM, scale.gap_mm)
    from_lips = xp.clip(xp.minimum(below_top, above_bottom), 0) / mm
    out = cavity(col(look.cavity, like), col(look.cavity_deep, like), from_lips, centre, scale.gap_mm)
    # Tongue and lower teeth, where a strip comes near enough the lower lip to show them (a
    # slightly parted mouth shows neither).
    shown, rise = scale.lower_shown, scale.tongue_mm
    reach = (shown + rise + 1.0) * mm + 2.0
    if (shown > 0 or rise > 0) and float(above_bottom.min()) < reach:
        out = _lower_arch(out, rf, pose, look, scale, above_bottom)
    out = out * light                                          # a narrow opening lets little in
    out = upper_teeth(out, rf, pose.upper, pose.table("upper", look, like), look, mm, below_top, across,
                      pose.relaxed, reuse_teeth)
    return inner_lips(out, col(look.mucosa, like), col(look.teeth, like), below_top, above_bottom, centre, mm)
