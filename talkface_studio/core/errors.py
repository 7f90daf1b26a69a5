"""Errors an artist can act on: each names the file (if any) and the problem in one line."""

from __future__ import annotations

from pathlib import Path


class TalkFaceError(Exception):
    """Base for every error shown to the user as one line, without a traceback."""

    def __init__(self, problem: str, path: str | Path | None = None):
        self.problem = problem
        self.path = Path(path) if path is not None else None
        super().__init__(f"{self.path}: {problem}" if self.path is not None else problem)


class ValidationError(TalkFaceError):
    """An argument or edit that the model refuses (bad range, unknown emotion, ...)."""


class ProjectFileError(TalkFaceError):
    """A project file that cannot be read: malformed, too new, hand-edited into nonsense."""


class MediaError(TalkFaceError):
    """An audio or image file that cannot be used."""


class MissingCheckpointError(TalkFaceError):
    """A neural backend was chosen but no usable checkpoint was given."""
