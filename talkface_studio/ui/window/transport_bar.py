"""The window's toolbar: Generate, transport, the timecode, the current-frame field (type a frame
or a timecode to go there), display toggles and the take box."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QToolBar, QWidget

from talkface_studio.ui.document import Document
from talkface_studio.ui.session import Session

from .frame_field import FrameField


class TransportBar(QToolBar):
    def __init__(self, actions: dict, session: Session, document: Document, parent=None):
        super().__init__("Transport", parent)
        self.setObjectName("toolbar_transport")
        self.setMovable(False)
        A = actions
        for key in ("generate", None, "home", "prev", "play", "next", "end", None, "timecode", "landmarks"):
            if key is None:
                self.addSeparator()
            else:
                self.addAction(A[key])
        for key, text in (("play", "▶  Play"), ("generate", "⚙  Generate"), ("home", "⇤"), ("prev", "◀|"),
                          ("next", "|▶"), ("end", "⇥"), ("timecode", "SMPTE"), ("landmarks", "Landmarks")):
            A[key].setIconText(text)
            A[key].setToolTip(f"{A[key].text().replace('&', '')} ({A[key].shortcut().toString()})")
        self.frame_label = QLabel(self)  # timecode
        self.frame_label.setMinimumWidth(130)
        self.frame_label.setStyleSheet("font-family: monospace; font-size: 11pt; color: #e8a23a; padding: 0 8px;")
        self.addWidget(self.frame_label)
        self.frame_field = FrameField(session, lambda: document.take, self)
        self.addWidget(self.frame_field)
        self.frame_total = QLabel(self)
        self.frame_total.setStyleSheet("font-family: monospace; font-size: 11pt; color: #8b8f96; "
                                       "padding: 0 12px 0 4px;")
        self.addWidget(self.frame_total)
        self.take_box = QComboBox(self)
        self.take_box.setToolTip("Take shown and edited")
        self.take_box.setMinimumWidth(140)
        self.take_box.activated.connect(lambda _i: document.set_current_take(self.take_box.currentText()))
        self.addWidget(QLabel("Take ", self))
        self.addWidget(self.take_box)
        spacer = QWidget(self)
        spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy())
        self.addWidget(spacer)

    def show_frame(self, take, frame: int) -> None:
        """The playhead's timecode, frame and the take's last frame."""
        self.frame_label.setText(take.rate.to_timecode(frame) if take else "--:--:--:--")
        self.frame_field.set_frame(frame)
        self.frame_total.setText(f"/ {max(0, (take.n_frames if take else 0) - 1)}")

    def show_takes(self, names: list[str], current: str | None) -> None:
        self.take_box.blockSignals(True)
        self.take_box.clear()
        self.take_box.addItems(names)
        if current:
            self.take_box.setCurrentText(current)
        self.take_box.blockSignals(False)
