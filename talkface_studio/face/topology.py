"""The 478-point MediaPipe face-mesh topology: triangles, named regions, mirror map, canonical face.

Everything comes from package data (``data/topology.npz``) generated once by
``packaging/build_canonical_face.py``, so the runtime needs no mediapipe for it.

- ``TRIANGLES`` int32 [852, 3]: the faces of MediaPipe's tessellation (points 0..467; the irises
  468..477 are not part of the surface), wound so that normals point toward the camera (-z).
- ``REGIONS`` name -> int32 indices. "left" is the subject's left (the image's right), as in
  MediaPipe. Lid and lip contours are ordered corner to corner (outer eye corner first; lip
  corner 61 first); iris regions list the centre first.
- ``MIRROR`` int32 [478]: index of the left/right mirrored point (an involution; midline points map
  to themselves).
- ``canonical_face()`` float32 [478, 3]: a neutral, symmetric face in normalized space (see
  ``face.normalize``): outer eye corners at (-0.5, 0, 0) and (+0.5, 0, 0), x right, y down, z away
  from the camera.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

N_LANDMARKS = 478
N_MESH_POINTS = 468  # the surface; 468..477 are the iris points added by refine_landmarks

# Named single points, for readability at call sites.
NOSE_TIP = 1
CHIN = 152
FOREHEAD = 10
MOUTH_CORNERS = (61, 291)  # subject's right, left
RIGHT_EYE_CORNERS = (33, 133)  # outer, inner
LEFT_EYE_CORNERS = (263, 362)  # outer, inner
IRIS_CENTRES = (468, 473)  # right, left
# Each lip as columns from its inner rim outwards (rim, two rings within the red, outline), the
# mouth corners left out: [4, 9], subject's right to left. The upper lip's outline lies above its rim.
UPPER_LIP_RINGS = np.array([[191, 80, 81, 82, 13, 312, 311, 310, 415],
                            [183, 42, 41, 38, 12, 268, 271, 272, 407],
                            [184, 74, 73, 72, 11, 302, 303, 304, 408],
                            [185, 40, 39, 37, 0, 267, 269, 270, 409]])
LOWER_LIP_RINGS = np.array([[95, 88, 178, 87, 14, 317, 402, 318, 324],
                            [96, 89, 179, 86, 15, 316, 403, 319, 325],
                            [77, 90, 180, 85, 16, 315, 404, 320, 307],
                            [146, 91, 181, 84, 17, 314, 405, 321, 375]])


def _load():
    with resources.files(__package__).joinpath("data/topology.npz").open("rb") as fh:
        data = np.load(fh, allow_pickle=False)
        arrays = {k: data[k] for k in data.files}
    regions = {k[len("region_"):]: v.astype(np.int32) for k, v in arrays.items() if k.startswith("region_")}
    return arrays["triangles"].astype(np.int32), regions, arrays["mirror"].astype(np.int32), arrays["canonical"]


TRIANGLES, REGIONS, MIRROR, _CANONICAL = _load()
for _a in (TRIANGLES, MIRROR, _CANONICAL, *REGIONS.values()):
    _a.setflags(write=False)  # shared module state: nobody may edit it in place


def canonical_face() -> np.ndarray:
    """The neutral face, float32 [478, 3] in normalized space (a fresh copy each call)."""
    return _CANONICAL.astype(np.float32, copy=True)
