"""Where expression folds lie on a face, and how much each is squeezed in a frame.

Each fold is a few polylines drawn in millimetres on the canonical face (x right in the image, y
down, origin between the eyes; the subject's right is x < 0) and the landmark pairs whose 3D
distance shrinks when the action unit that makes the fold contracts the skin across it. Both are
facts of the MediaPipe topology, so they hold for any stage-1 backend and any portrait: a fold is
placed on the portrait through the mesh (barycentric coordinates in the canonical triangles), and
its weight is measured from landmark distances alone. One-sided folds are written for the subject's
right and mirrored; midline folds are written whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from talkface_studio.face.topology import MIRROR, REGIONS, TRIANGLES, canonical_face

_FACE = canonical_face().astype(np.float64)
_IRIS = REGIONS["iris_centres"]
MM = float(np.linalg.norm(_FACE[_IRIS[0]] - _FACE[_IRIS[1]]) / 63.0)  # canonical units per mm
_ORIGIN = _FACE[[33, 263]].mean(axis=0)
_STABLE = np.asarray(REGIONS["stable"])


@dataclass(frozen=True)
class Line:
    """One crease: points [n, 2] in canonical mm, amplitude [n] along it (0 at tapered ends)."""

    points: tuple
    amplitude: tuple
    sigma_mm: float = 0.9      # half-width of the dark core
    bulge: float = 0.0         # highlight on one side: +1 toward the polyline's left normal, -1 right
    bulge_mm: float = 2.2      # how far from the core that highlight sits


@dataclass(frozen=True)
class Fold:
    name: str
    lines: tuple               # of Line
    pairs: tuple               # landmark pairs across the fold (3D distances shrink when it forms)
    full: float                # relative compression at which the fold is at full depth
    depth: float               # luminance removed at the core at full depth (0.2 = 20 %)
    dead: float = 0.02         # compression ignored (tracker noise, speech)
    mirrored: bool = True      # a right-side fold with a mirrored twin on the left
    snap: bool = False         # laid on the portrait's own fold line where it shows one (``fold_snap``)
    relax_max: float = 1.0     # the most of the portrait's own fold a stretch smooths away


def _line(pts, amp=None, **kw) -> Line:
    pts = tuple(map(tuple, pts))
    if amp is None:
        n = len(pts)
        amp = np.sin(np.linspace(0, np.pi, n + 2)[1:-1]) ** 0.5
    return Line(pts, tuple(float(a) for a in amp), **kw)


FOLDS: tuple[Fold, ...] = (
    # AU4: vertical corrugator furrows between the brows, the skin between them bunched up
    Fold("glabella", (_line([(-5.5, -6), (-6.0, -11), (-7.0, -16.5)], sigma_mm=2.6),
                      _line([(5.5, -6), (6.0, -11), (7.0, -16.5)], sigma_mm=2.6),
                      _line([(-7, -4.5), (0, -3.5), (7, -4.5)], [0.2, 0.4, 0.2], sigma_mm=1.6)),
         pairs=((55, 285), (107, 336), (8, 55), (8, 285)), full=0.3, depth=0.13, mirrored=False),
    # AU4: the lowered brow shades the upper lid and the eye socket under it
    Fold("brow_shadow", (_line([(-16, -3.5), (-24, -8), (-33, -10.5), (-42, -9), (-48, -5)],
                               [0.6, 1.0, 1.0, 0.8, 0.3], sigma_mm=2.4),),
         pairs=((52, 33), (105, 33), (65, 133)), full=0.18, depth=0.14, dead=0.03),
    # AU1: horizontal forehead lines over the inner brows
    Fold("forehead_inner", tuple(_line([(-26, y + 3), (-13, y), (0, y - 1)], [0.0, 0.8, 1.0], sigma_mm=1.0,
                                       bulge=1, bulge_mm=2.4) for y in (-29, -35, -41)),
         pairs=((107, 151), (107, 108)), full=0.16, depth=0.16, snap=True, relax_max=0.5),
    # AU2: the same lines over the outer brows
    Fold("forehead_outer", tuple(_line([(-46, y + 6), (-34, y + 1), (-20, y), (-8, y)], [0.0, 1.0, 0.8, 0.0],
                                       sigma_mm=1.0, bulge=1, bulge_mm=2.4) for y in (-29, -35, -41)),
         pairs=((63, 104), (63, 69)), full=0.12, depth=0.14, snap=True, relax_max=0.5),
    # AU9: "bunny lines" across the side of the nose bridge, and the alar crease deepened
    Fold("nose", (_line([(-3, 0), (-7, 3), (-10.5, 7)], sigma_mm=1.1, bulge=1, bulge_mm=2.4),
                  _line([(-3.5, 6), (-8, 9.5), (-11.5, 13)], [0.5, 0.7, 0.4], sigma_mm=1.1, bulge=1, bulge_mm=2.4),
                  _line([(-23.5, 23), (-26, 27.5), (-25.5, 32)], [0.3, 0.6, 0.3], sigma_mm=1.2)),
         pairs=((6, 196), (196, 197), (3, 195), (122, 174)), full=0.09, depth=0.16),
    # AU10/AU12 (and AU9): the nasolabial fold, cheek bulging over it
    Fold("nasolabial", (_line([(-24.5, 27), (-28, 36), (-32, 46), (-35.5, 56), (-37, 66)],
                              [0.5, 1.0, 1.0, 0.8, 0.3], sigma_mm=1.3, bulge=1, bulge_mm=3.0),),
         pairs=((186, 206), (205, 216), (183, 203), (97, 167), (60, 167)), full=0.13, depth=0.26),
    # AU14 (with AU12): the dimple just beside the tightened corner
    Fold("dimple", (_line([(-32, 59.5), (-33.2, 63), (-32.8, 66.5)], [0.7, 1.0, 0.6], sigma_mm=1.6, bulge=1,
                          bulge_mm=3.0),),
         pairs=((61, 234), (61, 93), (61, 177)), full=0.12, depth=0.17, dead=0.04),
    # AU6: the lower-lid bulge and the fold under it, and crow's feet
    Fold("lower_lid", (_line([(-41, 8), (-34, 10.5), (-26, 10), (-20, 7)], sigma_mm=1.4, bulge=-1, bulge_mm=2.6),
                       _line([(-49, -2.5), (-53, -5), (-56, -7)], sigma_mm=1.0),
                       _line([(-49.5, 1), (-54, 1.5), (-57.5, 2)], sigma_mm=1.0),
                       _line([(-49, 4), (-52.5, 7), (-55, 9.5)], sigma_mm=1.0)),
         pairs=((23, 119), (110, 229), (119, 230)), full=0.12, depth=0.12),
    # AU17: the chin boss pushes up; the labiomental crease deepens under the lower lip
    Fold("chin", (_line([(-13, 73), (-6, 75.5), (0, 76), (6, 75.5), (13, 73)], sigma_mm=1.2, bulge=-1,
                        bulge_mm=3.5),),
         pairs=((18, 200), (83, 201), (313, 421)), full=0.07, depth=0.18, mirrored=False),
    # AU15: the corners pulled down crease the skin below them (marionette lines)
    Fold("marionette", (_line([(-29.5, 67), (-31.5, 72.5), (-32.5, 78)], [0.8, 0.7, 0.0], sigma_mm=1.7, bulge=1,
                              bulge_mm=3.2),),
         pairs=((169, 212), (204, 211)), full=0.18, depth=0.12, dead=0.05),
)


def mirror_pairs(pairs) -> tuple:
    return tuple((int(MIRROR[a]), int(MIRROR[b])) for a, b in pairs)


@dataclass(frozen=True)
class PlacedFold:
    """A fold on one side, its lines' points as barycentric coordinates in the mesh."""

    name: str
    fold: Fold
    pairs: np.ndarray          # [P, 2]
    lines: tuple               # of (tri [n, 3] int, bary [n, 3], Line)


