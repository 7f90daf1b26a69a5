"""Where a turned face's true profile lies beyond its mesh: the nose tip, lips and chin past it.

On a head the photo shows turned, MediaPipe's mesh stops short of the far profile: the nose tip,
the upper lip (a moustache) and the chin stick out 5-20 px (at 512) past the outline of its
triangles. The warp's background ring began at that outline, so those pixels were background to
it: when the head turned, the nose moved and its tip stayed behind, a ghost of it (and of the
moustache) beside the moved face. Here, along each ray out of that outline, the run of pixels that
still look like the face just inside it rather than like what lies behind the head (the
still layer's plate, ``face.person_matte``: the background made up under the head) is measured;
the ring then starts at its end (``warp_mesh``), so the profile moves with the face and what lies
beyond it (a car window, the cords of a charm) stays with the background.
"""

from __future__ import annotations

import numpy as np

MOST = 24.0          # px at 512: the farthest past the mesh a profile is looked for
INSIDE = (3.0, 10.0)  # px at 512 inside the mesh's outline where the face's own colour is read
STEP = 0.5           # px between samples along a ray
APART = 12.0         # colour distance (0..255 RGB) from the plate below which a pixel is background


def profile_reach(rgb: np.ndarray, plate: np.ndarray, start: np.ndarray, direction: np.ndarray,
                  size: int) -> np.ndarray:
    """float [K] px: how far from each of start [K, 2] (points of the mesh's outline, output
    pixels) along direction [K, 2] (unit, outward) the photo rgb [S, S, 3] still shows the face:
    pixels nearer the colour just inside the outline than the plate's [S, S, 3] there, and apart
    from the plate. 0 where the first pixel out is background already."""
    if len(start) == 0:
        return np.zeros(0)
    scale = size / 512.0
    photo = np.asarray(rgb, np.float32)[..., :3]
    behind = np.asarray(plate, np.float32)[..., :3]

    def at(t):                                          # [K, T] samples at distances t [T]
        p = start[:, None] + t[None, :, None] * direction[:, None]
        ij = np.clip(np.floor(p).astype(np.int64), 0, size - 1)
        return ij[..., 1], ij[..., 0]

    ys, xs = at(-np.arange(INSIDE[0], INSIDE[1] + STEP, STEP) * scale)
    face = np.median(photo[ys, xs], axis=1)             # [K, 3] the face's colour on each ray
    t = np.arange(0.0, MOST * scale + STEP, STEP)
    ys, xs = at(t)
    seen, back = photo[ys, xs], behind[ys, xs]
    to_face = np.linalg.norm(seen - face[:, None], axis=-1)
    to_back = np.linalg.norm(seen - back, axis=-1)
    facelike = (to_face < to_back) & (to_back > APART)
    # the end of the run that starts at the outline
    ends = np.where((~facelike).any(1), np.argmax(~facelike, axis=1), len(t))
    reach = np.where(ends > 0, t[np.maximum(ends - 1, 0)] + STEP, 0.0)
    # a lone ray running on (a strand of hair, a shadow the plate lacks) is not the profile: none
    # reaches further than its farther neighbour along the outline
    if len(reach) > 2:
        neighbour = np.maximum(np.r_[reach[1:], 0.0], np.r_[0.0, reach[:-1]])
        reach = np.minimum(reach, neighbour)
    return reach
