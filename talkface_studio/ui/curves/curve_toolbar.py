"""The curve editor's toolbar: view (normalized, isolate), tangent types as Maya names them, break /
unify / weighted handles, keying, reset and framing. A QToolBar, so on a narrow dock the last
buttons fold into its » menu instead of squeezing the others."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QToolBar, QToolButton

TANGENT_BUTTONS = (  # (key, text, tooltip)
    ("auto", "Auto", "Tangents: auto (smooth through the neighbours; may overshoot)"),
    ("auto_clamped", "Clamped", "Tangents: auto-clamped (smooth, never overshoots a neighbour)"),
    ("flat", "Flat", "Tangents: flat (slope 0)"),
    ("linear", "Linear", "Tangents: linear (straight spans, handles aimed at the neighbours)"),
    ("step", "Step", "Tangents: step (hold the value until the next key)"),
)


def build_toolbar(editor, layout) -> dict[str, QToolButton]:
    bar = QToolBar(editor)
    bar.setIconSize(QSize(1, 1))
    bar.setStyleSheet("QToolBar { border: 0; spacing: 2px; padding: 1px 4px; }")
    buttons: dict[str, QToolButton] = {}

    def add(key, text, tip, slot, checkable=False):
        action = bar.addAction(text)
        action.setToolTip(tip)
        action.setCheckable(checkable)
        action.triggered.connect(lambda checked=False: slot(checked) if checkable else slot())
        buttons[key] = bar.widgetForAction(action)
        return action

    add("norm", "Normalized", "Show every channel scaled to its range (off: raw units)",
        lambda on: editor.toggle_normalized(on), checkable=True).setChecked(True)
    add("isolate", "Isolate", "Show only the curves of the selection (Shift+I); again: all shown channels",
        lambda on: editor.toggle_isolate(), checkable=True)
    bar.addSeparator()
    for key, text, tip in TANGENT_BUTTONS:
        add(key, text, tip, partial(editor.set_tangent, key))
    bar.addSeparator()
    add("break", "Break", "Break tangents: drag the in and out handles apart", partial(editor.set_broken, True))
    add("unify", "Unify", "Unify tangents: one slope through the key", partial(editor.set_broken, False))
    add("weighted", "Weighted", "Weighted tangents: handle lengths of their own (drag to stretch)",
        lambda on: editor.set_weighted(on), checkable=True)
    bar.addSeparator()
    add("key", "Key (S)", "Key the shown channels at the playhead (the curves keep their shape)",
        editor.key_at_playhead)
    add("reset", "Reset to generated", "Put the selection (or the in/out range) back to the generated curve",
        editor.reset_selection)
    bar.addSeparator()
    add("frame_sel", "Frame sel (F)", "Frame the selected keys", editor.frame_selection)
    add("frame_all", "Frame all (A)", "Frame the whole take", editor.frame_all)
    layout.addWidget(bar)
    editor.toolbar = bar
    return buttons
