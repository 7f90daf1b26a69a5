"""Inverse warp on a coarse grid: for each grid node, where in the portrait its colour comes from.

Node j of a grid of n sits on pixel centre 0.5 + j * (size - 1) / (n - 1): the first and last nodes
on the outermost pixel centres, so bilinear upsampling with align_corners=True lands exactly on
every pixel centre and reproduces a still (identity) map exactly, border included.

Triangles are scan-converted at the cell centres (triangle_scan), so only covered cells are ever
visited. Each triangle carries an affine map from target cell to source pixel, so a cell's
displacement is two dot products. Face triangles are depth tested (the nearest surface wins, so a
nose turned across a cheek hides it); anchor triangles lie behind the face by construction and are
simply drawn first. Pure numpy (single
threaded, so it does not fight torch's threads on a busy machine); ~1-2 ms for a 128^2 grid.
"""

from __future__ import annotations

import numpy as np

from .gap_fill import fill_harmonic
from .triangle_area import RELIABLE_AREA, front_sign
from .triangle_scan import MIN_AREA, affine_maps, scan_triangles
from .unfolded_sheet import OPENED, SPREAD, feature_nodes, refill_unfolded, unfolded
from .warp_mesh import WarpMesh, signed_areas


def node_step(grid: int, size: int) -> float:
    """Pixels between neighbouring grid nodes."""
    return size / grid


def visible_triangles(mesh: WarpMesh, points: np.ndarray, completed: bool = False) -> np.ndarray:
    """Mask [F] of triangles to draw: face triangles that turned their back to the camera (their
    orientation flipped relative to the portrait) are dropped, so nothing is drawn mirrored, and
    so are those the portrait shows from behind: where the photo's head is turned, its mesh folds
    back from the cheek's visible outline under the front surface, and those triangles' pixels in
    the photo are the front's (drawn where they stick out of the front, they repeated the cheek
    beside it). With ``completed``, the triangles the photo hid that take their colour from their
    mirror (``hidden_side``) are drawn while they face the camera in the frame, whichever way they
    faced in the photo (the mirror pass, ``mirror_fill``)."""
    area = signed_areas(points, mesh.triangles)
    keep = np.abs(area) > MIN_AREA
    n_mesh = mesh.n_face_tris - mesh.n_holes
    src_area = mesh.src_area[:n_mesh]
    solid = np.abs(src_area) > RELIABLE_AREA
    facing = front_sign(src_area)
    done = (mesh.completed[:n_mesh] if completed and mesh.completed is not None
            else np.zeros(n_mesh, dtype=bool))   # drawn the way the face's front faces, not their own
    ref = np.where(done, facing, np.sign(src_area))
    flipped = (solid | done) & (np.sign(area[:n_mesh]) != ref)
    keep[:n_mesh] &= ~flipped & ~(solid & ~done & (np.sign(src_area) != facing))
    # Outside triangles that still fold (the far side of the face oval crossing itself at a steep
    # yaw) would paste a mirrored sliver of background: leave their cells to the gap fill.
    out = slice(mesh.n_face_tris, None)
    keep[out] &= np.sign(area[out]) == np.sign(mesh.src_area[out])
    return keep


