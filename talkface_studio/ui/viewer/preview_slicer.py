"""PreviewSlicer: the frame under the playhead, computed in the background (napari's slicer).

On the GUI thread `request()` freezes what to draw (a copy of the take, the frame, the size) into
an immutable request with a sequence number. A one-thread pool computes it; a request that is no
longer the newest when its turn comes is skipped, and a result that arrives after a newer request
is dropped, so scrubbing never queues up work. `synchronous = True` computes inline (tests).

Results are cached by (document version, frame, size): playback and scrubbing over frames already
seen since the last edit are served from memory; any edit bumps the version. Playback's frames,
rendered ahead of the audio (ui.viewer.render_ahead), go into the same cache (`store`, `cached`).
The viewer shows frames at PREVIEW_SIZE, the size playback and an export at the default size use.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal

from talkface_studio.ui import workers


@dataclass(frozen=True)
class PreviewRequest:
    seq: int
    take: object  # a core Take copy, owned by this request
    project_path: Path | None
    frame: int
    size: int = 512
    version: int = 0
    framing: str = "crop"  # or "plate": the whole photo with the head region live


PREVIEW_SIZE = 512
CACHE_FRAMES = 400  # ~315 MB at 512 px: a 16 s loop of 25 fps playback stays warm
CACHE_BYTES = 320 * 1024**2  # and at most this much: plate-framed previews are whole photos


def _key(req: PreviewRequest) -> tuple:
    return (req.version, req.frame, req.size, req.framing)


class PreviewSlicer(QObject):
    ready = Signal(int, object, object)  # frame, rgb uint8 [S,S,3], landmarks [478,3]
    failed = Signal(str)
    stage = Signal(int, int)  # which step of a slow first preview is running (PREVIEW_STAGES), of how many
    fitted = Signal(str, object, object)  # take name, portrait path, portrait fit JSON (derived; worth saving)

    def __init__(self, compute, parent=None):
        super().__init__(parent)
        self.compute = compute
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.synchronous = False
        self._seq = itertools.count(1)
        self.latest = 0
        self.applied = 0  # seq of the last result shown (tests and the benchmark read it)
        self.version = 0  # the window bumps it on every edit
        self.size = PREVIEW_SIZE
        self.framing = "crop"  # or "plate" (View > Plate Framing); the last request's
        self.cache: OrderedDict = OrderedDict()
        self._bytes = 0  # of the cached frames' pixels

    def request(self, take, project_path, frame: int, size: int | None = None,
                framing: str | None = None) -> PreviewRequest:
        """Ask for a frame; size and framing default to the viewer's (render-ahead uses the same)."""
        if framing is not None:
            self.framing = framing
        size = self.size if size is None else size
        req = PreviewRequest(next(self._seq), take, project_path, int(frame), size, self.version, self.framing)
        self.latest = req.seq
        hit = self.cache.get(_key(req))
        if hit is not None:
            self.cache.move_to_end(_key(req))
            self.applied = req.seq
            self.ready.emit(req.frame, *hit)
            return req

        def work(progress, cancel):
            if req.seq != self.latest:  # superseded while waiting: skip the work entirely
                return req, None
            framing = {"framing": req.framing} if req.framing != "crop" else {}  # computes that know only crops
            return req, self.compute.preview_frame(req.take, req.project_path, req.frame, req.size, stage=progress,
                                                   version=req.version, **framing)

        workers.submit(self.pool, work, on_done=self._apply, on_error=self._error, on_progress=self.stage.emit,
                       synchronous=self.synchronous, parent=self)
        return req

    def _apply(self, result) -> None:
        req, out = result
        if out is not None and getattr(req.take, "portrait_fit", None) is not None:
            self.fitted.emit(req.take.name, req.take.portrait_path, req.take.portrait_fit)
        if out is not None:
            self.store(req.version, req.frame, req.size, out, req.framing)
        if out is None or req.seq != self.latest:
            return  # stale: a newer request is on its way
        self.applied = req.seq
        rgb, landmarks = out
        self.ready.emit(req.frame, rgb, landmarks)

    def idle(self) -> bool:
        """No request is being computed or waiting (a failed one counts as done)."""
        return self.pool.activeThreadCount() == 0

    def store(self, version: int, frame: int, size: int, out, framing: str = "crop") -> None:
        """Keep a rendered (rgb, landmarks); results of an older document version are not kept.
        Bounded in frames and in bytes (a plate-framed preview is a whole photo)."""
        if version != self.version:
            return
        key = (version, int(frame), size, framing)
        old = self.cache.pop(key, None)
        self._bytes += out[0].nbytes - (old[0].nbytes if old is not None else 0)
        self.cache[key] = out
        while len(self.cache) > CACHE_FRAMES or (self._bytes > CACHE_BYTES and len(self.cache) > 1):
            self._bytes -= self.cache.popitem(last=False)[1][0].nbytes

    def cached(self, frame: int, size: int | None = None, framing: str | None = None):
        """(rgb, landmarks) of `frame` at the current version and the viewer's framing, or None."""
        return self.cache.get((self.version, int(frame), self.size if size is None else size,
                               self.framing if framing is None else framing))

    def _error(self, message: str, _trace: str) -> None:
        self.failed.emit(message)

    def invalidate(self) -> None:
        """The document changed: cached frames are stale."""
        self.version += 1
        self.cache.clear()
        self._bytes = 0

    def wait(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)
