"""Runs of True in a per-frame mask: the one place the project finds them (speech, quiet gaps,
loud frames, still jaw)."""

from __future__ import annotations

import numpy as np


def true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True in `mask` (1-D), in order."""
    edges = np.flatnonzero(np.diff(np.r_[0, np.asarray(mask, dtype=bool).astype(np.int8), 0]))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))
