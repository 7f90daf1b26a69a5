"""The window's command shortcuts win over text fields (the inspector's spin boxes, the frame field).

A focused line edit claims Ctrl+Z (its own typing undo), Ctrl+E (end of line) and the like through
Qt's ShortcutOverride, so after typing a value the window's Undo or Export did nothing until the
curve editor was clicked. Those fields push undoable commands as they change, so the document's
undo is the one the artist means. Plain keys (digits, letters) still reach the field.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit


class WindowShortcutsWin(QObject):
    """Installed on the application; lets `window`'s modified shortcuts through its own fields."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window

    def _sequences(self) -> set[str]:
        out = set()
        for action in self.window.actions():
            for seq in action.shortcuts():
                text = seq.toString(QKeySequence.PortableText)
                if any(m in text for m in ("Ctrl+", "Alt+", "Meta+")) or text.startswith("F"):
                    out.add(text)
        return out

    def eventFilter(self, obj, event) -> bool:
        if event.type() != QEvent.ShortcutOverride:
            return False
        field = obj if isinstance(obj, (QLineEdit, QAbstractSpinBox)) else None
        if field is None or field.window() is not self.window:
            return False  # dialogs keep their fields' own keys
        combo = QKeySequence(event.keyCombination()).toString(QKeySequence.PortableText)
        if combo in self._sequences():
            event.ignore()
            return True  # not overridden: the window's shortcut fires
        return False


def install(window) -> WindowShortcutsWin:
    """The filter is a child of the window: Qt drops it from the application when it goes."""
    win = WindowShortcutsWin(window)
    QApplication.instance().installEventFilter(win)
    return win
