"""Run every benchmarks/bench_*.py in turn (each in its own process) and summarise: `make bench`.

`--short` (CI, tests/test_benchmarks_short.py) runs only the benchmarks that have a short mode,
each with `--short`: a tiny workload that checks every path runs. It fails on a crash, never on a
time (the box is shared; figures come from full runs)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    scripts = sorted(here.glob("bench_*.py"))
    extra = sys.argv[1:]  # passed to every benchmark (e.g. nothing, or --help, or --short)
    if "--short" in extra:
        scripts = [s for s in scripts if '"--short"' in s.read_text(encoding="utf-8")]
    failed = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        start = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script), *extra], cwd=here.parent)
        print(f"--- {script.name}: exit {rc}, {time.perf_counter() - start:.1f} s", flush=True)
        if rc != 0:
            failed.append(script.name)
    print(f"\n{len(scripts) - len(failed)}/{len(scripts)} benchmarks ran"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
