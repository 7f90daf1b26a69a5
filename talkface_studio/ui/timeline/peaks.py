"""Min/max peak pyramid for drawing waveforms of long clips at any zoom in constant time.

Level 0 stores the min and max of every BASE samples; each higher level folds FACTOR blocks of the
level below. A query picks the coarsest level whose blocks are still narrower than one pixel, so a
10-minute clip drawn across 1,600 pixels touches a few thousand numbers, never 28 million samples.
"""

from __future__ import annotations

import numpy as np

from talkface_studio.audio.downmix import to_mono

BASE = 64
FACTOR = 4


class PeakPyramid:
    def __init__(self, samples: np.ndarray, sample_rate: int):
        mono = to_mono(samples)
        self.sample_rate = int(sample_rate)
        self.n_samples = int(mono.shape[0])
        self.levels: list[tuple[int, np.ndarray, np.ndarray]] = []  # (block size, mins, maxs)
        n_blocks = max(1, -(-self.n_samples // BASE))
        padded = np.zeros(n_blocks * BASE, np.float32)
        padded[: self.n_samples] = mono
        blocks = padded.reshape(n_blocks, BASE)
        mins, maxs, size = blocks.min(axis=1), blocks.max(axis=1), BASE
        self.levels.append((size, mins, maxs))
        while mins.shape[0] > 1:
            n = -(-mins.shape[0] // FACTOR)
            pad = n * FACTOR - mins.shape[0]
            mins = np.concatenate([mins, np.full(pad, mins[-1], np.float32)]).reshape(n, FACTOR).min(axis=1)
            maxs = np.concatenate([maxs, np.full(pad, maxs[-1], np.float32)]).reshape(n, FACTOR).max(axis=1)
            size *= FACTOR
            self.levels.append((size, mins, maxs))

    @property
    def duration(self) -> float:
        return self.n_samples / self.sample_rate

    def query(self, t0: float, t1: float, n_columns: int) -> tuple[np.ndarray, np.ndarray]:
        """Min and max of the samples falling in each of `n_columns` equal slices of [t0, t1) seconds.

        Columns outside the clip are 0; the result is exact to within one block of the chosen level.
        """
        n_columns = max(1, int(n_columns))
        mins = np.zeros(n_columns, np.float32)
        maxs = np.zeros(n_columns, np.float32)
        if t1 <= t0 or self.n_samples == 0:
            return mins, maxs
        s0, s1 = t0 * self.sample_rate, t1 * self.sample_rate
        per_column = (s1 - s0) / n_columns
        size, lmins, lmaxs = self.levels[0]
        for level in self.levels:
            if level[0] <= per_column:
                size, lmins, lmaxs = level
        edges = s0 + per_column * np.arange(n_columns + 1)
        n_blocks = lmins.shape[0]
        # Partial blocks at both ends count (a peak is never lost), and every column covers at least
        # one block so a zoomed-in view stays continuous.
        starts = np.clip(np.floor(edges[:-1] / size).astype(np.int64), 0, n_blocks)
        ends = np.clip(np.ceil(edges[1:] / size).astype(np.int64), 0, n_blocks)
        ends = np.maximum(ends, starts + 1)
        inside = (starts < n_blocks) & (edges[1:] > 0) & (edges[:-1] < self.n_samples)
        if not inside.any():
            return mins, maxs
        idx = np.flatnonzero(inside)
        st = starts[idx]
        en = np.minimum(ends[idx], lmins.shape[0])
        # reduceat over [st, en): append a sentinel so the last slice ends where it should.
        order = np.empty(2 * len(idx), np.int64)
        order[0::2], order[1::2] = st, en
        ext_min = np.concatenate([lmins, [0.0]]).astype(np.float32)
        ext_max = np.concatenate([lmaxs, [0.0]]).astype(np.float32)
        mins[idx] = np.minimum.reduceat(ext_min, order)[0::2]
        maxs[idx] = np.maximum.reduceat(ext_max, order)[0::2]
        return mins, maxs
