"""Frames with the photo's face painted one colour and everything else another, rendered through
every pass of the mesh-warp renderer: where the photo's face, and what lay beyond it, end up in a
turned frame (tests of the face outline and the unfolded sheet)."""

from __future__ import annotations

import cv2
import numpy as np

from talkface_studio.face.relocate import relocate
from talkface_studio.face.topology import TRIANGLES, canonical_face

SIZE = 512
FACE = (255, 0, 0)
ELSE = (0, 0, 255)


def turned(fit, yaw: float) -> np.ndarray:
    """The portrait's landmarks [478, 3] (output px at SIZE) with the head turned by ``yaw`` degrees."""
    return relocate(np.asarray(fit.landmarks, np.float32), canonical_face()[None],
                    {"head_yaw": np.array([yaw], np.float32)})[0].astype(np.float64)


def covered(points: np.ndarray) -> np.ndarray:
    """uint8 [SIZE, SIZE]: the union of the face mesh's triangles at points [478, 2]."""
    mask = np.zeros((SIZE, SIZE), np.uint8)
    for t in np.round((points[np.asarray(TRIANGLES)] - 0.5) * 16).astype(np.int32):
        cv2.fillConvexPoly(mask, t, 1, cv2.LINE_8, shift=4)
    return mask


def painted_frame(renderer, prep, lm: np.ndarray) -> np.ndarray:
    """float64 [SIZE, SIZE, 3]: the frame at lm with the photo's face (its mesh's extent, 2 px in
    from its edge) painted FACE and everything else ELSE; ``prep`` is left as it was."""
    face = cv2.erode(covered(np.asarray(prep.look.landmarks, np.float64)[:, :2]), np.ones((5, 5), np.uint8)) > 0
    return frame_of_layer(renderer, prep, lm, np.where(face[..., None], FACE, ELSE).astype(np.uint8))


def frame_of_layer(renderer, prep, lm: np.ndarray, colours: np.ndarray) -> np.ndarray:
    """float64 [SIZE, SIZE, 3]: the frame at lm with the moving layer's colours uint8 [SIZE,
    SIZE, 3] (its matte as it was) over a still layer of ELSE; ``prep`` is left as it was."""
    kept = {k: v.copy() for k, v in prep.cpu.items()}, prep.plate_u8.copy()
    try:
        prep.blurred.clear()
        prep.cpu["layer4"][..., :3] = colours
        prep.cpu["plate4"][..., :3] = ELSE
        prep.plate_u8[...] = ELSE
        return renderer.render_frame(prep, lm).astype(np.float64)
    finally:
        prep.cpu.update(kept[0])
        prep.plate_u8[...] = kept[1]
        prep.blurred.clear()


def assert_render_paths_agree(fit, lms: np.ndarray, size: int = SIZE) -> None:
    """The batched torch path (run on the CPU) draws frames lms [B, 478, 3] the same in batches of
    1 and 3, and within 4 levels (mean under 0.2) of the CPU's own OpenCV path."""
    from talkface_studio.render.mesh_warp.renderer import MeshWarpRenderer
    one = np.stack(list(MeshWarpRenderer("cpu", batch=1).render(fit, lms, size)))
    batched = np.stack(list(MeshWarpRenderer("cpu", batch=3).render(fit, lms, size)))
    np.testing.assert_array_equal(batched, one)
    own = np.stack(list(MeshWarpRenderer("cpu").render(fit, lms, size)))     # OpenCV, channels last
    diff = np.abs(own.astype(int) - batched.astype(int))
    assert diff.max() <= 4 and diff.mean() < 0.2, (diff.max(), diff.mean())


def refilled_nodes(renderer, prep, lm: np.ndarray) -> np.ndarray:
    """bool [grid, grid]: the nodes the unfolded-sheet refill drew in the frame at lm (caught on
    their way out of ``raster.refill_unfolded``)."""
    from talkface_studio.render.mesh_warp import raster
    from talkface_studio.render.mesh_warp.unfold_expression import frame_landmarks
    seen = {}
    refill = raster.refill_unfolded

    def spy(*a, **k):
        seen["nodes"] = got = refill(*a, **k)
        return got
    raster.refill_unfolded = spy
    try:
        pts, depth = renderer._mesh_points(prep, frame_landmarks(lm, prep.guard))
        raster.rasterize_displacement(prep.mesh, pts, depth, prep.grid, SIZE)
    finally:
        raster.refill_unfolded = refill
    return seen.get("nodes", np.zeros((prep.grid, prep.grid), bool))
