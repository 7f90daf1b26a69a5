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

Cost (it runs on most frames of a swaying head): the folds are found among the ~1100 edges that
can fold, precomputed per mesh; all outlines of a frame are done in one pass over the union of
their bands (per-outline work is only on small rasters of coarse nodes), and a pixel farther than
~1.5 px from the outline whose four taps lie on one side is left as the composite sampled it.
What remains is ~150 small numpy calls: ~2.5 ms CPU per 512-px frame ("outline" in
``benchmarks/bench_render.py --stages``).
"""

from __future__ import annotations

import cv2
import numpy as np

from . import flow
from .layer_sampling import over_still
from .raster import visible_triangles
from .unfolded_sheet import outline_sides
from .warp_mesh import WarpMesh
from talkface_studio.face.topology import REGIONS

JUMP = 1.5           # px: a fold whose displacement jumps less across it shows no step or smear
SHORTEST = 5.0       # grid cells: a smaller fold (a crease at the mouth corner, a nostril) is left
FEATHER = 1.5        # px at 512 (scaled with the frame): the coverage ramp across the outline
GAP = 12             # grid cells between the per-outline rasters of the nearest-node transform

_EDGES: dict = {}


class _EdgeTable:
    """Per edge that can be a silhouette (sorted by edge id): its two sides (a triangle's side:
    its ends in the triangle's order and the opposite corner), the face's side first, and the
    two triangles' indices in the mesh. Such an edge is shared by two triangles, one of the face
    (the face's own folds and where it folds over the anchors' ring), does not touch the lips or
    the lids, and is not folded in the portrait itself."""

    def __init__(self, mesh: WarpMesh):
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
        outline = np.flatnonzero((count == 2) & (face_sides > 0) & ~feature[edges].any(1))
        # its two sides (a stable sort keeps the face's, listed first, first)
        first = np.searchsorted(edge_id[np.argsort(edge_id, kind="stable")], outline)
        order = np.argsort(edge_id, kind="stable")
        sides = np.stack([order[first], order[first + 1]], 1)                      # [E, 2]
        self.ends, self.opposite = ends, opposite
        self.tri = np.repeat(which, 3)
        self._set(sides)
        self._set(sides[~self.folds(mesh.src)])

    def _set(self, sides: np.ndarray) -> None:
        self.sides = sides
        # per edge its ends (as its first side lists them) and the two opposite corners
        self.corners = np.concatenate([self.ends[sides[:, 0]], self.opposite[sides]], 1).T.copy()

    def folds(self, points: np.ndarray) -> np.ndarray:
        """Per edge [E] bool: its two triangles lie on the same side of it (the surface folds
        over there, so it ends in a silhouette), at the given points [M, 2]."""
        x, y = points[:, 0][self.corners], points[:, 1][self.corners]              # [4, E]
        ex, ey = x[1] - x[0], y[1] - y[0]
        x, y = x[2:] - x[0], y[2:] - y[0]
        cross = ex * y - ey * x                                                     # [2, E]
        return cross[0] * cross[1] > 0


def _edge_table(mesh: WarpMesh) -> _EdgeTable:
    key = id(mesh.triangles)      # with the array held (``lip_contact._lip_triangles``: ids are reused)
    if key not in _EDGES or _EDGES[key][0] is not mesh.triangles:
        _EDGES.clear()
        _EDGES[key] = (mesh.triangles, _EdgeTable(mesh))
    return _EDGES[key][1]


def silhouette_edges(mesh: WarpMesh, points: np.ndarray, depth: np.ndarray):
    """The front surface's visible outline in this frame: the edges where the mesh folds over
    (its two triangles on one side; the far one turned away, usually dropped), with a drawn
    triangle on that side, and the outer edge of the unfolded sheet (``unfolded_sheet``), where
    no nearer face triangle hides them: (a [K, 2], b [K, 2],
    inside [K, 2]: a point on the front's side, ids [K, 2]: the ends' mesh points), or None."""
    table = _edge_table(mesh)
    kept = visible_triangles(mesh, points)
    fold = np.flatnonzero(table.folds(points))
    sides = table.sides[fold]
    on = kept[table.tri[sides]]                                                    # [K, 2]
    # one kept side per edge, the face's where both are (the anchors lie behind it)
    side = np.where(on[:, 0], sides[:, 0], sides[:, 1])[on.any(1)]
    # and the unfolded sheet's outer edge, where its refill meets the background ring
    sheet_ends, sheet_opposite = outline_sides(mesh, points, kept)
    if len(side) == 0 and len(sheet_ends) == 0:
        return None
    ends = np.concatenate([table.ends[side], sheet_ends])
    opposite = np.concatenate([table.opposite[side], sheet_opposite])
    a, b, inside = points[ends[:, 0]], points[ends[:, 1]], points[opposite]
    # a fold also has a hidden side (where the surface turns back toward the camera, under the
    # front): test a point just outside each edge against the nearer face triangles
    mid = 0.5 * (a + b)
    out = mid - inside
    probe = mid + 0.75 * out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    z = 0.5 * (depth[ends[:, 0]] + depth[ends[:, 1]])
    tris = mesh.triangles[:mesh.n_face_tris][kept[:mesh.n_face_tris]]
    tx, ty = points[:, 0][tris.T], points[:, 1][tris.T]                            # [3, T]
    lx, hx = np.minimum(np.minimum(tx[0], tx[1]), tx[2]), np.maximum(np.maximum(tx[0], tx[1]), tx[2])
    ly, hy = np.minimum(np.minimum(ty[0], ty[1]), ty[2]), np.maximum(np.maximum(ty[0], ty[1]), ty[2])
    # the triangles near any probe, then each probe against the boxes of those
    (x0, y0), (x1, y1) = probe.min(0), probe.max(0)
    near = np.flatnonzero((hx >= x0) & (lx <= x1) & (hy >= y0) & (ly <= y1))
    lx, hx, ly, hy = lx[near], hx[near], ly[near], hy[near]
    px, py = probe[:, :1], probe[:, 1:]
    pair_k, pair_t = np.nonzero((px >= lx) & (px <= hx) & (py >= ly) & (py <= hy))
    pair_t = near[pair_t]
    v = points[tris[pair_t]]                                                       # [P, 3, 2]
    tz = depth[tris[pair_t]]
    e1, e2 = v[:, 1] - v[:, 0], v[:, 2] - v[:, 0]                      # [P, 2]
    det = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    det = np.where(np.abs(det) > 1e-9, det, np.nan)                   # degenerate: never inside
    r = probe[pair_k] - v[:, 0]
    u = (r[:, 0] * e2[:, 1] - r[:, 1] * e2[:, 0]) / det
    w = (e1[:, 0] * r[:, 1] - e1[:, 1] * r[:, 0]) / det
    inside_tri = (u >= 0) & (w >= 0) & (u + w <= 1)
    zt = tz[:, 0] + u * (tz[:, 1] - tz[:, 0]) + w * (tz[:, 2] - tz[:, 0])
    hidden = np.zeros(len(probe), bool)
    hidden[pair_k[inside_tri & (zt < z[pair_k])]] = True
    if hidden.all():
        return None
    return a[~hidden], b[~hidden], inside[~hidden], ends[~hidden]


def _bilinear(fields: np.ndarray, c: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear value of node fields [n, bh, bw, d] (field c [N] of each point) at node
    coordinates x, y [N] (inside them): [N, d]."""
    n, bh, bw, d = fields.shape
    jx = np.minimum(x.astype(np.intp), bw - 2)
    jy = np.minimum(y.astype(np.intp), bh - 2)
    fx, fy = (x - jx)[:, None], (y - jy)[:, None]
    flat = fields.reshape(-1, d)
    at = (c * bh + jy) * bw + jx
    top = flat[at]
    top += (flat[at + 1] - top) * fx
    bottom = flat[at + bw]
    bottom += (flat[at + bw + 1] - bottom) * fx
    bottom -= top
    bottom *= fy
    return top + bottom


def _chains(ids: np.ndarray) -> np.ndarray:
    """Per edge [K] (its ends' mesh points ids [K, 2]): which connected outline it belongs to,
    0..n-1 (a union-find over a few dozen edges: cheaper in Python than a sparse graph)."""
    parent: dict = {}

    def root(p):
        while parent.get(p, p) != p:
            p = parent[p]
        return p
    pairs = ids.tolist()
    for p, q in pairs:
        rp, rq = root(p), root(q)
        if rp != rq:
            parent[rp] = rq
    number: dict = {}
    return np.array([number.setdefault(root(p), len(number)) for p, _ in pairs])


class _Outline:
    """Signed distance to the silhouette's edges (positive on the front's side), near them: each
    point is measured exactly against the edge drawn over it in a thick-line map of the edges
    (``near``) and that edge's neighbours along the outline."""

    def __init__(self, a: np.ndarray, b: np.ndarray, inside: np.ndarray, ids: np.ndarray):
        self.a, self.b = a, b
        p, q = ids[:, :1], ids[:, 1:]
        touch = (p == p.T) | (p == q.T) | (q == p.T) | (q == q.T)                  # [K, K]
        np.fill_diagonal(touch, False)
        first = touch.argmax(1)
        touch[np.arange(len(a)), first] = False
        self.candidates = np.stack([np.arange(len(a)), first, touch.argmax(1)], 1)   # [K, 3]
        e = b - a
        own = np.sign(e[:, 0] * (inside[:, 1] - a[:, 1]) - e[:, 1] * (inside[:, 0] - a[:, 0]))
        # per edge, packed for one gather per point: start, direction, 1 / length^2, front side
        self.table = np.column_stack([a, e, 1.0 / np.maximum((e * e).sum(1), 1e-12), own])

    def near(self, shape, scale: float, origin, reach: float, layer=None):
        """Cells of a [h, w] raster (cell = scale px, cell (0, 0) centred at pixel origin) within
        ~reach cells of an edge, and the edge drawn there: drawn thick, then 3 cells wide on top,
        so that close to the outline it is the nearest edge. layer [K]: draw each edge on its own
        raster of [n, h, w] (one per outline), thick only. Returns (layers,) rows, cols, edges, and whether
        the cell is within the 3-wide line (~1.5 cells of the outline)."""
        count = len(self.a)
        drawn = np.zeros(shape if layer is None else (int(layer.max()) + 1, *shape), np.uint16)
        ends = np.round((np.stack([self.a, self.b], 1) - origin) / scale * 16).astype(np.int32)
        targets = [drawn] * count if layer is None else [drawn[c] for c in layer.tolist()]
        widths = ((2 * int(np.ceil(reach)) + 1, 1), (3, count + 1))
        for width, value in widths if layer is None else widths[:1]:
            for k, ((p0, p1), (q0, q1)) in enumerate(ends.tolist()):
                cv2.line(targets[k], (p0, p1), (q0, q1), k + value, width, shift=4)
        where = np.nonzero(drawn)
        got = drawn[where].astype(np.intp) - 1
        thin = got >= count
        return (*where, np.where(thin, got - count, got), thin)

    def __call__(self, p: np.ndarray, edge: np.ndarray) -> np.ndarray:
        t = self.table[self.candidates[edge]]                                       # [N, 3, 6]
        ex, ey = t[..., 2], t[..., 3]
        rx, ry = p[:, :1] - t[..., 0], p[:, 1:] - t[..., 1]
        along = np.clip((rx * ex + ry * ey) * t[..., 4], 0.0, 1.0)
        dist = np.hypot(rx - along * ex, ry - along * ey)
        # the nearest of the three, signed by the side of it the point lies on
        pick = np.arange(len(p)), dist.argmin(1)
        side = ex[pick] * ry[pick] - ey[pick] * rx[pick]
        best = dist[pick]
        return np.where(np.sign(side) == t[..., 5][pick], best, -best)


def _jumps(coarse: np.ndarray, edges, step: float) -> np.ndarray:
    """Per edge [K]: how far the displacement jumps across it (px), from the grid nodes nearest
    1.5 cells to either side of its middle."""
    a, b, inside = edges[:3]
    mid = 0.5 * (a + b)
    n = inside - mid
    n = n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-9) * (1.5 * step)
    g = coarse.shape[0]
    j = np.clip((np.stack([mid + n, mid - n]) / step - 0.5).round().astype(int), 0, g - 1)
    at = coarse[j[..., 1], j[..., 0]]
    return np.abs(at[0] - at[1]).max(1)


