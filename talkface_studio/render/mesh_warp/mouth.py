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

from . import flow
from .appearance import PortraitLook, mouth_gap
from .face_loops import INNER_LOWER_LIP, INNER_UPPER_LIP, MOUTH_CORNERS, OUTER_LIPS
from .lip_corners import restore_corners
from .smile_relief import SMILE_MIN, smile_removed
from .dental_arch import EYE_SPAN_MM
from .mouth_interior import MouthScale, TeethPose, interior
from .pixel_ops import LUMA, ops_of
from .pixel_window import bbox, smoothstep
from .rim_frame import Axis, RimFrame, rim_strips, soft_bump

ROUND_ENDS = 0.14        # the opening's ends are rounded over this fraction of the mouth width
# Millimetres are the project's (pupils 63 mm apart, ``dental_arch.MM``).
CLOSE_BAND_MM = 2.8      # lip texture re-stretched this far (mm) beyond the inner rims
RIM_SKIP_MM = 0.7        # ... sampled from this far inside the portrait's lip (teeth bleed into its rim)
SEAM_MM = 0.4            # half-width of the closed lips' dark seam line
PARTED_MM = (1.4, 2.8)   # inner-lip gap (mm) over which the closed lips' seam becomes an opening
EYE_CORNERS = (33, 263)
OUTER_CORNERS = (61, 291)    # where the lips' outer outlines meet (the inner ones meet at MOUTH_CORNERS)
OUTER_UPPER_LIP = OUTER_LIPS[:11]                             # corner to corner over the top
OUTER_LOWER_LIP = np.concatenate([OUTER_LIPS[10:], OUTER_LIPS[:1]])   # ... and under the bottom
OWN_MOUTH_MM = (0.3, 2.8)     # this close to the portrait's own mouth the plain warp shows it as is
RELAXED_TEETH = (0.4, 0.9)   # share of the portrait's smile taken away over which its teeth go from
                             # the smile's (lit, uncovered) to a relaxed mouth's (``TeethPose``)
PALE_LIP = (0.15, 0.45)   # re-stretched parted lips fade out where their texture is this much lighter than the lips
CORNER_U = 0.07          # lips re-stretched at the corners sample their texture this far in
CORNER_SHADE = 0.75      # the lips' lining where they meet beyond the opening's rounded ends
COMMISSURE_U = 0.05      # re-stretched lips reach this far (mouth widths) past the outer corners ...
COMMISSURE_REACH = 0.7   # ... and this much further from the rims there


def _rims(lm: np.ndarray):
    return (lm[MOUTH_CORNERS[0], :2], lm[MOUTH_CORNERS[1], :2], lm[INNER_UPPER_LIP, :2],
            lm[INNER_LOWER_LIP, :2])


# the inner lips as one loop: left corner, upper lip, right corner, lower lip back to the left
_INNER_LOOP = np.concatenate([[MOUTH_CORNERS[0]], INNER_UPPER_LIP, [MOUTH_CORNERS[1]], INNER_LOWER_LIP[::-1]])
_UPPER_MID = int(np.flatnonzero(_INNER_LOOP == 13)[0])
_RIGHT_END = len(INNER_UPPER_LIP) + 1     # where the loop reaches the right corner


def _seen_rims(lm: np.ndarray):
    """``_rims`` as the opening is seen: its ends are the loop's points furthest along the mouth.

    With the head turned, the far corner (78 or 308) lies deeper than the lip beside it, so the
    upper inner lip can project past it: the loop then doubles back near that end, and the
    opening drawn between the corners left a wedge of the loop undrawn, where the portrait's
    stretched lip showed as a pale patch inside the open mouth. Split at the furthest points, the
    loop's two halves are the opening's upper and lower outlines again. Straight on the ends are
    the corners themselves and nothing changes."""
    pts = lm[_INNER_LOOP, :2]
    u, _ = Axis.between(pts[0], pts[_RIGHT_END]).to_uv(pts)
    lo, hi = int(np.argmin(u)), int(np.argmax(u))
    if lo == 0 and hi == _RIGHT_END:
        return _rims(lm)
    n = len(_INNER_LOOP)
    ahead = [(lo + k) % n for k in range((hi - lo) % n + 1)]         # lo -> hi, one way round
    behind = [(lo - k) % n for k in range((lo - hi) % n + 1)]        # ... and the other way
    upper, lower = (ahead, behind) if _UPPER_MID in ahead else (behind, ahead)
    return pts[lo], pts[hi], pts[upper[1:-1]], pts[lower[1:-1]]


def _ramp(x, soft: float = 1.0):
    """Anti-aliased step: 0 for x < -soft/2, 1 for x > soft/2 (x in pixels)."""
    return ops_of(x).clip(0.5 + x / soft, 0.0, 1.0)


