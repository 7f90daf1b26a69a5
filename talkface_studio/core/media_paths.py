"""Where a take's media live: paths are stored relative to the project file, made relative and
resolved here.

The one rule for every reader (project loading, the pipeline, the window, the portrait fit): an
absolute path stays as it is; a relative one is relative to the folder of the project file (and
made absolute without following links, so `shots/scene.tfs` does not depend on the current folder
once it is open); with no project file yet it is left as given.
"""

from __future__ import annotations

import os
from pathlib import Path


def resolve_media(path: str | Path | None, project_path: str | Path | None) -> Path | None:
    """`path` as stored in a take, resolved against the project file `project_path` (its folder)."""
    if path is None:
        return None
    path = Path(path)
    if path.is_absolute() or project_path is None:
        return path
    return resolve_in_folder(path, Path(project_path).parent)


def resolve_in_folder(path: str | Path, folder: str | Path | None) -> Path:
    """`path` relative to `folder` (a project's folder) unless it is absolute."""
    path = Path(path)
    if path.is_absolute() or folder is None:
        return path
    return Path(os.path.abspath(Path(folder) / path))


def relative_media(path: str | Path | None, folder: str | Path) -> str | None:
    """How a media path is stored: relative to the project's folder (POSIX separators) so the
    folder can move as a whole; absolute when there is no relative path (another drive)."""
    if path is None:
        return None
    absolute = Path(os.path.abspath(path))
    try:
        return Path(os.path.relpath(absolute, os.path.abspath(folder))).as_posix()
    except ValueError:  # Windows: another drive has no relative path
        return str(absolute)
