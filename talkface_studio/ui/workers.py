"""Running a function off the GUI thread (superqt's thread_worker, reduced to what we need).

`submit(pool, fn, ...)` runs `fn(progress, cancel)` in a QThreadPool; results, errors and progress
come back as queued signals handled on the GUI thread. `synchronous=True` runs it inline, which
tests use to avoid waiting on threads (napari's slicer does the same).
"""

from __future__ import annotations

import os
import threading
import traceback

from PySide6.QtCore import QObject, QRunnable, Qt, Signal

from talkface_studio.pipeline.cancel import CancelToken, JobCancelled


class WorkerSignals(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str, str)  # one-line message, traceback (for the log)
    cancelled = Signal()


class _Runnable(QRunnable):
    def __init__(self, fn, signals: WorkerSignals, cancel: CancelToken):
        super().__init__()
        self.fn, self.signals, self.cancel = fn, signals, cancel
        self.setAutoDelete(True)

    def run(self) -> None:
        _yield_to_gui()
        execute(self.fn, self.signals, self.cancel)


WORKER_NICENESS = 8
_niced: set[int] = set()


def _yield_to_gui() -> None:
    """Lower this pool thread's CPU priority once (Linux: a thread's nice value is its own).

    On a busy machine the GUI thread then wins the cores (and so the GIL as soon as a worker's
    5 ms slice ends) whenever both want to run: the event loop stays responsive while stage 1 or a
    render keeps every core busy. Elsewhere this is a no-op.
    """
    tid = threading.get_native_id()
    if tid in _niced or not hasattr(os, "setpriority"):
        return
    _niced.add(tid)
    try:
        os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), WORKER_NICENESS))
    except OSError:
        pass


def execute(fn, signals: WorkerSignals, cancel: CancelToken) -> None:
    try:
        result = fn(lambda done, total: signals.progress.emit(int(done), int(total)), cancel)
    except JobCancelled:
        signals.cancelled.emit()
    except Exception as exc:  # noqa: BLE001 - every failure must reach the user, never kill the thread
        signals.failed.emit(failure_message(exc), traceback.format_exc())
    else:
        signals.finished.emit(result)


def failure_message(exc: BaseException) -> str:
    """One line for a dialog: the problem for bad input, or (a bug) a summary and the crash log's path."""
    from talkface_studio import crash_log
    from talkface_studio.core.errors import TalkFaceError

    if isinstance(exc, TalkFaceError):
        return " ".join(str(exc).split())
    if isinstance(exc, OSError) and exc.strerror:  # full disk, permissions: name the file
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    return crash_log.one_line(exc, "a background task of the app")


class Task(QObject):
    """A handle on submitted work: its signals and its cancel token."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.signals = WorkerSignals(self)
        self.cancel_token = CancelToken()

    def cancel(self) -> None:
        self.cancel_token.cancel()


def submit(pool, fn, on_done=None, on_error=None, on_progress=None, on_cancel=None,
           synchronous: bool = False, parent=None) -> Task:
    task = Task(parent)
    s = task.signals
    kind = Qt.DirectConnection if synchronous else Qt.QueuedConnection
    for signal, slot in ((s.finished, on_done), (s.failed, on_error), (s.progress, on_progress),
                         (s.cancelled, on_cancel)):
        if slot is not None:
            signal.connect(slot, kind)
    if synchronous:
        execute(fn, s, task.cancel_token)
    else:
        pool.start(_Runnable(fn, s, task.cancel_token))
    return task
