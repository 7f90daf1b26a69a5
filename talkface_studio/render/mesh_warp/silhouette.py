"""The turned head's outline: an anti-aliased edge, not the coarse grid's stair steps and rim.

When the head turns (yaw beyond ~10 degrees) the face's far side folds behind itself: its
triangles turn their back to the camera and are dropped (``raster.visible_triangles``), so the
front surface ends at a silhouette with something else behind it (the anchors' warped
background, hair or neck). The displacement jumps there. The coarse grid (~4 px) steps that jump
cell by cell, and bilinear upsampling across it samples the portrait in between (the cheek's
hidden side, the photo's own outline and its matte fringe): a stair-stepped edge with a pale
1-px rim, or at a small turn a smeared band.

A compositor's answer: two layers and a coverage matte. Near the silhouette the coarse field is
split in two, the front surface's nodes continued outward (each node the nearest front node's
value) and the background's continued inward; each is upsampled on its own, so neither smears
across the edge, and each samples the moving layer over the still one. The two are mixed by the
front's coverage of the pixel, from its exact (sub-pixel) signed distance to the silhouette's
edges, ramped over ``FEATHER`` px. Only pixels within ~1.5 grid cells of a silhouette whose
upsampling straddles the jump are touched: a frame with nothing folded (a still frame, a small
turn) is left exactly as it was.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
from scipy.ndimage import distance_transform_edt
from scipy.sparse.csgraph import connected_components

from . import flow
from .raster import visible_triangles
from .warp_mesh import WarpMesh
from talkface_studio.face.topology import REGIONS

JUMP = 1.5           # px: a fold whose displacement jumps less across it shows no step or smear
SHORTEST = 5.0       # grid cells: a smaller fold (a crease at the mouth corner, a nostril) is left
FEATHER = 1.5        # px at 512 (scaled with the frame): the coverage ramp across the outline

_EDGES: dict = {}


def _edge_table(mesh: WarpMesh):
    """Per side of each triangle (the face's, holes excluded, then the anchors' around it): its
    edge id, its two ends and the triangle's opposite corner; its triangle's index in the mesh;
    and per edge whether it can be a silhouette: shared by two triangles, one of the face (the
    face's own folds and where it folds over the anchors' ring), not touching the lips or the
    lids, and not folded in the portrait itself."""
    key = id(mesh.triangles)
    if key not in _EDGES:
        n_mesh = mesh.n_face_tris - mesh.n_holes
        which = np.concatenate([np.arange(n_mesh), np.arange(mesh.n_face_tris, len(mesh.triangles))])
        tris = mesh.triangles[which]
        ends = np.stack([tris, np.roll(tris, -1, axis=1)], axis=2).reshape(-1, 2)   # [F*3, 2]
        opposite = np.roll(tris, 1, axis=1).reshape(-1)
        edges, edge_id, count = np.unique(np.sort(ends, axis=1), axis=0, return_inverse=True,
                                          return_counts=True)
        edge_id = edge_id.reshape(-1)
        face_sides = np.bincount(edge_id, weights=np.repeat(which < n_mesh, 3), minlength=len(edges))
        # the lips meet and the lids close by folding: the mouth and eyes have their own painters
        feature = np.zeros(len(mesh.src), bool)
        feature[np.asarray(REGIONS["lips_inner"])] = True
        feature[np.concatenate([REGIONS["left_eye"], REGIONS["right_eye"]])] = True
        outline = (count == 2) & (face_sides > 0) & ~feature[edges].any(1)
        outline &= ~_folds(mesh.src, ends, opposite, edge_id, len(edges))
        _EDGES.clear()
        _EDGES[key] = (edge_id, ends, opposite, np.repeat(which, 3), outline)
    return _EDGES[key]


def _folds(points: np.ndarray, ends: np.ndarray, opposite: np.ndarray, edge_id: np.ndarray,
           n_edges: int) -> np.ndarray:
    """Per edge [E] bool: its two triangles lie on the same side of it (the surface folds over
    there, so it ends in a silhouette), at the given points [M, 2]."""
    p, q = np.sort(ends, axis=1).T
    e, r = points[q] - points[p], points[opposite] - points[p]
    side = np.sign(e[:, 0] * r[:, 1] - e[:, 1] * r[:, 0])
    return np.abs(np.bincount(edge_id, weights=side, minlength=n_edges)) == 2


def silhouette_edges(mesh: WarpMesh, points: np.ndarray, depth: np.ndarray):
    """The front surface's visible outline in this frame: the edges where the mesh folds over
    (its two triangles on one side; the far one turned away, usually dropped), with a drawn
    triangle on that side and no nearer face triangle hiding them: (a [K, 2], b [K, 2],
    inside [K, 2]: a point on the front's side, ids [K, 2]: the ends' mesh points), or None."""
    edge_id, ends, opposite, tri, outline = _edge_table(mesh)
    kept = visible_triangles(mesh, points)
    keep = kept[tri]
    fold = outline & _folds(points, ends, opposite, edge_id, len(outline))
    side = np.flatnonzero(keep & fold[edge_id])
    if len(side) == 0:
        return None
    # one kept side per edge, the face's where both are (the anchors lie behind it)
    side = side[np.unique(edge_id[side], return_index=True)[1]]
    a, b, inside = points[ends[side, 0]], points[ends[side, 1]], points[opposite[side]]
    # a fold also has a hidden side (where the surface turns back toward the camera, under the
    # front): test a point just outside each edge against the nearer face triangles
    mid = 0.5 * (a + b)
    out = mid - inside
    probe = mid + 0.75 * out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    z = 0.5 * (depth[ends[side, 0]] + depth[ends[side, 1]])
    tris = mesh.triangles[:mesh.n_face_tris][kept[:mesh.n_face_tris]]
    v = points[tris]
    lo, hi = probe.min(0), probe.max(0)
    near = (v[..., 0].max(1) >= lo[0]) & (v[..., 0].min(1) <= hi[0]) \
        & (v[..., 1].max(1) >= lo[1]) & (v[..., 1].min(1) <= hi[1])
    v, tz = v[near], depth[tris[near]]
    e1, e2 = v[:, 1] - v[:, 0], v[:, 2] - v[:, 0]                      # [T, 2]
    det = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    ok = np.abs(det) > 1e-9
    v, tz, e1, e2, det = v[ok], tz[ok], e1[ok], e2[ok], det[ok]
    r = probe[:, None] - v[None, :, 0]                                # [K, T, 2]
    u = (r[..., 0] * e2[:, 1] - r[..., 1] * e2[:, 0]) / det
    w = (e1[:, 0] * r[..., 1] - e1[:, 1] * r[..., 0]) / det
    inside_tri = (u >= 0) & (w >= 0) & (u + w <= 1)
    zt = tz[:, 0] + u * (tz[:, 1] - tz[:, 0]) + w * (tz[:, 2] - tz[:, 0])
    hidden = (inside_tri & (zt < z[:, None])).any(1)
    if hidden.all():
        return None
    return a[~hidden], b[~hidden], inside[~hidden], ends[side[~hidden]]


def _bilinear(block: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear value of a node block [bh, bw, 2] at node coordinates x, y [N] (inside it)."""
    jx = np.minimum(x.astype(int), block.shape[1] - 2)
    jy = np.minimum(y.astype(int), block.shape[0] - 2)
    fx, fy = (x - jx)[:, None], (y - jy)[:, None]
    top = block[jy, jx] + (block[jy, jx + 1] - block[jy, jx]) * fx
    bottom = block[jy + 1, jx] + (block[jy + 1, jx + 1] - block[jy + 1, jx]) * fx
    return top + (bottom - top) * fy