def _opening_box(lm: np.ndarray, size: int) -> tuple[int, int, int, int]:
    """Pixel box (x0, y0, w, h) that holds the whole opening between the inner lips (the rims are
    shape-preserving curves through the landmarks: no overshoot beyond them)."""
    return bbox(np.concatenate([lm[list(MOUTH_CORNERS), :2], lm[INNER_UPPER_LIP, :2], lm[INNER_LOWER_LIP, :2]]),
                size, 1.5)


def _open_strip(frame, rf: RimFrame, scale: MouthScale, look, pose: TeethPose,
                strength: float, reuse_teeth: bool, box) -> None:
    """Fill one strip of the opening between the inner lips with what lies behind (``interior``).
    Over a portrait whose own mouth is open (``reuse_teeth``), between the rims but beyond the
    opening's rounded ends, the lips' inner surfaces meet at the corners: their lining in its shade
    there, not what the portrait's corners showed (a smile's dark, tinted corners came through as
    brown patches)."""
    rf = rf.crop(box)
    if rf is None:
        return
    out = interior(rf, scale, look, pose, reuse_teeth=reuse_teeth)
    xp = ops_of(out)
    # (the rims meet at u = 0 and 1 and stay level beyond: without ``ends`` a line ran out of
    # each corner)
    ends = _ramp(xp.minimum(rf.u, 1.0 - rf.u) * rf.width, 1.0)
    opening = _ramp(rf.inside(), 1.3) * ends
    if reuse_teeth and rf.outline is not None:
        corner = xp.const(look.mucosa * CORNER_SHADE, out)[:, None, None]
        out = corner + (out - corner) * opening[None]
        rims = _ramp(xp.minimum(rf.v - rf.top, rf.bottom - rf.v), 1.3)
        opening = xp.maximum(opening, rims * ends)
    win = rf.window(frame)
    win += (out - win) * (opening * strength)[None]


def _draw_open(frame, lm: np.ndarray, colours: PortraitLook, strength: float,
               reuse_teeth: bool, relaxed: float = 0.0) -> None:
    """The opening between the inner lips, filled with what lies behind them."""
    scale = MouthScale(eye_span(lm) / EYE_SPAN_MM, lip_gap_mm(lm))
    pose = TeethPose.of(lm, colours.mouth, relaxed, scale.lower_shown)
    box = _opening_box(lm, frame.shape[-1])
    for rf in rim_strips(*_seen_rims(lm), frame.shape[-1], 2.0, frame, round_ends=ROUND_ENDS, smooth=True):
        _open_strip(frame, rf, scale, colours.mouth, pose, strength, reuse_teeth, box)


def _outer_profiles(lm: np.ndarray, axis: Axis) -> list:
    """The lips' outer outlines (upper, lower) as (u, v) profiles in ``axis``'s frame."""
    return [axis.to_uv(lm[OUTER_UPPER_LIP, :2]), axis.to_uv(lm[OUTER_LOWER_LIP, :2])]


def _source_mouth(colours: PortraitLook):
    """The portrait's mouth axis and its lips' profiles in that frame: inner rims (upper, lower),
    then outer outlines (upper, lower)."""
    src = colours.landmarks
    s_axis = Axis.between(src[MOUTH_CORNERS[0], :2], src[MOUTH_CORNERS[1], :2])
    return s_axis, [s_axis.to_uv(src[INNER_UPPER_LIP, :2]), s_axis.to_uv(src[INNER_LOWER_LIP, :2]),
                    *_outer_profiles(src, s_axis)]


@dataclass(frozen=True)
class _Lips:
    """What re-stretching the lips needs of one frame (``_restretch_strip``)."""

    mm: float
    band: float
    s_axis: Axis
    curves: list     # the portrait's lip profiles (``_source_mouth``), then this frame's outer outlines
    s_mm: float
    u_out: tuple
    lip_luma: float = 0.0   # the portrait's lip colour's luma (``PortraitLook.lip``)

    @staticmethod
    def of(lm: np.ndarray, colours: PortraitLook) -> "_Lips":
        mm = eye_span(lm) / EYE_SPAN_MM
        s_axis, curves = _source_mouth(colours)
        axis = Axis.between(lm[MOUTH_CORNERS[0], :2], lm[MOUTH_CORNERS[1], :2])
        u_out = (min(axis.to_uv(lm[OUTER_CORNERS[0], :2])[0], -0.02),
                 max(axis.to_uv(lm[OUTER_CORNERS[1], :2])[0], 1.02))
        curves = [*curves, *_outer_profiles(lm, axis)]
        return _Lips(mm, max(CLOSE_BAND_MM * mm, 2.5), s_axis, curves,
                     eye_span(colours.landmarks) / EYE_SPAN_MM, u_out,
                     float(LUMA @ np.asarray(colours.lip, np.float64)))

    def strips(self, lm: np.ndarray, size: int, like, round_ends: float = 0.0):
        return rim_strips(*_rims(lm), size, self.band + 2.0, like, extra=lm[list(OUTER_CORNERS), :2],
                          extra_curves=self.curves, smooth=True, round_ends=round_ends)


