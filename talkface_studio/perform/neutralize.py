"""Remove the portrait's own expression, so painted emotions start from a neutral face.

Relocation adds expression deltas to the portrait's face; on a smiling portrait a sad performance
becomes "sad brows on a smile". So before relocation the portrait's expression is estimated as
non-negative coefficients of the same mouth and expression bases the performers use (plus
`lips_part` and `corner_pull`, see FIT_CHANNELS), fitted to (portrait - canonical face) in
normalized space on the expressive regions, and subtracted.

Identity must not be mistaken for expression: a wide mouth, high brows or narrow eyes are how a
person looks. Three things guard against it: the mouth's position and width and the brows' height
are fitted as identity terms, each channel pays an L1 price so deviations smaller than DEAD_ZONE
of a full expression are left alone, and the speech shapes (mouth_wide/round, lip press/tuck) pay
more. The
renderer keeps the ORIGINAL landmarks as its texture source; only relocation uses the neutral ones.

A broad smile almost always raises the cheeks too (AU6, the Duchenne smile), which pushes the lower
lids up and narrows the eyes; the tracker sees that mostly as lower lids sitting higher than usual.
So with a fitted smile, `cheek_raise` (AU6) is removed in proportion to it, but never further than
the lower lids sit above a typical face's: a smile with relaxed eyes keeps its eyes. What the fitted
smile leaves at each mouth corner (real smiles are rarely the basis's exact shape, often lopsided)
comes off too, as one-sided corner pulls (`corner_pull_right`, `corner_pull_left`), down to a
typical mouth line and no further.
"""

from __future__ import annotations

import numpy as np

from talkface_studio.core.errors import ValidationError
from talkface_studio.face.normalize import denormalize, normalize
from talkface_studio.face.topology import N_LANDMARKS, REGIONS

from .action_units import au6_cheek_raiser, au12_lip_corner_puller
from .blendshapes import BASES, OPEN_PARTS, SHAPE_CHANNELS
from .face_fields import FACE, LIP_PAIRS, MM, bump
from .mouth_shapes import lips_part

# Take option (GenerationSettings.options) that switches neutralization; on by default.
NEUTRALIZE_OPTION = "neutralize_portrait"
NEUTRALIZE_DEFAULT = True

# The channels' own shapes, plus two a portrait often holds alone: lips apart without the jaw
# (AU25, a teeth-showing smile) and the social smile's corner pull without the cheek raise (AU12).
FIT_CHANNELS = SHAPE_CHANNELS + ("lips_part", "corner_pull")
# Derived from the fit rather than fitted (identity, e.g. narrow eyes, would pass for it):
DERIVED_CHANNELS = ("cheek_raise", "corner_pull_right", "corner_pull_left")
DUCHENNE_SHARE = 0.8  # AU6 removed per unit of fitted smile (corner_pull + emo_happy)
TYPICAL_LOWER_LID_MM = -2.5  # mid lower lid below the eye corners' line in a relaxed face (canonical -2.25)
TYPICAL_MOUTH_MM = 52.0  # corner to corner, relaxed (adults ~46-56 mm with the pupils 63 mm apart)
SMILE_CLEAR = 0.5  # fitted smile (corner_pull + emo_happy) from which its widened mouth is all removed
DEAD_ZONE = 0.12  # coefficients explaining less than this fraction of a full shape are ignored
BROW_HEIGHT_SPREAD_MM = 2.5  # how far brows sit higher or lower between people, before it costs
_SPEECH_SHAPE_PRICE = 3.0  # mouth_wide/round, lip_press/tuck: held in portraits rarely, identity-like
# The jaw moves many points per millimetre of opening (the whole lower lip and the corners), lips_part
# only the lips' red, so at the same price per unit of energy an open jaw was always "explained" as
# parted lips, leaving the chin dropped; priced per millimetre of opening instead, the fit decides.
_JAW_PRICE = 0.7
_UPPER = {"lips_part": 3.0, "jaw_open": 0.8, "corner_pull": 1.5}  # largest coefficient removed (others: 1)

