"""BASES: per-channel displacement [478, 3] per unit of each mouth and expression channel.

Expression channels combine FACS action units (action_units.py) per emotion; 1 is MEAD's level 3,
an exaggerated, unmistakable expression (levels 1 and 2 are 1/3 and 2/3 of it). Every backend's
expression can be edited through channels with `apply_channel_edits`.

Speech and emotion combine in `compose`. Most of an emotion adds linearly, so a smile's corners stay
up and back whatever the jaw does and surprised brows and lids stay up while the mouth talks. The
part of an emotion that opens the mouth (a smile's lips parted over the upper teeth, the dropped jaw
of surprise: OPEN_PARTS) acts only while the mouth is free: it gives way while speech moves the
mouth away from rest, presses the lips (p b m) or tucks the lower lip (f v), so consonants still
close. While talking, surprise and fear open the speech's own vowels wider instead (JAW_GAIN). A
full lip press seals the lips whatever else is mixed in (`seal_lips`).
"""

from __future__ import annotations

import numpy as np

from talkface_studio.face.topology import REGIONS

from . import action_units as au
from . import mouth_shapes as ms
from .face_fields import FACE, IN_LIPS, LIP_DEPTH, LIP_PAIRS, LIP_SIDE, MM, X, smoothstep
from .procedural.visemes import REST

MOUTH_CHANNELS = ("jaw_open", "mouth_wide", "mouth_round", "lip_press", "lip_tuck")
EXPRESSION_CHANNELS = ("emo_angry", "emo_contempt", "emo_disgusted", "emo_fear", "emo_happy", "emo_sad", "emo_surprised")
SHAPE_CHANNELS = MOUTH_CHANNELS + EXPRESSION_CHANNELS

BUSY_SPAN = 0.25  # summed departure of jaw/wide/round from rest at which speech owns the mouth
JAW_GAIN = {"emo_surprised": 0.3, "emo_fear": 0.15}  # speech's jaw opening x (1 + gain x intensity)
SEAL_FROM = 0.5  # lip_press above which the lips are pulled together whatever else is mixed in
_SEAL_OPEN_MM = 40.0  # largest lip gap allowed at SEAL_FROM (more than any mix reaches)
_EYEBALLS = np.concatenate([REGIONS["left_iris"], REGIONS["right_iris"]])


