"""Progress for the command line: a redrawn bar on a terminal, plain lines in logs (farm, CI)."""

from __future__ import annotations

import sys
import time


class TextProgress:
    """Callable as a job's `progress(done, total)`."""

    def __init__(self, label: str, stream=None, every_percent: int = 10):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = every_percent
        self._start = time.monotonic()
        self._last_percent = -1
        self._last_draw = 0.0

    def __call__(self, done: int, total: int) -> None:
        elapsed = time.monotonic() - self._start
        fps = done / elapsed if elapsed > 0 else 0.0
        percent = int(100 * done / total) if total else 100
        if self.tty:
            now = time.monotonic()
            if done < total and now - self._last_draw < 0.1:
                return  # redrawing faster than the eye helps nobody
            self._last_draw = now
            width = 30
            filled = int(width * done / total) if total else width
            eta = (total - done) / fps if fps > 0 else 0.0
            bar = "#" * filled + "." * (width - filled)
            self.stream.write(f"\r{self.label} [{bar}] {percent:3d}% {done}/{total} frames "
                              f"{fps:5.1f} fps ETA {eta:4.0f}s")
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()
        elif percent // self.every > self._last_percent // self.every or done == total:
            if percent != self._last_percent:
                self.stream.write(f"{self.label}: {done}/{total} frames ({percent}%), {fps:.1f} fps\n")
                self.stream.flush()
        self._last_percent = percent
