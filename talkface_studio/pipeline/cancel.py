"""Cancellation shared between whoever starts work (GUI, CLI, farm) and the generator doing it.

Long work checks the token at each yield (one frame or chunk), so a cancel takes effect within one
frame and the generator's `finally` blocks clean up partial files.
"""

from __future__ import annotations

import threading


class JobCancelled(Exception):
    """Raised inside a job when its CancelToken was cancelled. Not a user error: the caller asked."""


class CancelToken:
    """Thread-safe flag: `cancel()` from any thread, `check()` inside the work."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise JobCancelled("cancelled")
