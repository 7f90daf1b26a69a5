"""The coarse warp where no triangle reaches: a smooth continuation of the field around it.

Where folded triangles are dropped (a turned head's outline, the nose's side) or the odd cell falls
between triangles, a few grid nodes are covered by nothing. They used to copy the nearest covered
node: a piecewise-constant patch whose seams run along the grid, so every image edge the warp
carries through it (on a small, magnified crop the photo's hard matte cut, ~4 px inside the
outline) came out as 4-px stair steps, and a node copied from the wrong side left a bright speck.

Here each uncovered node is the mean of its four neighbours, the covered ones held fixed: the
discrete Laplace (harmonic) fill, the smoothest field that meets its surroundings. Across a gap
it ramps from one side to the other without a step, and a field that is linear around a gap is
continued exactly. Nodes on the grid's border simply have fewer neighbours. One linear solve over
the uncovered nodes only (a swaying head leaves 0-20 of a 128^2 grid, a tight crop turned 25
degrees ~270): dense up to ~100 of them, sparse beyond; ~0.1-0.5 ms.
"""

from __future__ import annotations

import cv2
import numpy as np
import scipy.sparse as sparse
from scipy.sparse.linalg import spsolve

_NEIGHBOURS = ((0, 1), (0, -1), (1, 0), (-1, 0))
DENSE_MAX = 96     # uncovered nodes up to which a dense solve beats the sparse one's set-up


def fill_harmonic(values: np.ndarray, covered: np.ndarray) -> None:
    """values [H, W, C] at the nodes where covered [H, W] is False := the harmonic continuation
    of the covered nodes' values (in place). At least one node must be covered."""
    h, w = covered.shape
    ys, xs = np.nonzero(~covered)
    n = len(ys)
    if n == 0:
        return
    # each uncovered node's number, on a box just around them (the grid is mostly covered)
    y0, x0 = max(ys.min() - 1, 0), max(xs.min() - 1, 0)
    unknown = np.full((min(ys.max() + 2, h) - y0, min(xs.max() + 2, w) - x0), -1, np.int64)
    unknown[ys - y0, xs - x0] = np.arange(n)
    degree = np.zeros(n)
    known = np.zeros((n, values.shape[2]))          # the covered neighbours' sum: the right side
    rows, cols = [], []
    for dy, dx in _NEIGHBOURS:
        ny, nx = ys + dy, xs + dx
        at = np.flatnonzero((ny >= 0) & (ny < h) & (nx >= 0) & (nx < w))
        degree[at] += 1
        other = unknown[ny[at] - y0, nx[at] - x0]
        free = other >= 0
        rows.append(at[free])
        cols.append(other[free])
        fixed = at[~free]
        known[fixed] += values[ny[fixed], nx[fixed]]
    # degree * v_i - (sum of its uncovered neighbours v_j) = sum of its covered neighbours
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    if n <= DENSE_MAX:
        # symmetric positive definite (every gap touches a covered node): Cholesky, in OpenCV
        # (numpy's solve goes through a threaded BLAS that stalls on a busy machine)
        system = np.diag(degree)
        system[rows, cols] = -1.0
        solution = cv2.solve(system, known, flags=cv2.DECOMP_CHOLESKY)[1]
    else:
        system = sparse.csc_matrix((np.concatenate([degree, -np.ones(len(rows))]),
                                    (np.concatenate([np.arange(n), rows]),
                                     np.concatenate([np.arange(n), cols]))), shape=(n, n))
        solution = spsolve(system, known).reshape(n, -1)
    values[ys, xs] = solution
