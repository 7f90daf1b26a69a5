"""MarkerLane: the take's named markers on their own strip of the timeline.

Click a marker to select it (Delete removes it), drag it to move it (one undo step), double-click
to rename it; click elsewhere to move the playhead. M adds one at the playhead (window action).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QInputDialog

from talkface_studio.core.marker_commands import MoveMarker, RenameMarker
from talkface_studio.ui import theme

from .marker_gestures import MarkerDrag, marker_at
from .time_strip import TimeStrip

MARKER_COLOR = "#5cc8d6"


def ask_marker_name(parent, current: str) -> str | None:
    text, ok = QInputDialog.getText(parent, "Rename marker", "Marker name:", text=current)
    return text.strip() if ok else None


class MarkerLane(TimeStrip):
    def __init__(self, document, session, parent=None):
        super().__init__(session, 20, parent)
        self.document = document
        self.drag: MarkerDrag | None = None
        self.ask_name = ask_marker_name  # tests answer here
        document.changed.connect(lambda c: self.update() if c.kind in ("markers", "take", "takes") else None)
        document.replaced.connect(self.update)
        session.marker_selected.connect(self.update)
        self.setToolTip("Markers: M adds one at the playhead; drag to move, double-click to rename, "
                        "Delete removes the selected one.")

    def markers(self):
        take = self.document.take
        return take.markers if take is not None else ()

    # -- painting ----------------------------------------------------------------------------------
    def paint_content(self, painter: QPainter) -> None:
        painter.fillRect(self.rect(), QColor("#1f2023"))
        font = QFont(painter.font())
        font.setPointSizeF(8)
        painter.setFont(font)
        h = self.height()
        for m in self.markers():
            x = self.mapping.x_of(m.frame + 0.5)
            if x < -200 or x > self.width() + 4:
                continue
            selected = m.id == self.session.selected_marker
            color = QColor(theme.ACCENT if selected else MARKER_COLOR)
            painter.setPen(Qt.NoPen)
            painter.setBrush(color)
            painter.drawPolygon(QPolygonF([QPointF(x - 5, 2), QPointF(x + 5, 2), QPointF(x, 10)]))
            painter.setPen(QPen(color, 1))
            painter.drawLine(QPointF(x, 10), QPointF(x, h))
            if m.name:
                painter.drawText(QRectF(x + 7, 0, 160, h), Qt.AlignLeft | Qt.AlignVCenter, m.name)

    # -- interaction (also called by tests with pixel x) ---------------------------------------------
    def marker_under(self, x: float):
        return marker_at(self.markers(), x, self.mapping.x_of)

    def press_at(self, x: float) -> None:
        marker_id = self.marker_under(x)
        self.session.select_marker(marker_id)
        if marker_id is None:
            self.session.set_playhead(self.mapping.snapped_frame_at(x))
            return
        marker = next(m for m in self.markers() if m.id == marker_id)
        self.drag = MarkerDrag(marker_id, marker.frame, self.mapping.frame_at(x), self.document.take.n_frames - 1)

    def move_to(self, x: float) -> None:
        if self.drag is None:
            return
        frame = self.drag.move(self.mapping.frame_at(x))
        self.apply_edit(lambda: self.document.live(("marker", self.drag.marker_id),
                                               MoveMarker(self.document.current_take, self.drag.marker_id, frame)))

    def release_at(self, x: float) -> None:
        drag, self.drag = self.drag, None
        if drag is not None:
            self.document.finish_live(label="Move marker")

    def rename_at(self, x: float) -> None:
        marker_id = self.marker_under(x)
        if marker_id is None:
            return
        marker = next(m for m in self.markers() if m.id == marker_id)
        name = self.ask_name(self, marker.name)
        if name is not None and name != marker.name:
            self.apply_edit(lambda: self.document.push(RenameMarker(self.document.current_take, marker_id, name),
                                                   mergeable=False))

    def mousePressEvent(self, event) -> None:
        if not self.start_pan(event) and event.button() == Qt.LeftButton:
            self.press_at(event.position().x())

    def mouseMoveEvent(self, event) -> None:
        if self.drag is not None:
            self.move_to(event.position().x())
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self.drag is not None:
            self.release_at(event.position().x())
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        if event.button() == Qt.LeftButton:
            self.rename_at(event.position().x())
