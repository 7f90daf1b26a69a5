"""Take > Script...: the words spoken in a take, which lip sync aligns to the recording.

A text box with the take's script; for an English recording, "Draft from Audio" fills it with the
words pocketsphinx recognizes (``audio.draft_script``, in the background, cancellable) for the artist
to read and correct, and "Load…" with a text or subtitle file's words (``core.script_files``). OK
hands the text back; the caller applies it as one undoable edit (``take_actions.edit_take_script``).
"""

from __future__ import annotations

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel, QPlainTextEdit,
                               QPushButton, QVBoxLayout)

from talkface_studio.core.script_files import SUFFIXES
from talkface_studio.ui.workers import submit

FILE_FILTER = "Scripts and subtitles (" + " ".join(f"*{s}" for s in SUFFIXES) + ")"  # the file dialogs' filter
EXPLAIN = ("The words spoken in this take. Lip sync aligns them to the recording, so lips close on "
           "p, b and m where they are said; without a script the speech is recognized, less "
           "exactly. Generate afterwards to redo the lip sync.")


class ScriptDialog(QDialog):
    def __init__(self, parent, take: str, text: str | None, audio, language: str, synchronous: bool = False,
                 channel: int | None = None, duration_s: float | None = None):
        from talkface_studio.audio.draft_script import can_draft
        from talkface_studio.audio.languages import language_name

        super().__init__(parent)
        self.setWindowTitle(f"Script of take {take}")
        self.audio, self.language, self.synchronous, self.channel = audio, language, synchronous, channel
        self.duration_s = duration_s  # the recording's length: subtitle cues after it are left out
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._task = None
        self._delete_when_idle = False
        explain = QLabel(EXPLAIN)
        explain.setWordWrap(True)
        self.editor = QPlainTextEdit(text or "")
        self.editor.setPlaceholderText("Type or paste the words spoken...")
        self.draft_button = QPushButton("Draft from Audio")
        self.draft_button.clicked.connect(self.draft)
        self.cancel_button = QPushButton("Stop")
        self.cancel_button.clicked.connect(self.stop_draft)
        self.cancel_button.hide()
        self.load_button = QPushButton("Load…")
        self.load_button.setToolTip("Fill the text from a text file or subtitles (.srt, .vtt, .ass): their "
                                    "dialogue, without timecodes, styling or sounds; replaces the text above")
        self.load_button.clicked.connect(lambda: self.load())
        self.state = QLabel()
        if audio is None:
            self._disable_draft("the take has no recording")
        elif not can_draft(language):
            self._disable_draft(f"drafting recognizes English only; type the {language_name(language)} script")
        else:
            self.draft_button.setToolTip("Recognize the words of the recording (English) as a draft to correct; "
                                         "replaces the text above")
        row = QHBoxLayout()
        for w in (self.load_button, self.draft_button, self.cancel_button, self.state):
            row.addWidget(w)
        row.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.editor, 1)
        layout.addLayout(row)
        layout.addWidget(self.buttons)
        self.resize(620, 360)

    def _disable_draft(self, why: str) -> None:
        why = why[0].upper() + why[1:]
        self.draft_button.setEnabled(False)
        self.draft_button.setToolTip(why)
        self.state.setText(why)

    def text(self) -> str:
        return self.editor.toPlainText()

    def load(self, path=None) -> bool:
        """Replace the text with a script file's words (asked for when `path` is None)."""
        from talkface_studio.core.errors import TalkFaceError
        from talkface_studio.core.script_files import read_script_file

        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Load script", "", FILE_FILTER + ";;All files (*)")
            if not path:
                return False
        try:
            read = read_script_file(path, self.duration_s)
        except TalkFaceError as exc:
            self.state.setText(f"Could not load: {exc}")
            return False
        self.editor.setPlainText(read.text)
        left = f"; {read.outside} after the recording's end left out" if read.outside else ""
        self.state.setText(f"{read.cues} subtitle cue(s) loaded{left}" if read.cues else "Loaded")
        return True

    def draft(self) -> None:
        from talkface_studio.audio.draft_script import draft_script

        audio, language, channel = self.audio, self.language, self.channel
        self.draft_button.setEnabled(False)
        self.cancel_button.show()
        self.state.setText("Recognizing the words...")
        self._task = submit(self._pool,
                            lambda progress, cancel: draft_script(audio, language, progress, cancel, channel),
                            on_done=self._drafted, on_error=self._failed, on_progress=self._progress,
                            on_cancel=self._stopped, synchronous=self.synchronous, parent=self)

    def _progress(self, done: int, total: int) -> None:
        self.state.setText(f"Recognizing the words... {100 * done // max(total, 1)} %")

    def _drafted(self, text: str) -> None:
        self._finish()
        if not text:
            self.state.setText("No words were recognized: type the script")
            return
        self.editor.setPlainText(text)
        self.state.setText("Draft: read it and correct what was misheard")

    def _failed(self, message: str, _trace: str) -> None:
        self._finish()
        self.state.setText(f"Could not draft: {message}")

    def _stopped(self) -> None:
        self._finish()
        self.state.setText("Stopped")

    def stop_draft(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def _finish(self) -> None:
        self._task = None
        self.cancel_button.hide()
        self.draft_button.setEnabled(True)
        if self._delete_when_idle:
            self.deleteLater()

    def dispose(self) -> None:
        """Delete the dialog once no draft runs (closed mid-draft, it waits hidden for the stop,
        which comes between pieces, instead of freezing the window until then)."""
        if self._task is None:
            self.deleteLater()
        else:
            self._delete_when_idle = True

    def done(self, result: int) -> None:
        self.stop_draft()               # closing while drafting stops the recognition between pieces
        super().done(result)


def ask_script(window, take: str, text: str | None, audio, language: str, channel: int | None = None) -> str | None:
    """The edited script, or None when the dialog was cancelled (Prompts.ask_script)."""
    t = window.document.project.take(take)
    dialog = ScriptDialog(window, take, text, audio, language, window.synchronous, channel,
                          t.n_frames / t.rate.fps)
    try:
        return dialog.text() if dialog.exec() == QDialog.Accepted else None
    finally:
        dialog.dispose()
