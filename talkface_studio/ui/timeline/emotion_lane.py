"""EmotionLane: the painted emotion segments of the current take, edited with the brush, the
eraser and edge drags. Mouse logic lives in lane_gestures; this widget maps pixels and pushes
commands."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from talkface_studio.core.commands import EraseEmotion, MoveSegmentBoundary, PaintEmotion
from talkface_studio.ui import theme

from . import lane_gestures as lg
from .time_strip import TimeStrip

LEVEL_NAMES = {1: "low", 2: "mid", 3: "high"}


class EmotionLane(TimeStrip):
    def __init__(self, document, session, parent=None):
        super().__init__(session, 46, parent)
        self.document = document
        self.gesture = None
        self.preview: tuple[int, int] | None = None
        document.changed.connect(self._on_change)
        document.replaced.connect(self.update)
        session.segment_selected.connect(lambda _id: self.update())
        session.brush_changed.connect(self._update_cursor)
        self.setFocusPolicy(Qt.ClickFocus)
        self.setToolTip("Drag to paint the selected emotion (1-8, Shift/Alt for level), E eraser, V select.\n"
                        "Drag a segment edge to retime it; click a segment to inspect it.")
        self._update_cursor()

    def _on_change(self, change) -> None:
        if change.kind in ("emotion", "take", "takes"):
            self.update()

    def segments(self):
        take = self.document.take
        return take.emotion_track.segments if take is not None else ()

    def _update_cursor(self) -> None:
        self.setCursor({"paint": Qt.CrossCursor, "erase": Qt.ForbiddenCursor}.get(
            self.session.brush.tool, Qt.ArrowCursor))

    # -- painting ----------------------------------------------------------------------------------
    def paint_content(self, painter: QPainter) -> None:
        painter.fillRect(self.rect(), QColor("#202124"))
        m, h = self.mapping, self.height()
        font = QFont(painter.font())
        font.setPointSizeF(8.5)
        painter.setFont(font)
        track = self.document.take.emotion_track if self.document.take is not None else None
        for seg in self.segments():
            x0, x1 = m.x_of(seg.start), m.x_of(seg.end)
            if x1 < 0 or x0 > self.width():
                continue
            rect = QRectF(x0, 4, max(1.0, x1 - x0), h - 8)
            color = theme.emotion_color(seg.emotion, seg.level)
            painter.fillRect(rect, color)
            # transition ramps: a lighter wedge so blending regions are visible
            tr = track.transition_of(seg) * m.px_per_frame if track else 0
            if tr >= 3:
                painter.fillRect(QRectF(x0, h - 8, min(tr / 2, rect.width()), 4), color.lighter(140))
                painter.fillRect(QRectF(max(x0, x1 - tr / 2), h - 8, min(tr / 2, rect.width()), 4),
                                 color.lighter(140))
            selected = seg.id == self.session.selected_segment
            painter.setPen(QPen(QColor(theme.ACCENT) if selected else QColor(0, 0, 0, 140), 2 if selected else 1))
            painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
            # Labels shrink with the segment, then vanish; the colour still carries the emotion.
            label = f"{seg.emotion} {LEVEL_NAMES[seg.level]}" if rect.width() > 90 else (
                f"{seg.emotion[:3]} {seg.level}" if rect.width() > 44 else (seg.emotion[0].upper() if rect.width() > 12 else ""))
            if label:
                painter.setPen(QColor("#ffffff"))
                visible = rect.intersected(QRectF(0, 0, self.width(), h))
                painter.drawText(visible.adjusted(5, 0, -3, 0), Qt.AlignVCenter | Qt.AlignLeft, label)
        if self.preview is not None:
            a, b = self.preview
            rect = QRectF(m.x_of(a), 2, max(1.0, (b - a) * m.px_per_frame), h - 4)
            brush = self.session.brush
            if brush.tool == "erase":
                painter.fillRect(rect, QColor(0, 0, 0, 150))
            else:
                c = theme.emotion_color(brush.emotion, brush.level)
                c.setAlpha(200)
                painter.fillRect(rect, c)
            painter.setPen(QPen(QColor("#ffffff"), 1, Qt.DashLine))
            painter.drawRect(rect)

    # -- interaction -------------------------------------------------------------------------------
    def frame_at(self, x: float) -> int:
        return self.mapping.snapped_frame_at(x)

    def press_at(self, x: float) -> None:
        self.gesture = lg.press(self.session.brush, self.segments(), self.frame_at(x), x, self.mapping.x_of)
        self._after_move()

    def move_to(self, x: float) -> None:
        if self.gesture is None:
            return
        intent = self.gesture.move(self.frame_at(x))
        if isinstance(intent, lg.MoveEdge) and self.document.take is not None:
            self.apply_edit(lambda: self.document.live(("edge", intent.segment_id, intent.side), MoveSegmentBoundary(
                self.document.current_take, intent.segment_id, intent.side, intent.new)))
        self._after_move()

    def release_at(self, x: float) -> None:
        gesture, self.gesture = self.gesture, None
        self.preview = None
        if gesture is None or self.document.take is None:
            return
        gesture.move(self.frame_at(x))
        intent = gesture.release()
        take = self.document.current_take
        if isinstance(gesture, lg.EdgeGesture):
            if intent is not None:
                self.apply_edit(lambda: self.document.live(("edge", intent.segment_id, intent.side),
                                                       MoveSegmentBoundary(take, intent.segment_id, intent.side, intent.new)))
            self.document.finish_live(label="Move emotion edge")
        elif isinstance(intent, lg.Paint):
            cmd = self.apply_edit(lambda: self.document.push(PaintEmotion(take, intent.start, intent.end,
                                                                      intent.emotion, intent.level)))
            if cmd is not None:
                self.session.select_segment(cmd.segment_id)
        elif isinstance(intent, lg.Erase):
            self.apply_edit(lambda: self.document.push(EraseEmotion(take, intent.start, intent.end)))
            self.session.select_segment(None)
        elif isinstance(intent, lg.Select):
            self.session.select_segment(intent.segment_id)
        self.update()

    def _after_move(self) -> None:
        g = self.gesture
        self.preview = g.range if isinstance(g, lg.RangeGesture) and g.dragged else None
        self.update()

    def mousePressEvent(self, event) -> None:
        if self.start_pan(event):
            return
        if event.button() == Qt.LeftButton:
            self.press_at(event.position().x())

    def mouseMoveEvent(self, event) -> None:
        if self._pan_from is not None:
            return super().mouseMoveEvent(event)
        if self.gesture is not None:
            self.move_to(event.position().x())
        else:
            over_edge = lg.edge_under(self.segments(), event.position().x(), self.mapping.x_of)
            if over_edge is not None and self.session.brush.tool != "erase":
                self.setCursor(Qt.SizeHorCursor)
            else:
                self._update_cursor()

    def mouseReleaseEvent(self, event) -> None:
        if self._pan_from is not None:
            return super().mouseReleaseEvent(event)
        if event.button() == Qt.LeftButton:
            self.release_at(event.position().x())