_CANON = FACE
_EYE_Y = FACE[[33, 263], 1].mean()


def _fit_weights() -> np.ndarray:
    """Weight per landmark in the fit: mouth, brows and lids count fully, cheeks and nose half."""
    w = np.zeros(N_LANDMARKS)
    for region in ("lips", "left_brow", "right_brow", "left_eye", "right_eye"):
        w[REGIONS[region]] = 1.0
    for cx in (-0.35, 0.35):  # cheek apples below each eye
        w = np.maximum(w, 0.5 * (bump([cx, _EYE_Y + 0.3, FACE[:, 2].min()], 0.12, depth_weight=0.0) > 0.5))
    w[REGIONS["nose"]] = np.maximum(w[REGIONS["nose"]], 0.5)
    # the corners carry most of what an expression says about the mouth, and are only 4 of 40 points
    w[[61, 291, 78, 308]] = 4.0
    w[REGIONS["face_oval"]] = 0.0  # the outline is identity (and the jaw's length)
    w[REGIONS["left_iris"]] = w[REGIONS["right_iris"]] = 0.0  # gaze, not expression
    return w


_W = _fit_weights()
_LIPS_PART = lips_part()
_CORNER_PULL = au12_lip_corner_puller()
_CHEEK_RAISE = au6_cheek_raiser()
_ONE_CORNER = {"corner_pull_right": au12_lip_corner_puller(side="right")}   # moves 61 (the image's left)
_ONE_CORNER["corner_pull_left"] = _CORNER_PULL - _ONE_CORNER["corner_pull_right"]
_MOUTH_WIDE = np.asarray(BASES["mouth_wide"], np.float64)
_MOUTH_CORNERS = (61, 291)
_LOWER_LID_MIDS = (145, 374)
_LIP_MIDS = (13, 14)  # the inner lips at the midline
_CORNER_LINE = (33, 133, 263, 362)
_FIT_POINTS = np.flatnonzero(_W > 0)
_MOUTH = REGIONS["lips"]
_BROWS = np.concatenate([REGIONS["left_brow"], REGIONS["right_brow"]])
_IRISES = np.concatenate([REGIONS["left_iris"], REGIONS["right_iris"]])


def _fit_basis(name: str, whole: bool = False) -> np.ndarray:
    if name == "lips_part":
        return _LIPS_PART
    if name == "corner_pull":
        return _CORNER_PULL
    if name == "cheek_raise":
        return _CHEEK_RAISE
    if name in _ONE_CORNER:
        return _ONE_CORNER[name]
    if name in OPEN_PARTS and not whole:  # an emotion's open mouth is fitted as what opens it: jaw, lips_part
        return np.asarray(BASES[name], np.float64) - OPEN_PARTS[name]
    return np.asarray(BASES[name], np.float64)


def _nuisance_columns() -> np.ndarray:
    """Identity terms fitted alongside the expression: where the mouth sits, how wide it is, and how
    high the brows sit. [478*2, 4] (x, y interleaved). A smile is not a higher mouth because the
    corners rise against the centre, which a shift cannot do (and the corners weigh 4x)."""
    cols = np.zeros((4, N_LANDMARKS, 2))
    centre = _CANON[_MOUTH, :2].mean(axis=0)
    cols[0, _MOUTH, 0] = 1.0  # mouth sideways
    cols[1, _MOUTH, 1] = 1.0  # mouth up/down (a longer or shorter upper lip)
    cols[2, _MOUTH, 0] = _CANON[_MOUTH, 0] - centre[0]  # mouth width; not height (lips apart is expression)
    cols[3, _BROWS, 1] = 1.0  # brow height: raised or lowered brows must change their shape to count
    return cols.reshape(4, -1).T


