"""Frames into an encoder's stdin from a thread of their own, so rendering never waits on the pipe.

Written straight from the render loop, a frame blocks the renderer until the encoder has read it
(a pipe holds 64 KiB, a 512 px frame 768 KiB), and the encoder waits in turn while the next frame
renders: the two cores take turns instead of working together. A feeder thread with a short queue
(and, on Linux, a pipe grown to hold a whole frame) lets the renderer run ahead by a few frames
while the encoder, its own process, encodes at its own speed. The queue is short so memory stays
flat in the length of the take.
"""

from __future__ import annotations

import queue
import threading

import numpy as np

QUEUE_FRAMES = 4
_F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ (Linux), spelled out: Python 3.10+ names it, not every build
_STOP = None


def grow_pipe(stream, nbytes: int) -> None:
    """Ask the kernel for a pipe buffer of ``nbytes`` (capped by /proc/sys/fs/pipe-max-size); a
    platform without the call keeps its default."""
    try:
        import fcntl
        fcntl.fcntl(stream.fileno(), _F_SETPIPE_SZ, nbytes)
    except (ImportError, OSError, ValueError, AttributeError):
        try:  # over the unprivileged cap: take the cap
            import fcntl
            with open("/proc/sys/fs/pipe-max-size") as fh:
                fcntl.fcntl(stream.fileno(), _F_SETPIPE_SZ, min(nbytes, int(fh.read())))
        except (ImportError, OSError, ValueError, AttributeError):
            pass


class FrameFeed:
    """``put(frame)`` queues a frame for ``stream``; ``finish()`` writes the rest and closes it."""

    def __init__(self, stream, frame_bytes: int = 0, depth: int = QUEUE_FRAMES):
        self._stream = stream
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self.failed = False  # the encoder stopped reading (it failed or was killed)
        if frame_bytes:
            grow_pipe(stream, frame_bytes)
        self._thread = threading.Thread(target=self._run, name="encoder-feed", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            frame = self._queue.get()
            if frame is _STOP:
                break
            if self.failed:
                continue  # keep taking frames so put() never blocks on a dead encoder
            try:
                self._stream.write(memoryview(frame).cast("B"))
            except (BrokenPipeError, OSError, ValueError):
                self.failed = True
        try:
            self._stream.close()
        except (BrokenPipeError, OSError):
            self.failed = True

    def put(self, frame: np.ndarray) -> bool:
        """Queue a C-contiguous frame (kept by reference until written: do not change it); False
        once the encoder has stopped reading."""
        if self.failed:
            return False
        self._queue.put(frame)
        return True

    def finish(self) -> bool:
        """Write what is queued, close the stream; True when every frame reached the encoder."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        return not self.failed
