"""Viewer: the rendered frame under the playhead, letterboxed on a dark stage, with an optional
landmark overlay and a status line (frame, timecode, what is being computed). While a take opens
or a portrait is fitted it shows what is happening, with a progress bar (busy state). During and
after playback a heads-up line in the frame's corner counts the frames dropped to keep up with the
audio (red when any were), like the fps readout of Maya's HUD or Blender's viewport."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from talkface_studio.ui import theme


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
        self.busy: str | None = None  # what is being computed before there is a frame to show
        self.busy_fraction: float | None = None  # None: unknown (the bar sweeps)
        self.hud = ""  # playback's dropped-frame readout ("" when none)
        self.hud_alert = False
        self._sweep = 0.0
        self._busy_timer = QTimer(self)
        self._busy_timer.setInterval(40)
        self._busy_timer.timeout.connect(self._advance_sweep)
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
        self.set_busy(None)
        self.update()

    def show_playback(self, stats, playing: bool) -> None:
        """The dropped-frame readout of a playback (`stats`: frame_pacer.PlaybackStats, None: hide)."""
        if stats is None:
            self.hud, self.hud_alert = "", False
        else:
            lead = f"▶ {stats.fps:g} fps" if playing else "Last play"
            self.hud, self.hud_alert = f"{lead} · {stats.summary()}", stats.dropped > 0
        self.update()

    def show_message(self, text: str) -> None:
        self.message = text
        self.update()

    def clear(self, text: str) -> None:
        self.image, self.rgb, self.landmarks, self.frame = None, None, None, None
        self.set_busy(None)
        self.show_message(text)

    def set_busy(self, text: str | None, fraction: float | None = None) -> None:
        """Say what is being computed (None: done). Over a shown frame it is a line at the bottom;
        without one it replaces the message, with a progress bar (sweeping when `fraction` is None)."""
        self.busy, self.busy_fraction = text, fraction
        if text is not None:
            self.message = ""  # what was said before (e.g. "Import audio...") is no longer true
        if text is not None and fraction is None:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
        self.update()

    def _advance_sweep(self) -> None:
        self._sweep = (self._sweep + 0.02) % 1.0
        self.update()

    def image_rect(self) -> QRectF:
        """Where the frame is drawn: as large as fits, in its own aspect (square crop or plate)."""
        room_w, room_h = max(1.0, self.width() - 16), max(1.0, self.height() - 40)
        aspect = self.image.width() / self.image.height() if self.image is not None else 1.0
        w = min(room_w, room_h * aspect)
        h = w / aspect
        return QRectF((self.width() - w) / 2, 8 + (room_h - h) / 2, w, h)

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
        if self.hud and self.image is not None:
            self._paint_hud(p, rect)
        if self.busy is not None:
            self._paint_busy(p, rect)
        elif self.message:
            p.setPen(QColor(theme.TEXT_DIM))
            f = QFont(p.font())
            f.setPointSizeF(10)
            p.setFont(f)
            p.drawText(rect.adjusted(20, 20, -20, -20), Qt.AlignCenter | Qt.TextWordWrap, self.message)
        p.setPen(QColor(theme.TEXT_DIM))
        p.drawText(QRectF(8, self.height() - 26, self.width() - 16, 20), Qt.AlignLeft | Qt.AlignVCenter, self.info)
        p.end()

    def _paint_hud(self, p: QPainter, rect: QRectF) -> None:
        f = QFont(p.font())
        f.setPointSizeF(10)
        f.setBold(True)
        p.setFont(f)
        box = QRectF(rect.left() + 8, rect.top() + 8, p.fontMetrics().horizontalAdvance(self.hud) + 16, 24)
        p.fillRect(box, QColor(20, 21, 23, 190))
        p.setPen(QColor("#ff6b5e") if self.hud_alert else QColor("#7ddc8a"))
        p.drawText(box, Qt.AlignCenter, self.hud)
        p.setFont(QFont(self.font()))

    def _paint_busy(self, p: QPainter, rect: QRectF) -> None:
        if self.image is not None:  # a frame is shown: a band along its bottom
            band = QRectF(rect.left(), rect.bottom() - 34, rect.width(), 34)
            p.fillRect(band, QColor(20, 21, 23, 200))
            text_rect, bar = band.adjusted(10, 2, -10, -14), QRectF(band.left() + 10, band.bottom() - 10,
                                                                    band.width() - 20, 4)
        else:
            text_rect = QRectF(rect.left() + 20, rect.center().y() - 40, rect.width() - 40, 36)
            bar = QRectF(rect.left() + rect.width() * 0.2, rect.center().y() + 4, rect.width() * 0.6, 5)
        p.setPen(QColor(theme.TEXT))
        f = QFont(p.font())
        f.setPointSizeF(10)
        p.setFont(f)
        p.drawText(text_rect, Qt.AlignCenter | Qt.TextWordWrap, self.busy)
        p.fillRect(bar, QColor("#3a3c41"))
        if self.busy_fraction is None:
            w = bar.width() * 0.25
            x = bar.left() + (bar.width() + w) * self._sweep - w
            fill = QRectF(max(bar.left(), x), bar.top(), min(bar.right(), x + w) - max(bar.left(), x), bar.height())
        else:
            fill = QRectF(bar.left(), bar.top(), bar.width() * min(1.0, max(0.0, self.busy_fraction)), bar.height())
        if fill.width() > 0:
            p.fillRect(fill, QColor(theme.ACCENT))
