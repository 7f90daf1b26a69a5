"""EmotionPalette: the eight MEAD emotions x three levels, plus select and eraser tools.

Shortcuts (installed by the window so they work wherever the focus is): 1-8 pick an emotion at
level 2, Shift+1-8 level 3, Alt+1-8 level 1, E eraser, V select.
"""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QToolButton, QWidget

from talkface_studio.core.emotion_track import EMOTIONS
from talkface_studio.ui import theme
from talkface_studio.ui.selection import Brush


PAINTABLE = EMOTIONS[1:]  # neutral is the absence of a segment: the eraser paints it
KEY_EMOTIONS = EMOTIONS  # key 1 = neutral (erase), 2..8 = the rest, matching EMOTIONS' order


def brush_for_key(digit: int, shift: bool, alt: bool, current: Brush) -> Brush:
    """Digit 1-8 -> EMOTIONS[digit-1]; Shift = level 3, Alt = level 1, otherwise level 2.
    Neutral (1) is the eraser, since gaps are neutral."""
    emotion = KEY_EMOTIONS[digit - 1]
    if emotion == "neutral":
        return Brush("erase", current.emotion, current.level)
    level = 3 if shift else 1 if alt else 2
    return Brush("paint", emotion, level)


class EmotionPalette(QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        row.setSpacing(2)
        self.group = QButtonGroup(self)
        self.tool_buttons: dict[str, QToolButton] = {}
        for tool, text, tip in (("select", "Select", "Select segments, drag edges (V)"),
                                ("erase", "Erase", "Erase to neutral (E, or 1)")):
            b = QToolButton(self)
            b.setText(text)
            b.setCheckable(True)
            b.setToolTip(tip)
            b.clicked.connect(lambda _=False, t=tool: self._pick_tool(t))
            self.group.addButton(b)
            self.tool_buttons[tool] = b
            row.addWidget(b)
        row.addSpacing(8)
        self.emotion_buttons: dict[str, QToolButton] = {}
        for i, emo in enumerate(PAINTABLE, start=2):
            b = QToolButton(self)
            b.setText(f"{i} {emo.capitalize()}")
            b.setCheckable(True)
            b.setToolTip(f"Paint {emo} (key {i}; Shift+{i} high, Alt+{i} low)")
            b.clicked.connect(lambda _=False, e=emo: self._pick_emotion(e))
            self.group.addButton(b)
            self.emotion_buttons[emo] = b
            row.addWidget(b)
        row.addSpacing(8)
        row.addWidget(QLabel("Level", self))
        self.level_buttons: dict[int, QToolButton] = {}
        level_group = QButtonGroup(self)
        for level, text in ((1, "Low"), (2, "Mid"), (3, "High")):
            b = QToolButton(self)
            b.setText(text)
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, lv=level: self._pick_level(lv))
            level_group.addButton(b)
            self.level_buttons[level] = b
            row.addWidget(b)
        row.addStretch(1)
        session.brush_changed.connect(self.sync)
        self.sync()

    def _pick_tool(self, tool: str) -> None:
        b = self.session.brush
        self.session.set_brush(Brush(tool, b.emotion, b.level))

    def _pick_emotion(self, emotion: str) -> None:
        self.session.set_brush(Brush("paint", emotion, self.session.brush.level))

    def _pick_level(self, level: int) -> None:
        b = self.session.brush
        self.session.set_brush(Brush(b.tool if b.tool == "paint" else "paint", b.emotion, level))

    def sync(self) -> None:
        b = self.session.brush
        for emo, button in self.emotion_buttons.items():
            on = b.tool == "paint" and emo == b.emotion
            button.setChecked(on)
            c = theme.emotion_color(emo, b.level if on else 3)
            border = theme.ACCENT if on else QColor(c).darker(150).name()
            button.setStyleSheet(
                f"QToolButton {{ background: {c.name()}; color: white; border: 2px solid {border};"
                f" border-radius: 3px; padding: 2px 6px; font-weight: {'bold' if on else 'normal'}; }}")
        for tool, button in self.tool_buttons.items():
            button.setChecked(b.tool == tool)
        for level, button in self.level_buttons.items():
            button.setChecked(level == b.level)
