"""The core's UndoStack shown in Qt: the Undo / Redo actions and the Undo History list.

There is one undo history, core.undo.UndoStack (the document's; the command line uses the same
class). This module only shows it: a list model whose rows are "<opened>" and each step's label
(the current row is the stack's index; clicking a row undoes or redoes to it, as QUndoView does),
and two actions whose text names the step they would undo or redo. `document.history_changed`
(relayed from the stack's `changed` callbacks) keeps them current.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QListView

EMPTY_LABEL = "<opened>"


class UndoHistoryModel(QAbstractListModel):
    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        document.history_changed.connect(self._reset)

    def _reset(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.document.undo_stack) + 1

    def data(self, index, role=Qt.DisplayRole):
        if role != Qt.DisplayRole or not index.isValid():
            return None
        row = index.row()
        return EMPTY_LABEL if row == 0 else self.document.undo_stack.label(row - 1)


class UndoHistoryView(QListView):
    """The Undo History dock: the selected row is the current state; a click goes there."""

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.setModel(UndoHistoryModel(document, self))
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        document.history_changed.connect(self._select_current)
        self.clicked.connect(lambda index: self.document.undo_stack.set_index(index.row()))
        self._select_current()

    def _select_current(self) -> None:
        index = self.model().index(self.document.undo_stack.index, 0)
        self.selectionModel().setCurrentIndex(index, QItemSelectionModel.ClearAndSelect)
        self.scrollTo(index)


def undo_actions(window, document) -> tuple[QAction, QAction]:
    """Edit > Undo (Ctrl+Z) and Redo (Ctrl+Shift+Z, Ctrl+Y) of the core stack, named after their step."""
    stack = document.undo_stack
    undo, redo = QAction("&Undo", window), QAction("&Redo", window)
    undo.setShortcuts([QKeySequence(QKeySequence.Undo)])
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    undo.triggered.connect(lambda _checked=False: stack.undo() if stack.can_undo else None)
    redo.triggered.connect(lambda _checked=False: stack.redo() if stack.can_redo else None)

    def refresh() -> None:
        undo.setEnabled(stack.can_undo)
        redo.setEnabled(stack.can_redo)
        undo.setText(f"&Undo {stack.undo_label}" if stack.can_undo else "&Undo")
        redo.setText(f"&Redo {stack.redo_label}" if stack.can_redo else "&Redo")

    document.history_changed.connect(refresh)
    refresh()
    return undo, redo
