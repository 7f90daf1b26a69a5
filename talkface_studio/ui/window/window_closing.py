"""Closing the window: the unsaved project is offered for saving, running renders are cancelled
only when the artist agrees, the dock layout is remembered, and every worker thread is let finish
before Qt destroys its pool."""

from __future__ import annotations

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QMessageBox


def close(window, event) -> None:
    """`window` is the MainWindow; `event` its QCloseEvent, accepted or ignored here."""
    if not window.files.maybe_save():
        event.ignore()
        return
    if window.render_queue.busy():
        if window.prompts.ask("Renders running", "Cancel the running renders and quit?",
                              QMessageBox.Yes | QMessageBox.No, QMessageBox.No) != QMessageBox.Yes:
            event.ignore()
            return
        window.render_queue.cancel_all()
    window.playback.stop()
    window.save_layout()
    window.drain_workers()
    event.accept()


def drain(pools: list[QThreadPool | None]) -> None:
    """A QThreadPool's destructor waits for its threads while the deleting thread holds Python's
    lock, and a worker still running Python (a preview preparing a portrait) needs that lock: the
    app would hang on close. Waiting here, from Python, releases it."""
    for pool in pools:
        if pool is not None:
            pool.clear()  # queued work never starts
    for pool in pools:
        if pool is not None:
            pool.waitForDone()
