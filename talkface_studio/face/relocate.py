"""Relocation: portrait identity + normalized expression + channels -> landmarks in output pixels.

Order per frame (all vectorised over frames):
1. expression deltas (expression - canonical face) are added to the portrait's own normalized face,
   stretched mildly to the portrait's proportions (a long face opens its jaw a little further);
   deltas that close the eyes shrink with the portrait's own eye opening, so a squint or a lowered
   brow narrows narrow eyes in proportion instead of shutting them; and no lip is thinned past a
   share of its own thickness (``_keep_lips_thick``);
2. blink closes the lids: the upper lid travels most of the way to a meeting line just above the
   lower lid, the lower lid rises the rest; the skin next to the lids follows with a falloff;
3. gaze turns each eyeball: the iris moves by ``eye radius * sin(angle)``, clamped to the eye opening,
   and iris points hidden by the lids are pressed onto the lid line (so a closed eye shows no iris);
4. head pose turns the face about a pivot near the top of the neck (so a nod swings the chin), in
   camera axes on top of the portrait's own pose, then the portrait's scale and position give pixels.
"""

from __future__ import annotations

import numpy as np

from talkface_studio.core.errors import ValidationError
from talkface_studio.face.geometry import rotation_from_angles
from talkface_studio.face.normalize import normalize
from talkface_studio.face.topology import (LOWER_LIP_RINGS, N_LANDMARKS, N_MESH_POINTS, REGIONS,
                                          UPPER_LIP_RINGS, canonical_face)

# Pivot of head rotation in normalized units (outer-eye-corner distance = 1): midline, below the
# ears' level and behind them, roughly where the skull sits on the spine.
NECK_PIVOT = np.array([0.0, 0.9, 0.75])
EYEBALL_RADIUS = 0.42  # times the eye's corner-to-corner width (eyeball ~24 mm, eye opening ~30 mm)
LOWER_LID_SHARE = 0.2  # of the opening closed by the lower lid in a blink
PROPORTION_LIMITS = (0.8, 1.25)
LID_CLOSING_LIMITS = (0.45, 1.0)  # closing deltas x (portrait's eye opening / canonical), clipped
CHUNK = 2048  # frames per vectorised block: bounds memory on hour-long takes
LIP_KEEP = 0.4  # share of each lip's own thickness (rim to outline) an expression never thins it below
LIP_RINGS = ((UPPER_LIP_RINGS, -1.0), (LOWER_LIP_RINGS, 1.0))   # (rings, which way is outwards in y)

_CANON = canonical_face().astype(np.float64)
_EYES = []
for _side in ("right", "left"):
    _EYES.append({
        "upper": REGIONS[f"{_side}_upper_lid"][1:-1],  # corners excluded: they do not move
        "lower": REGIONS[f"{_side}_lower_lid"][1:-1],
        "upper_full": REGIONS[f"{_side}_upper_lid"],
        "lower_full": REGIONS[f"{_side}_lower_lid"],
        "corners": REGIONS[f"{_side}_eye_corners"],
        "iris": REGIONS[f"{_side}_iris"],
    })


def _skin_followers(lid: np.ndarray, exclude: set[int], sigma: float = 0.07, reach: float = 0.6):
    """Mesh points near a lid that follow it (index, nearest lid slot, weight), from the canonical face."""
    pts = _CANON[:N_MESH_POINTS, :2]
    d = np.linalg.norm(pts[:, None, :] - _CANON[lid][None, :, :2], axis=2)
    nearest = d.argmin(axis=1)
    weight = reach * np.exp(-(d.min(axis=1) / sigma) ** 2)
    keep = np.array([i not in exclude and weight[i] > 0.02 for i in range(N_MESH_POINTS)])
    return np.flatnonzero(keep), nearest[keep], weight[keep]


_EYE_POINTS = set(REGIONS["left_eye"]) | set(REGIONS["right_eye"])
_BROWS = set(REGIONS["left_brow"]) | set(REGIONS["right_brow"])
for _eye in _EYES:
    _eye["upper_skin"] = _skin_followers(_eye["upper"], _EYE_POINTS | _BROWS)
    _eye["lower_skin"] = _skin_followers(_eye["lower"], _EYE_POINTS, reach=0.4)


def _channel(channels: dict, name: str, n: int) -> np.ndarray:
    value = channels.get(name)
    if value is None:
        return np.zeros(n)
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape != (n,):
        raise ValidationError(f"channel '{name}' has {arr.shape} samples; the expression has {n} frames")
    return np.nan_to_num(arr)


def _proportions(identity_n: np.ndarray) -> np.ndarray:
    """Per-axis stretch of expression deltas: the portrait's face width / height vs the canonical one."""
    oval = REGIONS["face_oval"]
    kx = np.ptp(identity_n[oval, 0]) / np.ptp(_CANON[oval, 0])
    ky = (identity_n[152, 1] - identity_n[[33, 263], 1].mean()) / (_CANON[152, 1] - _CANON[[33, 263], 1].mean())
    k = np.clip([kx, ky, (kx + ky) / 2], *PROPORTION_LIMITS)
    return k


