"""The frame's pass that paints what the photo hid of a turned face from its mirror side.

``hidden_side`` marks the face triangles the photo does not show and where their mirror triangles
lie in it. Warping through them in the frame's own displacement field would put the mirror's far
away source position right beside its neighbour's: the bilinear field between two such nodes
sweeps across the whole face between them (a smear through the nose). So the mirror has its own
coarse field over a block of the grid: the completed triangles that win the frame's depth test
there, continued smoothly beyond them (``gap_fill``), and a weight that is 1 on them, 0 elsewhere,
softened over about a cell. Each pixel under a weight takes the moving layer at the mirror field,
matched in colour to the side it replaces (``mirror_gain``: light falls differently on the two
sides of a face), and blends it over the frame with that weight: no seam, no sweep.

Frames that show none of those triangles (every frame of a frontal photo at rest, most of them
turned) skip the pass entirely.
"""

from __future__ import annotations

import cv2
import numpy as np

from . import flow
from .gap_fill import fill_harmonic
from .hidden_side import BEHIND, PROBES
from .layer_sampling import over_still
from .raster import node_step, rasterize_grid, visible_triangles
from .triangle_area import RELIABLE_AREA, front_sign
from .warp_mesh import WarpMesh

PAD = 5               # nodes around the completed ones the block keeps (the soft edge's room)
SOFT = 1.5            # nodes: the Gaussian that softens the weight's edge (no seam, no stair steps)
LEAST_WEIGHT = 1.0 / 255.0
GAIN_RANGE = (0.8, 1.25)   # the most a lighting difference is matched: the estimate is rough (the pairs
                           # by the seam mix nose ridge, brow and cheek), and a wrong large gain is a bright patch
GAIN_SAMPLES = 6