def _barycentric(points_mm: np.ndarray):
    """Canonical mm -> (triangle vertex indices [n, 3], barycentric weights [n, 3]), the frontmost
    triangle containing each point in the image plane (the nearest one when none does)."""
    tri = np.asarray(TRIANGLES, dtype=np.int64)
    p2 = (_FACE[:, :2] - _ORIGIN[:2]) / MM
    a, b, c = p2[tri[:, 0]], p2[tri[:, 1]], p2[tri[:, 2]]
    det = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (c[:, 0] - a[:, 0]) * (b[:, 1] - a[:, 1])
    ok = np.abs(det) > 1e-9
    depth = _FACE[tri, 2].mean(axis=1)
    out_t, out_w = [], []
    for p in points_mm:
        l1 = ((b[:, 1] - c[:, 1]) * (p[0] - c[:, 0]) + (c[:, 0] - b[:, 0]) * (p[1] - c[:, 1])) / np.where(ok, det, 1)
        l2 = ((c[:, 1] - a[:, 1]) * (p[0] - c[:, 0]) + (a[:, 0] - c[:, 0]) * (p[1] - c[:, 1])) / np.where(ok, det, 1)
        w = np.stack([l1, l2, 1 - l1 - l2], axis=1)
        outside = np.clip(-w, 0, None).sum(axis=1) + (~ok) * 1e3
        inside = outside < 1e-9
        k = int(np.flatnonzero(inside)[np.argmin(depth[inside])]) if inside.any() else int(np.argmin(outside))
        out_t.append(tri[k])
        out_w.append(w[k])
    return np.array(out_t), np.array(out_w)