def _restretch_lips(frame, texture, lm: np.ndarray, colours: PortraitLook,
                    amount: float, seam_on: bool) -> None:
    """For a portrait that shows its teeth: near the inner rims the warp carries those teeth (they
    bleed into the lip triangles) and squeezes them as the lips close. Re-stretch each lip's own
    texture, sampled a little inside the portrait's lip, over the rims. Closed lips (``seam_on``)
    meet at a soft dark seam halfway between the rims; parted lips end at their own rims (the
    opening is drawn over what lies between)."""
    lips = _Lips.of(lm, colours)
    for rf in lips.strips(lm, frame.shape[-1], frame):
        _restretch_strip(frame, rf, texture, lips, amount, seam_on)


def _restretch_strip(frame, rf: RimFrame, texture, lips: _Lips,
                     amount: float, seam_on: bool) -> None:
    band, mm = lips.band, lips.mm
    # At the corners the portrait's teeth reach past its (blurry) rim landmarks: take the lips'
    # texture from a little further in along them.
    xp = ops_of(frame)
    u = xp.clip(rf.u, CORNER_U, 1 - CORNER_U)
    s_top, s_bottom, s_out_top, s_out_bottom, out_top, out_bottom = rf.curves[:6]
    seam = 0.5 * (rf.top + rf.bottom)
    scale = lips.s_axis.width / rf.width
    margin = RIM_SKIP_MM * lips.s_mm + 0.5       # skip the portrait's rim: teeth bleed into it
    # past the inner corners (u < 0, u > 1) further still: a smile's dark corner pits lie there
    past = smoothstep(1.0, 1.0 + COMMISSURE_U, rf.u) + 1.0 - smoothstep(-COMMISSURE_U, 0.0, rf.u)
    margin = margin * (1.0 + 2.0 * past)
    upper = rf.v < seam
    if seam_on:    # each lip's inner edge lands on the seam
        reach = band + 0.5 * xp.clip(rf.bottom - rf.top, 0)   # target px, seam to band edge
        d = abs(rf.v - seam)
        k = (band * scale) / xp.clip(reach, 1e-3)    # source px per target px: the band's outer
        # edge samples where the warp would (continuous), d = 0 the lip's inner edge
    else:          # ... on its own rim; inside the opening (painted over, except where its
        reach = xp.full_like(seam, band)             # rounded ends leave lip) its inner edge
        d = xp.clip(xp.where(upper, rf.top - rf.v, rf.v - rf.bottom), 0)
        # Parted lips map rim to outline onto the portrait's lip, rim to outline: a lip stretched
        # thinner than the portrait's (a dropped jaw narrows the mouth: ``scale`` > 1) sampled at
        # ``scale`` reached past the portrait's thin smiling lip into the pale skin above it and
        # laid that as a light line along the inner edge of the lip.
        s_thick = xp.where(upper, s_top - s_out_top, s_out_bottom - s_bottom)
        thick = xp.where(upper, rf.top - out_top, out_bottom - rf.bottom)
        k = xp.clip(s_thick - margin, 0) / xp.clip(thick, 1.0)
    s_v = xp.where(upper, s_top - margin - d * k, s_bottom + margin + d * k)
    colour = flow.sample(texture, lips.s_axis.to_px(u, s_v))
    # The seam: a thin dark line, the lower lip in the upper lip's shadow just below it.
    if seam_on:
        sigma = SEAM_MM * mm + 0.4
        below = xp.clip(rf.v - seam, 0)
        shade = (1 - 0.3 * soft_bump(d / sigma)) * (1 - 0.12 / (1 + below / (1.7 * mm + 1)))
        colour = colour * shade[None]
    # Fade out at the band's outer edges and, past the inner corners, over the commissures out to
    # the outer corners, where the warp's lips take over (a smile's dark corner pits must not
    # survive as hooks at the ends of a seam, nor its teeth as white beads at the corners of an
    # opening, which a turned head widens). Inside an opening whose rounded ends leave lip at the
    # corners, that lip stays.
    # The portrait's own corners (teeth, dark pits) can land a little beyond and above the outer
    # corners where a smile is relaxed or the head turns: there the lips reach further.
    lo, hi = lips.u_out
    corner = smoothstep(lo - COMMISSURE_U, lo, rf.u) * (1 - smoothstep(hi, hi + COMMISSURE_U, rf.u))
    if not seam_on:
        between = (xp.minimum(rf.v - rf.top, rf.bottom - rf.v) > 0) & (rf.u > 0) & (rf.u < 1)
        corner = xp.where(between, xp.ones_like(corner), corner)
    fade = xp.clip(d, 0) / xp.clip(reach * (1.0 + COMMISSURE_REACH * past), 1e-3)
    alpha = (1 - smoothstep(0.55, 1.0, fade)) * corner * amount
    if not seam_on and lips.lip_luma > 0:
        # Parted lips: where the portrait's "lip" is far lighter than its lips (a lit corner the
        # tracker's outline takes in, skin), its texture laid along the rim drew a pale patch
        # with a hard edge at the corner of the opening; there the warp's own corner stays.
        luma = colour[0] * float(LUMA[0]) + colour[1] * float(LUMA[1]) + colour[2] * float(LUMA[2])
        alpha = alpha * (1 - smoothstep(PALE_LIP[0], PALE_LIP[1], luma / lips.lip_luma - 1.0))
    win = rf.window(frame)
    win += (colour - win) * alpha[None]


