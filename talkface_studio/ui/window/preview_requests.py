"""PreviewRequests: when the window asks the preview slicer for the playhead's frame (napari-style
slicing). A burst of edits or playhead moves makes one request once it pauses; an edit's request
goes out as soon as its undo step is complete (all of its commands done), before the views redraw,
while a drag's live steps and edits outside the history wait for the timer. So the worker never
queues up, and the frame on screen follows the last edit."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QTimer

from talkface_studio.ui.document import Document
from talkface_studio.ui.session import Session
from talkface_studio.ui.viewer.preview_slicer import PreviewSlicer

PREVIEW_DELAY_MS = 15  # while the preview worker is busy, a burst of edits makes one request


class PreviewRequests(QObject):
    def __init__(self, document: Document, session: Session, slicer: PreviewSlicer, closing: Callable[[], bool],
                 synchronous: bool = False, parent=None):
        super().__init__(parent)
        self.document = document
        self.session = session
        self.slicer = slicer
        self.closing = closing  # the window is closing: no new background work
        self.synchronous = synchronous  # tests: ask at once
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(PREVIEW_DELAY_MS)
        self.timer.timeout.connect(self.request)
        # connected before any view, so an edit's request is out before the views redraw
        document.changed.connect(self._edited)
        document.history_changed.connect(self._edit_step_done)

    def schedule(self) -> None:
        """Preview the playhead's frame once a burst of edits or playhead moves pauses (or at once,
        when an undo step completes: _edit_step_done), so the worker never queues up."""
        if self.synchronous:
            self.request()
        else:
            self.timer.start()

    def can_preview(self) -> bool:
        take = self.document.take
        return take is not None and take.audio_path is not None and take.portrait_path is not None \
            and take.n_frames > 0

    def request(self):
        if self.closing() or not self.can_preview():
            return None
        return self.slicer.request(self.document.take.copy(), self.document.path, self.session.playhead,
                                   framing="plate" if self.session.show_plate else "crop")

    def _edited(self, change) -> None:
        self.slicer.invalidate()
        if change.kind != "take":  # a new take previews when it is shown (DocumentReactions.take_shown)
            self.schedule()

    def _edit_step_done(self) -> None:
        if self.timer.isActive() and self.slicer.idle():
            self.timer.stop()
            self.request()