class _Outline:
    """Signed distance to the silhouette's edges (positive on the front's side), near them: each
    point is measured exactly against the edge drawn over it in a thick-line map of the edges
    (``near``) and that edge's neighbours along the outline."""

    def __init__(self, a: np.ndarray, b: np.ndarray, inside: np.ndarray, ids: np.ndarray):
        self.a, self.b, self.inside = a, b, inside
        touch = (ids[:, None, :, None] == ids[None, :, None, :]).any((2, 3))
        np.fill_diagonal(touch, False)
        first = touch.argmax(1)
        touch[np.arange(len(a)), first] = False
        self.candidates = np.stack([np.arange(len(a)), first, touch.argmax(1)], 1)   # [K, 3]

    def near(self, shape, scale: float, origin, reach: float):
        """Cells (rows, cols) of a [h, w] raster (cell = scale px, cell (0, 0) centred at pixel
        origin) within ~reach cells of an edge, and the edge drawn there: drawn thick, then
        thinner on top, so that close to the outline it is the nearest edge."""
        drawn = np.zeros(shape, np.uint16)
        ends = np.round((np.stack([self.a, self.b], 1) - origin) / scale * 16).astype(np.int32)
        for width in sorted({2 * int(np.ceil(reach)) + 1, 3}, reverse=True):
            for k, (p, q) in enumerate(ends):
                cv2.line(drawn, (int(p[0]), int(p[1])), (int(q[0]), int(q[1])), k + 1, width, shift=4)
        rows, cols = np.nonzero(drawn)
        return rows, cols, drawn[rows, cols].astype(np.int64) - 1

    def __call__(self, p: np.ndarray, edge: np.ndarray) -> np.ndarray:
        best = np.full(len(p), np.inf)
        for k in self.candidates[edge].T:
            a, e = self.a[k], self.b[k] - self.a[k]
            r = p - a
            t = np.clip((r * e).sum(1) / np.maximum((e * e).sum(1), 1e-12), 0.0, 1.0)
            dist = np.hypot(*(r - t[:, None] * e).T)
            side = e[:, 0] * r[:, 1] - e[:, 1] * r[:, 0]
            own = e[:, 0] * (self.inside[k, 1] - a[:, 1]) - e[:, 1] * (self.inside[k, 0] - a[:, 0])
            signed = np.where(np.sign(side) == np.sign(own), dist, -dist)
            best = np.where(dist < np.abs(best), signed, best)
        return best


