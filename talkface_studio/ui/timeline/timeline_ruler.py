"""TimelineRuler: frame numbers or SMPTE timecode above the lanes; click or drag to scrub."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QToolTip

from talkface_studio.core.timebase import FrameRate
from talkface_studio.ui import theme

from .alignment_marks import MARK_HEIGHT, marks_in_view, notice_at, tooltip
from .ruler_ticks import ruler_ticks
from .time_strip import TimeStrip


class TimelineRuler(TimeStrip):
    scrub_started = Signal()
    scrub_finished = Signal()

    def __init__(self, session, parent=None):
        super().__init__(session, 26, parent)
        self.rate = FrameRate(24)
        self.scrubbing = False  # the playhead is being dragged (the window plays audio grains)
        self.notices = lambda: ()  # the shown take's lip-sync notices (set by the TimelineView)
        session.display_changed.connect(self.update)
        session.alignment_changed.connect(self.update)
        self.setToolTip("Click or drag to move the playhead. Wheel zooms, middle-drag pans.\n"
                        "Shift+drag sets the in/out range. Right-click toggles frames / SMPTE timecode.")

    def set_rate(self, rate: FrameRate) -> None:
        self.rate = rate
        self.update()

    def paint_content(self, painter: QPainter) -> None:
        painter.fillRect(self.rect(), QColor(theme.RAISED))
        h, m = self.height(), self.mapping
        ticks = ruler_ticks(m, self.width(), self.rate, self.session.show_timecode)
        dim, text = QColor(theme.TEXT_DIM), QColor(theme.TEXT)
        # playback repaints only the playhead's old and new columns: skip ticks (and their labels,
        # up to 120 px to the right) that cannot reach the region being painted
        clip = self.paint_rect
        left, right = (clip.left() - 125, clip.right() + 2) if clip is not None else (-1e9, 1e9)
        for t in ticks:
            x = round(m.x_of(t.frame)) + 0.5
            if not left <= x <= right:
                continue
            painter.setPen(QPen(text if t.major else dim, 1))
            painter.drawLine(QPointF(x, h - (10 if t.major else 5)), QPointF(x, h))
            if t.label:
                painter.drawText(QRectF(x + 3, 1, 120, h - 8), Qt.AlignLeft | Qt.AlignVCenter, t.label)
        painter.setPen(QPen(QColor(theme.BORDER), 1))
        painter.drawLine(0, h - 1, self.width(), h - 1)
        for mark in marks_in_view(self.notices(), self.mapping, self.width(), self.rate):
            painter.fillRect(QRectF(mark.x0, 0, mark.x1 - mark.x0, MARK_HEIGHT), QColor(mark.color))
        # playhead handle
        x = self.mapping.x_of(self.session.playhead + 0.5)
        painter.setBrush(QColor(theme.ACCENT))
        painter.setPen(Qt.NoPen)
        painter.drawPolygon(QPolygonF([QPointF(x - 6, h - 12), QPointF(x + 6, h - 12), QPointF(x, h - 3)]))

    def event(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            stretch = notice_at(self.notices(), self.mapping.frame_at(event.pos().x()))
            if stretch is not None:
                QToolTip.showText(event.globalPos(), tooltip(stretch, self.rate), self)
                return True
        return super().event(event)

    def _playhead_moved(self, frame: int) -> None:
        # the old and new handles (12 px wide): playback moves it 25 times a second
        x = int(self.mapping.x_of(frame + 0.5))
        for px in (self._last_playhead_x, x):
            if px is not None:
                self.update(px - 9, 0, 19, self.height())
        self._last_playhead_x = x

    def mousePressEvent(self, event) -> None:
        if self.start_pan(event) or self.start_range(event):
            return
        if event.button() == Qt.RightButton:
            self.session.set_display(timecode=not self.session.show_timecode)
        elif event.button() == Qt.LeftButton:
            self.scrubbing = True
            self.scrub_started.emit()
            self.session.set_playhead(self.mapping.snapped_frame_at(event.position().x()))

    def mouseMoveEvent(self, event) -> None:
        if self.scrubbing:
            self.session.set_playhead(self.mapping.snapped_frame_at(event.position().x()))
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self.scrubbing:
            self.scrubbing = False
            self.scrub_finished.emit()
        super().mouseReleaseEvent(event)
