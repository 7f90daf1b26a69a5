"""MediaImports: the window's controller for bringing media in: a recording (for the shown take or
a new take), a portrait (its face fitted first), and whatever is dropped on the window.

Decoding and fitting run in a worker; only a recording that decodes and a portrait with a usable
face reach the document, each as one undoable command. Owned by the MainWindow, which connects
`audio_imported` to the views that show the take's sound.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from talkface_studio.core import project_file
from talkface_studio.core.commands import AddTake, SetMedia
from talkface_studio.core.errors import TalkFaceError
from talkface_studio.core.take import Take
from talkface_studio.core.timebase import FrameRate
from talkface_studio.ui import workers
from talkface_studio.ui.document import Document

from .prompts import Prompts
from .take_status import TakeStatus

DROPPED_CUES = {".pgo", ".pg2", ".dat", ".tsv"}
AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".ogg", ".m4a", ".aac", ".aif", ".aiff"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}
DEFAULT_RATE = FrameRate(24)


def _filter(title: str, suffixes) -> str:
    return f"{title} (" + " ".join(f"*{s}" for s in sorted(suffixes)) + ")"


class MediaImports(QObject):
    audio_imported = Signal(str)  # the recording's path: the take it belongs to is shown again

    def __init__(self, parent: QWidget, document: Document, prompts: Prompts, status: TakeStatus,
                 pool: QThreadPool, last_dir: Callable[[], Path], open_project: Callable[[str], object],
                 schedule_preview: Callable[[], None], synchronous: bool = False):
        super().__init__(parent)
        self.parent_widget = parent
        self.document = document
        self.prompts = prompts
        self.status = status  # what the viewer says while a recording decodes or a face is fitted
        self.pool = pool
        self.last_dir = last_dir
        self.open_project = open_project  # a dropped .tfs
        self.schedule_preview = schedule_preview
        self.synchronous = synchronous

    # -- recordings --------------------------------------------------------------------------------
    def import_audio_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.parent_widget, "Import audio", str(self.last_dir()),
                                              _filter("Audio", AUDIO_SUFFIXES))
        if path:
            self.import_audio(path)

    def new_take_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.parent_widget, "New take from audio", str(self.last_dir()),
                                              _filter("Audio", AUDIO_SUFFIXES))
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
        self.status.busy(f"Reading {path.name}…")

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
                self.status.idle()
                self.prompts.fail("Cannot import audio", exc)
                return
            self.audio_imported.emit(str(path))

        def failed(message, _trace):
            self.status.say(f"Could not read {path.name}: {message}")
            self.prompts.fail("Cannot import audio", Exception(message))

        workers.submit(self.pool, work, on_done=done, on_error=failed, synchronous=self.synchronous, parent=self)

    # -- portraits ---------------------------------------------------------------------------------
    def import_portrait_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.parent_widget, "Import portrait", str(self.last_dir()),
                                              _filter("Images", IMAGE_SUFFIXES))
        if path:
            self.import_portrait(path)

    def import_portrait(self, path, face: int | None = None) -> None:
        """Fit the face in a worker; only a portrait with a usable face replaces the take's (one
        undo step, with the fit stored so the preview does not fit it again). ``face``: which of
        several, counted from the left (Take > Portrait Face...); None takes the largest."""
        take = self.document.take
        if take is None:
            self.prompts.show_error("Import the audio first: a take is as long as its dialogue.")
            return
        path, name = Path(path).absolute(), take.name
        folder = self.document.path.parent if self.document.path is not None else None
        self.status.busy(f"Fitting the face in {path.name}…")

        def work(progress, cancel):
            from talkface_studio.face.portrait import fit_portrait

            fit = fit_portrait(path, face=face)
            notes = fit.notes("Take ▸ Portrait Face… picks another")
            return fit.to_json(relative_to=folder), " · ".join(n[0].upper() + n[1:] for n in notes)

        def done(result):
            fit, said = result
            if name not in self.document.project.take_names():
                self.status.idle()
                return  # the take went away while the face was being fitted
            try:
                self.document.push(SetMedia(name, portrait_path=path, portrait_fit=fit))
            except TalkFaceError as exc:
                self.status.idle()
                self.prompts.fail("Cannot import portrait", exc)
                return
            if said:  # several faces; a small face in a large frame: usable, but worth knowing
                self.parent_widget.statusBar().showMessage(said, 15000)

        def failed(message, _trace):
            self.prompts.fail("Cannot import portrait", Exception(message))
            if self.document.take is not None:  # back to the take's own preview, or what it lacks
                self.status.show_preparing(self.document.take)
                self.schedule_preview()
            else:
                self.status.idle()

        workers.submit(self.pool, work, on_done=done, on_error=failed, synchronous=self.synchronous, parent=self)

    # -- drag and drop -----------------------------------------------------------------------------
    def open_dropped(self, path: str) -> None:
        from talkface_studio.core.script_files import SUBTITLE_SUFFIXES

        from . import deliverable_imports, take_actions

        suffix = Path(path).suffix.lower()
        if suffix == project_file.SUFFIX:
            self.open_project(path)
        elif suffix in AUDIO_SUFFIXES:
            self.import_audio(path)
        elif suffix in IMAGE_SUFFIXES:
            self.import_portrait(path)
        elif suffix in SUBTITLE_SUFFIXES:  # the dialogue as the take's script
            take_actions.script_from_file(self.parent_widget, path)
        elif suffix in DROPPED_CUES:  # unambiguous mouth-cue files (.json and .xml may be other things)
            deliverable_imports.import_mouth_cues(self.parent_widget, path)
        else:
            self.prompts.show_error(f"{path}: not an audio file, an image, subtitles, mouth cues (.pgo, .pg2, .dat, .tsv) "
                                    "or a .tfs project")