def _stretch(identity_n: np.ndarray) -> np.ndarray:
    """The same proportional stretch face.relocate gives expression deltas on this face."""
    oval = REGIONS["face_oval"]
    kx = np.ptp(identity_n[oval, 0]) / np.ptp(_CANON[oval, 0])
    ky = (identity_n[152, 1] - identity_n[[33, 263], 1].mean()) / (_CANON[152, 1] - _EYE_Y)
    return np.clip([kx, ky, (kx + ky) / 2], 0.8, 1.25)


def estimate_expression(identity_n: np.ndarray) -> dict[str, float]:
    """The expression held by a normalized face [478, 3], as {channel: coefficient >= 0}.

    Channels are FIT_CHANNELS: the mouth and expression channels plus `lips_part` and
    `corner_pull`. Zero for everything within the dead zone of an ordinary neutral face."""
    face = np.asarray(identity_n, np.float64)
    if face.shape != (N_LANDMARKS, 3) or not np.isfinite(face).all():
        raise ValidationError(f"portrait landmarks must be finite [{N_LANDMARKS}, 3], got {face.shape}")
    stretch = _stretch(face)
    sw = np.sqrt(np.repeat(_W, 2)) / MM  # residuals in millimetres, weighted
    A = np.stack([(_fit_basis(c) * stretch)[:, :2].ravel() for c in FIT_CHANNELS], axis=1) * sw[:, None]
    N = _nuisance_columns() * sw[:, None]
    d = (face - _CANON)[:, :2].ravel() * sw
    energy = (A**2).sum(axis=0)  # mm^2 moved by each channel at 1
    price = 2.0 * DEAD_ZONE * energy  # the L1 weight that makes DEAD_ZONE the threshold
    for i, name in enumerate(FIT_CHANNELS):
        if name in ("mouth_wide", "mouth_round", "lip_press", "lip_tuck"):
            price[i] *= _SPEECH_SHAPE_PRICE
    k = A.shape[1]
    # Priors as extra rows: a small ridge keeps the system well posed (the bases overlap); the brow
    # height pays for shifts beyond what faces differ by, so raised brows still read as expression.
    ridge = np.full(k + N.shape[1], np.sqrt(1e-3 * energy.mean()))
    ridge[-1] = np.sqrt(len(_BROWS)) / (BROW_HEIGHT_SPREAD_MM * MM)
    M = np.vstack([np.concatenate([A, N], axis=1), np.diag(ridge)])
    d = np.concatenate([d, np.zeros(k + N.shape[1])])

    # imported here: it costs ~0.5 s, and most importers of this module only ask wants_neutralize
    from scipy.optimize import lsq_linear

    def solve(allowed, price):
        # ||Mx - d||^2 + price.c == ||Mx - d'||^2 + const with d' = d - M (M^T M)^-1 [price, 0] / 2,
        # so the L1 price (linear, as c >= 0) folds into a bounded least-squares problem.
        # Channels not allowed are left out of M (bounding them to ~0 instead made BVLS stop early).
        cols = np.r_[np.flatnonzero(allowed), k + np.arange(N.shape[1])]
        Ms = M[:, cols]
        q = np.concatenate([price[allowed], np.zeros(N.shape[1])])
        target = d - Ms @ np.linalg.solve(Ms.T @ Ms, q / 2)
        upper = [_UPPER.get(c, 1.0) for c, ok in zip(FIT_CHANNELS, allowed) if ok]
        n_free = N.shape[1]
        bounds = (np.r_[np.zeros(len(upper)), np.full(n_free, -np.inf)], np.r_[upper, np.full(n_free, np.inf)])
        coef = np.zeros(k)
        coef[allowed] = lsq_linear(Ms, target, bounds=bounds, method="bvls").x[: len(upper)]
        return np.clip(coef, 0.0, None)

    # The L1 price picks which channels the face really holds; refitting those without it removes
    # the price's shrinkage (a "relaxed lasso"), so a held smile is taken out whole, not 12 % less.
    chosen = solve(np.ones(k, bool), price) > 1e-3
    coef = solve(chosen, np.zeros(k)) if chosen.any() else np.zeros(k)
    out = {name: float(round(c, 4)) for name, c in zip(FIT_CHANNELS, coef)}
    out["cheek_raise"] = round(_duchenne(face, out, stretch), 4)
    out.update({k: round(v, 4) for k, v in _corners_left_up(face, out, stretch).items()})
    # last: the width left after everything else comes off (a corner pulled down also comes in)
    out["mouth_wide"] = round(out["mouth_wide"] + _smile_width(face, out, stretch), 4)
    return out


