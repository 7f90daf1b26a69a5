"""run_app: the `talkface-studio` GUI entry point (no subcommand, or a project path)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from .help_dialogs import app_icon
from .main_window import MainWindow
from .theme import apply_theme


def run_app(project_path: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("TalkFace Studio")
    app.setOrganizationName("TalkFace")
    app.setDesktopFileName("io.talkface.Studio")  # Wayland/X11 match the window to the installed .desktop
    app.setWindowIcon(app_icon())
    apply_theme(app)
    window = MainWindow()
    window.show()
    if window.offer_untitled_recovery():
        if project_path:  # the restored work is unsaved: opening would ask to save it first
            window.status.showMessage(f"Restored an unsaved project; {project_path} was not opened.", 10000)
    elif project_path:
        window.open_project(project_path, ask_save=False)
    return app.exec()
