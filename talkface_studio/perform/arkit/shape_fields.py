"""What each ARKit shape looks like on our face mesh: a displacement field [478, 3] at weight 1.

The fields are built from the project's own blendshapes and FACS action units (perform/blendshapes.py,
mouth_shapes.py, action_units.py), so a shape the performer makes at its full value reads back as the
ARKit shape at 1: `jaw_open` = 1 is `jawOpen` = 1, AU12 (the smile's corner pull) on one side is that
side's `mouthSmile` = 1. One-sided shapes are the action unit's half on that side; "Left" is the
performer's left = x > 0 in normalized space (MediaPipe's "left" regions, face.topology.MIRROR maps
one side onto the other). Magnitudes are in normalized units (outer eye corners 1 apart).

| ARKit shape (L/R = one side)      | field                                                        |
|-----------------------------------|--------------------------------------------------------------|
| eyeBlink L/R                      | face.relocate's blink at 1 (lids meet low in the eye)         |
| eyeSquint L/R                     | AU7 lower lid tensed up 2.2 mm (upper lid still)             |
| eyeWide L/R                       | AU5 upper lid raised 3.2 mm                                  |
| jawOpen                           | the `jaw_open` blendshape (24 mm at the lower lip)           |
| jawForward / jawLeft / jawRight   | the mandible (jaw_open's weights) moved 6 mm forward / 8 mm to a side |
| mouthClose                        | the lower lip brought back up against an open jaw (-jaw_open on the lower lip) |
| mouthPucker                       | `mouth_round` without its lip parting: corners in, lips pushed forward |
| mouthFunnel                       | `mouth_round`'s parting (the lips everted into an oval) + 0.6 of its rounding |
| mouthLeft / mouthRight            | the mouth region moved 6 mm to a side                       |
| mouthSmile L/R                    | AU12 lip-corner puller                                       |
| mouthFrown L/R                    | AU15 lip-corner depressor                                    |
| mouthDimple L/R                   | AU14 dimpler                                                 |
| mouthStretch L/R                  | the `mouth_wide` blendshape (corners out, lips thinned)      |
| mouthRollLower                    | the `lip_tuck` blendshape (lower lip up under the teeth: f, v) |
| mouthRollUpper                    | the upper lip's red rolled in 3 mm                           |
| mouthShrugLower                   | AU17 chin raiser (the lower lip pushed up)                   |
| mouthShrugUpper                   | the upper lip pushed up and out 1.5 mm                       |
| mouthPress L/R                    | AU24 lip presser                                             |
| mouthLowerDown L/R                | AU16 lower-lip depressor                                     |
| mouthUpperUp L/R                  | AU10 upper-lip raiser                                        |
| browDown L/R                      | AU4 brow lowerer (without pressing the lid)                  |
| browInnerUp                       | AU1 inner-brow raiser (both sides: ARKit has one shape)      |
| browOuterUp L/R                   | AU2 outer-brow raiser                                        |
| cheekPuff                         | both cheeks bulged 4 mm outward and 2 mm forward            |
| cheekSquint L/R                   | AU6 cheek raiser                                             |
| noseSneer L/R                     | AU9 nose wrinkler                                            |

Not here: the eyeLook shapes (the eyeballs are the gaze channels, applied by relocation: see
gaze_shapes.py) and tongueOut (the landmarks have no tongue; always 0).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from talkface_studio.face.relocate import relocate
from talkface_studio.face.topology import canonical_face

from .. import action_units as au
from ..blendshapes import BASES
from ..blendshapes import _frozen as freeze  # the freezing the project's own bases get (eyeballs, forehead)
from ..face_fields import FACE, IN_LIPS, LIP_DEPTH, LIP_SIDE, MM, X, bump, scaled, smoothstep, vec
from .names import INDEX

# ARKit shapes the geometric solve fits (everything but eyeLook* and tongueOut), in ARKit order.
FUNNEL_ROUNDING = 0.6  # share of mouth_round's rounding a funnel carries with its opening
SOLVED: tuple[str, ...] = tuple(n for n in INDEX if not n.startswith("eyeLook") and n != "tongueOut")


def left_share() -> np.ndarray:
    """[N] 1 on the performer's left (x > 0) .. 0 on the right, a smooth step 0.04 wide at the midline."""
    return smoothstep((X + 0.02) / 0.04)


