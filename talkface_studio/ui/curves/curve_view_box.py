"""CurveViewBox: pyqtgraph's ViewBox with the curve editor's mouse map.

Left-drag on a key moves the selection (Shift held: along one axis), on a selected key's handle
turns the handle, on empty space box-selects (Shift adds); double-click adds a key, click selects a
key or a curve. Right/middle drag and the wheel keep pyqtgraph's pan/zoom. Everything is forwarded,
in data coordinates, to the owner (the CurveEditor).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem


class CurveViewBox(pg.ViewBox):
    def __init__(self, owner, **kw):
        super().__init__(**kw)
        self.owner = owner
        self.setMouseMode(pg.ViewBox.PanMode)
        self.band = QGraphicsRectItem()
        self.band.setPen(QPen(QColor("#4f8fe8"), 0))
        self.band.setBrush(QColor(79, 143, 232, 40))
        self.band.setZValue(1000)
        self.band.hide()
        self.addItem(self.band, ignoreBounds=True)

    def data_at(self, scene_pos) -> QPointF:
        return self.mapSceneToView(scene_pos)

    def mouseClickEvent(self, ev) -> None:
        if ev.button() == Qt.LeftButton:
            ev.accept()
            p = self.data_at(ev.scenePos())
            if ev.double():
                self.owner.add_key_at(p.x(), p.y())
            else:
                self.owner.click_at(ev.scenePos(), p.x(), p.y(), bool(ev.modifiers() & Qt.ShiftModifier))
        else:
            super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None) -> None:
        if ev.button() != Qt.LeftButton or ev.modifiers() & Qt.AltModifier:
            return super().mouseDragEvent(ev, axis)
        ev.accept()
        p = self.data_at(ev.scenePos())
        if ev.isStart():
            p0 = self.data_at(ev.buttonDownScenePos())
            self.owner.drag_start(ev.buttonDownScenePos(), p0.x(), p0.y(),
                                  bool(ev.modifiers() & Qt.ShiftModifier))
        self.owner.drag_move(p.x(), p.y(), bool(ev.modifiers() & Qt.ShiftModifier))
        if ev.isFinish():
            self.owner.drag_finish()

    def show_band(self, x0, y0, x1, y1) -> None:
        self.band.setRect(QRectF(QPointF(min(x0, x1), min(y0, y1)), QPointF(max(x0, x1), max(y0, y1))))
        self.band.show()

    def hide_band(self) -> None:
        self.band.hide()
