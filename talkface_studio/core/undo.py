"""The command protocol and a pure-Python undo stack (the GUI wraps commands in a QUndoStack).

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


class UndoStack:
    """push / undo / redo with a clean (saved) state and merging of consecutive mergeable commands."""

    def __init__(self, project: Project):
        self.project = project
        self._commands: list[Command] = []
        self._index = 0  # commands[:index] are done
        self._clean_index: int | None = 0

    def push(self, command: Command, merge: bool = True) -> Command:
        """Do `command`; drop the redo tail; merge into the previous command when it continues it."""
        command.do(self.project)
        del self._commands[self._index:]
        if self._clean_index is not None and self._clean_index > self._index:
            self._clean_index = None  # the saved state can no longer be reached
        if merge and self._commands and self._commands[-1].merge_with(command):
            if self._clean_index == self._index:
                self._clean_index = None
            return self._commands[-1]
        self._commands.append(command)
        self._index += 1
        return command

    def undo(self) -> None:
        if not self.can_undo:
            raise ValidationError("nothing to undo")
        self._index -= 1
        self._commands[self._index].undo(self.project)

    def redo(self) -> None:
        if not self.can_redo:
            raise ValidationError("nothing to redo")
        self._commands[self._index].do(self.project)
        self._index += 1

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

    def __len__(self) -> int:
        return len(self._commands)

    @property
    def index(self) -> int:
        return self._index

    def set_clean(self) -> None:
        """Call after saving: the current state is the one on disk."""
        self._clean_index = self._index

    @property
    def is_clean(self) -> bool:
        return self._clean_index == self._index

    def clear(self) -> None:
        self._commands.clear()
        self._index = 0
        self._clean_index = 0
