"""Symmetric texture completion: what the photo does not show of the face comes from its mirror side.

A photo of a turned head hides part of the face: the far cheek turned away from the camera (its
triangles face backwards in the photo's landmarks) and what the nose stands in front of (the far
side of the nose and eye socket). When the generated head turns back toward the camera those
triangles come into view, and sampling the photo where they lie takes the pixels of whatever was
in front of them: a second nose, a smeared eye. The face mesh is left-right symmetric
(``topology.MIRROR``), so such a triangle samples the photo at its mirrored triangle instead, on
the side the photo does show (the skin there is the same skin, seen from the front).

A triangle is hidden when it faces away in the photo, or when at most of a few points inside it
another front-facing part of the photo's own mesh lies clearly nearer the camera (a z-buffer of
the photo's mesh). It is completed only where its mirror triangle is itself fully shown; so a
frontal photo, which shows both sides, completes nothing and renders exactly as before.
"""

from __future__ import annotations

import numpy as np

from talkface_studio.face.topology import MIRROR, canonical_face

from .face_loops import FACE_OVAL
from .triangle_area import front_sign, signed_areas
from .triangle_scan import affine_maps, scan_triangles

# points inside each triangle the depth test looks at (barycentric): the centre and towards each corner
PROBES = np.array([[1 / 3, 1 / 3, 1 / 3], [2 / 3, 1 / 6, 1 / 6], [1 / 6, 2 / 3, 1 / 6], [1 / 6, 1 / 6, 2 / 3]])
BEHIND = 0.06      # of the eye-corner distance: nearer surface by more than this hides a point
HIDDEN_PROBES = 2  # probes (of 4) behind a nearer surface for the triangle to count as hidden
NOSE_BASE_RADIUS = 0.3   # canonical units (eye corners 1 apart): the nostrils' surroundings
EDGE_ON = 2.0      # a turned-away triangle's mirror is seen at least this much larger
MIN_SHARE = 0.10   # the least hidden side worth completing, as the face's area it takes when seen
                   # (its mirror's) over the whole face's in the photo: a far cheek and the far side
                   # of the nose on a photo turned ~40 degrees are 0.32; slivers by the outline of
                   # photos turned ~20 degrees add up to 0.03-0.05 and are better left to the outline
                   # pass (mirrored, their pixels came from the near outline: a soft dark strip
                   # beside a 22-degree crop's cheek at yaw -15)
MIN_AREA = 0.5     # px^2: smaller source triangles have no reliable orientation


def _front_and_back(lm: np.ndarray, tris: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """bool [F] twice: the triangles tris [F, 3] the photo (landmarks lm) shows from the front, and
    those it shows from behind (oriented against most of the face's area); slivers are neither."""
    area = signed_areas(lm[:, :2], tris)
    solid = np.abs(area) > MIN_AREA
    back = solid & (np.sign(area) != front_sign(area))
    return solid & ~back, back


def hidden_in_photo(lm: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """bool [F]: the face triangles tris [F, 3] the photo (landmarks lm [478, 3], its pixels)
    does not show: facing away, or mostly behind a nearer front-facing part of the face."""
    front, back = _front_and_back(lm, tris)
    v = lm[tris]
    probes = np.einsum("pk,fkd->fpd", PROBES, v)                          # [F, P, 3]
    size = int(np.ceil(max(lm[:, :2].max(), 1.0))) + 1
    zbuf = photo_depth_map(lm, tris, size)
    at = np.clip(probes[..., :2].astype(np.int64), 0, size - 1)               # the pixel holding each probe
    nearest = zbuf[at[..., 1], at[..., 0]]
    scale = np.linalg.norm(lm[263, :2] - lm[33, :2])
    behind = (probes[..., 2] - nearest > BEHIND * scale).sum(1) >= HIDDEN_PROBES
    return back | (front & behind)


def photo_depth_map(lm: np.ndarray, tris: np.ndarray, size: int) -> np.ndarray:
    """float32 [size, size]: the nearest depth of the photo's front-facing face mesh at each
    pixel centre (MediaPipe z of landmarks lm [478, 3], output px), inf off the face: a point of
    the face is shown in the photo where its own depth there is about this."""
    front = tris[_front_and_back(lm, tris)[0]]
    p = lm[:, :2] - 0.5                                   # node units: pixel j's centre at j
    coef = affine_maps(p[front], lm[front, 2][..., None])[..., 0]         # [F, 3]
    t, x, y = scan_triangles(p, front, size, size)
    z = x * coef[t, 0] + y * coef[t, 1] + coef[t, 2]
    out = np.full(size * size, np.inf)
    np.minimum.at(out, y * size + x, z)
    return out.reshape(size, size).astype(np.float32)


def _nose_base(tris: np.ndarray) -> np.ndarray:
    """bool [F]: triangles around the nostrils (canonical face, near the nose's base, landmark 2).
    The photo sees each nostril's dark opening from its own side; mirrored onto the far side it
    reads as a blot beside the nose, so these keep their own pixels."""
    c = canonical_face().astype(np.float64)
    centre = c[tris].mean(1)
    near = np.linalg.norm(centre[:, :2] - c[2, :2], axis=1) < NOSE_BASE_RADIUS
    return near & (centre[:, 1] > c[1, 1] - 0.05) & (centre[:, 1] < c[2, 1] + 0.03)


def mirror_sources(lm: np.ndarray, tris: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per face triangle tris [F, 3] (landmarks lm [478, 3] of the photo): (completed [F] bool,
    corners [F, 3, 2]): where in the photo each triangle's corners take their colour, the
    triangle's own corners, or for a hidden triangle whose mirror the photo shows, the mirror's."""
    hidden = hidden_in_photo(lm, tris)
    corners = lm[tris, :2].copy()
    if not hidden.any():
        return hidden, corners
    mirrored = MIRROR[tris]
    # the mirror triangle's index, if it is a triangle of the mesh (the tessellation is symmetric)
    index = {tuple(sorted(t)): i for i, t in enumerate(tris.tolist())}
    mirror_of = np.array([index.get(tuple(sorted(t)), -1) for t in mirrored.tolist()])
    completed = hidden & (mirror_of >= 0) & ~_nose_base(tris)
    # a strip the photo sees edge-on on both sides (a frontal face's outline) is no turned-away
    # side: it stays as it was; a far cheek is seen far more face-on on the near side
    area = np.abs(signed_areas(lm[:, :2], tris))
    completed &= ~(_front_and_back(lm, tris)[1] & (area[np.maximum(mirror_of, 0)] < EDGE_ON * area))
    completed[completed] &= ~hidden[mirror_of[completed]]
    # on the face's outline the mirror lies on the near side's outline, where the photo's pixels
    # are partly background or hair: mirrored, a dark strip down the far cheek
    completed &= ~np.isin(tris, FACE_OVAL).any(1)
    # slivers at the outline (a frontal or moderately turned photo's) are no hidden side: nothing
    # to complete, and its frames skip the pass
    if area[np.maximum(mirror_of, 0)][completed].sum() < MIN_SHARE * area.sum():
        completed[:] = False
    corners[completed] = lm[mirrored[completed], :2]
    return completed, corners