def _jumps(coarse: np.ndarray, edges, step: float) -> np.ndarray:
    """Per edge [K]: how far the displacement jumps across it (px), from the grid nodes nearest
    1.5 cells to either side of its middle."""
    a, b, inside = edges[:3]
    mid = 0.5 * (a + b)
    n = inside - mid
    n = n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-9) * (1.5 * step)
    g = coarse.shape[0]
    def at(p):
        j = np.clip((p / step - 0.5).round().astype(int), 0, g - 1)
        return coarse[j[:, 1], j[:, 0]]
    return np.abs(at(mid + n) - at(mid - n)).max(1)


def soften_silhouette(frame: torch.Tensor, coarse: np.ndarray, edges, layer: torch.Tensor,
                      plate: torch.Tensor, window) -> None:
    """In place: frame [3, S, S] (+offset) anti-aliased along the silhouette ``edges``
    (``silhouette_edges``). coarse [g, g, 2]: the frame's coarse displacement; layer
    [1, 4, S, S] the moving layer (+offset, matte 4th) and plate [1, 3, S, S] the still one, or
    on the CPU their uint8 RGBA copies [S, S, 4] (the matte 0..255; ``renderer``); window
    (x0, y0, x1, y1): where the frame is valid.

    Each connected outline is done on its own: a cheek folding over the face's far strip and
    the jaw against the background lie a few pixels apart, and what is front for one is behind
    for the other."""
    ids = edges[3]
    touch = (ids[:, None, :, None] == ids[None, :, None, :]).any((2, 3))
    n, chain = connected_components(touch, directed=False)
    ends = np.concatenate([edges[0], edges[1]])
    reach = np.zeros(n)                    # each outline's extent: its box's diagonal
    for c in range(n):
        mine = ends[np.tile(chain == c, 2)]
        reach[c] = np.hypot(*np.ptp(mine, axis=0))
    step = frame.shape[-1] / coarse.shape[0]
    jump = _jumps(coarse, edges, step)
    for c in np.flatnonzero(reach >= SHORTEST * step):
        if jump[chain == c].max() < JUMP:
            continue
        mine = chain == c
        _soften_chain(frame, coarse, tuple(e[mine] for e in edges), layer, plate, window)