def soften_silhouette(frame, coarse: np.ndarray, edges, layer, plate, window) -> None:
    """In place: frame [3, S, S] (+offset) anti-aliased along the silhouette ``edges``
    (``silhouette_edges``). coarse [g, g, 2]: the frame's coarse displacement; layer
    [1, 4, S, S] the moving layer (+offset, matte 4th) and plate [1, 3, S, S] the still one, or
    on the CPU their uint8 RGBA copies [S, S, 4] (the matte 0..255; ``renderer``); window
    (x0, y0, x1, y1): where the frame is valid.

    Each connected outline has its own front and behind: a cheek folding over the face's far
    strip and the jaw against the background lie a few pixels apart, and what is front for one
    is behind for the other. So the coarse nodes are split and continued per outline (small
    rasters), and each pixel of the union of the outlines' bands takes the fields of the outline
    whose edge is nearest; the pixels are then done in one pass."""
    size, g = frame.shape[-1], coarse.shape[0]
    step = size / g
    chain = _chains(edges[3])
    n = int(chain.max()) + 1
    # each outline's extent (its box's diagonal) and largest jump; short or flat ones are left
    twice = np.concatenate([chain, chain])
    ends = np.concatenate([edges[0], edges[1]])
    lo, hi, jump = np.full((n, 2), np.inf), np.full((n, 2), -np.inf), np.zeros(n)
    np.minimum.at(lo, twice, ends)
    np.maximum.at(hi, twice, ends)
    np.maximum.at(jump, chain, _jumps(coarse, edges, step))
    wanted = (np.hypot(*(hi - lo).T) >= SHORTEST * step) & (jump >= JUMP)
    if not wanted.any():
        return
    mine = wanted[chain]
    a, b, inside, ids = (e[mine] for e in edges)
    chain = (np.cumsum(wanted) - 1)[chain[mine]]
    segs = np.concatenate([a, b])
    x0, y0 = np.maximum(np.floor(segs.min(0) - step - 2).astype(int), window[:2])
    x1, y1 = np.minimum(np.ceil(segs.max(0) + step + 2).astype(int), window[2:])
    if x1 <= x0 or y1 <= y0:
        return
    # the nodes whose taps reach the box; those near each outline split into front and behind
    j0, i0 = (max(int(c / step - 1.5), 0) for c in (x0, y0))
    j1, i1 = (min(int(c / step + 1.5), g) for c in (x1, y1))
    block = coarse[i0:i1, j0:j1].astype(np.float64)
    outline = _Outline(a, b, inside, ids)
    n, bh, bw = int(chain.max()) + 1, i1 - i0, j1 - j0
    nc, ni, nj, k, _ = outline.near((bh, bw), step, ((j0 + 0.5) * step, (i0 + 0.5) * step), 2.5,
                                    chain)
    on_front = outline((np.stack([nj + j0, ni + i0], 1) + 0.5) * step, k) > 0
    label = np.zeros((n, bh, bw), np.uint8)                     # 1 front, 2 behind, 0 neither
    label[nc, ni, nj] = 2 - on_front
    ok = (label == 1).any((1, 2)) & (label == 2).any((1, 2))
    if not ok.any():
        return
    # per outline and side, each node's nearest node of that side: one labelled distance
    # transform over the 2n rasters one above the other, far enough apart (GAP) that for the
    # nodes near the outline (the only ones a pixel's taps reach) it is on the node's own raster
    pitch = bh + GAP
    tiles = np.ones((2, n, pitch, bw), np.uint8)
    tiles[0, :, :bh] = label != 1
    tiles[1, :, :bh] = label != 2
    tiles = tiles.reshape(-1, bw)
    seeds = np.flatnonzero(tiles == 0)
    _, nearest = cv2.distanceTransformWithLabels(tiles, cv2.DIST_L2, 5,
                                                 labelType=cv2.DIST_LABEL_PIXEL)
    nearest = seeds[nearest.reshape(2, n, pitch, bw)[:, :, :bh] - 1]          # [2, n, bh, bw]
    # both sides' fields continued: [n, bh, bw, 4] (the seed's node on its own raster)
    fields = block.reshape(-1, 2)[np.moveaxis(nearest, 0, -1) % (pitch * bw)].reshape(n, bh, bw, 4)
    # the pixels near the outlines whose taps straddle the jump: each side's field continued
    py, px, k, thin = outline.near((y1 - y0, x1 - x0), 1.0, (x0 + 0.5, y0 + 0.5), step + 1.0)
    c = chain[k]
    px, py = px + x0, py + y0
    nx = np.clip((px + 0.5) / step - 0.5, 0, g - 1) - j0
    ny = np.clip((py + 0.5) / step - 0.5, 0, g - 1) - i0
    # a pixel ~1.5 px or more from the outline whose four taps are all on one side is already
    # sampled from that side's field: left as it is
    jx = np.minimum(nx.astype(np.intp), bw - 2)
    jy = np.minimum(ny.astype(np.intp), bh - 2)
    at = (c * bh + jy) * bw + jx
    lab = label.reshape(-1)
    tap = lab[at]
    mixed_taps = (tap == 0) | (tap != lab[at + 1]) | (tap != lab[at + bw]) | (tap != lab[at + bw + 1])
    todo = np.flatnonzero((thin | mixed_taps) & ok[c])
    px, py, k, c, nx, ny = px[todo], py[todo], k[todo], c[todo], nx[todo], ny[todo]
    both = _bilinear(fields, c, nx, ny)                                             # [N, 4]
    fields = both[:, :2], both[:, 2:]
    differ = np.abs(fields[0] - fields[1]).max(1) > 0.25      # px: less shows no edge
    if not differ.any():
        return
    px, py, k = px[differ], py[differ], k[differ]
    pix = np.stack([px, py], 1) + 0.5
    cover = np.clip(0.5 + outline(pix, k) / (FEATHER * max(size / 512, 0.67)), 0.0, 1.0)
    # sample the moving layer at both fields' source positions, each over the still layer
    src = np.stack([fields[0][differ], fields[1][differ]]) + pix                     # [2, N, 2]
    over = over_still(layer, plate, src, py, px)                  # [2, N, 3] numpy / [3, 2, N] tensor
    if isinstance(layer, np.ndarray):   # the CPU path's uint8 RGBA copies, OpenCV and numpy
        w = cover.astype(np.float32)[:, None]
        mixed = over[1] + (over[0] - over[1]) * w + np.float32(flow.TEXTURE_OFFSET)
        frame.transpose(1, 2, 0)[py, px] = mixed
        return
    import torch      # the tensor path (a GPU, or batches)
    yy, xx = torch.from_numpy(py).to(layer.device), torch.from_numpy(px).to(layer.device)
    w = torch.from_numpy(cover.astype(np.float32)).to(layer.device)
    frame[:, yy, xx] = (over[:, 1] + (over[:, 0] - over[:, 1]) * w).to(frame.dtype)
