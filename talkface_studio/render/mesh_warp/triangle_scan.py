"""Triangles onto a grid of points: which grid nodes each triangle covers, and per-triangle affine
maps of values over it.

For each (triangle, row) the span of nodes inside it is found from its edges, so only covered
nodes are ever visited (the anchor triangles around the face are large, and visiting their
bounding boxes used to dominate). The raster draws its cells with this, the photo's depth map
(hidden_side) and the face triangles over background (warp_mesh.beside_background) their pixels:
one rasterization of triangles, below the warp mesh that the raster builds on.
"""

from __future__ import annotations

import numpy as np

MIN_AREA = 1e-6   # in cells^2: a triangle thinner than this covers no cell centre anyway


def scan_triangles(p: np.ndarray, tris: np.ndarray, gw: int, gh: int):
    """Grid nodes inside the triangles. p [M, 2] points in node units (node j at j); tris [F, 3];
    the grid is gw x gh nodes. Returns (triangle index, x, y) per covered node, triangles in order."""
    v = p[tris]                                           # [F, 3, 2]
    ys = v[..., 1]
    lo = np.ceil(ys.min(1) - 1e-6).clip(0, gh).astype(np.int64)
    hi = np.floor(ys.max(1) + 1e-6).clip(-1, gh - 1).astype(np.int64)
    rows = np.maximum(hi - lo + 1, 0)
    t = np.repeat(np.arange(len(tris)), rows)
    y = lo[t] + np.arange(len(t)) - np.repeat(np.cumsum(rows) - rows, rows)
    # Where the row's line crosses each of the three edges (NaN where it does not).
    a, b = v[t], np.roll(v, -1, axis=1)[t]                 # [R, 3, 2] edge ends
    dy = b[..., 1] - a[..., 1]
    s = (y[:, None] - a[..., 1]) / np.where(dy == 0, np.inf, dy)
    hit = (s >= -1e-6) & (s <= 1 + 1e-6) & (dy != 0)
    x = a[..., 0] + s * (b[..., 0] - a[..., 0])
    x0 = np.ceil(np.where(hit, x, np.inf).min(1) - 1e-6).clip(0, gw)
    x1 = np.floor(np.where(hit, x, -np.inf).max(1) + 1e-6).clip(-1, gw - 1)
    span = np.maximum(np.nan_to_num(x1 - x0 + 1, nan=0, posinf=0, neginf=0), 0).astype(np.int64)
    x0 = np.where(span > 0, x0, 0).astype(np.int64)
    cell_t = np.repeat(t, span)
    cell_x = np.repeat(x0, span) + np.arange(len(cell_t)) - np.repeat(np.cumsum(span) - span, span)
    cell_y = np.repeat(y, span)
    return cell_t, cell_x, cell_y


def affine_maps(dst: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per triangle, the affine map [F, 3, C] (d/dx, d/dy, constant) taking the corners dst
    [F, 3, 2] to values [F, 3, C]; degenerate triangles get an all-zero map (they cover no cell
    centre). Closed form: batched np.linalg.solve costs ~50x more for 3x3 systems."""
    a, e1, e2 = dst[:, 0], dst[:, 1] - dst[:, 0], dst[:, 2] - dst[:, 0]
    det = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    inv = np.where(np.abs(det) > MIN_AREA, 1.0 / np.where(det == 0, 1.0, det), 0.0)[:, None]
    d1, d2 = values[:, 1] - values[:, 0], values[:, 2] - values[:, 0]
    gx = (d1 * e2[:, 1:2] - d2 * e1[:, 1:2]) * inv
    gy = (d2 * e1[:, 0:1] - d1 * e2[:, 0:1]) * inv
    const = values[:, 0] - gx * a[:, 0:1] - gy * a[:, 1:2]
    return np.stack([gx, gy, const], axis=1)