def split(field: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(left, right) halves of a two-sided field; they add up to the field exactly."""
    left = np.asarray(field, np.float64) * left_share()[:, None]
    return left, field - left


def _blink() -> np.ndarray:
    face = canonical_face()
    shut = relocate(face, face[None], {"blink": np.ones(1)})[0]
    return shut.astype(np.float64) - relocate(face, face[None], {})[0]


def _mandible() -> np.ndarray:
    """[N] how far each point follows the jaw: 1 at the chin, from jaw_open's own drop."""
    drop = np.clip(BASES["jaw_open"][:, 1], 0.0, None)
    return drop / drop.max()


def _two_sided(name: str, field: np.ndarray, out: dict) -> None:
    left, right = split(field)
    out[f"{name}Left"], out[f"{name}Right"] = left, right


@lru_cache(maxsize=1)
def shape_fields() -> dict[str, np.ndarray]:
    """{ARKit name: float64 [478, 3]} for every name in SOLVED (read-only arrays)."""
    out: dict[str, np.ndarray] = {}
    jaw = BASES["jaw_open"].astype(np.float64)
    rnd = BASES["mouth_round"].astype(np.float64)
    parting = np.zeros_like(rnd)
    parting[IN_LIPS, 1] = rnd[IN_LIPS, 1]  # the round lips' vertical parting and eversion
    rounding = rnd - parting  # corners drawn in, lips pushed forward
    mandible = _mandible()
    mouth = bump(FACE[[13, 14]].mean(axis=0), 0.15)
    depth = np.nan_to_num(LIP_DEPTH)
    upper_red = (LIP_SIDE < 0) * depth
    cheeks = bump([-0.42, 0.55, -0.1], 0.12) + bump([0.42, 0.55, -0.1], 0.12)

    _two_sided("eyeBlink", _blink(), out)
    _two_sided("eyeSquint", au.au7_lid_tightener(upper=0.0), out)
    _two_sided("eyeWide", au.au5_upper_lid_raiser(), out)
    out["jawForward"] = scaled(mandible, vec(0, 0, -6.0))
    out["jawLeft"] = scaled(mandible, vec(8.0, 0, 0))
    out["jawRight"] = scaled(mandible, vec(-8.0, 0, 0))
    out["jawOpen"] = jaw
    out["mouthClose"] = -jaw * ((LIP_SIDE > 0) & IN_LIPS)[:, None]
    # a funnel is open AND rounded (so a smile's parted lips are not read as one); pucker is the
    # rounding alone: mouth_round = 1 reads as mouthFunnel 1 + mouthPucker 0.4
    out["mouthFunnel"] = parting + FUNNEL_ROUNDING * rounding
    out["mouthPucker"] = rounding
    out["mouthLeft"] = scaled(mouth, vec(6.0, 0, 0))
    out["mouthRight"] = scaled(mouth, vec(-6.0, 0, 0))
    _two_sided("mouthSmile", au.au12_lip_corner_puller(), out)
    _two_sided("mouthFrown", au.au15_lip_corner_depressor(), out)
    _two_sided("mouthDimple", au.au14_dimpler(), out)
    _two_sided("mouthStretch", BASES["mouth_wide"], out)
    out["mouthRollLower"] = BASES["lip_tuck"]
    out["mouthRollUpper"] = scaled(upper_red, vec(0, 3.0, 3.0))
    out["mouthShrugLower"] = au.au17_chin_raiser()
    out["mouthShrugUpper"] = scaled((LIP_SIDE < 0) * (1.0 - 0.5 * depth), vec(0, -1.5, -1.5))
    _two_sided("mouthPress", au.au24_lip_presser(), out)
    _two_sided("mouthLowerDown", au.au16_lower_lip_depressor(), out)
    _two_sided("mouthUpperUp", au.au10_upper_lip_raiser(), out)
    _two_sided("browDown", au.au4_brow_lowerer(lid=0.0), out)
    out["browInnerUp"] = au.au1_inner_brow_raiser()
    _two_sided("browOuterUp", au.au2_outer_brow_raiser(), out)
    out["cheekPuff"] = scaled(cheeks, vec(0, 0, -2.0)) + scaled(cheeks * np.sign(X), vec(4.0, 0, 0))
    _two_sided("cheekSquint", au.au6_cheek_raiser(), out)
    _two_sided("noseSneer", au.au9_nose_wrinkler(), out)

    fields = {}
    for name in SOLVED:
        # the freezing the project's emotion bases get (eyeballs still, the top of the forehead held),
        # so an emotion's brows and cheeks are fitted by exactly the fields it was made of
        frozen = np.asarray(freeze(out[name], expression=True), np.float64)
        frozen.setflags(write=False)
        fields[name] = frozen
    return fields


def field_mm(name: str) -> float:
    """The largest point movement of a shape at 1, in mm (for documentation and tests)."""
    return float(np.linalg.norm(shape_fields()[name], axis=1).max() / MM)
