"""run_app: the `talkface-studio` GUI entry point (no subcommand, or a project path)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from talkface_studio.ui.window.help_dialogs import app_icon
from talkface_studio.ui.window.dock_layout import fit_to_screen
from talkface_studio.ui.window.main_window import MainWindow

from .theme import apply_theme


def install_error_dialog() -> None:
    """An exception escaping a slot on the GUI thread (PySide prints it and goes on) becomes a crash
    log and a dialog with one line; the work of the session stays open and can be saved."""
    from PySide6.QtWidgets import QMessageBox

    from .workers import failure_message

    def hook(kind, exc, tb):
        if issubclass(kind, KeyboardInterrupt):
            return sys.__excepthook__(kind, exc, tb)
        exc.__traceback__ = tb
        message = failure_message(exc)
        print(f"talkface-studio: {message}", file=sys.stderr)
        QMessageBox.critical(QApplication.activeWindow(), "Something went wrong", message)

    sys.excepthook = hook


def run_app(project_path: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("TalkFace Studio")
    app.setOrganizationName("TalkFace")
    app.setDesktopFileName("io.talkface.Studio")  # Wayland/X11 match the window to the installed .desktop
    app.setWindowIcon(app_icon())
    apply_theme(app)
    install_error_dialog()
    window = MainWindow()
    if not window.dock_layout.restored_geometry:
        fit_to_screen(window)
    window.show()
    if window.files.offer_untitled_recovery():
        if project_path:  # the restored work is unsaved: opening would ask to save it first
            window.status.showMessage(f"Restored an unsaved project; {project_path} was not opened.", 10000)
    elif project_path:
        window.files.open_project(project_path, ask_save=False)
    return app.exec()
