"""Outputs never land on inputs: before anything is written, every output path is compared with the
files the project owns (its recordings, portraits, the project file itself, its .bak, autosave and
lock) and refused when writing it would replace one of them.

Two paths are "the same file" when, after following symbolic links and `..`, their names are equal
ignoring case (a case-insensitive disk would treat them as one; refusing a case-twin on Linux costs
nothing), or when they are the same file on disk (device + inode: hard links, bind mounts).

    guard = ProtectedFiles.of_project(project)
    guard.check(output)                        # one file (video, curves, .npz, project, job file)
    guard.check_sequence(folder, frame_names)  # an image sequence's frames in `folder`
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ValidationError


def _real_key(path: Path) -> str:
    return os.path.normcase(os.path.realpath(path)).casefold()


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


@dataclass(frozen=True)
class _Protected:
    path: Path
    role: str
    key: str
    inode: tuple[int, int] | None


class ProtectedFiles:
    """Files an output must never replace, each with the role that names it in the refusal."""

    def __init__(self, files: list[tuple[str | os.PathLike, str]] = ()):
        self._files: list[_Protected] = []
        for path, role in files:
            self.add(path, role)

    def add(self, path: str | os.PathLike | None, role: str) -> None:
        if path is None:
            return
        path = Path(os.path.abspath(path))
        self._files.append(_Protected(path, role, _real_key(path), _inode(path)))

    @classmethod
    def of_media(cls, project) -> ProtectedFiles:
        """Every take's audio and portrait."""
        guard = cls()
        for take in project.takes:
            guard.add(take.audio_path, f"the audio of take {take.name!r}")
            guard.add(take.portrait_path, f"the portrait of take {take.name!r}")
        return guard

    @classmethod
    def of_project(cls, project, project_path: str | os.PathLike | None = None) -> ProtectedFiles:
        """The media plus the project file and its .bak, .autosave and .lock."""
        guard = cls.of_media(project)
        path = project_path if project_path is not None else project.path
        if path is not None:
            guard.add_project_file(path)
        return guard

    def add_project_file(self, path: str | os.PathLike, role: str = "the project file") -> None:
        from .atomic_write import backup_path
        from .project_lock import lock_path

        self.add(path, role)
        self.add(backup_path(path), f"the backup of {role}")
        self.add(f"{os.fspath(path)}.autosave", f"the autosave of {role}")
        self.add(lock_path(path), f"the lock file of {role}")

    def without(self, path: str | os.PathLike) -> ProtectedFiles:
        """The same set minus `path` (a project may replace itself when saving)."""
        key = _real_key(Path(os.path.abspath(path)))
        out = ProtectedFiles()
        out._files = [f for f in self._files if f.key != key]
        return out

    def _clash(self, path: Path, key: str, inode) -> _Protected | None:
        for f in self._files:
            if f.key == key or (inode is not None and inode == f.inode):
                return f
        return None

    def check(self, output: str | os.PathLike, what: str = "output") -> None:
        """Refuse (ValidationError naming `output`) if writing it would replace a protected file."""
        shown = Path(output)
        output = Path(os.path.abspath(output))
        hit = self._clash(output, _real_key(output), _inode(output))
        if hit is not None:
            raise _refusal(shown, hit, what)

    def check_sequence(self, folder: str | os.PathLike, names) -> None:
        """Refuse if any frame `folder/NAME` of an image sequence would replace a protected file."""
        shown = Path(folder)
        folder = Path(os.path.abspath(folder))
        base = _real_key(folder)
        by_key = {f.key: f for f in self._files}
        try:
            present = {entry.name for entry in os.scandir(folder)}
        except OSError:
            present = set()
        for name in names:
            hit = by_key.get(os.path.normcase(os.path.join(base, name)).casefold())
            if hit is None and name in present:
                path = folder / name
                hit = self._clash(path, _real_key(path), _inode(path))
            if hit is not None:
                raise _refusal(shown / name, hit, "image-sequence frame")
        hit = self._clash(folder, base, _inode(folder))
        if hit is not None:
            raise _refusal(shown, hit, "output folder")


def _refusal(output: Path, hit: _Protected, what: str) -> ValidationError:
    same = "" if hit.path == Path(os.path.abspath(output)) else f" ({hit.path})"
    return ValidationError(f"refusing to write the {what} here: it is {hit.role}{same}; "
                           "choose another output name", output)
