"""ProjectFiles: the window's project file controller: new, open, save, Save As, autosave, crash
recovery (the project's `.autosave` and Untitled projects' recovery files) and recent projects.

Owned by the MainWindow, which hands it what it uses (the document, the user settings, the prompts,
the worker pool); the window connects its signals to the views (`recent_changed`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QSettings, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from talkface_studio.core import project_file, untitled_recovery
from talkface_studio.core.errors import TalkFaceError
from talkface_studio.core.project import Project
from talkface_studio.core.untitled_recovery import UntitledRecovery
from talkface_studio.ui import workers
from talkface_studio.ui.document import Document

from . import save_conflict
from .prompts import Prompts

MAX_RECENT = 10
AUTOSAVE_DELAY_MS = 4000


class ProjectFiles(QObject):
    recent_changed = Signal(list)  # existing recent project paths, newest first

    def __init__(self, parent: QWidget, document: Document, settings: QSettings, prompts: Prompts,
                 untitled: UntitledRecovery, pool: QThreadPool, view_state: Callable[[], dict],
                 busy: Callable[[str], None], synchronous: bool = False):
        super().__init__(parent)
        self.parent_widget = parent  # dialogs are modal to it
        self.document = document
        self.settings = settings
        self.prompts = prompts
        self.untitled = untitled  # autosaves of a project never saved under a name
        self.pool = pool
        self.view_state = view_state  # how the project is looked at, saved with it (view_settings)
        self.busy = busy  # say in the viewer what a long step waits for
        self.synchronous = synchronous
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.setInterval(AUTOSAVE_DELAY_MS)
        self.autosave_timer.timeout.connect(self.autosave_now)

    def schedule_autosave(self) -> None:
        """An edit: autosave a few seconds after the last one (Untitled projects too)."""
        self.autosave_timer.start()

    # -- dropping the current project ---------------------------------------------------------------
    def maybe_save(self) -> bool:
        """True when it is fine to drop the current project (saved, discarded, or clean)."""
        if not self.document.dirty:
            self.untitled.discard()  # a clean Untitled project has nothing to recover
            return True
        answer = self.prompts.ask("Unsaved changes", f"Save changes to {self.document.name}?",
                                  QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        if answer == QMessageBox.Save:
            return self.save()
        if answer == QMessageBox.Discard:
            self.drop_autosave()  # else the next open offers to "recover" what was just discarded
            return True
        return False

    def drop_autosave(self) -> None:
        """Forget the current project's autosave (discarded work is not offered again)."""
        self.autosave_timer.stop()
        self.untitled.discard()
        if self.document.path is not None:
            try:
                project_file.autosave_path(self.document.path).unlink(missing_ok=True)
            except OSError:
                pass  # only ever offered while newer than the project

    # -- new / open / save -------------------------------------------------------------------------
    def new_project(self) -> None:
        if self.maybe_save():
            self.document.set_project(Project(), None)

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self.parent_widget, "Open project", str(self.last_dir()),
                                              "Projects (*.tfs)")
        if path:
            self.open_project(path, ask_save=False)

    def open_project(self, path, ask_save: bool = True) -> bool:
        if ask_save and not self.maybe_save():
            return False
        path = Path(path)
        try:
            recovery = project_file.find_recovery(path)
            if recovery is not None and self.prompts.ask(
                    "Recover unsaved work?",
                    f"{path.name} has autosaved changes newer than the saved file (the app may have "
                    "closed unexpectedly).\n\nRestore them?",
                    QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes) == QMessageBox.Yes:
                project = project_file.load_project(recovery, as_path=path)
                self.document.set_project(project, path, dirty=True)
            else:
                self.document.set_project(project_file.load_project(path), path)
        except TalkFaceError as exc:
            self.prompts.fail("Cannot open project", exc)
            return False
        self.add_recent(path)
        return True

    def open_demo(self) -> None:
        if not self.maybe_save():
            return
        from talkface_studio.pipeline.demo_project import build_demo_project

        folder = Path(tempfile.mkdtemp(prefix="talkface-demo-"))
        self.busy("Building the demo project (analysing speech, fitting the portrait)…")
        workers.submit(self.pool, lambda progress, cancel: build_demo_project(folder),
                       on_done=lambda path: self.open_project(path, ask_save=False),
                       on_error=lambda msg, trace: self.prompts.fail("Cannot build the demo project", Exception(msg)),
                       synchronous=self.synchronous, parent=self)

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self.save_to(self.document.path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self.parent_widget, "Save project",
                                              str(self.last_dir() / f"{self.document.name}.tfs"), "Projects (*.tfs)")
        return self.save_to(path) if path else False

    def save_to(self, path) -> bool:
        path = Path(path)
        if path.suffix != project_file.SUFFIX:
            path = path.with_suffix(project_file.SUFFIX)
        self.document.project.view = self.view_state()  # saved with it; not an edit (view_settings)
        try:
            project_file.save_project(self.document.project, path)
        except project_file.ProjectChangedError:
            return save_conflict.resolve(self, path)
        except (TalkFaceError, OSError) as exc:
            self.prompts.fail("Cannot save", exc)
            return False
        self._saved(path)
        return True

    def _saved(self, path: Path) -> None:
        self.document.mark_saved(path)
        self.untitled.discard()  # from now on it autosaves beside the project
        self.add_recent(path)
        self.parent_widget.statusBar().showMessage(f"Saved {path}", 4000)

    def autosave_now(self) -> None:
        self.document.project.view = self.view_state()
        try:
            if self.document.path is None:  # Untitled: into the app's recovery folder
                if self.document.dirty:
                    self.untitled.write(self.document.project)
                else:
                    self.untitled.discard()  # undone back to the empty start
            elif self.document.dirty:
                project_file.autosave(self.document.project)
        except (TalkFaceError, OSError) as exc:
            self.prompts.show_error(f"Autosave failed: {exc}")

    def offer_untitled_recovery(self) -> bool:
        """At start: offer the newest Untitled project a crashed session left. True if restored."""
        for path in self.untitled.pending()[:1]:
            try:
                project = self.untitled.load(path)
            except TalkFaceError as exc:
                self.untitled.set_aside(path)
                self.prompts.fail("Cannot recover an unsaved project", exc)
                return False
            answer = self.prompts.ask(
                "Recover unsaved work?",
                "An Untitled project was not saved when TalkFace Studio last closed "
                f"({untitled_recovery.describe(path, project)}).\n\nRestore it? "
                "Discard deletes it; Cancel keeps it for the next start.",
                QMessageBox.Yes | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Yes)
            if answer == QMessageBox.Yes:
                self.document.set_project(project, None, dirty=True)
                self.untitled.adopt(path)
                return True
            if answer == QMessageBox.Discard:
                path.unlink(missing_ok=True)
        return False

    # -- recent projects ---------------------------------------------------------------------------
    def recent_projects(self) -> list[str]:
        value = self.settings.value("recent", []) or []
        return [value] if isinstance(value, str) else list(value)

    def add_recent(self, path) -> None:
        p = str(Path(path).absolute())
        recent = [p] + [r for r in self.recent_projects() if r != p]
        self.settings.setValue("recent", recent[:MAX_RECENT])
        self.refresh_recent()

    def refresh_recent(self) -> None:
        self.recent_changed.emit([r for r in self.recent_projects() if Path(r).exists()])

    def last_dir(self) -> Path:
        """Where file dialogs start: the project's folder, else the last project's, else home."""
        if self.document.path is not None:
            return self.document.path.parent
        recent = self.recent_projects()
        return Path(recent[0]).parent if recent else Path.home()
