"""The open document: a core Project, its file path, and the core UndoStack its edits go through.

Every edit reaches the model as a core command through the core's one undo stack
(core.undo.UndoStack.edit, which also applies the document's rules, such as the expression curves
following an emotion edit); a refused edit raises a TalkFaceError the caller can show. A drag uses
`live`/`finish_live` (core.live_edits): the model follows the mouse and exactly one undo step is
recorded at release. Qt only shows the stack (ui.undo_adapter) and relays its changes as signals.
"""

from __future__ import annotations

import copy
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from talkface_studio.core.live_edits import LiveEdits
from talkface_studio.core.media_paths import resolve_media
from talkface_studio.core.project import Change, Project
from talkface_studio.core.undo import UndoStack


class Document(QObject):
    changed = Signal(object)  # core.project.Change, emitted on the GUI thread after each edit
    replaced = Signal()  # a different project (new/open/restore): rebuild every view
    title_changed = Signal()  # also when the undo stack reaches or leaves the saved state
    history_changed = Signal()  # the undo stack changed (a step pushed, undone, redone, cleared)
    saved = Signal(str)

    def __init__(self, project: Project | None = None, path: str | Path | None = None, parent=None):
        super().__init__(parent)
        self.project: Project = project or Project()
        self.undo_stack = UndoStack(self.project)  # the one undo history (core); Qt only shows it
        self._clean = True
        self.undo_stack.changed.append(self._on_history)
        self.path: Path | None = Path(path) if path is not None else None
        self.current_take: str | None = None
        self._live = LiveEdits(self.undo_stack)
        self._force_dirty = False  # a restored recovery file: differs from the file on disk
        self._saved_fits: list = []  # (take, portrait_fit) as last saved or opened; see dirty
        self._shown = None  # the shown take object, so a rename keeps showing it
        self._attach(self.project)

    def _on_history(self) -> None:
        self.history_changed.emit()
        if self.undo_stack.is_clean != self._clean:
            self._clean = self.undo_stack.is_clean
            self.title_changed.emit()

    # -- project lifecycle -------------------------------------------------------------------------
    def _attach(self, project: Project) -> None:
        self.project = project
        project.changed.append(self._on_change)
        names = project.take_names()
        if self.current_take not in names:
            self.current_take = names[0] if names else None
        self._remember_shown()
        self._saved_fits = self._fits()

    def set_project(self, project: Project, path: str | Path | None, dirty: bool = False) -> None:
        if self._on_change in self.project.changed:
            self.project.changed.remove(self._on_change)
        self._live.cancel()
        self.undo_stack.reset(project)
        self.current_take = None
        self.path = Path(path) if path is not None else None
        self._attach(project)
        self._force_dirty = dirty  # a restored recovery file differs from the project on disk
        self.replaced.emit()
        self.title_changed.emit()

    def _remember_shown(self) -> None:
        names = self.project.take_names()
        self._shown = self.project.take(self.current_take) if self.current_take in names else None

    def _on_change(self, change: Change) -> None:
        names = self.project.take_names()
        if change.kind == "takes" and self.current_take not in names and \
                any(t is self._shown for t in self.project.takes):
            self.current_take = self._shown.name  # renamed (or a rename undone): keep showing it
        elif change.kind == "takes" and self.current_take not in names:
            # the shown take was removed or renamed (or un-added by undo): show another one
            self.current_take = names[0] if names else None
            self._remember_shown()
            self.changed.emit(change)
            self.replaced.emit()
            return
        self.changed.emit(change)

    @property
    def take(self):
        if self.current_take is None or self.current_take not in self.project.take_names():
            return None
        return self.project.take(self.current_take)

    def set_current_take(self, name: str) -> None:
        self.current_take = name
        self._remember_shown()
        self.replaced.emit()

    def resolve(self, path) -> Path | None:
        """A take's media path as stored, resolved against the project file (core.media_paths)."""
        return resolve_media(path, self.path)

    @property
    def name(self) -> str:
        return self.path.stem if self.path else "Untitled"

    @property
    def dirty(self) -> bool:
        """Unsaved: the undo stack left its clean index, a recovery was restored, or a portrait fit
        stored outside the stack is not the saved one (an undo that drops it makes it clean again)."""
        if not self.undo_stack.is_clean or self._force_dirty:
            return True
        now, saved = self._fits(), self._saved_fits
        # fits are replaced, never changed in place: identity is enough, equality the fallback
        return len(now) != len(saved) or any(t is not s or (f is not g and f != g)
                                             for (t, f), (s, g) in zip(now, saved))

    def _fits(self) -> list:
        return [(t, t.portrait_fit) for t in self.project.takes if t.portrait_fit is not None]

    def window_title(self) -> str:
        return f"{self.name}{'*' if self.dirty else ''} — TalkFace Studio"

    def mark_saved(self, path: str | Path) -> None:
        self.path = Path(path)
        self._force_dirty = False
        self._saved_fits = self._fits()
        self.undo_stack.set_clean()
        self.saved.emit(str(path))
        self.title_changed.emit()

    def store_fit(self, take_name: str, portrait_path, fit_json) -> bool:
        """Keep a portrait fit computed by a worker so the next session does not fit again.

        A fit is derived data (the portrait's landmarks), not an edit: it is set outside the undo
        stack, so Undo never shows a step that changes nothing visible, and it only marks the
        document unsaved. Views are not told (none shows it). An undo that restores an older take
        state may drop it again; the workers then hand it back from their cache.
        """
        if take_name not in self.project.take_names() or fit_json is None:
            return False
        take = self.project.take(take_name)
        if take.portrait_path != portrait_path or take.portrait_fit == fit_json:
            return False
        take.portrait_fit = copy.deepcopy(fit_json)
        self.title_changed.emit()
        return True

    # -- edits -------------------------------------------------------------------------------------
    def push(self, commands, label: str | None = None, mergeable: bool = True):
        """Do one command (or a list done as one step) and record it. Raises what the core raises."""
        return self.undo_stack.edit(commands, label=label, merge=mergeable)

    def live(self, key, command) -> None:
        """One step of a drag: apply `command` now; later steps with the same key merge into the first."""
        self._live.step(key, command)

    def live_keys(self) -> list:
        return self._live.keys()

    def finish_live(self, label: str | None = None) -> None:
        """End the drag: one undo step holding every live command (nothing if it never moved)."""
        self._live.finish(label)

    def cancel_live(self) -> None:
        self._live.cancel()
