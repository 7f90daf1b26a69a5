"""Prompts: every question the window asks and every error it shows, in one object the window
owns, so the controllers share one way of asking and tests answer by replacing its methods
(`ask`, `ask_choice`, `ask_text`, `ask_language`, `ask_script`, `ask_face`,
`ask_language_switch`)."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QMessageBox

from . import save_conflict, take_actions


class Prompts:
    def __init__(self, window: QMainWindow, synchronous: bool = False):
        self.window = window
        self.synchronous = synchronous  # tests: errors go to the status bar only, no modal dialog

    def ask(self, title: str, text: str, buttons, default):
        """A yes/no/cancel question (QMessageBox buttons)."""
        return QMessageBox.question(self.window, title, text, buttons, default)

    def ask_choice(self, title: str, text: str, choices: list[str]) -> str | None:
        """A question with named answers (the chosen text, None for Cancel)."""
        return save_conflict.ask_choice(self.window, title, text, choices)

    def ask_text(self, current: str) -> str | None:
        """A take's new name."""
        return take_actions.ask_take_name(self.window, current)

    def ask_language(self, current: str) -> str | None:
        """A take's spoken language (a code from the supported list)."""
        return take_actions.ask_language(self.window, current)

    def ask_script(self, take: str, text: str | None, audio, language: str, channel: int | None = None) -> str | None:
        """A take's script, edited (None: cancelled); the dialog can draft it from English audio
        (its `channel` alone, where the take names one)."""
        from .script_dialog import ask_script

        return ask_script(self.window, take, text, audio, language, channel)

    def ask_language_switch(self, current_name: str, current: str, found_name: str, found: str) -> bool:
        """Set the take's language to the one its new script is written in? (No dialog in tests'
        synchronous windows: the status bar says it instead.)"""
        if self.synchronous:
            return False
        answer = QMessageBox.question(
            self.window, "Spoken language",
            f"The script looks {found_name} ({found}), but the take's language is {current_name} ({current}).\n"
            f"Lip sync reads the script in the take's language. Set it to {found_name}?",
            QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
        return answer == QMessageBox.Yes

    def ask_face(self, found: int, current: int) -> int | None:
        """Which of a photo's faces to animate, counted from the left (None: cancelled)."""
        return take_actions.ask_face(self.window, found, current)

    def show_error(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 8000)

    def fail(self, title: str, exc: Exception) -> None:
        """One line in the status bar, and a dialog (except in tests' synchronous windows)."""
        self.show_error(f"{title}: {exc}")
        if not self.synchronous:
            QMessageBox.warning(self.window, title, str(exc))
