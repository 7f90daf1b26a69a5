"""Exports: the window's controller for Export (Ctrl+E): the dialog, then one render-queue entry
for a copy of the shown take (the whole take or the in/out range). What the entry does is the
pipeline's (pipeline.render_jobs), the same snapshot the preview and `render` use."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QWidget

from talkface_studio.core.protected_files import ProtectedFiles
from talkface_studio.pipeline.render_jobs import RenderSpec
from talkface_studio.ui.document import Document
from talkface_studio.ui.panels.render_queue import RenderQueue
from talkface_studio.ui.session import Session

from .export_dialog import ExportDialog
from .prompts import Prompts


class Exports:
    def __init__(self, parent: QWidget, document: Document, session: Session, queue: RenderQueue, prompts: Prompts,
                 last_dir: Callable[[], Path], show_queue: Callable[[], None]):
        self.parent_widget = parent
        self.document = document
        self.session = session
        self.queue = queue
        self.prompts = prompts
        self.last_dir = last_dir
        self.show_queue = show_queue  # raise the Render Queue dock

    def export_dialog(self) -> None:
        take = self.document.take
        if take is None:
            self.prompts.show_error("Nothing to export yet.")
            return
        has_range = self.session.in_frame is not None or self.session.out_frame is not None
        fit = take.portrait_fit or {}
        photo = tuple(fit["source_size"]) if isinstance(fit.get("source_size"), list) else None
        dialog = ExportDialog(self.last_dir(), take.name, has_range, self.parent_widget, photo_size=photo)
        if dialog.exec():
            c = dialog.choices()
            self.queue_render(c["output"], kind=c["kind"], size=c["size"], use_range=c["range"],
                              plate=c["plate"], alpha=c["alpha"], image_format=c["image_format"], hold=c["hold"])

    def queue_render(self, output, kind: str = "video", size: int = 512, use_range: bool = False, device="auto",
                     plate: bool = False, alpha: bool = False, image_format: str = "png", hold: int = 1):
        take = self.document.take
        start, stop = self.session.play_range() if use_range else (0, take.n_frames)
        guard = ProtectedFiles.of_project(self.document.project, self.document.path)
        spec = RenderSpec(take.copy(), self.document.path, start, stop, Path(output), kind, size, device,
                          protected=guard, plate=plate, alpha=alpha, image_format=image_format, hold=hold)
        self.show_queue()
        return self.queue.add(spec)
