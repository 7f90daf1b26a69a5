"""The open document: a core Project, its file path, and the QUndoStack its edits go through.

Every edit reaches the model as a core command. `push` runs it once outside Qt (so a refused edit
raises a TalkFaceError the caller can show, instead of vanishing inside QUndoCommand.redo) and then
records it. A drag uses `live`/`finish_live`: the model follows the mouse, the moves merge into
the first command with `merge_with`, and exactly one undo step is pushed at release.
"""

from __future__ import annotations

import copy
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from talkface_studio.core.project import Change, Project

from . import emotion_follow
from .undo_adapter import CommandAdapter


class Document(QObject):
    changed = Signal(object)  # core.project.Change, emitted on the GUI thread after each edit
    replaced = Signal()  # a different project (new/open/restore): rebuild every view
    title_changed = Signal()  # also relays QUndoStack.cleanChanged(bool); slots take no args
    saved = Signal(str)

    def __init__(self, project: Project | None = None, path: str | Path | None = None, parent=None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self.title_changed)  # signal to signal: dies with us
        self.project: Project = project or Project()
        self.path: Path | None = Path(path) if path is not None else None
        self.current_take: str | None = None
        self._live: dict = {}  # gesture key -> first core command of the drag
        self._force_dirty = False  # a restored recovery file: differs from the file on disk
        self._saved_fits: list = []  # (take, portrait_fit) as last saved or opened; see dirty
        self._shown = None  # the shown take object, so a rename keeps showing it
        self.follow_emotions = True  # emotion edits carry the emo_* bases along (emotion_follow)
        self._attach(self.project)

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
        self._live.clear()
        self.undo_stack.clear()
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

    @property
    def name(self) -> str:
        return self.path.stem if self.path else "Untitled"

    @property
    def dirty(self) -> bool:
        """Unsaved: the undo stack left its clean index, a recovery was restored, or a portrait fit
        stored outside the stack is not the saved one (an undo that drops it makes it clean again)."""
        if not self.undo_stack.isClean() or self._force_dirty:
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
        self.undo_stack.setClean()
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
        commands = list(commands) if isinstance(commands, (list, tuple)) else [commands]
        before = emotion_follow.weights_before(self.project, commands) if self.follow_emotions else {}
        done = []
        try:
            for c in commands:
                c.do(self.project)
                done.append(c)
            for c in emotion_follow.follow_commands(self.project, before):  # same undo step as the paint
                c.do(self.project)
                done.append(c)
        except Exception:
            for c in reversed(done):
                c.undo(self.project)
            raise
        self.undo_stack.push(CommandAdapter(done, self.project, already_done=True,
                                            mergeable=mergeable, label=label))
        return commands[0]

    def live(self, key, command) -> None:
        """One step of a drag: apply `command` now; later steps with the same key merge into the first."""
        before = emotion_follow.weights_before(self.project, [command]) if self.follow_emotions else {}
        command.do(self.project)
        self._merge_live(key, command)
        for follow in emotion_follow.follow_commands(self.project, before):
            follow.do(self.project)
            self._merge_live(("follow", follow.take), follow)

    def _merge_live(self, key, command) -> None:
        first = self._live.get(key)
        if first is None:
            self._live[key] = command
        elif not first.merge_with(command):
            raise RuntimeError(f"live command {command!r} does not continue {first!r}")

    def live_keys(self) -> list:
        return list(self._live)

    def finish_live(self, label: str | None = None) -> None:
        """End the drag: one undo step holding every live command (nothing if it never moved)."""
        commands = list(self._live.values())
        self._live.clear()
        if commands:
            self.undo_stack.push(CommandAdapter(commands, self.project, already_done=True,
                                                mergeable=False, label=label))

    def cancel_live(self) -> None:
        for c in reversed(list(self._live.values())):
            c.undo(self.project)
        self._live.clear()
