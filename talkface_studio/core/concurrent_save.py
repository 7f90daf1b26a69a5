"""Saving when another program may have saved the same project meanwhile (the command line).

A command loads the project, works (generate: seconds), changes it and saves. If another process
saved in between, writing our copy would silently drop their edit, so `save_project` refuses
(ProjectChangedError). Here the command then loads their version, makes its own change again on
it (`reapply`: generate replaces only the generated bases, import-curves adds its layers) and saves
that: both edits survive. The app asks instead (keep mine / take theirs / save as).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .errors import ProjectFileError
from .project import Project
from .project_file import ProjectChangedError, load_project, save_project

MAX_ATTEMPTS = 5


def save_reapplying(project: Project, reapply: Callable[[Project], None], path: str | Path | None = None,
                    note: Callable[[str], None] | None = None) -> Project:
    """Save `project`; when the file changed on disk since it was loaded, reload it, call
    `reapply(their_project)` and save that instead. Returns the project that was written."""
    path = Path(path if path is not None else project.path)
    for _ in range(MAX_ATTEMPTS):
        try:
            save_project(project, path)
            return project
        except ProjectChangedError:
            project = load_project(path)
            reapply(project)
            if note is not None:
                note(f"{path} was saved by another program meanwhile; its changes were kept and this "
                     "command's change was made again on top of them")
    raise ProjectFileError(f"kept being changed by another program ({MAX_ATTEMPTS} tries); nothing was "
                           "written, try again", path)