def rasterize_grid(mesh: WarpMesh, points: np.ndarray, depth: np.ndarray, keep: np.ndarray,
                   origin: tuple[float, float], step: float, gw: int, gh: int, mirrored: bool = False,
                   face_cover: np.ndarray | None = None):
    """Displacement at the nodes of a gw x gh grid whose node (j, i) sits at pixel
    origin + (j, i) * step: (disp [gh * gw, 2] float32, covered [gh * gw] bool). ``mirrored``:
    completed triangles sample their mirror (``WarpMesh.source_corners``), a third array
    [gh * gw] int64 says which completed triangle won each node (-1: none), and a fourth [gh * gw, 3] float32 where
    those nodes' own surface lay in the photo: its own displacement (2) and its photo depth.
    ``face_cover`` [gh * gw] bool, when given, is set on the nodes any kept face triangle covers
    (before the depth test)."""
    o = np.asarray(origin, dtype=np.float64)
    p = (points - o) / step                      # node units: node j sits at j
    disp = np.zeros((gw * gh, 2), dtype=np.float32)
    covered = np.zeros(gw * gh, dtype=bool)
    won = np.full(gw * gh, -1, dtype=np.int64)
    own = np.zeros((gw * gh, 3), dtype=np.float32)
    face = np.arange(len(keep)) < mesh.n_face_tris
    for part in (~face, face):                  # background first; the face is drawn over it
        tris = mesh.triangles[keep & part]
        if len(tris) == 0:
            continue
        # Displacement (and depth for the face) as affine functions of the target cell position.
        centre_px = p[tris] * step + o
        vals = (mesh.source_corners(keep & part) if mirrored else mesh.src[tris]) - centre_px
        if part is face:
            vals = np.concatenate([vals, depth[tris][..., None]], axis=2)
            if mirrored:     # + the own source's displacement and its depth in the photo
                vals = np.concatenate([vals, mesh.src[tris] - centre_px, mesh.src_depth[tris][..., None]], axis=2)
        coef = affine_maps(p[tris], vals)                                      # [F, 3, C]
        t, x, y = scan_triangles(p, tris, gw, gh)
        c = np.take(coef, t, axis=0)                  # (take: ~20 % cheaper than coef[t])
        val = x[:, None] * c[:, 0]
        val += y[:, None] * c[:, 1]
        val += c[:, 2]
        cell_id = y * gw + x
        if part is face:
            if face_cover is not None:
                face_cover[cell_id] = True
            # Depth test: per cell keep the nearest candidate (MediaPipe's z grows away). A
            # minimum-scatter into a depth buffer is ~30x cheaper than sorting the candidates.
            nearest = np.full(gw * gh, np.inf)
            np.minimum.at(nearest, cell_id, val[:, 2])
            win = np.flatnonzero(val[:, 2] <= nearest[cell_id])
            if mirrored:
                ids = np.flatnonzero(keep & part)[t[win]]
                won[cell_id[win]] = np.where(mesh.completed[ids], ids, -1)
                own[cell_id[win]] = val[win, 3:6]
            cell_id, val = cell_id[win], val[win, :2]
        disp[cell_id] = val
        covered[cell_id] = True
    return (disp, covered, won, own) if mirrored else (disp, covered)


def _nodes(p: np.ndarray, tris: np.ndarray, grid: int) -> np.ndarray:
    """bool [grid, grid]: the nodes inside any of tris [F, 3] (points p [M, 2] in node units)."""
    out = np.zeros(grid * grid, dtype=bool)
    if len(tris):
        _, x, y = scan_triangles(p, tris, grid, grid)
        out[y * grid + x] = True
    return out.reshape(grid, grid)


