"""TimelineView: palette, ruler, waveform and emotion lane stacked on one shared time axis, with
a track-header column on the left and a scroll bar that pans through the take."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QScrollBar, QVBoxLayout, QWidget

from talkface_studio.ui.timeline_mapping import TimeView

from .emotion_lane import EmotionLane
from .emotion_palette import EmotionPalette
from .marker_lane import MarkerLane
from .timeline_ruler import TimelineRuler
from .waveform_view import WaveformView

HEADER_WIDTH = 86


class TimelineView(QWidget):
    def __init__(self, document, session, parent=None):
        super().__init__(parent)
        self.document, self.session = document, session
        self.palette_bar = EmotionPalette(session, self)
        self.ruler = TimelineRuler(session, self)
        self.ruler.notices = lambda: session.alignment_notices(document.current_take)
        self.waveform = WaveformView(session, self)
        self.waveform.hand_shapes = lambda: (document.take.generation.mouth_shapes if document.take is not None
                                             else ())
        document.changed.connect(lambda change: self.waveform.update() if change.kind in (
            "generation", "take", "takes") else None)
        document.replaced.connect(self.waveform.update)
        self.waveform.heard_shapes = lambda: session.heard_shapes(document.current_take)
        self.waveform.fallbacks = lambda: [n for n in session.alignment_notices(document.current_take) if n.fell_back]
        session.alignment_changed.connect(self.waveform.update)
        self.lane = EmotionLane(document, session, self)
        self.markers = MarkerLane(document, session, self)
        self.scrollbar = QScrollBar(Qt.Horizontal, self)
        self.scrollbar.valueChanged.connect(self._scrolled)

        grid = QGridLayout()
        grid.setSpacing(1)
        grid.setContentsMargins(0, 0, 0, 0)
        for row, (title, strip) in enumerate((("", self.ruler), ("Markers", self.markers), ("Audio", self.waveform),
                                               ("Emotion", self.lane))):
            header = QLabel(title, self)
            header.setFixedWidth(HEADER_WIDTH)
            header.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            header.setStyleSheet("color: #8b8f96; padding-right: 8px; background: #2b2d31;")
            grid.addWidget(header, row, 0)
            grid.addWidget(strip, row, 1)
        grid.addWidget(self.scrollbar, 4, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        # the palette scrolls sideways instead of holding the window ~900 px wide (small screens, docks)
        self.palette_scroll = QScrollArea(self)
        self.palette_scroll.setWidget(self.palette_bar)
        self.palette_scroll.setWidgetResizable(True)
        self.palette_scroll.setFrameShape(QFrame.NoFrame)
        self.palette_scroll.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.palette_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        bar_height = self.palette_bar.sizeHint().height()
        self.palette_scroll.setMinimumHeight(bar_height)
        self.palette_scroll.setMaximumHeight(bar_height + self.palette_scroll.horizontalScrollBar().sizeHint().height())
        box.addWidget(self.palette_scroll)
        box.addLayout(grid)
        box.addStretch(1)
        session.time_view_changed.connect(self._sync_scrollbar)

    def strip_width(self) -> int:
        return max(1, self.ruler.width())

    def fit(self) -> None:
        """Show the whole take (or the in/out range when one is set)."""
        self.session.set_time_view(TimeView.fitted(*self.session.play_range()))

    def _sync_scrollbar(self) -> None:
        view, n = self.session.time_view, max(1, self.session.n_frames)
        visible = int(view.span)
        self.scrollbar.blockSignals(True)
        self.scrollbar.setRange(0, max(0, n - visible))
        self.scrollbar.setPageStep(max(1, visible))
        self.scrollbar.setValue(int(view.start))
        self.scrollbar.blockSignals(False)

    def _scrolled(self, value: int) -> None:
        self.session.set_time_view(self.session.time_view.scrolled_to(float(value)))

    def ensure_visible(self, frame: int) -> None:
        """Page the view along when the playhead leaves it during playback."""
        view = self.session.time_view
        if not view.start <= frame <= view.end:
            self.session.set_time_view(view.scrolled_to(frame - 0.1 * view.span))
