"""What the menus, toolbar and welcome panel show as the work changes: the "•" on Generate when the
shown take is out of date (TakeStatus.stale_changed), and the recent projects (File > Open Recent
and the welcome panel's list, ProjectFiles.recent_changed)."""

from __future__ import annotations

from typing import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from .welcome_panel import WelcomePanel


def show_stale(generate: QAction, stale: bool) -> None:
    generate.setIconText("⚙  Generate •" if stale else "⚙  Generate")
    generate.setToolTip("Generate (Ctrl+G): the emotions, recording or settings changed since the take "
                        "was generated" if stale else "Generate (Ctrl+G): run stage 1 again (edits are kept)")


def show_recent(menu: QMenu, welcome: WelcomePanel, open_project: Callable[[str], object], recent: list) -> None:
    welcome.set_recent(recent)
    menu.clear()
    for r in recent:
        menu.addAction(r, lambda p=r: open_project(p))
    menu.setEnabled(bool(recent))
