"""Viewer: the rendered frame under the playhead, letterboxed on a dark stage, with an optional
landmark overlay and a status line (frame, timecode, what is being computed)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from . import theme


class Viewer(QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.image: QImage | None = None
        self.rgb: np.ndarray | None = None
        self.landmarks: np.ndarray | None = None
        self.frame: int | None = None
        self.message = "Open a project or import audio and a portrait to begin."
        self.info = ""
        self.setMinimumSize(240, 200)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        session.display_changed.connect(self.update)

    def show_frame(self, frame: int, rgb: np.ndarray, landmarks: np.ndarray | None) -> None:
        self.rgb = np.ascontiguousarray(rgb)
        h, w = self.rgb.shape[:2]
        self.image = QImage(self.rgb.data, w, h, 3 * w, QImage.Format_RGB888)  # keeps a view of self.rgb
        self.landmarks = landmarks
        self.frame = frame
        self.message = ""
        self.update()

    def show_message(self, text: str) -> None:
        self.message = text
        self.update()

    def clear(self, text: str) -> None:
        self.image, self.rgb, self.landmarks, self.frame = None, None, None, None
        self.show_message(text)

    def image_rect(self) -> QRectF:
        side = max(1.0, min(self.width() - 16, self.height() - 40))
        return QRectF((self.width() - side) / 2, 8 + (self.height() - 40 - side) / 2, side, side)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#141517"))
        rect = self.image_rect()
        if self.image is not None:
            p.setRenderHint(QPainter.SmoothPixmapTransform, True)
            p.drawImage(rect, self.image)
            p.setPen(QPen(QColor("#000000"), 1))
            p.drawRect(rect)
            if self.session.show_landmarks and self.landmarks is not None:
                s = rect.width() / self.image.width()
                p.setPen(Qt.NoPen)
                p.setBrush(QColor(80, 230, 170, 200))
                for x, y in self.landmarks[:, :2]:
                    p.drawEllipse(QPointF(rect.x() + x * s, rect.y() + y * s), 1.3, 1.3)
        else:
            p.setPen(QPen(QColor("#2d2f33"), 1, Qt.DashLine))
            p.drawRect(rect)
        if self.message:
            p.setPen(QColor(theme.TEXT_DIM))
            f = QFont(p.font())
            f.setPointSizeF(10)
            p.setFont(f)
            p.drawText(rect.adjusted(20, 20, -20, -20), Qt.AlignCenter | Qt.TextWordWrap, self.message)
        p.setPen(QColor(theme.TEXT_DIM))
        p.drawText(QRectF(8, self.height() - 26, self.width() - 16, 20), Qt.AlignLeft | Qt.AlignVCenter, self.info)
        p.end()
