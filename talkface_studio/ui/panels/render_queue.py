"""RenderQueue: final-quality renders and exports in a background worker, one at a time, with
per-job progress, cancel, and errors shown in a dialog and kept in the log below the list."""

from __future__ import annotations

import time

from PySide6.QtCore import QThreadPool, Signal
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QMessageBox, QPlainTextEdit, QProgressBar, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from talkface_studio.pipeline.render_jobs import RenderSpec, run_spec
from talkface_studio.ui import workers


class RenderEntry:
    def __init__(self, spec: RenderSpec, row: int):
        self.spec, self.row = spec, row
        self.status = "queued"
        self.task: workers.Task | None = None
        self.started = 0.0
        self.result = None


class RenderQueue(QWidget):
    job_finished = Signal(object)  # RenderEntry, whatever its status

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.synchronous = False
        self.cache = None  # the session's pipeline TakeCache (fits, performances), shared with the preview
        self.entries: list[RenderEntry] = []
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["Job", "Progress", ""])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.Fixed)
        self.table.setColumnWidth(1, 150)
        self.table.setColumnWidth(2, 70)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.log = QPlainTextEdit(self)
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(2000)
        self.log.setPlaceholderText("Render log")
        self.log.setMaximumHeight(90)
        clear = QPushButton("Clear finished", self)
        clear.clicked.connect(self.clear_finished)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(clear)
        box = QVBoxLayout(self)
        box.setContentsMargins(2, 2, 2, 2)
        box.addWidget(self.table, 3)
        box.addWidget(self.log, 1)
        box.addLayout(row)
        self.show_dialogs = True

    def add(self, spec: RenderSpec) -> RenderEntry:
        row = self.table.rowCount()
        self.table.insertRow(row)
        entry = RenderEntry(spec, row)
        self.entries.append(entry)
        self.table.setItem(row, 0, QTableWidgetItem(spec.label))
        bar = QProgressBar(self.table)
        bar.setRange(0, max(1, spec.stop - spec.start))
        bar.setFormat("queued")
        self.table.setCellWidget(row, 1, bar)
        cancel = QPushButton("Cancel", self.table)
        cancel.clicked.connect(lambda: self.cancel(entry))
        self.table.setCellWidget(row, 2, cancel)
        self.log_line(f"queued {spec.label}")
        entry.task = workers.submit(
            self.pool, lambda progress, token: self._run(entry, progress, token),
            on_done=lambda result: self._done(entry, result),
            on_error=lambda msg, trace: self._failed(entry, msg, trace),
            on_progress=lambda done, total: self._progress(entry, done, total),
            on_cancel=lambda: self._cancelled(entry), synchronous=self.synchronous, parent=self)
        return entry

    def _run(self, entry, progress, token):
        token.check()  # cancelled while queued
        entry.started = time.monotonic()
        return run_spec(entry.spec, progress, token, cache=self.cache)

    def bar(self, entry) -> QProgressBar:
        return self.table.cellWidget(entry.row, 1)

    def _progress(self, entry, done, total) -> None:
        entry.status = "running"
        bar = self.bar(entry)
        bar.setRange(0, max(1, total))
        bar.setValue(done)
        bar.setFormat(f"{done}/{total}")

    def _finish(self, entry, status: str, text: str) -> None:
        entry.status = status
        self.bar(entry).setFormat(text)
        self.table.cellWidget(entry.row, 2).setEnabled(False)
        self.job_finished.emit(entry)

    def _done(self, entry, result) -> None:
        entry.result = result
        bar = self.bar(entry)
        bar.setValue(bar.maximum())
        self.log_line(f"done {entry.spec.label} in {time.monotonic() - entry.started:.1f} s")
        self._finish(entry, "done", "done")

    def _failed(self, entry, message: str, trace: str) -> None:
        self.log_line(f"FAILED {entry.spec.label}: {message}")
        self.log.appendPlainText(trace.rstrip())
        self._finish(entry, "failed", "failed")
        if self.show_dialogs:
            QMessageBox.critical(self, "Render failed", f"{entry.spec.label}\n\n{message}\n\n"
                                 "Nothing was written; the project is unchanged.")

    def _cancelled(self, entry) -> None:
        self.log_line(f"cancelled {entry.spec.label}")
        self._finish(entry, "cancelled", "cancelled")

    def cancel(self, entry) -> None:
        if entry.task is not None and entry.status in ("queued", "running"):
            entry.task.cancel()

    def cancel_all(self) -> None:
        for e in self.entries:
            self.cancel(e)

    def busy(self) -> bool:
        return any(e.status in ("queued", "running") for e in self.entries)

    def clear_finished(self) -> None:
        for e in reversed(self.entries):
            if e.status not in ("queued", "running"):
                self.table.removeRow(e.row)
                self.entries.remove(e)
        for i, e in enumerate(self.entries):
            e.row = i

    def log_line(self, text: str) -> None:
        self.log.appendPlainText(f"{time.strftime('%H:%M:%S')}  {text}")
