"""What the window says about the shown take: whether Generate is out of date (the "•" on the
Generate button, from the take's generation stamp, so it survives save, reopen and recovery) and
what the viewer waits for before a take's first frame (a portrait to import, or the steps of the
first preview, with progress)."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QThreadPool, Signal

from talkface_studio.pipeline import generation_stamp, take_compute
from talkface_studio.ui import workers
from talkface_studio.ui.document import Document
from talkface_studio.ui.viewer.viewer import Viewer


class TakeStatus(QObject):
    stale_changed = Signal(bool)  # Generate is (no longer) out of date for the shown take

    def __init__(self, document: Document, viewer: Viewer, pool: QThreadPool, show_viewer: Callable[[], None],
                 can_preview: Callable[[], bool], synchronous: bool = False):
        super().__init__(viewer)
        self.document = document
        self.viewer = viewer
        self.pool = pool  # the recording's digest is read here, off the GUI thread
        self.show_viewer = show_viewer  # the viewer replaces the welcome panel
        self.can_preview = can_preview
        self.synchronous = synchronous
        self.stale = False  # Generate is out of date for the shown take
        self._digesting: set[str] = set()  # recordings whose digest a worker is reading

    # -- Generate is out of date ------------------------------------------------------------------
    def refresh_stale(self) -> None:
        """The recording's digest is read once per file version, off the GUI thread; until then
        the mark keeps what it showed."""
        take = self.document.take
        audio = self.document.resolve(take.audio_path) if take is not None else None
        stale = generation_stamp.is_stale(take, audio) if take is not None else False
        if stale is None:
            self._digest(audio)
            return
        self.stale = bool(stale)
        self.stale_changed.emit(self.stale)

    def _digest(self, audio) -> None:
        if str(audio) in self._digesting:
            return
        self._digesting.add(str(audio))

        def done(_digest):
            self._digesting.discard(str(audio))
            self.refresh_stale()

        workers.submit(self.pool, lambda progress, cancel: generation_stamp.audio_digest(audio), on_done=done,
                       on_error=lambda m, t: self._digesting.discard(str(audio)), synchronous=self.synchronous,
                       parent=self)

    # -- what the viewer waits for ----------------------------------------------------------------
    def show_preparing(self, take) -> None:
        if take.portrait_path is None:
            self.viewer.clear("Import a portrait (File ▸ Import Portrait…, or drop an image here) to see the take.")
        elif take.audio_path is None:
            self.viewer.clear("Import the dialogue (File ▸ Import Audio…) to start the take.")
        elif self.can_preview():
            self.viewer.set_busy(f"Opening {take.name}: preparing the preview…")

    def preview_stage(self, index: int, total: int) -> None:
        take = self.document.take
        if self.viewer.busy is not None and take is not None:
            steps = take_compute.PREVIEW_STAGES
            self.viewer.set_busy(f"{take.name}: {steps[min(index, len(steps) - 1)]}…", index / max(1, total))

    def busy(self, text: str) -> None:
        """A long step of an import: said in the viewer until a frame (or an error) replaces it."""
        self.show_viewer()
        self.viewer.set_busy(text)

    def idle(self) -> None:
        """The long step ended without a frame to show (refused, or its take went away)."""
        self.viewer.set_busy(None)

    def say(self, text: str) -> None:
        """A message in place of the frame (what failed, what is missing)."""
        self.viewer.clear(text)
