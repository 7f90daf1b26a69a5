"""Autosave of a project that has no file name yet, so a crash before the first Save loses nothing.

Each session writes one file, RECOVERY/untitled-<time>-p<pid>-<id>.tfs, in the folder it is given
(the app's data folder, app_info.recovery_dir). Beside project_file's autosave of saved projects. Media paths are written absolute: the recovery folder says nothing about
where the media live. The next start offers the newest file that no running process owns; saving
under a name or discarding the project deletes it. Qt-free, so it is tested as plain Python.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from datetime import datetime
from pathlib import Path

from . import project_file
from .errors import ProjectFileError
from .project import Project

_NAME = re.compile(r"^untitled-.*-p(\d+)-[0-9a-f]+\.tfs$")


def _pid_running(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftovers (another window of this process) are fair game
    if os.name != "posix":
        return False  # os.kill(pid, 0) would terminate the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return False
    return True


class UntitledRecovery:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.path: Path | None = None  # this session's file, once written or adopted

    def write(self, project: Project) -> Path:
        """Write the project (atomically) to this session's recovery file."""
        if self.path is None:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            self.path = self.folder / f"untitled-{stamp}-p{os.getpid()}-{uuid.uuid4().hex[:8]}.tfs"
        doc = project_file.project_to_json(project, self.folder)
        for take_json, take in zip(doc["takes"], project.takes):
            for key, value in (("audio", take.audio_path), ("portrait", take.portrait_path)):
                take_json[key] = os.path.abspath(value) if value is not None else None
        try:
            text = json.dumps(doc, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ProjectFileError(f"could not autosave: the project holds a value JSON cannot store ({exc})",
                                   self.path) from None
        self.folder.mkdir(parents=True, exist_ok=True)
        project_file.write_atomic(self.path, text.encode("utf-8"), backup=False)
        return self.path

    def discard(self) -> None:
        """Forget this session's file (saved under a name, discarded, or back to clean)."""
        if self.path is not None:
            try:
                self.path.unlink(missing_ok=True)
            except OSError:
                pass  # at worst it is offered once more at the next start
        self.path = None

    def pending(self) -> list[Path]:
        """Recovery files left by sessions that ended without saving, newest first."""
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            return []
        found = []
        for p in entries:
            match = _NAME.match(p.name)
            if match and p != self.path and p.is_file() and not _pid_running(int(match.group(1))):
                found.append(p)
        return sorted(found, key=lambda p: p.stat().st_mtime_ns, reverse=True)

    @staticmethod
    def load(path: Path) -> Project:
        """A recovery file as an Untitled project (raises ProjectFileError naming the file)."""
        project = project_file.load_project(path)
        project.path = None
        return project

    def adopt(self, path: Path) -> None:
        """Continue autosaving into a restored file, so Save or Discard deletes it."""
        self.discard()
        self.path = Path(path)

    def set_aside(self, path: Path) -> None:
        """An unreadable recovery file is renamed (kept for a person to inspect), not offered again."""
        try:
            Path(path).rename(Path(f"{path}.unreadable"))
        except OSError:
            pass


def describe(path: Path, project: Project) -> str:
    when = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    takes = ", ".join(project.take_names()) or "no takes"
    return f"autosaved {when}; takes: {takes}"
