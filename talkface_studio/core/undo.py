"""The command protocol and the document's undo stack (the GUI shows this stack through a thin Qt
adapter, ui.undo_adapter; there is no second stack).

Commands refer to takes by name and to segments, layers and keys by id, never to objects of the
UI. Most are snapshot commands: the first `do` performs the edit and records the state after it,
so redo restores exactly the same result (same new ids) and undo restores the state before.
"""

from __future__ import annotations

from typing import Any

from .errors import ValidationError
from .project import Change, Project


class Command:
    """Base class: subclasses implement `_capture`, `_restore`, `_apply` and `_change`."""

    label = "Edit"

    def __init__(self):
        self._before: Any = None
        self._after: Any = None
        self._done_once = False

    # -- the protocol ------------------------------------------------------------------------------
    def do(self, project: Project) -> None:
        if self._done_once:
            self._restore(project, self._after)
        else:
            self._before = self._capture(project)
            try:
                self._apply(project)
            except Exception:
                self._restore(project, self._before)
                raise
            self._after = self._capture(project)
            self._done_once = True
        project.notify(self._change(project))

    def undo(self, project: Project) -> None:
        self._restore(project, self._before)
        project.notify(self._change(project))

    def merge_with(self, other: Command) -> bool:
        """Absorb `other` (already done, pushed right after self) if it continues the same gesture."""
        if type(other) is type(self) and self._merge_key() is not None and self._merge_key() == other._merge_key():
            self._after = other._after
            return True
        return False

    # -- for subclasses ----------------------------------------------------------------------------
    def _merge_key(self):
        return None  # not mergeable

    def _capture(self, project: Project):
        raise NotImplementedError

    def _restore(self, project: Project, state) -> None:
        raise NotImplementedError

    def _apply(self, project: Project) -> None:
        raise NotImplementedError

    def _change(self, project: Project) -> Change:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.label!r}>"


class CommandGroup(Command):
    """Several commands done and undone as one step: a paint and the expression curves that follow
    it, a drag of keys on several channels. Merges with a group of the same commands (a drag's next
    step) when each pair merges; `mergeable=False` (a finished drag) never merges."""

    def __init__(self, commands, label: str | None = None, mergeable: bool = True):
        super().__init__()
        self.commands = list(commands)
        if not self.commands:
            raise ValueError("a command group needs at least one command")
        self.label = label or self.commands[0].label
        self.mergeable = mergeable

    def do(self, project: Project) -> None:
        for c in self.commands:
            c.do(project)

    def undo(self, project: Project) -> None:
        for c in reversed(self.commands):
            c.undo(project)

    def _merge_key(self):
        keys = tuple(c._merge_key() for c in self.commands)
        if not self.mergeable or any(k is None for k in keys):
            return None
        return tuple((type(c).__name__, k) for c, k in zip(self.commands, keys))

    def merge_with(self, other: Command) -> bool:
        if not isinstance(other, CommandGroup) or self._merge_key() is None or self._merge_key() != other._merge_key():
            return False
        # Every pair was checked first: a half-merged step could not be undone correctly.
        if not all(a.merge_with(b) for a, b in zip(self.commands, other.commands)):
            raise RuntimeError(f"merge of {other.commands!r} into {self.commands!r} failed half-way")
        self.label = self.commands[0].label
        return True

    def __repr__(self) -> str:
        return f"<CommandGroup {self.label!r} {self.commands!r}>"


class UndoStack:
    """The document's one undo history: push / undo / redo, a clean (saved) state, merging of
    consecutive mergeable commands. The app shows it through a thin Qt adapter (ui.undo_adapter);
    `changed` callbacks run after every change of the history (on the thread that edits)."""

    def __init__(self, project: Project):
        self.project = project
        self._commands: list[Command] = []
        self._index = 0  # commands[:index] are done
        self._clean_index: int | None = 0
        self.changed: list = []  # callables without arguments

    def _notify(self) -> None:
        for callback in list(self.changed):
            callback()

    def push(self, command: Command, merge: bool = True) -> Command:
        """Do `command`; drop the redo tail; merge into the previous command when it continues it."""
        command.do(self.project)
        return self.record(command, merge)

    def record(self, command: Command, merge: bool = True) -> Command:
        """Record a command that is already done (a checked edit, a finished drag)."""
        del self._commands[self._index:]
        if self._clean_index is not None and self._clean_index > self._index:
            self._clean_index = None  # the saved state can no longer be reached
        # As Qt's QUndoStack: never merge into the saved state, so undo can always get back to it.
        if merge and self._commands and self._clean_index != self._index and self._commands[-1].merge_with(command):
            self._notify()
            return self._commands[-1]
        self._commands.append(command)
        self._index += 1
        self._notify()
        return command

    def edit(self, commands, label: str | None = None, merge: bool = True) -> Command:
        """An artist's edit: do `commands` (one, or several as one step) together with the document's
        rules that go with them (core.emotion_follow: the expression curves follow an emotion edit)
        and record them as one undo step. Raises what a command raises, leaving nothing changed.
        Returns the first command (for ids it created)."""
        from .emotion_follow import do_with_follow

        commands = list(commands) if isinstance(commands, (list, tuple)) else [commands]
        done = do_with_follow(self.project, commands)
        single = len(done) == 1 and label is None and merge
        self.record(done[0] if single else CommandGroup(done, label, mergeable=merge), merge)
        return commands[0]

    def undo(self) -> None:
        if not self.can_undo:
            raise ValidationError("nothing to undo")
        self._index -= 1
        self._commands[self._index].undo(self.project)
        self._notify()

    def redo(self) -> None:
        if not self.can_redo:
            raise ValidationError("nothing to redo")
        self._commands[self._index].do(self.project)
        self._index += 1
        self._notify()

    def set_index(self, index: int) -> None:
        """Undo or redo until `index` commands are done (a click in the history list)."""
        index = max(0, min(int(index), len(self._commands)))
        while self._index > index:
            self.undo()
        while self._index < index:
            self.redo()

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._commands)

    @property
    def undo_label(self) -> str | None:
        return self._commands[self._index - 1].label if self.can_undo else None

    @property
    def redo_label(self) -> str | None:
        return self._commands[self._index].label if self.can_redo else None

    def label(self, i: int) -> str:
        """The label of the i-th step (0-based)."""
        return self._commands[i].label

    def __len__(self) -> int:
        return len(self._commands)

    @property
    def index(self) -> int:
        return self._index

    def set_clean(self) -> None:
        """Call after saving: the current state is the one on disk."""
        self._clean_index = self._index
        self._notify()

    @property
    def is_clean(self) -> bool:
        return self._clean_index == self._index

    def reset(self, project: Project) -> None:
        """Another document (new, open, restore): an empty history for it."""
        self.project = project
        self.clear()

    def clear(self) -> None:
        self._commands.clear()
        self._index = 0
        self._clean_index = 0
        self._notify()
