"""The lip-sync report of generated takes without Generate: when a project opens, when another take
is shown, and when a take's script, language or recording changes (an edit, its undo or redo).

The report is derived data (session state, never saved): a worker reads it from the analysis cache
(keyed by the recording's content, script, language and recognizer version), or runs the analysis
when the cache lacks it, off the GUI thread. It is shown only for a take generated from the
recording, script and language it has now (the lip-sync part of its generation stamp, which the
command line and render farms write too); otherwise its marks go, so none is ever stale.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QThreadPool

from talkface_studio.pipeline import generation_stamp
from talkface_studio.ui import workers
from talkface_studio.ui.document import Document
from talkface_studio.ui.session import Session


class AlignmentReports(QObject):
    def __init__(self, parent, document: Document, session: Session, cache, announce: Callable,
                 pool: QThreadPool, synchronous: bool = False):
        super().__init__(parent)
        self.document = document
        self.session = session
        self.cache = cache  # pipeline.take_cache.TakeCache: the same analysis Generate used
        self.announce = announce  # (name, report, rate, opened=True): marks, log and status line
        self.pool = pool
        self.synchronous = synchronous
        self._asked: dict[str, tuple] = {}  # take -> inputs last looked up (or being looked up)
        self._project = None  # the project whose takes were looked up
        self._told: tuple | None = None  # (take, inputs) whose report the status line gave last

    def _inputs(self, take, stamp: str | None = None, n_frames: int | None = None) -> tuple:
        """What decides a take's report and whether it is current (cheap: no file read). `stamp` and
        `n_frames` stand in for the take's own when Generate is about to set them."""
        g = take.generation
        return (str(self.document.resolve(take.audio_path)), g.transcript, take.language, take.audio_channel,
                take.n_frames if n_frames is None else int(n_frames), take.rate.to_json(),
                g.stamp if stamp is None else stamp, id(self.document.project))

    def shown(self) -> None:
        """A project was opened (every take), or the shown take or its inputs may have changed."""
        if self.document.project is not self._project:
            self.project_opened()
        else:
            self.refresh()

    def project_opened(self) -> None:
        """Every take of the opened project, the shown one first."""
        self._asked.clear()
        self._told = None
        self._project = self.document.project
        project, current = self.document.project, self.document.current_take
        names = project.take_names() if project is not None else []
        for name in sorted(names, key=lambda n: n != current):
            self.refresh(name)

    def answered(self, name: str, stamp: str, n_frames: int) -> None:
        """Generate is about to push its result for `name` (generated with `stamp`, `n_frames` long)
        and then announce the report that came with it: the inputs the take will have count as looked
        up (and, for the shown take, as told), so the change of that push asks for nothing.

        Not a flag to reset: what is recorded is those inputs. A push that fails (or never comes)
        leaves a take whose inputs differ, and its next change looks it up as usual; an undo and redo
        of Generate later are changes like any other."""
        take = self._take(name)
        if take is None:
            return
        inputs = self._inputs(take, stamp, n_frames)
        self._asked[name] = inputs
        if name == self.document.current_take:
            self._told = (name, inputs)  # the status line's next words are Generate's; a take not
            # shown leaves it alone, so the push does not make the shown take's line said again

    def generated(self, name: str) -> None:
        """Generate just announced the take's report: nothing to look up or say again."""
        take = self._take(name)
        if take is not None:
            self._asked[name] = self._inputs(take)
            self._told = (name, self._asked[name])

    def refresh(self, name: str | None = None) -> None:
        """Look the report of `name` (the shown take by default) up again if its inputs changed."""
        name = name if name is not None else self.document.current_take
        take = self._take(name)
        if take is None:
            return
        inputs = self._inputs(take)
        if self._asked.get(name) == inputs:
            if name == self.document.current_take and self._told != (name, inputs):  # shown again
                self._show(name, inputs, self.session.alignment.get(name), take.rate, self.session.heard_shapes(name))
            return
        self._asked[name] = inputs
        if take.generation.stamp is None:  # never generated: nothing to mark
            self._show(name, inputs, None, take.rate)
            return
        copy, project_path = take.copy(), self.document.path
        audio = self.document.resolve(take.audio_path)

        def work(progress, cancel):
            generation_stamp.audio_digest(audio)  # read once per file version (here, not on the GUI thread)
            if not generation_stamp.lipsync_current(copy, audio):
                return None  # generated from another script, language or recording: no stale marks
            return self.cache.lipsync(copy, project_path)  # (report, heard shapes)

        def failed(message, trace):  # the recording went missing, say: Generate will tell the user
            if self._asked.get(name) == inputs:
                self._show(name, inputs, None, copy.rate)

        workers.submit(self.pool, work, on_done=lambda found: self._arrived(name, inputs, found, copy.rate),
                       on_error=failed, synchronous=self.synchronous, parent=self)

    def _arrived(self, name: str, inputs: tuple, found, rate) -> None:
        """`found`: (report, heard shapes), or None for a take not generated from what it has now."""
        take = self._take(name)
        if take is None or self._inputs(take) != inputs:
            return  # edited (or another project) meanwhile: its own lookup is under way
        report, heard = found if found is not None else (None, None)
        self._show(name, inputs, report, rate, heard)

    def _show(self, name: str, inputs: tuple, report, rate, heard=None) -> None:
        if report is None:
            if self.session.alignment.get(name) is not None:
                self.session.set_alignment(name, None)
            if self._told is not None and self._told[0] == name:
                self._told = None
            return
        if name != self.document.current_take:
            self.session.set_alignment(name, report, heard)  # said when the take is shown
            return
        self._told = (name, inputs)
        self.announce(name, report, rate, opened=True, heard=heard)

    def _take(self, name: str | None):
        project = self.document.project
        if name is None or project is None or name not in project.take_names():
            return None
        return project.take(name)
