"""The dark DCC look: one palette + a small stylesheet, and the colours that carry meaning
(emotions, channel groups) so every widget draws them the same way."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

BG = "#232427"
PANEL = "#2b2d31"
RAISED = "#34363b"
BORDER = "#17181a"
TEXT = "#d4d6da"
TEXT_DIM = "#8b8f96"
ACCENT = "#e8a23a"  # playhead, selection: warm amber reads on every emotion colour
SELECT = "#4f8fe8"

# Hue per emotion, tuned to stay distinct for colour-blind viewers and to carry white labels.
EMOTION_COLORS = {
    "neutral": "#6b7079",
    "angry": "#d0463c",
    "contempt": "#a0663a",
    "disgusted": "#6f9a2e",
    "fear": "#7d55c7",
    "happy": "#e0b63a",
    "sad": "#3f73c2",
    "surprised": "#d3598f",
}

GROUP_COLORS = {
    "Head": "#e07b53",
    "Gaze": "#52b6d9",
    "Blink": "#b78be0",
    "Mouth": "#e2c05a",
    "Expression": "#78c37a",
}


def emotion_color(emotion: str, level: int = 3) -> QColor:
    """Levels lighten toward the panel colour so intensity reads without a legend."""
    base = QColor(EMOTION_COLORS.get(emotion, "#888888"))
    panel = QColor(PANEL)
    t = {1: 0.45, 2: 0.22, 3: 0.0}.get(int(level), 0.0)
    return QColor(
        round(base.red() * (1 - t) + panel.red() * t),
        round(base.green() * (1 - t) + panel.green() * t),
        round(base.blue() * (1 - t) + panel.blue() * t),
    )


STYLESHEET = f"""
QWidget {{ color: {TEXT}; font-size: 9pt; }}
QMainWindow, QDialog {{ background: {BG}; }}
QMainWindow::separator {{ background: {BORDER}; width: 3px; height: 3px; }}
QDockWidget {{ titlebar-close-icon: none; }}
QDockWidget::title {{ background: {RAISED}; padding: 4px 8px; border-bottom: 1px solid {BORDER}; }}
QToolBar {{ background: {PANEL}; border: none; border-bottom: 1px solid {BORDER}; spacing: 4px; padding: 2px; }}
QToolButton {{ padding: 3px 7px; border: 1px solid transparent; border-radius: 3px; }}
QToolButton:hover {{ background: {RAISED}; border-color: #4a4d53; }}
QToolButton:checked {{ background: #4a4036; border-color: {ACCENT}; }}
QPushButton {{ background: {RAISED}; border: 1px solid #4a4d53; border-radius: 3px; padding: 4px 12px; }}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton:default {{ border-color: {ACCENT}; }}
QLineEdit, QSpinBox, QDoubleSpinBox, QComboBox {{ background: #1d1e21; border: 1px solid #45484e;
    border-radius: 2px; padding: 2px 4px; selection-background-color: {SELECT}; }}
QLineEdit:disabled, QSpinBox:disabled, QDoubleSpinBox:disabled, QComboBox:disabled {{ color: {TEXT_DIM};
    background: {PANEL}; border-color: {BORDER}; }}
QTreeWidget, QListWidget, QListView, QTreeView, QTableWidget {{ background: #1f2023; border: none;
    alternate-background-color: #242529; selection-background-color: #3b5275; }}
QTreeView::indicator {{ width: 11px; height: 11px; border: 1px solid #6a6e76; border-radius: 2px;
    background: #16171a; }}
QTreeView::indicator:checked {{ background: {ACCENT}; border-color: {ACCENT}; }}
QTreeView::indicator:indeterminate {{ background: #7a5a2a; border-color: {ACCENT}; }}
QHeaderView::section {{ background: {RAISED}; border: none; border-right: 1px solid {BORDER}; padding: 3px; }}
QMenuBar {{ background: {PANEL}; }}
QMenuBar::item:selected, QMenu::item:selected {{ background: #3b5275; }}
QMenu {{ background: {PANEL}; border: 1px solid {BORDER}; }}
QProgressBar {{ background: #1d1e21; border: 1px solid #45484e; border-radius: 2px; text-align: center; }}
QProgressBar::chunk {{ background: {ACCENT}; }}
QStatusBar {{ background: {PANEL}; color: {TEXT_DIM}; }}
QTabBar::tab {{ background: {PANEL}; padding: 4px 10px; border: 1px solid {BORDER}; }}
QTabBar::tab:selected {{ background: {RAISED}; border-bottom-color: {ACCENT}; }}
"""


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    pal = QPalette()
    for role, color in (
        (QPalette.Window, BG), (QPalette.WindowText, TEXT), (QPalette.Base, "#1d1e21"),
        (QPalette.AlternateBase, PANEL), (QPalette.Text, TEXT), (QPalette.Button, RAISED),
        (QPalette.ButtonText, TEXT), (QPalette.Highlight, SELECT), (QPalette.HighlightedText, "#ffffff"),
        (QPalette.ToolTipBase, PANEL), (QPalette.ToolTipText, TEXT), (QPalette.PlaceholderText, TEXT_DIM),
        (QPalette.Link, ACCENT),
    ):
        pal.setColor(role, QColor(color))
    pal.setColor(QPalette.Disabled, QPalette.Text, QColor(TEXT_DIM))
    pal.setColor(QPalette.Disabled, QPalette.ButtonText, QColor(TEXT_DIM))
    app.setPalette(pal)
    app.setStyleSheet(STYLESHEET)
    import pyqtgraph as pg

    pg.setConfigOptions(background="#1b1c1f", foreground=TEXT_DIM, antialias=True)


def channel_color(name: str) -> QColor:
    """Curve colour of a channel: its group's hue, channels of one group stepped in lightness."""
    from talkface_studio.core.channels import CHANNEL_SPECS, SPEC_BY_NAME

    group = SPEC_BY_NAME[name].group
    index = [s.name for s in CHANNEL_SPECS if s.group == group].index(name)
    color = QColor(GROUP_COLORS[group])
    return color.lighter(100 + 18 * index) if index % 2 else color.darker(100 + 12 * index)
