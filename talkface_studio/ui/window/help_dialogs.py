"""Help menu contents: the application icon, About (version, device, where files live) and a
keyboard-shortcut sheet built from the window's own actions, so it can never go out of date."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QKeySequence
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget, QTableWidgetItem,
                               QVBoxLayout)

ICON_ID = "io.talkface.Studio"
ICONS = Path(__file__).resolve().parents[3] / "resources" / "icons"  # the repository (or bundle) root


def app_icon() -> QIcon:
    """The desktop icon: the freedesktop theme's copy when installed, else the PNGs shipped here."""
    icon = QIcon.fromTheme(ICON_ID)
    if icon.isNull():
        icon = QIcon()
        for png in sorted(ICONS.glob(f"hicolor/*/apps/{ICON_ID}.png")):
            icon.addFile(str(png))
        if icon.isNull() and (ICONS / f"{ICON_ID}.svg").is_file():
            icon.addFile(str(ICONS / f"{ICON_ID}.svg"))
    return icon


def about_html() -> str:
    from talkface_studio.app_info import about_text

    lines = about_text().splitlines()
    head, rest = lines[0], "\n".join(lines[1:])
    return (f"<h3>{html.escape(head)}</h3>"
            "<p>Speech and painted emotions to a talking-face performance you can edit as curves "
            "(arXiv 2406.07895: speech + emotion &rarr; 3D landmarks &rarr; animated portrait).</p>"
            f"<pre style='font-size: 9pt'>{html.escape(rest)}</pre>")


class AboutDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("About TalkFace Studio")
        icon = QLabel(self)
        icon.setPixmap(app_icon().pixmap(64, 64))
        self.text = QLabel(about_html(), self)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)  # folders are worth copying
        self.text.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(icon, 0, Qt.AlignHCenter)
        box.addWidget(self.text)
        box.addWidget(buttons)
        self.setMinimumWidth(560)


def shortcut_rows(actions) -> list[tuple[str, str]]:
    """(what it does, keys) for every action with a shortcut, in menu order, without duplicates."""
    rows, seen = [], set()
    for a in actions:
        keys = ", ".join(s.toString(QKeySequence.NativeText) for s in a.shortcuts() if not s.isEmpty())
        text = a.text().replace("&", "").replace("…", "")
        if keys and (text, keys) not in seen:
            seen.add((text, keys))
            rows.append((text, keys))
    return rows


BRUSH_ROWS = [  # the 24 brush actions, summarised instead of listed one by one
    ("Paint brush, mid level: 1 neutral, 2 angry, 3 contempt, 4 disgusted, 5 fear, 6 happy, 7 sad, "
     "8 surprised", "1 … 8"),
    ("Paint brush at high / low level", "Shift+1 … 8 / Alt+1 … 8"),
]


TIMELINE_MOUSE_ROWS = [  # gestures on the timeline's strips, which no action holds
    ("Set the in/out range over the frames dragged (ruler, waveform)", "Shift+drag"),
    ("Set a mouth shape by hand, or clear one (waveform)", "Right-click"),
    ("Set the in/out range over a script word (waveform, zoomed in)", "Double-click"),
]


class ShortcutsDialog(QDialog):
    def __init__(self, actions, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        rows = [r for r in shortcut_rows(actions) if not r[0].startswith("Brush ")] + BRUSH_ROWS + TIMELINE_MOUSE_ROWS
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        for i, (text, keys) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(text))
            self.table.setItem(i, 1, QTableWidgetItem(keys))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.table)
        box.addWidget(buttons)
        self.resize(560, 640)