def _soften_chain(frame, coarse, edges, layer, plate, window) -> None:
    size, g = frame.shape[-1], coarse.shape[0]
    step = size / g
    a, b, inside, ids = edges
    segs = np.stack([a, b], 1)
    x0, y0 = np.maximum(np.floor(segs.reshape(-1, 2).min(0) - step - 2).astype(int), window[:2])
    x1, y1 = np.minimum(np.ceil(segs.reshape(-1, 2).max(0) + step + 2).astype(int), window[2:])
    if x1 <= x0 or y1 <= y0:
        return
    # the nodes whose taps reach the window; those near the outline split into front and behind
    j0, i0 = (max(int(c / step - 1.5), 0) for c in (x0, y0))
    j1, i1 = (min(int(c / step + 1.5), g) for c in (x1, y1))
    block = coarse[i0:i1, j0:j1].astype(np.float64)
    outline = _Outline(a, b, inside, ids)
    ni, nj, k = outline.near((i1 - i0, j1 - j0), step, ((j0 + 0.5) * step, (i0 + 0.5) * step), 2.5)
    on_front = outline((np.stack([nj + j0, ni + i0], 1) + 0.5) * step, k) > 0
    front = np.zeros((i1 - i0, j1 - j0), bool)
    behind = np.zeros_like(front)
    front[ni[on_front], nj[on_front]] = True
    behind[ni[~on_front], nj[~on_front]] = True
    if not front.any() or not behind.any():
        return
    # the pixels near the outline whose taps straddle the jump: each side's field continued
    py, px, k = outline.near((y1 - y0, x1 - x0), 1.0, (x0 + 0.5, y0 + 0.5), step + 1.0)
    px, py = px + x0, py + y0
    nx = np.clip((px + 0.5) / step - 0.5, 0, g - 1) - j0
    ny = np.clip((py + 0.5) / step - 0.5, 0, g - 1) - i0
    fields = []
    for mine in (front, behind):
        _, (iy, ix) = distance_transform_edt(~mine, return_indices=True)
        fields.append(_bilinear(block[iy, ix], nx, ny))
    differ = np.abs(fields[0] - fields[1]).max(1) > 0.25      # px: less shows no edge
    if not differ.any():
        return
    px, py, k = px[differ], py[differ], k[differ]
    pix = np.stack([px, py], 1) + 0.5
    cover = np.clip(0.5 + outline(pix, k) / (FEATHER * max(size / 512, 0.67)), 0.0, 1.0)
    # sample the moving layer at both fields' source positions, each over the still layer
    src = np.stack([fields[0][differ], fields[1][differ]]) + pix                     # [2, N, 2]
    if isinstance(layer, np.ndarray):   # the CPU path's uint8 RGBA copies, OpenCV and numpy
        got = cv2.remap(layer, (src - 0.5).reshape(1, -1, 2).astype(np.float32), None,
                        cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).reshape(2, -1, 4)
        got = got.astype(np.float32)
        still = plate[py, px, :3].astype(np.float32)
        over = still + (got[..., :3] - still) * (got[..., 3:] * np.float32(1.0 / 255.0))
        w = cover.astype(np.float32)[:, None]
        mixed = over[1] + (over[0] - over[1]) * w + np.float32(flow.TEXTURE_OFFSET)
        frame.permute(1, 2, 0).numpy()[py, px] = mixed
        return
    grid = torch.from_numpy((src * (2.0 / size) - 1.0).astype(np.float32))[None].to(layer.device)
    got = flow.sample_grid(layer, grid)[0]                                          # [4, 2, N]
    yy, xx = torch.from_numpy(py).to(layer.device), torch.from_numpy(px).to(layer.device)
    still = plate[0][:, yy, xx]                                                     # [3, N]
    over = still[:, None] + (got[:3] - still[:, None]) * got[3:4]                   # [3, 2, N]
    w = torch.from_numpy(cover.astype(np.float32)).to(layer.device)
    frame[:, yy, xx] = (over[:, 1] + (over[:, 0] - over[:, 1]) * w).to(frame.dtype)
