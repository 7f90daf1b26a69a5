"""Generation: the window's controller for Generate (Ctrl+G). Stage 1 runs in a worker on a copy of
the shown take; its result becomes one SetBase (edits kept) with the generation stamp of what it
was generated from, and how lip sync found the phones goes into the session (the ruler's marks),
the Render Queue log and the status bar."""

from __future__ import annotations

import dataclasses
from typing import Callable

from PySide6.QtCore import QObject, QThreadPool

from talkface_studio.core.commands import SetBase
from talkface_studio.pipeline import generation_stamp
from talkface_studio.pipeline.alignment_notes import can_draft, no_script_note, notice_lines
from talkface_studio.pipeline.take_compute import TakeCompute
from talkface_studio.ui import workers
from talkface_studio.ui.document import Document
from talkface_studio.ui.session import Session

from .prompts import Prompts


class Generation(QObject):
    def __init__(self, parent, document: Document, session: Session, compute: TakeCompute, prompts: Prompts,
                 log_line: Callable[[str], None], pool: QThreadPool, synchronous: bool = False):
        super().__init__(parent)
        self.parent_widget = parent
        self.document = document
        self.session = session
        self.compute = compute
        self.prompts = prompts
        self.log_line = log_line  # the Render Queue's log
        self.pool = pool
        self.synchronous = synchronous
        self.running = None  # the worker task while stage 1 runs
        # (take, stamp, length) just before a result is pushed, and (take) once its report is
        # announced: the lip-sync report lookup (alignment_reports) counts the inputs the take will
        # have as answered, so the change the push makes asks for nothing
        self.on_result: Callable[[str, str, int], None] = lambda name, stamp, n_frames: None
        self.on_announced: Callable[[str], None] = lambda name: None

    def generate(self) -> None:
        take = self.document.take
        if take is None or self.running is not None:
            return
        name, copy, path = self.document.current_take, take.copy(), self.document.path
        audio = self.document.resolve(take.audio_path)
        self.parent_widget.statusBar().showMessage(f"Generating {name}…")

        def work(progress, cancel):
            result = self.compute.generated_bases(copy, path)  # (bases, n_frames, alignment report, heard)
            # what was generated from: edits made meanwhile leave the take marked out of date
            return result, generation_stamp.generation_stamp(copy, audio, n_frames=result[1])

        def done(outcome):
            self.running = None
            (bases, n_frames, report, heard), stamp = outcome
            if name not in self.document.project.take_names():
                return  # the project changed under us
            current = self.document.project.take(name)
            self.on_result(name, stamp, n_frames)  # the report comes with the result: nothing to look up
            self.document.push(SetBase(name, bases, n_frames=n_frames if n_frames != current.n_frames else None,
                                       generation=dataclasses.replace(current.generation, stamp=stamp)))
            self.announce(name, report, current.rate, heard=heard)
            self.on_announced(name)

        def failed(message, trace):
            self.running = None
            self.prompts.fail("Generate failed", Exception(message))

        self.running = workers.submit(self.pool, work, on_done=done, on_error=failed,
                                      synchronous=self.synchronous, parent=self)
        if self.synchronous:
            self.running = None

    def announce(self, name: str, report, rate, opened: bool = False, heard=None) -> None:
        """After Generate (or, `opened`, when a generated take is opened or shown: the report of its
        last Generate, from ui.window.alignment_reports): the report into the session (the ruler
        marks follow), each notice into the log, a summary in the status bar."""
        self.session.set_alignment(name, report, heard)
        lines = notice_lines(name, report, rate)
        for line in lines:
            self.log_line(f"Lip sync: {line}")
        hint = " — marked on the timeline ruler (hover for why), listed in the Render Queue log" if lines else ""
        head = f"{name} as last generated." if opened else f"Generated {name}; edits kept."
        take = self.document.project.take(name) if name in self.document.project.take_names() else None
        tail = ""
        if take is not None and no_script_note(take):  # the exact path is a script away
            tail = (" A script places every p, b and m: Take > Script… drafts one from the audio or loads "
                    "subtitles" if can_draft(take) else
                    " A script places every p, b and m: type it or load subtitles in Take > Script…") + "."
        self.parent_widget.statusBar().showMessage(
            f"{head} Lip sync: {report.summary()}{hint}.{tail}", 15000 if lines or tail else 5000)
