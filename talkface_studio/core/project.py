"""The project: ordered takes and settings, plus a tiny observer so a UI can react to edits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import ValidationError
from .take import Take


@dataclass(frozen=True)
class Change:
    """What changed: `kind` is one of KINDS; `frames` is the affected [start, end) or None for all."""

    take: str | None
    kind: str
    name: str | None = None
    frames: tuple[int, int] | None = None


# emotion: the emotion track; channel: one channel's base or layers (name = channel);
# take: a take's media, rate or length; generation: a take's generation settings (backend, seed,
# transcript, performance options: the take needs Generate); takes: takes added/removed/renamed/
# reordered; settings: project settings; markers: a take's named markers.
KINDS = ("emotion", "channel", "take", "generation", "takes", "settings", "markers")


class Project:
    def __init__(self, takes: list[Take] | None = None, settings: dict | None = None,
                 path: str | Path | None = None):
        self.takes: list[Take] = []
        self.settings: dict = dict(settings or {})
        self.path = Path(path) if path is not None else None
        # sha256 of the file as loaded or last saved (session state, never written): a save compares
        # it with the disk so a change another program saved meanwhile is never overwritten unseen
        self.file_digest: str | None = None
        # How the project was last looked at (shown channels, zoom; ui.view_settings): saved with
        # the project so it opens as it was left, but neither undone nor a reason to ask to save.
        self.view: dict = {}
        # Callbacks receiving a Change after each edit; the UI connects here (on the GUI thread).
        self.changed: list[Callable[[Change], None]] = []
        for t in takes or []:
            self.add_take(t)

    def take(self, name: str) -> Take:
        for t in self.takes:
            if t.name == name:
                return t
        raise ValidationError(f"no take named {name!r}")

    def take_names(self) -> list[str]:
        return [t.name for t in self.takes]

    def add_take(self, take: Take, index: int | None = None) -> None:
        if take.name in self.take_names():
            raise ValidationError(f"a take named {take.name!r} already exists")
        self.takes.insert(len(self.takes) if index is None else index, take)

    def remove_take(self, name: str) -> tuple[Take, int]:
        t = self.take(name)
        i = self.takes.index(t)
        del self.takes[i]
        return t, i

    def notify(self, change: Change) -> None:
        for callback in list(self.changed):
            callback(change)

    def __repr__(self) -> str:
        return f"Project({self.take_names()}, path={str(self.path) if self.path else None!r})"