def rasterize_displacement(mesh: WarpMesh, points: np.ndarray, depth: np.ndarray, grid: int,
                           size: int, refilled: np.ndarray | None = None) -> np.ndarray:
    """Displacement [grid, grid, 2] (source - target, output pixels) at the grid's nodes, the
    centres of a grid x grid tiling of the frame (``flow.cell_positions``: where a bilinear resize
    with half-pixel centres places them).

    points [M, 2] / depth [M]: the frame's mesh points (``WarpMesh.target_points``). Nodes no
    triangle covers continue the field around them smoothly (``gap_fill``). ``refilled`` (bool
    [grid, grid], optional) is set to the nodes the unfolded-sheet refill drew (``unfolded_sheet``).
    """
    keep = visible_triangles(mesh, points)
    if refilled is not None:
        refilled[...] = False
    origin, step = (0.5 * size / grid,) * 2, node_step(grid, size)
    drawn = np.zeros(grid * grid, dtype=bool)
    disp, covered = rasterize_grid(mesh, points, depth, keep, origin, step, grid, grid, face_cover=drawn)
    disp, drawn = disp.reshape(grid, grid, 2), drawn.reshape(grid, grid)
    sheet = unfolded(mesh, points)
    if mesh.edge_depth is not None and (sheet.any() or mesh.beside_background is not None):
        # the strip the photo saw from behind, unfolded, nothing drawn over it, and background
        # the face's triangles take in, spread: the face's own skin reflected across its edge
        # (``unfolded_sheet``), not the gap fill, the ring or the background stretched
        p = (points - np.asarray(origin)) / step
        nodes = _nodes(p, mesh.triangles[sheet], grid) & ~drawn
        spreading = opened = None
        if mesh.beside_background is not None:
            near = mesh.beside_background[keep[mesh.beside_background]]
            tris = mesh.triangles[near]
            ratio = np.abs(signed_areas(points, tris)) / np.maximum(np.abs(mesh.src_area[near]), RELIABLE_AREA)
            spreading = _nodes(p, tris[ratio >= SPREAD], grid)
            wide = ratio >= OPENED
            opened = _nodes(p, tris[wide], grid) if wide.any() else None
        if (nodes.any() or (spreading is not None and spreading.any())) and drawn.any():
            fill = refill_unfolded(disp, drawn, nodes, mesh.edge_depth, origin[0], step, spreading, opened,
                                   lambda: feature_nodes(points, origin[0], step, (grid, grid)))
            covered |= fill.reshape(-1)
            if refilled is not None:
                refilled |= fill
    if not covered.all() and covered.any():
        # Dropped folds and the odd cell no triangle reaches (a few cells on most frames): continue
        # the field around them without a step, rather than snapping back to rest or copying a
        # neighbour (whose seams along the grid stair-step what the warp carries through them)
        fill_harmonic(disp, covered.reshape(grid, grid))
    return disp


def rasterize_window(mesh: WarpMesh, points: np.ndarray, depth: np.ndarray, x0: int, y0: int,
                     w: int, h: int, only: np.ndarray | None = None, step: float = 1.0,
                     folds: bool = False):
    """Displacement at the centres of the window (x0, y0, w, h) of a tiling of the frame into
    cells of ``step`` px (1: pixels; a coarse grid's ``node_step``: its nodes), x0 ... h in cells:
    ([h, w, 2] float32, covered [h, w] bool). Only triangles reaching into the window (and in
    ``only`` [F], if given) are scanned. With ``folds``, also where the face triangles left
    undrawn (folded: seen from behind) cover what nothing drawn does, and the displacement each
    would have had drawn as it is (its photo region, mirrored): ([h, w, 2], [h, w] bool), or
    None where there is no such hole."""
    visible = visible_triangles(mesh, points)
    keep = visible if only is None else visible & only
    v = points[mesh.triangles]
    near = (v[..., 0].max(1) >= x0 * step) & (v[..., 0].min(1) <= (x0 + w) * step) \
        & (v[..., 1].max(1) >= y0 * step) & (v[..., 1].min(1) <= (y0 + h) * step)
    origin = ((x0 + 0.5) * step, (y0 + 0.5) * step)
    disp, covered = rasterize_grid(mesh, points, depth, keep & near, origin, step, w, h)
    drawn = disp.reshape(h, w, 2), covered.reshape(h, w)
    if not folds:
        return drawn
    folded = near & ~visible
    folded[mesh.n_face_tris - mesh.n_holes:] = False
    ids = np.flatnonzero(folded)
    folded[ids[np.abs(signed_areas(points, mesh.triangles[ids])) <= MIN_AREA * step * step]] = False
    if covered.all() or not folded.any():
        return drawn + (None,)
    fold, fold_covered = rasterize_grid(mesh, points, depth, folded, origin, step, w, h)
    return drawn + ((fold.reshape(h, w, 2), fold_covered.reshape(h, w)),)