def _fitted_smile(coefficients: dict[str, float]) -> float:
    """The smile the fit found: corner pull plus happiness (the corrections derived from it act only
    beyond DEAD_ZONE)."""
    return coefficients.get("corner_pull", 0.0) + coefficients.get("emo_happy", 0.0)


def _clear_share(smile: float) -> float:
    """How clear a fitted smile is: 0 at the dead zone, 1 from SMILE_CLEAR."""
    return float(np.clip((smile - DEAD_ZONE) / (SMILE_CLEAR - DEAD_ZONE), 0.0, 1.0))


def _corners_left_up(face: np.ndarray, coefficients: dict[str, float], stretch: np.ndarray) -> dict[str, float]:
    """How much of a smile each mouth corner still holds once the fitted expression is removed, as
    one-sided ``corner_pull``: its height above the mouth's centre beyond a typical relaxed
    mouth's (the canonical face's), in proportion to the fitted smile.

    The fit weighs every point of the face, so a real smile, which rarely has the fitted shape's
    exact proportions (and is often lopsided), kept 1-2 mm of its corners' lift: the neutral take of
    a smiling portrait still smiled a little, and an expression classifier read it as happy. A
    mouth that smiles is brought back to a typical mouth line at most (never lower), corner by
    corner, and only as far as the smile is clear."""
    smile = _fitted_smile(coefficients)
    out = dict.fromkeys(_ONE_CORNER, 0.0)
    if smile <= DEAD_ZONE:
        return out
    rest = face - expression_field(coefficients, face)
    share = _clear_share(smile)

    def lift(f, corner):
        return f[list(_LIP_MIDS), 1].mean() - f[corner, 1]
    for name, corner in zip(_ONE_CORNER, _MOUTH_CORNERS):
        typical = lift(_CANON, corner)
        excess = lift(rest, corner) - typical * stretch[1]
        per_unit = lift(_CANON + _ONE_CORNER[name] * stretch, corner) - typical
        out[name] = float(np.clip(excess * share / max(per_unit, 1e-9), 0.0, _UPPER["corner_pull"]))
    return out


def _smile_width(face: np.ndarray, coefficients: dict[str, float], stretch: np.ndarray) -> float:
    """How much of a smile's widened mouth the fit left as the face's own width, as a coefficient of
    ``mouth_wide``: the width beyond a typical mouth's, in proportion to the fitted smile.

    The fit reads the mouth's width as identity (people's mouths differ), so a broad smile's
    corners, pulled back and out, stayed where the smile put them: a neutral take kept a ~58 mm
    mouth and spoke its vowels as a wide, flat grin. A mouth that smiles is taken back to a
    typical width at most (never narrower), and only as far as the smile is clear."""
    smile = _fitted_smile(coefficients)
    if smile <= DEAD_ZONE:
        return 0.0
    field = sum(c * _fit_basis(n) for n, c in coefficients.items() if c and n != "mouth_wide")
    rest = face - (field + coefficients.get("mouth_wide", 0.0) * _fit_basis("mouth_wide")) * stretch
    width = (rest[_MOUTH_CORNERS[1], 0] - rest[_MOUTH_CORNERS[0], 0]) / MM
    excess = width - TYPICAL_MOUTH_MM
    per_unit = (_MOUTH_WIDE[_MOUTH_CORNERS[1], 0] - _MOUTH_WIDE[_MOUTH_CORNERS[0], 0]) * stretch[0] / MM
    share = _clear_share(smile)
    return float(max(excess, 0.0) * share / max(per_unit, 1e-6))