def _emotions(jaw: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """{channel: (face part, mouth-opening part or None)} at MEAD level 3."""
    return {
        # happy: cheeks up and lower lids pushed up (AU6), corners pulled up and back (AU12), and
        # the lips parted over the upper teeth while the mouth is free (AU25, upper lip raised)
        "emo_happy": (1.2 * au.au6_cheek_raiser() + 1.25 * au.au12_lip_corner_puller(),
                      au.au25_lips_apart(gap_mm=10.0, upper_share=0.55)),
        # sad: the oblique inner brows, heavy lids and the down-turned, pouting mouth (AU17)
        "emo_sad": (1.4 * au.au1_inner_brow_raiser() + au.au4_brow_lowerer() + 1.3 * au.au15_lip_corner_depressor()
                    + au.au17_chin_raiser() + 0.8 * au.au43_lids_droop(), None),
        # anger: brows down and knitted (AU4), a glare (upper lids held up, AU5, lower lids tensed,
        # AU7; never narrowed to a squint), lips pressed thin (AU23+24) over a raised chin (AU17),
        # corners a little down, nostrils flared (AU38)
        "emo_angry": (1.8 * au.au4_brow_lowerer(lid=0.0, v_shape=1.0) + 0.8 * au.au5_upper_lid_raiser()
                      + 1.1 * au.au7_lid_tightener(upper=0.0) + 1.4 * au.au23_lip_tightener() + au.au24_lip_presser()
                      + 0.6 * au.au15_lip_corner_depressor() + 0.6 * au.au17_chin_raiser() + au.au38_nostril_dilator(),
                      None),
        # surprise: brows high in an even arch (AU1+2, the middle with the ends), lids wide to show
        # white above the iris (AU5), jaw dropped
        "emo_surprised": (1.3 * au.au1_inner_brow_raiser() + 1.3 * au.au2_outer_brow_raiser() + au.brow_middle_raiser()
                          + 1.4 * au.au5_upper_lid_raiser(),
                          au.au26_jaw_drop(jaw, 0.8) + au.au25_lips_apart(gap_mm=2.0) + au.au18_lips_rounded()),
        # fear: raised and drawn-together brows, staring eyes, tensed lower lids, stretched and
        # parted lips (AU1+2+4+5+7+20+25+26)
        "emo_fear": (1.3 * au.au1_inner_brow_raiser() + 1.2 * au.au2_outer_brow_raiser() + au.au4_brow_lowerer(lid=0.0)
                     + 1.5 * au.au5_upper_lid_raiser() + 0.5 * au.au7_lid_tightener(upper=0.0)
                     + 1.3 * au.au20_lip_stretcher(),
                     au.au25_lips_apart(gap_mm=5.0, upper_share=0.4) + au.au26_jaw_drop(jaw, 0.15)),
        # disgust: the raised upper lip (AU10) with the nose wrinkle (AU9), the lower lip pulled
        # down (AU16), corners well down (AU15: at 0.8 a smiling portrait's disgust read as a
        # grin), brows lowered and lids narrowed (AU4+7)
        "emo_disgusted": (1.3 * au.au9_nose_wrinkler() + 1.7 * au.au10_upper_lip_raiser()
                          + au.au16_lower_lip_depressor()
                          + 1.3 * au.au15_lip_corner_depressor() + 0.6 * au.au4_brow_lowerer()
                          + 0.6 * au.au7_lid_tightener(), None),
        # contempt: one corner tightened and raised (a one-sided AU12+AU14), the dimple beside it
        "emo_contempt": (1.5 * au.au12_lip_corner_puller(side="right") + 1.7 * au.au14_dimpler(side="right"), None),
    }


def _forehead_hold() -> np.ndarray:
    """[N] 1 at and below the brows .. 0 at the hairline: the frontalis lifts the brows and bunches
    the skin above them, but the top of the forehead (where the tracker's stable points sit, which
    define the head's pose) stays where it is."""
    brow_y = FACE[np.concatenate([REGIONS["left_brow"], REGIONS["right_brow"]]), 1].mean()
    top_y = FACE[[10, 109, 338], 1].mean()
    return smoothstep((FACE[:, 1] - top_y) / (brow_y - top_y))


_FOREHEAD_HOLD = _forehead_hold()
# The points that define the head's pose (face.normalize) never move with an expression: if they
# did, re-normalizing an expressive face would read part of it as a head movement.
_FOREHEAD_HOLD[REGIONS["stable"]] = 0.0


def _frozen(field: np.ndarray, expression: bool = False) -> np.ndarray:
    field = np.asarray(field, np.float32).copy()
    field[_EYEBALLS] = 0.0  # expressions move lids and skin; where the eyeball looks is gaze
    if expression:
        field *= _FOREHEAD_HOLD[:, None]
    field.setflags(write=False)
    return field


def _build() -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    jaw = ms.jaw_open()
    bases = {
        "jaw_open": jaw,
        "mouth_wide": ms.mouth_wide(),
        "mouth_round": ms.mouth_round(),
        "lip_press": ms.lip_press(jaw),
        "lip_tuck": ms.lip_tuck(),
    }
    open_parts = {}
    for name, (face, opening) in _emotions(jaw).items():
        bases[name] = face if opening is None else face + opening
        if opening is not None:
            open_parts[name] = _frozen(opening, expression=True)
    return {name: _frozen(field, expression=name.startswith("emo_")) for name, field in bases.items()}, open_parts


# BASES[c]: the full displacement of channel c at 1 (for an emotion: with the mouth free).
# OPEN_PARTS[c]: the share of an emotion's basis that opens the mouth (see mouth_freedom).
BASES, OPEN_PARTS = _build()
# Stacked [C, 478*3] for one matrix product per take: what adds linearly whatever the mouth does.
_MATRIX = np.stack([(BASES[c] - OPEN_PARTS.get(c, 0.0)).reshape(-1) for c in SHAPE_CHANNELS])


def _column(channels: dict, name: str, n: int) -> np.ndarray:
    value = channels.get(name)
    return np.zeros(n, np.float32) if value is None else np.asarray(value, np.float32).reshape(n)


def mouth_freedom(channels: dict, n_frames: int) -> np.ndarray:
    """[T] 1 where the mouth is free to show an emotion's opening, 0 where speech owns it: while the
    jaw, spreading and rounding move away from the mouth's rest (talking), the lips press (p b m)
    or the lower lip tucks (f v)."""
    press = _column(channels, "lip_press", n_frames)
    tuck = _column(channels, "lip_tuck", n_frames)
    departure = sum(np.abs(_column(channels, name, n_frames) - REST[i]) for i, name in enumerate(MOUTH_CHANNELS[:3]))
    free = (1.0 - smoothstep((press - 0.3) / 0.6)) * (1.0 - smoothstep(tuck / 0.8))
    return (free * (1.0 - smoothstep(departure / BUSY_SPAN))).astype(np.float32)


def compose(channels: dict[str, np.ndarray], n_frames: int) -> np.ndarray:
    """canonical + sum(channel * basis) -> float32 [T, 478, 3]: emotions' mouth openings only where
    the mouth is free, lips sealed on a full press and kept in order."""
    weights = np.zeros((n_frames, len(SHAPE_CHANNELS)), np.float32)
    for i, name in enumerate(SHAPE_CHANNELS):
        if name in channels:
            weights[:, i] = channels[name]
    out = (weights @ _MATRIX).reshape(n_frames, len(FACE), 3) + FACE.astype(np.float32)
    if OPEN_PARTS and n_frames:
        free = mouth_freedom(channels, n_frames)
        for name, field in OPEN_PARTS.items():
            if name in channels:
                out += (_column(channels, name, n_frames) * free)[:, None, None] * field[None]
        gain = sum(_column(channels, name, n_frames) * k for name, k in JAW_GAIN.items() if name in channels)
        if np.any(gain):
            out += (gain * _column(channels, "jaw_open", n_frames))[:, None, None] * BASES["jaw_open"][None]
    seal_lips(out, _column(channels, "lip_press", n_frames))
    return clamp_lip_order(out)


def _seal_weights() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lip points, their share of a pair's closing (upper lip 35 %, lower 65 %, less toward the
    outer edge so the lips roll together rather than slide), and linear-interpolation weights
    [points, pairs] that spread each pair's closing along the mouth by x."""
    points = np.flatnonzero(IN_LIPS & (LIP_SIDE != 0))
    depth = np.nan_to_num(LIP_DEPTH[points], nan=1.0)
    share = np.where(LIP_SIDE[points] < 0, 0.35, -0.65) * (1.0 - 0.4 * depth)
    nodes = X[LIP_PAIRS[:, 0]]
    order = np.argsort(nodes)
    xs = nodes[order]
    interp = np.zeros((len(points), len(nodes)))
    for k, x in enumerate(X[points]):
        j = int(np.clip(np.searchsorted(xs, x), 1, len(xs) - 1))
        t = float(np.clip((x - xs[j - 1]) / max(xs[j] - xs[j - 1], 1e-9), 0.0, 1.0))
        interp[k, order[j - 1]], interp[k, order[j]] = 1.0 - t, t
    for j, (up, low) in enumerate(LIP_PAIRS):  # a pair's own points close by exactly its excess
        for idx in (up, low):
            k = int(np.flatnonzero(points == idx)[0])
            interp[k] = 0.0
            interp[k, j] = 1.0
    return points, share.astype(np.float32), interp.astype(np.float32)