def eye_span(lm: np.ndarray) -> float:
    """Outer eye corner to corner, 3-D (a turned head does not shrink it), in lm's pixels."""
    return float(np.linalg.norm(lm[EYE_CORNERS[1]] - lm[EYE_CORNERS[0]]))


def lip_gap_mm(lm: np.ndarray) -> float:
    """Largest inner-lip gap in millimetres (the project's: pupils 63 mm apart, eye corners ~88)."""
    gap = np.linalg.norm(lm[INNER_UPPER_LIP, :2] - lm[INNER_LOWER_LIP, :2], axis=1).max()
    return float(gap / max(eye_span(lm), 1e-6) * EYE_SPAN_MM)


def _mouth_width_mm(lm: np.ndarray) -> float:
    return float(np.linalg.norm(lm[MOUTH_CORNERS[1], :2] - lm[MOUTH_CORNERS[0], :2])
                 / max(eye_span(lm), 1e-6) * EYE_SPAN_MM)


def draw_mouth(frame, lm: np.ndarray, colours: PortraitLook, texture=None) -> None:
    """Paint the mouth into frame [3, S, S] (float 0..255) in place; lm [478, 3] target.

    A portrait with closed lips: the drawn mouth fades in as the lips part beyond the portrait's
    opening. A portrait with an open mouth (its own teeth, or dark): lips parted by more than ~1.5
    mm show an opening of exactly that size with the teeth where the skull and jaw put them (its
    own teeth reused where it shows them), narrower or wider than the portrait's; nearly closed
    lips meet at a seam, the lips' own texture re-stretched over the portrait's opening. Around
    the portrait's own opening the drawing fades into the plain warp (which then shows the
    portrait's mouth as it is), so nothing pops as the gap crosses it, and still landmarks
    reproduce the portrait."""
    opening = mouth_gap(lm)
    own = colours.mouth_open
    gone = smile_removed(colours.smile_score, lm) if colours.smile_score > SMILE_MIN else 0.0
    if texture is not None and gone > 0:
        restore_corners(frame, texture, lm, colours.landmarks, gone)   # (only a smile relaxing thickens them)
    if texture is None or own < 0.03:
        strength = smoothstep(own, own + 0.05, opening)
        if strength > 0:
            _draw_open(frame, lm, colours, strength, reuse_teeth=False, relaxed=smoothstep(*RELAXED_TEETH, gone))
        return
    gap_mm = lip_gap_mm(lm)
    parted = smoothstep(*PARTED_MM, gap_mm)
    # How far this mouth is from the portrait's own (mm of gap, plus a third of the width change).
    src = colours.landmarks
    unlike = abs(gap_mm - lip_gap_mm(src)) + abs(_mouth_width_mm(lm) - _mouth_width_mm(src)) / 3
    # (only a mouth the photo shows open: lips the tracker took for parted are no opening to show)
    unlike_own = 1.0 - colours.mouth_seen * (1.0 - smoothstep(*OWN_MOUTH_MM, unlike))
    closed = (1.0 - parted) * smoothstep(0.0, 0.3, 1.0 - opening / own)
    if closed > 0:
        _restretch_lips(frame, texture, lm, colours, closed, seam_on=True)
    strength = parted * unlike_own
    if strength > 0:
        # one pass over the mouth: each strip's lips re-stretched, then its opening filled
        lips = _Lips.of(lm, colours)
        scale = MouthScale(lips.mm, gap_mm)
        pose = TeethPose.of(lm, colours.mouth, smoothstep(*RELAXED_TEETH, gone), scale.lower_shown)
        box = _opening_box(lm, frame.shape[-1])
        for rf in lips.strips(lm, frame.shape[-1], frame, round_ends=ROUND_ENDS):
            _restretch_strip(frame, rf, texture, lips, strength, seam_on=False)
            _open_strip(frame, rf, scale, colours.mouth, pose, strength, reuse_teeth=True, box=box)
