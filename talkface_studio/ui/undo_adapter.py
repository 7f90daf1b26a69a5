"""QUndoStack <-> core commands: the only place Qt's undo framework meets the Qt-free commands."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

MERGE_ID = 1  # every mergeable core command shares one Qt id; core.merge_with decides for real


class CommandAdapter(QUndoCommand):
    """Wraps core commands (one, or several done together, e.g. a drag of keys on several channels)
    as one undo step; redo -> do, undo -> undo in reverse, mergeWith -> merge_with.

    `already_done`: the command was executed before the push (a live drag, or a first `do` that had
    to be checked for errors outside Qt's virtual call), so the push's own redo is skipped once.
    `mergeable`: False for a finished drag, so two drags of the same edge stay two undo steps.
    """

    def __init__(self, commands, project, already_done: bool = False, mergeable: bool = True, label=None):
        self.commands = list(commands) if isinstance(commands, (list, tuple)) else [commands]
        super().__init__(label or self.commands[0].label)
        self.project = project
        self._skip_redo = already_done
        # A step merges when each of its commands does (an emotion edit and its FollowEmotions).
        self._mergeable = mergeable and all(c._merge_key() is not None for c in self.commands)

    @property
    def command(self):
        return self.commands[0]

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        for c in self.commands:
            c.do(self.project)

    def undo(self) -> None:
        for c in reversed(self.commands):
            c.undo(self.project)

    def id(self) -> int:
        return MERGE_ID if self._mergeable else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, CommandAdapter) or not other._mergeable or len(other.commands) != len(self.commands):
            return False
        pairs = list(zip(self.commands, other.commands))
        # Check every pair first: a half-merged step could not be undone correctly.
        if not all(type(a) is type(b) and a._merge_key() == b._merge_key() for a, b in pairs):
            return False
        if not all(a.merge_with(b) for a, b in pairs):
            raise RuntimeError(f"merge of {other.commands!r} into {self.commands!r} failed half-way")
        self.setText(self.command.label)
        return True
