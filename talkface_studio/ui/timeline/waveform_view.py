"""WaveformView: the dialogue under the lanes, drawn from a min/max peak pyramid so a 10-minute
clip redraws in the same time as a 10-second one."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QLineF, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QToolTip

from talkface_studio.core.mouth_shapes import SHAPES, frames_text
from talkface_studio.perform.hand_shapes import NOTHING_HEARD

from talkface_studio.ui import theme

from .alignment_marks import mark_color
from .peaks import PeakPyramid
from .time_strip import TimeStrip


SHAPE_BAND = 14  # px along the bottom: what the lip sync heard, under the mouth shapes set by hand
SHAPE_COLOR = "#3d7fc4"
HEARD_CLOSURE = "#6b5a33"  # a lip closure the lip sync heard: the shape an artist checks first
HEARD_MIN_PX = 1.0  # px per frame below which the heard row is left out (a take seen whole: zoom in)
WORD_BAND = 13  # px along the top: the script's words where the lip sync placed them
WORD_COLOR = "#b4bcc6"


class WaveformView(TimeStrip):
    scrub_finished = Signal()
    shape_menu_requested = Signal(int, QPoint)  # frame right-clicked, global position

    def __init__(self, session, parent=None):
        super().__init__(session, 64, parent)
        self.scrubbing = False  # the playhead is dragged along the waveform (the window plays grains)
        self.peaks: PeakPyramid | None = None
        self.fps = 24.0
        self._lines: tuple = (None, [])  # (what they were drawn for, QLineF per column)
        self.hand_shapes = lambda: ()  # the shown take's mouth shapes set by hand (set by the TimelineView)
        self.heard_shapes = lambda: NOTHING_HEARD  # what its lip sync heard at the last Generate
        self.fallbacks = lambda: ()  # its stretches that fell back from the script (the ruler marks them)
        self.setToolTip("Audio. Click to move the playhead; wheel zooms, middle-drag pans; Shift+drag sets the "
                        "in/out range, a double-click over a script word sets it over the word.\n"
                        "Right-click sets a mouth shape by hand (a p/b/m the lip sync missed).")

    def set_audio(self, peaks: PeakPyramid | None, fps: float) -> None:
        self.peaks, self.fps = peaks, fps
        self._lines = (None, [])
        self.update()

    def column_peaks(self, width: int) -> tuple[np.ndarray, np.ndarray]:
        m = self.mapping
        t0 = m.frame_at(0) / self.fps
        t1 = m.frame_at(width) / self.fps
        return self.peaks.query(t0, t1, width)

    def paint_content(self, painter: QPainter) -> None:
        painter.fillRect(self.rect(), QColor("#1d1f22"))
        mid = self.height() / 2
        painter.setPen(QPen(QColor("#33363b"), 1))
        painter.drawLine(0, int(mid), self.width(), int(mid))
        if self.peaks is None:
            painter.setPen(QColor(theme.TEXT_DIM))
            painter.drawText(self.rect().adjusted(8, 0, 0, 0), Qt.AlignVCenter, "No audio — File ▸ Import Audio…")
            return
        painter.setPen(QPen(QColor("#5fa7a0"), 1))
        painter.drawLines(self._column_lines())
        self._paint_shapes(painter)

    def shape_boxes(self, x0: float = 0.0, x1: float | None = None) -> list[tuple[QRectF, object]]:
        """(box, MouthShape) of each hand-set span that reaches pixels [x0, x1] (default: the whole
        strip), at least 3 px wide so one frame shows."""
        m, top = self.mapping, self.height() - SHAPE_BAND
        x1 = self.width() if x1 is None else x1
        out = []
        for s in self.hand_shapes():  # an artist's spans: a few, at most hundreds
            a, b = m.x_of(s.start), m.x_of(s.end)
            if b >= x0 - 3 and a <= x1 + 3:
                out.append((QRectF(a, top, max(3.0, b - a), SHAPE_BAND - 1), s))
        return out

    def heard_boxes(self, x0: float = 0.0, x1: float | None = None) -> list[tuple[QRectF, str]]:
        """(box, shape) of each run of one shape the lip sync heard that reaches pixels [x0, x1]:
        found by bisection (HeardShapes.between), so a playhead repaint looks at a few."""
        m, top = self.mapping, self.height() - SHAPE_BAND
        x1 = self.width() if x1 is None else x1
        return [(QRectF(m.x_of(a), top, max(2.0, m.x_of(b) - m.x_of(a)), SHAPE_BAND - 1), shape)
                for a, b, shape in self.heard_shapes().between(m.frame_at(x0 - 3), m.frame_at(x1 + 3))]

    def word_boxes(self, x0: float = 0.0, x1: float | None = None) -> list[tuple[QRectF, str]]:
        """(box, word) of each script word as aligned at the last Generate that reaches pixels [x0, x1]."""
        return [(box, word) for box, word, _ in self.word_items(x0, x1)]

    def word_items(self, x0: float = 0.0, x1: float | None = None) -> list[tuple[QRectF, str, object]]:
        """word_boxes with, for a word in a stretch that fell back from the script, that stretch
        (else None): the mouth there follows recognition, not the word."""
        m = self.mapping
        x1 = self.width() if x1 is None else x1
        words = self.heard_shapes().words_between(m.frame_at(x0 - 3), m.frame_at(x1 + 3))
        fell = self.fallbacks() if words else ()
        return [(QRectF(m.x_of(a), 0, max(2.0, m.x_of(b) - m.x_of(a)), WORD_BAND), word,
                 next((s for s in fell if s.start_frame < b and s.end_frame > a), None)) for a, b, word in words]

    def heard_row_shown(self) -> bool:
        """Zoomed in to a pixel a frame or more: a take seen whole has runs narrower than a pixel."""
        return self.mapping.x_of(1) - self.mapping.x_of(0) >= HEARD_MIN_PX

    def _paint_shapes(self, painter: QPainter) -> None:
        dim = QColor(theme.TEXT_DIM)
        clip = self.paint_rect
        x0, x1 = (clip.left(), clip.right()) if clip is not None else (0.0, None)
        metrics = painter.fontMetrics()
        for box, word, fell in self.word_items(x0, x1) if self.heard_row_shown() else ():
            painter.setPen(QColor(WORD_COLOR if fell is None else mark_color(fell)))  # as the ruler marks it
            painter.drawLine(QLineF(box.left(), 1, box.left(), WORD_BAND - 1))  # where the word starts
            text = metrics.elidedText(word, Qt.ElideRight, int(box.width()) - 4)
            if text and text != "…":
                painter.drawText(box.adjusted(3, 0, 0, 0), Qt.AlignLeft | Qt.AlignVCenter, text)
        for box, shape in self.heard_boxes(x0, x1) if self.heard_row_shown() else ():
            if shape == "MBP":
                painter.fillRect(box, QColor(HEARD_CLOSURE))
            if box.width() > 7 * len(shape) + 2:
                painter.setPen(dim)
                painter.drawText(box, Qt.AlignCenter, shape)
        painter.setPen(QPen(QColor("#9cc4ee"), 1))
        for box, s in self.shape_boxes(x0, x1):
            painter.fillRect(box, QColor(SHAPE_COLOR))
            painter.drawRect(box)
            if box.width() > 8 * len(s.shape):
                painter.setPen(QColor("#ffffff"))
                painter.drawText(box, Qt.AlignCenter, s.shape)
                painter.setPen(QPen(QColor("#9cc4ee"), 1))

    def event(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            hit = next((s for box, s in self.shape_boxes() if box.contains(event.pos())), None)
            heard = next((s for box, s in self.heard_boxes() if box.contains(event.pos())), None) \
                if self.heard_row_shown() else None
            if hit is None and heard is not None:
                QToolTip.showText(event.globalPos(), f"The lip sync heard {heard}: {SHAPES[heard]}.\n"
                                  "Right-click to set another shape here by hand.", self)
                return True
            word, fell = next(((w, f) for box, w, f in self.word_items() if box.contains(event.pos())), (None, None)) \
                if self.heard_row_shown() else (None, None)
            if hit is None and heard is None and word is not None:
                where = ("where the lip sync placed it at the last Generate" if fell is None else
                         "where the script was given up: the audio did not match it, so the mouth follows the "
                         "speech recognized there (the ruler's mark says why)")
                QToolTip.showText(event.globalPos(), f"Script word \u201c{word}\u201d, {where}.\n"
                                  "Double-click to set the in/out range over it.", self)
                return True
            if hit is not None:
                frames = frames_text(hit.start, hit.end)
                QToolTip.showText(event.globalPos(), f"Mouth shape set by hand over {frames}: {hit.shape}, "
                                  f"{SHAPES[hit.shape]}.\nRight-click to change or clear it; Generate applies it.",
                                  self)
                return True
        return super().event(event)

    def _column_lines(self) -> list:
        """The waveform's lines, rebuilt only when the view, size or audio changed: a playhead moving
        over it (playback repaints its column 25 times a second) reuses them."""
        width, height = max(1, self.width()), self.height()
        key = (id(self.peaks), self.fps, width, height, self.session.time_view)
        if self._lines[0] == key:
            return self._lines[1]
        mins, maxs = self.column_peaks(width)
        # Perceptual scaling: quiet consonants stay visible next to loud vowels.
        mid, scale = height / 2, (height / 2 - 2)
        lo = -np.sqrt(np.clip(-mins, 0, 1)) * scale
        hi = np.sqrt(np.clip(maxs, 0, 1)) * scale
        xs = np.arange(width) + 0.5
        lines = [QLineF(x, mid - a, x, mid - b + 0.5) for x, a, b in zip(xs, hi, lo) if a - b > 0.5]
        self._lines = (key, lines)
        return lines

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.RightButton:
            frame = int(self.mapping.frame_at(event.position().x()))
            self.shape_menu_requested.emit(frame, event.globalPosition().toPoint())
            return
        if self.start_range(event):
            return
        if not self.start_pan(event) and event.button() == Qt.LeftButton:
            self.scrubbing = True
            self.session.set_playhead(self.mapping.snapped_frame_at(event.position().x()))

    def word_at(self, x: float) -> tuple[int, int, str] | None:
        """The script word drawn under pixel column `x`, when the words are drawn."""
        if not self.heard_row_shown():
            return None
        frame = self.mapping.frame_at(x)
        return next(iter(self.heard_shapes().words_between(frame, frame)), None)

    def mouseDoubleClickEvent(self, event) -> None:
        """Double-click a word: it becomes the in/out range, as a double-click selects a word of
        text, so Take > Mouth Shape (or the context menu) acts on the word."""
        word = self.word_at(event.position().x()) if event.button() == Qt.LeftButton else None
        if word is None:
            super().mouseDoubleClickEvent(event)
            return
        self.session.set_in_out(word[0], word[1])

    def mouseMoveEvent(self, event) -> None:
        if self._pan_from is None and self._range_from is None and event.buttons() & Qt.LeftButton:
            self.session.set_playhead(self.mapping.snapped_frame_at(event.position().x()))
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self.scrubbing:
            self.scrubbing = False
            self.scrub_finished.emit()
        super().mouseReleaseEvent(event)