def _place() -> tuple[PlacedFold, ...]:
    placed = []
    for fold in FOLDS:
        sides = (("right", 1.0), ("left", -1.0)) if fold.mirrored else (("", 1.0),)
        for side, sx in sides:
            lines = []
            for line in fold.lines:
                pts = np.array(line.points, dtype=np.float64) * [sx, 1.0]
                tri, bary = _barycentric(pts)
                # mirroring flips which side of the polyline is its left
                lines.append((tri, bary, Line(line.points, line.amplitude, line.sigma_mm, line.bulge * sx,
                                              line.bulge_mm)))
            pairs = fold.pairs if sx > 0 else mirror_pairs(fold.pairs)
            placed.append(PlacedFold(f"{fold.name}_{side}" if side else fold.name, fold,
                                     np.array(pairs, dtype=np.int64), tuple(lines)))
    return tuple(placed)


PLACED: tuple[PlacedFold, ...] = _place()
_RELAX_MAX = np.array([f.fold.relax_max for f in PLACED])
_ALL_PAIRS = np.concatenate([f.pairs for f in PLACED])
_SPLITS = np.cumsum([len(f.pairs) for f in PLACED])[:-1]


def face_scale(lm: np.ndarray) -> float:
    """RMS 3D spread of the pose-stable points: distances divided by it ignore head size and pose."""
    p = np.asarray(lm, dtype=np.float64)[_STABLE]
    return float(np.sqrt(((p - p.mean(axis=0)) ** 2).sum(axis=1).mean()))


def pair_lengths(lm: np.ndarray) -> np.ndarray:
    """Summed 3D length of each placed fold's pairs over the face scale: [len(PLACED)]."""
    lm = np.asarray(lm, dtype=np.float64)
    d = np.linalg.norm(lm[_ALL_PAIRS[:, 0]] - lm[_ALL_PAIRS[:, 1]], axis=1)
    return np.array([s.sum() for s in np.split(d, _SPLITS)]) / max(face_scale(lm), 1e-9)


def compression(target: np.ndarray, source_lengths: np.ndarray) -> np.ndarray:
    """Per placed fold: 1 - target length / source length (> 0 squeezed, < 0 stretched)."""
    return 1.0 - pair_lengths(target) / source_lengths


def fold_weights(comp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(deepen [F], relax [F]) in 0..1: how deep to draw each fold, and how much of the portrait's
    own fold to smooth away where the skin is stretched relative to the portrait."""
    dead = np.array([f.fold.dead for f in PLACED])
    full = np.array([f.fold.full for f in PLACED])

    def ramp(c):
        t = np.clip((c - dead) / (full - dead), 0.0, 1.0)
        return t * t * (3 - 2 * t)

    return ramp(comp), ramp(-comp) * _RELAX_MAX