def _duchenne(face: np.ndarray, coefficients: dict[str, float], stretch: np.ndarray) -> float:
    """AU6 held with a fitted smile: in proportion to the smile, bounded by how far the lower lids
    sit above a typical relaxed face's (0 when they do not)."""
    smile = _fitted_smile(coefficients)
    if smile <= DEAD_ZONE:
        return 0.0
    lower_lid = (face[list(_CORNER_LINE), 1].mean() - face[list(_LOWER_LID_MIDS), 1].mean()) / MM
    lift_per_unit = -(_CHEEK_RAISE[list(_LOWER_LID_MIDS), 1] * stretch[1]).mean() / MM  # mm up at 1
    room = (lower_lid - TYPICAL_LOWER_LID_MM) / max(lift_per_unit, 1e-6)
    return float(np.clip(min(DUCHENNE_SHARE * smile, room), 0.0, 1.0))


def expression_field(coefficients: dict[str, float], identity_n: np.ndarray,
                     whole_emotions: bool = False) -> np.ndarray:
    """sum(coefficient x basis), stretched to the face as relocation would: float64 [478, 3].
    `whole_emotions`: emotions with their mouth opening (as a performance holds them) rather than
    the part the estimator fits (whose opening comes back as jaw_open / lips_part)."""
    field = np.zeros((N_LANDMARKS, 3))
    for name, c in coefficients.items():
        if c:
            field += c * _fit_basis(name, whole_emotions)
    field[_IRISES] = 0.0  # where the eyes look is gaze, not expression: removal must not move it
    return field * _stretch(np.asarray(identity_n, np.float64))


def neutralize_identity(identity_px: np.ndarray, strength: float = 1.0) -> tuple[np.ndarray, dict[str, float]]:
    """Portrait landmarks [478, 3] in pixels -> (the same face made neutral, float32 [478, 3] in
    the same pixels and pose, {channel: coefficient removed}).

    strength scales the removal (0 = unchanged, 1 = fully neutral). The result goes to
    face.relocate as the identity; the renderer keeps the original landmarks as texture source."""
    if not 0.0 <= float(strength) <= 1.0:
        raise ValidationError(f"neutralize strength must be in 0..1, got {strength}")
    identity_n, pose = normalize(identity_px)
    coefficients = estimate_expression(identity_n)
    neutral_n = identity_n - float(strength) * expression_field(coefficients, identity_n)
    _close_without_overlap(neutral_n, identity_n)
    neutral_px = denormalize(neutral_n, pose)
    return neutral_px.astype(np.float32), coefficients


def _close_without_overlap(neutral_n: np.ndarray, identity_n: np.ndarray) -> None:
    """Parted lips that the removal closed past each other meet at their mean, in place; lips the
    tracker already reported crossed are left as they were."""
    up, low = LIP_PAIRS[:, 0], LIP_PAIRS[:, 1]
    crossed = (neutral_n[low, 1] < neutral_n[up, 1]) & (identity_n[low, 1] >= identity_n[up, 1])
    mid = 0.5 * (neutral_n[up, 1] + neutral_n[low, 1])
    neutral_n[up[crossed], 1] = mid[crossed]
    neutral_n[low[crossed], 1] = mid[crossed]


def wants_neutralize(options: dict | None) -> bool:
    """Read the take option `neutralize_portrait` (default True); refuse anything but a boolean."""
    value = (options or {}).get(NEUTRALIZE_OPTION, NEUTRALIZE_DEFAULT)
    if isinstance(value, (bool, np.bool_)) or value in (0, 1):
        return bool(value)
    raise ValidationError(f"take option {NEUTRALIZE_OPTION} must be true or false, got {value!r}")
