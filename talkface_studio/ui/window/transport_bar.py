"""The window's toolbar: Generate, transport, the timecode, the current-frame field (type a frame
or a timecode to go there), display toggles and the take box."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QToolBar, QWidget

from .frame_field import FrameField


def build(w) -> None:
    bar = QToolBar("Transport", w)
    bar.setObjectName("toolbar_transport")
    bar.setMovable(False)
    A = w.actions_by_name
    for key in ("generate", None, "home", "prev", "play", "next", "end", None, "timecode", "landmarks"):
        if key is None:
            bar.addSeparator()
        else:
            bar.addAction(A[key])
    for key, text in (("play", "▶  Play"), ("generate", "⚙  Generate"), ("home", "⇤"), ("prev", "◀|"),
                      ("next", "|▶"), ("end", "⇥"), ("timecode", "SMPTE"), ("landmarks", "Landmarks")):
        A[key].setIconText(text)
        A[key].setToolTip(f"{A[key].text().replace('&', '')} ({A[key].shortcut().toString()})")
    w.frame_label = QLabel(w)  # timecode
    w.frame_label.setMinimumWidth(130)
    w.frame_label.setStyleSheet("font-family: monospace; font-size: 11pt; color: #e8a23a; padding: 0 8px;")
    bar.addWidget(w.frame_label)
    w.frame_field = FrameField(w.session, lambda: w.document.take, w)
    bar.addWidget(w.frame_field)
    w.frame_total = QLabel(w)
    w.frame_total.setStyleSheet("font-family: monospace; font-size: 11pt; color: #8b8f96; padding: 0 12px 0 4px;")
    bar.addWidget(w.frame_total)
    w.take_box = QComboBox(w)
    w.take_box.setToolTip("Take shown and edited")
    w.take_box.setMinimumWidth(140)
    w.take_box.activated.connect(lambda _i: w.document.set_current_take(w.take_box.currentText()))
    bar.addWidget(QLabel("Take ", w))
    bar.addWidget(w.take_box)
    spacer = QWidget(w)
    spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy())
    bar.addWidget(spacer)
    w.addToolBar(Qt.TopToolBarArea, bar)
    w.toolbar = bar