def _lid_closing_scale(identity_n: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """Per eye (upper lid points, lower lid points, factor for deltas that close the eye)."""
    out = []
    for eye in _EYES:
        up, lo = eye["upper"], eye["lower"]
        own = float(np.mean(identity_n[lo, 1] - identity_n[up, 1]))
        canon = float(np.mean(_CANON[lo, 1] - _CANON[up, 1]))
        out.append((up, lo, float(np.clip(own / canon, *LID_CLOSING_LIMITS))))
    return out


def _scale_lid_closing(deltas: np.ndarray, scales) -> None:
    """In place: upper-lid deltas down and lower-lid deltas up are scaled; opening ones are not."""
    for up, lo, k in scales:
        if k < 1.0:
            d = deltas[:, up, 1]
            deltas[:, up, 1] = np.where(d > 0, d * k, d)
            d = deltas[:, lo, 1]
            deltas[:, lo, 1] = np.where(d < 0, d * k, d)


def least_ring_offsets(own: np.ndarray) -> np.ndarray:
    """The least distance outwards from its rim each lip ring may keep, from its own (a ring the
    tracker put past the rim, a negative distance, keeps its place)."""
    return np.minimum(LIP_KEEP * own, own)


def _keep_lips_thick(face: np.ndarray, identity_n: np.ndarray) -> None:
    """In place, face [T, 478, 3] normalized: no ring of a lip closer to its inner rim than
    ``LIP_KEEP`` of its distance in the portrait. Expression deltas are made on the canonical face,
    and a press (anger's AU24 with a /m/'s closure) moves the upper lip's outline down ~5 mm onto
    lips that, closed, are 4-7 mm thick: the outline passed the rim, the lip turned inside out, and
    the warp drew the skin above the lip over the seam. Only rings that come too close move, along
    the mouth's vertical, so the rims (where the lips meet) stay where the expression put them."""
    for rings, out in LIP_RINGS:
        least = least_ring_offsets(out * (identity_n[rings[1:], 1] - identity_n[rings[0], 1]))   # [3, C]
        rim = face[:, rings[0], 1][:, None]                                  # [T, 1, C]
        now = out * (face[:, rings[1:], 1] - rim)
        face[:, rings[1:], 1] = rim + out * np.maximum(now, least[None])


def _interp_lid(lid_xy: np.ndarray, x: np.ndarray) -> np.ndarray:
    """y of a lid polyline [T, P, 2] (any x order) at query x [T, K], clamped to its ends."""
    order = np.argsort(lid_xy[..., 0], axis=1)
    lx = np.take_along_axis(lid_xy[..., 0], order, axis=1)
    ly = np.take_along_axis(lid_xy[..., 1], order, axis=1)
    xq = np.clip(x, lx[:, :1], lx[:, -1:])
    seg = np.clip((lx[:, None, :] <= xq[:, :, None]).sum(axis=2) - 1, 0, lx.shape[1] - 2)  # [T, K]
    x0, x1 = np.take_along_axis(lx, seg, 1), np.take_along_axis(lx, seg + 1, 1)
    y0, y1 = np.take_along_axis(ly, seg, 1), np.take_along_axis(ly, seg + 1, 1)
    t = np.where(x1 > x0, (xq - x0) / np.where(x1 > x0, x1 - x0, 1.0), 0.0)
    return y0 + t * (y1 - y0)


def _blink(face: np.ndarray, blink: np.ndarray) -> None:
    """Close the lids in place; face [T, 478, 3] normalized, blink [T] in 0..1."""
    b = np.clip(blink, 0.0, 1.0)[:, None, None]
    for eye in _EYES:
        up, lo = face[:, eye["upper"]], face[:, eye["lower"]]
        meet = lo + LOWER_LID_SHARE * (up - lo)  # lids meet low in the eye, as real lids do
        d_up, d_lo = b * (meet - up), b * (meet - lo)
        for skin, disp in (("upper_skin", d_up), ("lower_skin", d_lo)):
            idx, slot, w = eye[skin]
            face[:, idx] += disp[:, slot] * w[None, :, None]
        face[:, eye["upper"]] = up + d_up
        face[:, eye["lower"]] = lo + d_lo


def _lid_overshoot(face: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """How far each iris point lies beyond the upper / lower lid line, per eye ([T, 5] each, >= 0).

    The tracker reports the whole iris circle, part of it under the lids; relocation lets points stay
    that far outside (so an unchanged face stays unchanged) but no further.
    """
    result = []
    for eye in _EYES:
        iris = face[:, eye["iris"]]
        top = _interp_lid(face[:, eye["upper_full"], :2], iris[..., 0])
        bottom = _interp_lid(face[:, eye["lower_full"], :2], iris[..., 0])
        result.append((np.maximum(top - iris[..., 1], 0.0), np.maximum(iris[..., 1] - bottom, 0.0)))
    return result


def _gaze(face: np.ndarray, gaze_yaw: np.ndarray, gaze_pitch: np.ndarray, allowance) -> None:
    """Turn the eyeballs in place: move each iris, keep it inside the opening and under the lids."""
    yaw, pitch = np.radians(gaze_yaw)[:, None], np.radians(gaze_pitch)[:, None]
    for eye, (over_top, over_bottom) in zip(_EYES, allowance):
        corners = face[:, eye["corners"]]  # [T, 2, 3]
        width = np.linalg.norm(corners[:, 0, :2] - corners[:, 1, :2], axis=1)[:, None]
        radius = EYEBALL_RADIUS * width
        iris = face[:, eye["iris"]]  # [T, 5, 3], centre first
        offset = np.stack([radius * np.sin(yaw), -radius * np.sin(pitch),
                           radius * (1.0 - np.cos(yaw) * np.cos(pitch))], axis=-1)  # [T, 1, 3]
        # Keep the iris centre between the corners, inset by half an iris radius (or where it was).
        iris_r = np.linalg.norm(iris[:, 1:, :2] - iris[:, :1, :2], axis=2).mean(axis=1, keepdims=True)
        x_now = iris[:, :1, 0]
        lo_x = np.minimum(corners[:, :, 0].min(axis=1, keepdims=True) + 0.5 * iris_r, x_now)
        hi_x = np.maximum(corners[:, :, 0].max(axis=1, keepdims=True) - 0.5 * iris_r, x_now)
        cx = np.clip(x_now + offset[..., 0], lo_x, hi_x)
        moved = iris + np.concatenate([cx - x_now, offset[..., 1], offset[..., 2]], axis=1)[:, None, :]
        # The lids bound every iris point (allowing what the tracker showed beyond them): looking up
        # slides the iris under the upper lid, and a closing lid presses the iris onto its line.
        px = moved[..., 0]
        top = _interp_lid(face[:, eye["upper_full"], :2], px) - over_top
        bottom = _interp_lid(face[:, eye["lower_full"], :2], px) + over_bottom
        moved[..., 1] = np.clip(moved[..., 1], top, np.maximum(bottom, top))
        face[:, eye["iris"]] = moved


def relocate(identity_px: np.ndarray, expression: np.ndarray, channels: dict | None = None,
             scale: float = 1.0) -> np.ndarray:
    """Landmarks in output pixels, float32 [T, 478, 3].

    identity_px: the portrait's landmarks [478, 3] in its crop pixels. expression: normalized
    [T, 478, 3] (the canonical face plus deltas). channels: ``head_yaw/pitch/roll``,
    ``gaze_yaw/pitch`` (degrees, viewer conventions), ``blink`` (0..1), each [T]; missing ones are 0.
    scale: output pixels per crop pixel (rendering a 512 fit at 1024 -> 2.0).
    """
    identity_n, pose = normalize(identity_px)
    expr = np.asarray(expression, dtype=np.float32)
    if expr.ndim != 3 or expr.shape[1:] != (N_LANDMARKS, 3):
        raise ValidationError(f"expression must be [T, {N_LANDMARKS}, 3], got {expr.shape}")
    n = expr.shape[0]
    channels = channels or {}
    ch = {k: _channel(channels, k, n) for k in ("head_yaw", "head_pitch", "head_roll", "gaze_yaw",
                                                "gaze_pitch", "blink")}
    stretch = _proportions(identity_n)
    lid_scales = _lid_closing_scale(identity_n)
    canon32 = canonical_face()
    pivot_cam = pose.rotation @ NECK_PIVOT  # the pivot in camera axes, normalized units
    out = np.empty((n, N_LANDMARKS, 3), dtype=np.float32)
    for a in range(0, n, CHUNK):
        b = min(a + CHUNK, n)
        deltas = (expr[a:b] - canon32).astype(np.float64) * stretch
        _scale_lid_closing(deltas, lid_scales)
        face = identity_n[None] + deltas
        _keep_lips_thick(face, identity_n)
        open_ = 1.0 - np.clip(ch["blink"][a:b], 0.0, 1.0)[:, None]
        allowance = [(top * open_, bottom * open_) for top, bottom in _lid_overshoot(face)]
        _blink(face, ch["blink"][a:b])
        _gaze(face, ch["gaze_yaw"][a:b], ch["gaze_pitch"][a:b], allowance)
        cam = face @ pose.rotation.T - pivot_cam  # portrait's own orientation, pivot at the origin
        head = rotation_from_angles(ch["head_yaw"][a:b], ch["head_pitch"][a:b], ch["head_roll"][a:b])
        cam = np.einsum("tij,tnj->tni", head, cam) + pivot_cam
        out[a:b] = (pose.scale * cam + pose.translation) * scale
    return out
