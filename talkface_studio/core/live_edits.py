"""A drag as one undo step: the model follows the mouse, the undo history gets one entry at release.

Each step of a gesture is done at once (so every view shows it live) and merged into the first
command of its key (`Command.merge_with`); the expression curves follow emotion edits as they do
for any edit (core.emotion_follow). `finish` records everything as one step that never merges with
the next gesture (two drags of the same edge stay two undo steps); `cancel` undoes it all.
"""

from __future__ import annotations

from .emotion_follow import follow_commands, weights_before
from .undo import CommandGroup, UndoStack


class LiveEdits:
    def __init__(self, stack: UndoStack):
        self.stack = stack
        self._live: dict = {}  # gesture key -> the first command of the drag (later steps merged in)

    def step(self, key, command) -> None:
        """Apply one step of a drag now; later steps with the same key merge into the first."""
        project = self.stack.project
        before = weights_before(project, [command])
        command.do(project)
        self._merge(key, command)
        for follow in follow_commands(project, before):
            follow.do(project)
            self._merge(("follow", follow.take), follow)

    def _merge(self, key, command) -> None:
        first = self._live.get(key)
        if first is None:
            self._live[key] = command
        elif not first.merge_with(command):
            raise RuntimeError(f"live command {command!r} does not continue {first!r}")

    def keys(self) -> list:
        return list(self._live)

    def finish(self, label: str | None = None) -> None:
        """End the drag: one undo step holding every live command (nothing if it never moved)."""
        commands = list(self._live.values())
        self._live.clear()
        if commands:
            self.stack.record(CommandGroup(commands, label, mergeable=False), merge=False)

    def cancel(self) -> None:
        for c in reversed(list(self._live.values())):
            c.undo(self.stack.project)
        self._live.clear()
