"""Real Qt input for widget tests: mouse events sent through the application to a widget, as a
window system would deliver them (pyqtgraph turns them into its click and drag events)."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication


def mouse(widget, kind, pos, button=Qt.LeftButton, buttons=None, modifiers=Qt.NoModifier) -> None:
    pos = QPointF(pos)
    if buttons is None:
        buttons = Qt.NoButton if kind == QEvent.MouseButtonRelease else button
    event = QMouseEvent(kind, pos, QPointF(widget.mapToGlobal(pos)), button, buttons, modifiers)
    QApplication.sendEvent(widget, event)


def drag(widget, points, button=Qt.LeftButton, modifiers=Qt.NoModifier) -> None:
    """Press at the first point, move through the others (button held), release at the last.
    Moves are 15 ms apart, as a real mouse's are: pyqtgraph drops moves closer than 10 ms."""
    points = [QPointF(p) for p in points]
    mouse(widget, QEvent.MouseButtonPress, points[0], button, modifiers=modifiers)
    for p in points[1:]:
        time.sleep(0.015)
        mouse(widget, QEvent.MouseMove, p, Qt.NoButton, buttons=button, modifiers=modifiers)
    mouse(widget, QEvent.MouseButtonRelease, points[-1], button, modifiers=modifiers)


def click(widget, pos, button=Qt.LeftButton, modifiers=Qt.NoModifier, double=False) -> None:
    mouse(widget, QEvent.MouseButtonPress, pos, button, modifiers=modifiers)
    mouse(widget, QEvent.MouseButtonRelease, pos, button, modifiers=modifiers)
    if double:
        mouse(widget, QEvent.MouseButtonDblClick, pos, button, modifiers=modifiers)
        mouse(widget, QEvent.MouseButtonRelease, pos, button, modifiers=modifiers)


def plot_point(editor, frame: float, y: float) -> QPointF:
    """Viewport pixel of data (frame, display value) in a CurveEditor's plot."""
    scene = editor.view_box.mapViewToScene(QPointF(frame, y))
    return QPointF(editor.plot.mapFromScene(scene))
