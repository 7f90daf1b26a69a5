"""Shared by the speed benchmarks: the machine's load, medians, a table with ratios to a floor,
and the top lines of a cProfile run (run as scripts, so this folder is on sys.path)."""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics


def load_line() -> str:
    """The load average when the table was made: the team shares the box, so figures are read with it."""
    try:
        one, five, _ = os.getloadavg()
        return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"
    except OSError:
        return "load average unknown"


def median(values) -> float:
    return statistics.median(values)


def print_table(title: str, rows: list[tuple[str, float, str]], floor: float, unit: str = "s") -> None:
    """rows: (name, median value, note); each gets its ratio to ``floor``."""
    width = max(len(r[0]) for r in rows) + 2
    print(f"\n{title:<{width}}{'median ' + unit:>12}{'x floor':>9}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}{value:>12.3f}{value / floor:>9.2f}  {note}")


def profile_top(fn, lines: int = 12, sort: str = "tottime"):
    """Run fn() under cProfile; return (its result, the top ``lines`` of the profile as text)."""
    prof = cProfile.Profile()
    result = prof.runcall(fn)
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).strip_dirs().sort_stats(sort)
    stats.print_stats(lines)
    text = out.getvalue()
    start = text.find("   ncalls")
    return result, (text[start:] if start >= 0 else text).rstrip()
