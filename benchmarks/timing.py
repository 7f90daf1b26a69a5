"""Shared by the benchmark scripts (run as scripts, so this folder is on sys.path)."""

from __future__ import annotations

import statistics
import time


def median_seconds(fn, repeats: int = 5) -> float:
    """Median wall time of `repeats` calls: robust to the odd slow run on a shared machine."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
