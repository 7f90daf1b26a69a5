"""RenderAhead: playback's frames, rendered one at a time in a worker thread ahead of the audio, into
the preview slicer's cache (the frame an export of that frame writes: TakeCompute.preview_frame).

The playback controller asks for one frame whenever the worker is free (FramePacer.next_to_render
picks it); `cost_s` is what a frame has cost lately, from request to result on the GUI thread, so
the pacer can aim at a frame that will still be due when it arrives. A frame rendered for a
document version that an edit has since replaced is not kept.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QThreadPool, Signal

from talkface_studio.ui import workers

FIRST_GUESS_S = 0.040  # one 512-px frame on two cores before anything was measured
SMOOTHING = 0.3  # weight of the newest measure in the running cost


class RenderAhead(QObject):
    rendered = Signal(int)  # a frame is now at hand (slicer.cached)
    failed = Signal(str)

    def __init__(self, compute, slicer, take_source, parent=None, now=time.perf_counter):
        """`take_source()` -> (a copy of the shown take, project path), called once per document version;
        `now` measures the cost (tests give playback's fake clock)."""
        super().__init__(parent)
        self.now = now
        self.compute, self.slicer, self.take_source = compute, slicer, take_source
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.synchronous = False
        self.in_flight: int | None = None
        self.cost_s = FIRST_GUESS_S
        self.costs: list[float] = []  # every measured frame (the benchmark reads them)
        self._take: tuple | None = None  # (version, take copy, project path)

    def ready(self, frame: int):
        return self.slicer.cached(frame)

    def busy(self) -> bool:
        return self.in_flight is not None

    def _current_take(self):
        version = self.slicer.version
        if self._take is None or self._take[0] != version:
            take, path = self.take_source()
            self._take = (version, take, path)
        return self._take

    def render(self, frame: int) -> None:
        version, take, path = self._current_take()
        size, framing, started = self.slicer.size, self.slicer.framing, self.now()
        self.in_flight = int(frame)
        extra = {"framing": framing} if framing != "crop" else {}  # computes that know only crops

        def work(progress, cancel):
            return frame, version, size, self.compute.preview_frame(take, path, frame, size, version=version, **extra)

        def done(result):
            f, v, s, out = result
            self.in_flight = None
            took = self.now() - started
            self.costs.append(took)
            self.cost_s = took if not self.costs[:-1] else (1 - SMOOTHING) * self.cost_s + SMOOTHING * took
            self.slicer.store(v, f, s, out, framing)
            self.rendered.emit(f)

        def error(message, _trace):
            self.in_flight = None
            self.failed.emit(message)

        workers.submit(self.pool, work, on_done=done, on_error=error, synchronous=self.synchronous, parent=self)

    def wait(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)