_SEAL_POINTS, _SEAL_SHARE, _SEAL_INTERP = _seal_weights()


def seal_lips(expression: np.ndarray, lip_press: np.ndarray) -> np.ndarray:
    """Cap the inner-lip gap by how hard the lips press (none up to SEAL_FROM, closed at 1), in
    place: p b m close whatever jaw, smile or surprise is mixed in. A cap, so applying it twice
    changes nothing more."""
    press = np.asarray(lip_press, np.float32).reshape(-1)
    if not np.any(press > SEAL_FROM):
        return expression
    cap = _SEAL_OPEN_MM * MM * (1.0 - smoothstep((press - SEAL_FROM) / (1.0 - SEAL_FROM)))
    up, low = LIP_PAIRS[:, 0], LIP_PAIRS[:, 1]
    excess = np.clip(expression[:, low, 1] - expression[:, up, 1] - cap[:, None], 0.0, None)  # [T, P]
    if np.any(excess > 0):
        expression[:, _SEAL_POINTS, 1] += (excess @ _SEAL_INTERP.T) * _SEAL_SHARE[None]
    return expression


def clamp_lip_order(expression: np.ndarray) -> np.ndarray:
    """Where the lower inner lip rose above the upper (y down), both meet at their mean. In place."""
    up, low = LIP_PAIRS[:, 0], LIP_PAIRS[:, 1]
    yu, yl = expression[:, up, 1], expression[:, low, 1]
    crossed = yl < yu
    if crossed.any():
        mid = 0.5 * (yu + yl)
        expression[:, up, 1] = np.where(crossed, mid, yu)
        expression[:, low, 1] = np.where(crossed, mid, yl)
    return expression


def inner_lip_gap(expression: np.ndarray) -> np.ndarray:
    """Mean opening between the inner lips per frame [T], in millimetres."""
    up, low = LIP_PAIRS[:, 0], LIP_PAIRS[:, 1]
    return (expression[:, low, 1] - expression[:, up, 1]).mean(axis=1) / MM


def apply_channel_edits(expression: np.ndarray, base_channels: dict, final_channels: dict) -> np.ndarray:
    """Add, on every frame where a mouth/expression channel changed, compose(final) - compose(base)
    (the change as the channels compose it, mouth freedom and lip seal included); other channels are
    ignored (pose, gaze and blink are applied by face.relocate). Exact and reversible on a procedural
    expression: editing base -> final gives compose(final). Returns a new float32 [T, 478, 3]."""
    out = np.array(expression, dtype=np.float32, copy=True)
    n = len(out)
    names = [c for c in SHAPE_CHANNELS if c in final_channels and c in base_channels]
    base = {c: _column(base_channels, c, n) for c in names}
    final = {c: _column(final_channels, c, n) for c in names}
    changed = np.zeros(n, bool)
    for c in names:
        changed |= base[c] != final[c]
    rows = np.flatnonzero(changed)
    if len(rows):
        k = len(rows)
        after = compose({c: v[rows] for c, v in final.items()}, k)
        out[rows] += after - compose({c: v[rows] for c, v in base.items()}, k)
        clamp_lip_order(out)
    return out
