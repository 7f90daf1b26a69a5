"""File handling of the main window: new/open/save, import of media, export, drag-and-drop,
recent projects, autosave and crash recovery. A mixin so MainWindow stays readable."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from talkface_studio.core import project_file
from talkface_studio.core.commands import AddTake, SetMedia
from talkface_studio.core.errors import TalkFaceError
from talkface_studio.core.project import Project
from talkface_studio.core.protected_files import ProtectedFiles
from talkface_studio.core.take import Take
from talkface_studio.core.timebase import FrameRate

from . import save_conflict, untitled_recovery, workers
from .export_dialog import ExportDialog
from .render_jobs import RenderSpec

AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".ogg", ".m4a", ".aac", ".aif", ".aiff"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}
MAX_RECENT = 10
DEFAULT_RATE = FrameRate(24)


class ProjectFileMixin:
    # -- helpers ---------------------------------------------------------------------------------
    def resolve(self, path) -> Path | None:
        if path is None:
            return None
        path = Path(path)
        if not path.is_absolute() and self.document.path is not None:
            path = self.document.path.parent / path
        return path

    def ask(self, title: str, text: str, buttons, default):
        """One place for questions, so tests can answer them (monkeypatch this method)."""
        return QMessageBox.question(self, title, text, buttons, default)

    def fail(self, title: str, exc: Exception) -> None:
        self.show_error(f"{title}: {exc}")
        if not self.synchronous:
            QMessageBox.warning(self, title, str(exc))

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current project (saved, discarded, or clean)."""
        if not self.document.dirty:
            self.untitled.discard()  # a clean Untitled project has nothing to recover
            return True
        answer = self.ask("Unsaved changes", f"Save changes to {self.document.name}?",
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        if answer == QMessageBox.Save:
            return self.save()
        if answer == QMessageBox.Discard:
            self._drop_autosave()  # else the next open offers to "recover" what was just discarded
            return True
        return False

    def _drop_autosave(self) -> None:
        self.autosave_timer.stop()
        self.untitled.discard()
        if self.document.path is not None:
            try:
                project_file.autosave_path(self.document.path).unlink(missing_ok=True)
            except OSError:
                pass  # only ever offered while newer than the project

    # -- new / open / save -----------------------------------------------------------------------
    def new_project(self) -> None:
        if self.maybe_save():
            self.document.set_project(Project(), None)

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open project", str(self._last_dir()), "Projects (*.tfs)")
        if path:
            self.open_project(path, ask_save=False)

    def open_project(self, path, ask_save: bool = True) -> bool:
        if ask_save and not self.maybe_save():
            return False
        path = Path(path)
        try:
            recovery = project_file.find_recovery(path)
            if recovery is not None and self.ask(
                    "Recover unsaved work?",
                    f"{path.name} has autosaved changes newer than the saved file (the app may have "
                    "closed unexpectedly).\n\nRestore them?",
                    QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes) == QMessageBox.Yes:
                project = project_file.load_project(recovery, as_path=path)
                self.document.set_project(project, path, dirty=True)
            else:
                self.document.set_project(project_file.load_project(path), path)
        except TalkFaceError as exc:
            self.fail("Cannot open project", exc)
            return False
        self._add_recent(path)
        return True

    def open_demo(self) -> None:
        if not self.maybe_save():
            return
        from talkface_studio.pipeline.demo_project import build_demo_project

        folder = Path(tempfile.mkdtemp(prefix="talkface-demo-"))
        self.take_status.busy("Building the demo project (analysing speech, fitting the portrait)…")
        workers.submit(self.pool, lambda progress, cancel: build_demo_project(folder),
                       on_done=lambda path: self.open_project(path, ask_save=False),
                       on_error=lambda msg, trace: self.fail("Cannot build the demo project", Exception(msg)),
                       synchronous=self.synchronous, parent=self)

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self.save_to(self.document.path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Save project", str(self._last_dir() / f"{self.document.name}.tfs"),
                                              "Projects (*.tfs)")
        return self.save_to(path) if path else False

    def save_to(self, path) -> bool:
        path = Path(path)
        if path.suffix != project_file.SUFFIX:
            path = path.with_suffix(project_file.SUFFIX)
        self.document.project.view = self.view_state()  # saved with it; not an edit (view_settings)
        try:
            project_file.save_project(self.document.project, path)
        except project_file.ProjectChangedError:
            return self._save_conflict(path)
        except (TalkFaceError, OSError) as exc:
            self.fail("Cannot save", exc)
            return False
        self._saved(path)
        return True

    def ask_choice(self, title: str, text: str, choices: list[str]) -> str | None:
        """A question with named answers (the chosen text, None for Cancel); tests replace this."""
        return save_conflict.ask_choice(self, title, text, choices)

    def _save_conflict(self, path: Path) -> bool:
        return save_conflict.resolve(self, path)

    def _saved(self, path: Path) -> None:
        self.document.mark_saved(path)
        self.untitled.discard()  # from now on it autosaves beside the project
        self._add_recent(path)
        self.status.showMessage(f"Saved {path}", 4000)

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
            self.show_error(f"Autosave failed: {exc}")

    def offer_untitled_recovery(self) -> bool:
        """At start: offer the newest Untitled project a crashed session left. True if restored."""
        for path in self.untitled.pending()[:1]:
            try:
                project = self.untitled.load(path)
            except TalkFaceError as exc:
                self.untitled.set_aside(path)
                self.fail("Cannot recover an unsaved project", exc)
                return False
            answer = self.ask(
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

    # -- media -----------------------------------------------------------------------------------
    def import_audio_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import audio", str(self._last_dir()),
                                              "Audio (" + " ".join(f"*{s}" for s in sorted(AUDIO_SUFFIXES)) + ")")
        if path:
            self.import_audio(path)

    def new_take_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "New take from audio", str(self._last_dir()),
                                              "Audio (" + " ".join(f"*{s}" for s in sorted(AUDIO_SUFFIXES)) + ")")
        if path:
            self.import_audio(path, new_take=True)

    def _free_take_name(self, stem: str) -> str:
        names, name, i = set(self.document.project.take_names()), stem or "take", 2
        while name in names:
            name, i = f"{stem}_{i}", i + 1
        return name

    def import_audio(self, path, new_take: bool = False) -> None:
        """Measure the audio in a worker, then point the current take at it (or start a take).
        `new_take` adds a take named after the file, with the current take's portrait and rate."""
        path = Path(path).absolute()
        self.take_status.busy(f"Reading {path.name}…")

        def work(progress, cancel):
            from talkface_studio.audio.loading import load_audio

            return load_audio(path).duration

        def done(duration):
            take = self.document.take
            rate = take.rate if take else DEFAULT_RATE
            n_frames = rate.frames_in(duration)
            try:
                if take is None or new_take:
                    name = "take1" if take is None else self._free_take_name(path.stem)
                    portrait = take.portrait_path if take is not None else None
                    self.document.push(AddTake(Take(name, path, portrait, rate, n_frames)))
                    self.document.set_current_take(name)
                else:
                    self.document.push(SetMedia(take.name, audio_path=path, n_frames=n_frames))
            except TalkFaceError as exc:
                self.viewer.set_busy(None)
                self.fail("Cannot import audio", exc)
                return
            self.peaks.pop(str(path), None)
            self._on_replaced()

        def failed(message, _trace):
            self.viewer.clear(f"Could not read {path.name}: {message}")
            self.fail("Cannot import audio", Exception(message))

        workers.submit(self.pool, work, on_done=done, on_error=failed, synchronous=self.synchronous, parent=self)

    def import_portrait_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import portrait", str(self._last_dir()),
                                              "Images (" + " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES)) + ")")
        if path:
            self.import_portrait(path)

    def import_portrait(self, path) -> None:
        """Fit the face in a worker; only a portrait with a usable face replaces the take's (one
        undo step, with the fit stored so the preview does not fit it again)."""
        take = self.document.take
        if take is None:
            self.show_error("Import the audio first: a take is as long as its dialogue.")
            return
        path, name = Path(path).absolute(), take.name
        folder = self.document.path.parent if self.document.path is not None else None
        self.take_status.busy(f"Fitting the face in {path.name}…")

        def work(progress, cancel):
            from talkface_studio.face.portrait import fit_portrait

            return fit_portrait(path).to_json(relative_to=folder)

        def done(fit):
            if name not in self.document.project.take_names():
                self.viewer.set_busy(None)
                return  # the take went away while the face was being fitted
            try:
                self.document.push(SetMedia(name, portrait_path=path, portrait_fit=fit))
            except TalkFaceError as exc:
                self.viewer.set_busy(None)
                self.fail("Cannot import portrait", exc)

        def failed(message, _trace):
            self.fail("Cannot import portrait", Exception(message))
            if self.document.take is not None:  # back to the take's own preview, or what it lacks
                self.take_status.show_preparing(self.document.take)
                self.schedule_preview()
            else:
                self.viewer.set_busy(None)

        workers.submit(self.pool, work, on_done=done, on_error=failed, synchronous=self.synchronous, parent=self)

    # -- export ----------------------------------------------------------------------------------
    def export_dialog(self) -> None:
        take = self.document.take
        if take is None:
            self.show_error("Nothing to export yet.")
            return
        has_range = self.session.in_frame is not None or self.session.out_frame is not None
        fit = take.portrait_fit or {}
        photo = tuple(fit["source_size"]) if isinstance(fit.get("source_size"), list) else None
        dialog = ExportDialog(self._last_dir(), take.name, has_range, self, photo_size=photo)
        if dialog.exec():
            c = dialog.choices()
            self.queue_render(c["output"], kind=c["kind"], size=c["size"], use_range=c["range"],
                              plate=c.get("plate", False), alpha=c.get("alpha", False),
                              image_format=c.get("image_format", "png"))

    def queue_render(self, output, kind: str = "video", size: int = 512, use_range: bool = False, device="auto",
                     plate: bool = False, alpha: bool = False, image_format: str = "png"):
        take = self.document.take
        start, stop = self.session.play_range() if use_range else (0, take.n_frames)
        guard = ProtectedFiles.of_project(self.document.project, self.document.path)
        spec = RenderSpec(take.copy(), self.document.path, start, stop, Path(output), kind, size, device,
                          protected=guard, plate=plate, alpha=alpha, image_format=image_format)
        self.docks["queue"].raise_()
        return self.render_queue.add(spec)

    # -- drag and drop ---------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        for url in event.mimeData().urls():
            self.open_dropped(url.toLocalFile())
        event.acceptProposedAction()

    def open_dropped(self, path: str) -> None:
        suffix = Path(path).suffix.lower()
        if suffix == project_file.SUFFIX:
            self.open_project(path)
        elif suffix in AUDIO_SUFFIXES:
            self.import_audio(path)
        elif suffix in IMAGE_SUFFIXES:
            self.import_portrait(path)
        else:
            self.show_error(f"{path}: not an audio file, an image or a .tfs project")

    # -- recent projects and closing -------------------------------------------------------------
    def recent_projects(self) -> list[str]:
        value = self.settings.value("recent", []) or []
        return [value] if isinstance(value, str) else list(value)

    def _add_recent(self, path) -> None:
        p = str(Path(path).absolute())
        recent = [p] + [r for r in self.recent_projects() if r != p]
        self.settings.setValue("recent", recent[:MAX_RECENT])
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        recent = [r for r in self.recent_projects() if Path(r).exists()]
        self.welcome.set_recent(recent)
        self.recent_menu.clear()
        for r in recent:
            self.recent_menu.addAction(r, lambda p=r: self.open_project(p))
        self.recent_menu.setEnabled(bool(recent))

    def _last_dir(self) -> Path:
        if self.document.path is not None:
            return self.document.path.parent
        recent = self.recent_projects()
        return Path(recent[0]).parent if recent else Path.home()

    def closeEvent(self, event) -> None:
        # An exception escaping closeEvent crashes PySide; never let one out.
        try:
            self._close(event)
        except Exception:  # noqa: BLE001
            import traceback

            traceback.print_exc()
            event.accept()

    def _close(self, event) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        if self.render_queue.busy():
            if self.ask("Renders running", "Cancel the running renders and quit?",
                        QMessageBox.Yes | QMessageBox.No, QMessageBox.No) != QMessageBox.Yes:
                event.ignore()
                return
            self.render_queue.cancel_all()
        self.playback.stop()
        self.save_layout()
        event.accept()