def mirror_field(mesh: WarpMesh, points: np.ndarray, depth: np.ndarray, grid: int, size: int):
    """The mirror's coarse field for frame points [M, 2] / depth [M]: None where no completed
    triangle shows, else (disp [h, w, 2] float32, weight [h, w] float32, (i0, j0), step): a
    block of the grid's nodes starting at node row i0, column j0; step: px between nodes."""
    if mesh.completed is None:
        return None
    keep = visible_triangles(mesh, points, completed=True)
    if not (keep & mesh.completed).any():
        return None
    step = node_step(grid, size)
    # only the block of nodes around the completed triangles in view, and the face triangles
    # reaching into it (the depth test): a few hundred nodes, not the whole grid
    corners = (points[mesh.triangles[keep & mesh.completed]].reshape(-1, 2) - 0.5 * step) / step
    j0, i0 = np.maximum(np.floor(corners.min(0)).astype(int) - PAD, 0)
    j1, i1 = np.minimum(np.ceil(corners.max(0)).astype(int) + PAD + 1, grid)
    if j1 <= j0 or i1 <= i0:
        return None
    v = points[mesh.triangles]
    lo, hi = (np.array([j0, i0]) + 0.5) * step, (np.array([j1, i1]) - 0.5) * step
    keep &= np.arange(len(keep)) < mesh.n_face_tris
    keep &= np.all(v.max(1) >= lo, axis=1) & np.all(v.min(1) <= hi, axis=1)
    w, h = int(j1 - j0), int(i1 - i0)
    disp, _, winner, own = rasterize_grid(mesh, points, depth, keep, tuple(lo), step, w, h, mirrored=True)
    at = np.flatnonzero(winner >= 0)
    if len(at) == 0:
        return None
    # a node of a triangle the photo shows in part takes the mirror only where its own point is
    # hidden in the photo: facing away there, or behind a nearer surface at its own source pixel
    # (so a still frame is the photo, and a partly hidden triangle keeps its shown part)
    n_mesh = mesh.n_face_tris - mesh.n_holes
    facing = front_sign(mesh.src_area[:n_mesh])
    back = np.sign(mesh.src_area[winner[at]]) != facing
    nodes = np.stack([at % w, at // w], 1) * step + lo
    src = np.clip((nodes + own[at, :2]).astype(np.int64), 0, size - 1)
    scale = np.linalg.norm(mesh.src[263] - mesh.src[33])
    behind = own[at, 2] - mesh.photo_depth[src[:, 1], src[:, 0]] > BEHIND * scale
    mine = np.zeros(w * h, bool)
    mine[at[back | behind]] = True
    mine = mine.reshape(h, w)
    if not mine.any():
        return None
    block = disp.reshape(h, w, 2).astype(np.float64)
    fill_harmonic(block, mine)
    weight = cv2.GaussianBlur(mine.astype(np.float32), (0, 0), SOFT, borderType=cv2.BORDER_CONSTANT)
    return block.astype(np.float32), weight, (int(i0), int(j0)), step


def mirror_gain(texture: np.ndarray, lm: np.ndarray, mesh: WarpMesh, triangles: np.ndarray) -> np.ndarray:
    """Per colour channel, how much brighter the photo's hidden side is than its mirror side: the
    median over the shown triangles bordering the completed ones (clear of the face's outline,
    where the photo's pixels are partly background) of their colour over their mirror's. 1 where
    fewer than GAIN_SAMPLES such pairs exist (too few to tell light from a stray hair).
    texture uint8 [S, S, 3], lm [478, 2+] output px."""
    from talkface_studio.face.topology import MIRROR
    from .face_loops import FACE_OVAL
    if mesh.completed is None:
        return np.ones(3, np.float32)
    done = mesh.completed[:len(triangles)]
    seam = np.zeros(len(lm), bool)
    seam[triangles[done].ravel()] = True
    outline = np.zeros(len(lm), bool)
    outline[FACE_OVAL] = True
    outline |= outline[MIRROR]
    area = mesh.src_area[:len(triangles)]
    shown = (np.abs(area) > RELIABLE_AREA) & (np.sign(area) == front_sign(area))
    near = ~done & shown & seam[triangles].any(1) & ~outline[triangles].any(1)
    near &= ~seam[MIRROR[triangles]].any(1)      # (a midline triangle would compare with itself)
    if near.sum() < GAIN_SAMPLES:
        return np.ones(3, np.float32)

    def colour(tris):
        at = np.einsum("pk,fkd->fpd", PROBES, lm[tris, :2]).astype(np.float32) - 0.5   # [F, P, 2]
        got = cv2.remap(texture, at, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        return got.astype(np.float64).mean(1)                                            # [F, 3]
    ratio = (colour(triangles[near]) + 8.0) / (colour(MIRROR[triangles[near]]) + 8.0)
    return np.clip(np.median(ratio, axis=0), *GAIN_RANGE).astype(np.float32)


def paint_mirror(frame, field, layer, plate, gain: np.ndarray, window) -> None:
    """In place: frame [3, S, S] (+offset; numpy or a tensor) takes the moving layer at the mirror
    field (``mirror_field``) over the still layer, times ``gain`` [3], blended by its weight, in
    ``window`` (x0, y0, x1, y1). layer / plate: ``soften_silhouette``'s kinds."""
    if field is None:
        return
    disp, weight, (i0, j0), step = field
    h, w = weight.shape
    x0 = max(int(np.floor((j0 + 0.5) * step)), window[0])
    y0 = max(int(np.floor((i0 + 0.5) * step)), window[1])
    x1 = min(int(np.ceil((j0 + w - 0.5) * step)), window[2])
    y1 = min(int(np.ceil((i0 + h - 0.5) * step)), window[3])
    if x1 <= x0 or y1 <= y0:
        return
    at = np.stack(np.meshgrid((np.arange(x0, x1, dtype=np.float32) + 0.5) / np.float32(step) - 0.5 - j0,
                              (np.arange(y0, y1, dtype=np.float32) + 0.5) / np.float32(step) - 0.5 - i0), -1)
    fields = cv2.remap(np.concatenate([disp, weight[..., None]], -1), at, None, cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REPLICATE)
    py, px = np.nonzero(fields[..., 2] > LEAST_WEIGHT)
    if len(py) == 0:
        return
    d, wt = fields[py, px, :2], fields[py, px, 2]
    py += y0
    px += x0
    src = np.stack([px, py], -1).astype(np.float32) + np.float32(0.5) + d
    colour = over_still(layer, plate, src[None], py, px)
    if isinstance(frame, np.ndarray):
        view = frame.transpose(1, 2, 0)
        now = view[py, px] - np.float32(flow.TEXTURE_OFFSET)
        mixed = now + (np.minimum(colour[0] * gain, 255.0) - now) * wt[:, None]
        view[py, px] = mixed + np.float32(flow.TEXTURE_OFFSET)
        return
    import torch
    dev = frame.device
    yy, xx = torch.from_numpy(py).to(dev), torch.from_numpy(px).to(dev)
    now = frame[:, yy, xx] - flow.TEXTURE_OFFSET
    g = torch.from_numpy(gain.astype(np.float32)).to(dev)[:, None]
    want = torch.clamp((colour[:, 0] - flow.TEXTURE_OFFSET) * g, max=255.0)   # tensors carry the offset
    frame[:, yy, xx] = (now + (want - now) * torch.from_numpy(wt.astype(np.float32)).to(dev)[None]
                        + flow.TEXTURE_OFFSET).to(frame.dtype)
