"""WelcomePanel: what the viewer shows with no project open: demo, new, open, recent projects."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QLabel, QListWidget, QListWidgetItem, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)


class WelcomePanel(QWidget):
    open_demo = Signal()
    new_project = Signal()
    open_dialog = Signal()
    open_path = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        # in a scroll area, so the panel does not set the window's minimum height (768-px laptops)
        content = QWidget(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        box = QVBoxLayout(content)
        box.setAlignment(Qt.AlignCenter)
        title = QLabel("<span style='font-size:20pt; color:#e8a23a'>TalkFace Studio</span><br>"
                       "<span style='color:#8b8f96'>Speech + emotion → a directed talking-face performance</span>")
        title.setAlignment(Qt.AlignCenter)
        box.addWidget(title)
        box.addSpacing(16)
        for text, signal in (("Open demo project", self.open_demo), ("New project", self.new_project),
                             ("Open project…", self.open_dialog)):
            b = QPushButton(text, self)
            b.setMinimumWidth(260)
            b.clicked.connect(signal.emit)
            box.addWidget(b, 0, Qt.AlignHCenter)
        box.addSpacing(12)
        label = QLabel("Recent projects", self)
        label.setStyleSheet("color: #8b8f96")
        box.addWidget(label, 0, Qt.AlignHCenter)
        self.recent = QListWidget(self)
        self.recent.setMaximumSize(420, 160)
        self.recent.itemActivated.connect(lambda item: self.open_path.emit(item.data(Qt.UserRole)))
        box.addWidget(self.recent, 0, Qt.AlignHCenter)
        self.hint = QLabel("Or drop an audio file, a portrait or a .tfs project anywhere on the window.", self)
        self.hint.setStyleSheet("color: #6b6f76")
        self.hint.setWordWrap(True)  # a long line would set the window's minimum width
        box.addWidget(self.hint, 0, Qt.AlignHCenter)

    def set_recent(self, paths: list[str]) -> None:
        self.recent.clear()
        for p in paths:
            item = QListWidgetItem(f"{Path(p).name}   —   {Path(p).parent}")
            item.setData(Qt.UserRole, p)
            self.recent.addItem(item)
