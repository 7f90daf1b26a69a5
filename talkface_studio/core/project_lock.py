"""An advisory lock per project, held while a save checks the file on disk and replaces it.

The lock is a small JSON file beside the project, `NAME.tfs.lock`, created with O_CREAT|O_EXCL (atomic
on local disks and on NFSv3+/SMB, unlike flock/fcntl locks, which many network file systems ignore
or emulate per host). It records who holds it: user, host, pid, program and time.

A lock is stale, and taken over, when its process is gone on this host, when it is older than
STALE_AFTER_S (a save takes well under a second; the limit covers an owner on another host, whose
pid cannot be checked), or when it is unreadable and older than a few seconds (a writer killed
between creating and filling it). Otherwise a saver waits up to WAIT_S and then gives up with one
line naming the owner. A lock is held only for the few milliseconds of a save, so two programs may
have the same project open; the check that the file is still the one that was loaded
(core.project_file) is what keeps their edits from overwriting each other.
"""

from __future__ import annotations

import contextlib
import errno
import getpass
import json
import os
import socket
import sys
import time
import uuid
from pathlib import Path

from .atomic_write import describe_os_error
from .errors import ProjectFileError

STALE_AFTER_S = 60.0
WAIT_S = 10.0
_UNREADABLE_GRACE_S = 5.0
_MAX_LOCK_BYTES = 4096


class ProjectLockedError(ProjectFileError):
    """Another live process is saving this project (and did not finish within WAIT_S)."""


def lock_path(project_path: str | os.PathLike) -> Path:
    """`NAME.tfs.lock` beside the real project file (links followed: every link shares one lock)."""
    return Path(f"{os.path.realpath(project_path)}.lock")


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry in a container: the uid says enough
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _program() -> str:
    """e.g. 'talkface-studio generate': what the lock's owner was doing."""
    args = [os.path.basename(sys.argv[0] or "python")] + [a for a in sys.argv[1:2] if not a.startswith("-")]
    return " ".join(args)[:100]


def _pid_alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # cannot tell safely (os.kill would terminate on Windows): rely on the age limit
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    except OSError:
        return False
    return True


def read_lock(path: Path) -> dict | None:
    """The owner record of a lock file, or None when it is missing or unreadable."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        data = os.read(fd, _MAX_LOCK_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        info = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def describe_owner(info: dict) -> str:
    when = info.get("time")
    since = time.strftime(" since %H:%M:%S", time.localtime(when)) if isinstance(when, (int, float)) else ""
    return (f"{info.get('user', '?')} on {info.get('host', '?')} (pid {info.get('pid', '?')}, "
            f"{info.get('program', '?')}){since}")


def is_stale(info: dict | None, lock_mtime: float, now: float | None = None) -> bool:
    now = time.time() if now is None else now
    if info is None:
        return now - lock_mtime > _UNREADABLE_GRACE_S
    stamp = info.get("time")
    age = now - (stamp if isinstance(stamp, (int, float)) else lock_mtime)
    if age > STALE_AFTER_S:
        return True
    pid = info.get("pid")
    return info.get("host") == socket.gethostname() and isinstance(pid, int) and not _pid_alive(pid)


class ProjectLock:
    """`with ProjectLock(path):` holds NAME.tfs.lock; see the module doc for the rules."""

    def __init__(self, project_path: str | os.PathLike, wait_s: float | None = None,
                 program: str | None = None):
        self.project_path = Path(project_path)
        self.path = lock_path(project_path)
        self.wait_s = wait_s
        self.token = uuid.uuid4().hex
        self.record = {"user": _user(), "host": socket.gethostname(), "pid": os.getpid(),
                       "program": program or _program(), "time": None, "token": self.token}
        self.held = False

    def acquire(self) -> None:
        deadline = time.monotonic() + (WAIT_S if self.wait_s is None else self.wait_s)
        delay = 0.02
        while True:
            if self._try_create():
                self.held = True
                return
            if self._break_if_stale():
                continue
            if time.monotonic() >= deadline:
                info = read_lock(self.path) or {}
                raise ProjectLockedError(f"is being saved by {describe_owner(info)}; try again in a moment "
                                         f"(a lock older than {STALE_AFTER_S:.0f} s is taken over; "
                                         f"{self.path.name} can be deleted if that program is gone)",
                                         self.project_path)
            time.sleep(delay)
            delay = min(delay * 2, 0.25)

    def _try_create(self) -> bool:
        self.record["time"] = time.time()
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                # a folder we cannot write: the save itself will say so; there is nobody to lock out
                # who could write there either, so go on without a lock file
                return True
            raise ProjectFileError(f"cannot create the lock file {self.path.name} ({exc.strerror or exc})",
                                   self.project_path) from None
        try:
            os.write(fd, json.dumps(self.record).encode("utf-8"))  # no fsync: a lock outlives no crash
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            raise ProjectFileError(f"could not save: {describe_os_error(exc)}; the previous file is unchanged",
                                   self.project_path) from None
        finally:
            os.close(fd)
        return True

    def _break_if_stale(self) -> bool:
        """Move a stale lock aside (atomic rename) and delete it; True if one was broken."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return True  # released meanwhile: try again at once
        except OSError:
            return False
        if not is_stale(read_lock(self.path), st.st_mtime):
            return False
        aside = self.path.with_name(f"{self.path.name}.stale-{self.token}")
        try:
            os.rename(self.path, aside)
        except OSError:
            return True  # someone else broke it first
        try:
            moved = os.stat(aside)
            if (moved.st_dev, moved.st_ino) != (st.st_dev, st.st_ino):
                # between our check and the rename another process took the lock: give it back
                with contextlib.suppress(OSError):
                    os.link(aside, self.path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(aside)
        return True

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        info = read_lock(self.path)
        if info is not None and info.get("token") == self.token:
            with contextlib.suppress(OSError):
                os.unlink(self.path)

    def __enter__(self) -> ProjectLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
