"""Base of every horizontal strip of the timeline (ruler, waveform, emotion lane): shows the
session's time view (shared with the curve editor), zooms with the wheel around the mouse, pans
with middle-drag or Alt+drag, and draws the in/out shading and the playhead on top of whatever the
subclass paints. The ruler and the waveform also take Shift+drag to set the in/out range over the
frames dragged, as Maya's time slider does."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from talkface_studio.core.errors import TalkFaceError
from talkface_studio.ui import theme
from talkface_studio.ui.session import Session
from talkface_studio.ui.timeline_mapping import TimeMapping, TimeView


class TimeStrip(QWidget):
    def __init__(self, session: Session, height: int, parent=None):
        super().__init__(parent)
        self.session = session
        self.setFixedHeight(height)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setMouseTracking(True)
        self._pan_from: float | None = None
        self._range_from: int | None = None  # the frame a Shift+drag of the in/out range started on
        session.time_view_changed.connect(self.update)
        session.playhead_changed.connect(self._playhead_moved)
        session.range_changed.connect(self.update)
        self._last_playhead_x = None
        self.paint_rect = None  # the region being repainted (paint_content may skip what lies outside)
        self.on_error = None  # callable(str) set by the window: shows refused edits in the status bar

    def apply_edit(self, fn):
        """Run an edit; a refused one (the core's TalkFaceError) goes to on_error, not up the Qt stack."""
        try:
            return fn()
        except TalkFaceError as exc:
            if self.on_error:
                self.on_error(str(exc))
            return None

    @property
    def mapping(self) -> TimeMapping:
        """Frames <-> this strip's pixels, from the shared time view."""
        return self.session.time_view.mapping(self.width())

    def set_mapping(self, mapping: TimeMapping) -> None:
        self.session.set_time_view(TimeView.of(mapping, self.width()))

    def _playhead_moved(self, frame: int) -> None:
        # Repaint only the old and new playhead columns: scrubbing a long take stays cheap.
        x = int(self.mapping.x_of(frame + 0.5))
        for px in (self._last_playhead_x, x):
            if px is not None:
                self.update(px - 3, 0, 7, self.height())
        self._last_playhead_x = x

    # -- navigation --------------------------------------------------------------------------------
    def wheelEvent(self, event) -> None:
        delta = event.angleDelta()
        if delta.x() and not delta.y():  # horizontal wheel / trackpad swipe pans
            self.set_mapping(self.mapping.panned(delta.x() / 2))
        else:
            factor = 1.25 ** (delta.y() / 120)
            self.set_mapping(self.mapping.zoomed(factor, event.position().x()))
        event.accept()

    def start_pan(self, event) -> bool:
        if event.button() == Qt.MiddleButton or (
                event.button() == Qt.LeftButton and event.modifiers() & Qt.AltModifier):
            self._pan_from = event.position().x()
            self.setCursor(Qt.ClosedHandCursor)
            return True
        return False

    def start_range(self, event) -> bool:
        """Shift+drag: the in/out range over the frames dragged (a click, the one frame)."""
        if event.button() != Qt.LeftButton or not event.modifiers() & Qt.ShiftModifier or self.session.n_frames < 1:
            return False
        self._range_from = self._frame_at(event.position().x())
        self._drag_range(event.position().x())
        return True

    def _frame_at(self, x: float) -> int:
        return min(max(0, int(self.mapping.frame_at(x))), self.session.n_frames - 1)

    def _drag_range(self, x: float) -> None:
        a, b = sorted((self._range_from, self._frame_at(x)))
        self.session.set_in_out(a, b + 1)

    def mousePressEvent(self, event) -> None:
        self.start_pan(event)

    def mouseMoveEvent(self, event) -> None:
        if self._range_from is not None:
            self._drag_range(event.position().x())
        elif self._pan_from is not None:
            x = event.position().x()
            self.set_mapping(self.mapping.panned(x - self._pan_from))
            self._pan_from = x

    def mouseReleaseEvent(self, event) -> None:
        self._range_from = None
        if self._pan_from is not None:
            self._pan_from = None
            self.unsetCursor()

    # -- painting ----------------------------------------------------------------------------------
    def paint_content(self, painter: QPainter) -> None:
        """Subclasses draw here; the base adds the in/out range and playhead on top."""

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), QColor(theme.PANEL))
        self.paint_rect = event.rect()
        self.paint_content(painter)
        s, m, h = self.session, self.mapping, self.height()
        shade = QColor(0, 0, 0, 90)
        if s.in_frame is not None:
            painter.fillRect(0, 0, int(m.x_of(s.in_frame)), h, shade)
        if s.out_frame is not None:
            x = int(m.x_of(s.out_frame))
            painter.fillRect(x, 0, max(0, self.width() - x), h, shade)
        end_x = m.x_of(s.n_frames)
        if end_x < self.width():  # past the end of the take
            painter.fillRect(int(end_x), 0, self.width() - int(end_x), h, QColor(0, 0, 0, 60))
        x = m.x_of(s.playhead + 0.5)
        painter.setPen(QPen(QColor(theme.ACCENT), 1.5))
        painter.drawLine(QPointF(x, 0), QPointF(x, h))
        painter.end()
