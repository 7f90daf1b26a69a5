"""The one way TalkFace Studio replaces a file: the old file or the new one, never half of either.

Projects, autosaves, exports (video, image-sequence frames aside, curves, .chan, .npz) and farm job
files all go through here:

    with replacing(path, backup=True, error=ProjectFileError, verb="could not save") as temp:
        temp.write_bytes(data)          # or hand `temp` to ffmpeg, numpy, ...

- A symbolic link is written through to its target; the link stays a link (`write_target`).
- A file the user may not write (read-only, another user's, on a read-only mount) is refused before
  anything is written, and so is a folder, FIFO or device standing where the file would go.
- The new content goes to a hidden temporary file in the target's folder (same file system), is
  fsynced, the previous version is kept as NAME.bak when asked, then one `os.replace` puts it in
  place and the folder is fsynced. Any OS error removes the temporary file and leaves the old one.
- The replacement keeps the old file's permission bits (and, when run as root, its owner), so a
  save never hands someone's project to another account.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import TalkFaceError
from .file_access import special_kind


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once: os.umask is process-wide and not thread-safe to probe later


def describe_os_error(exc: OSError) -> str:
    """A reason an artist can act on, with the system's own words in brackets."""
    system = exc.strerror or str(exc)
    reasons = {errno.ENOSPC: "disk full", errno.EDQUOT: "disk quota exceeded", errno.EROFS: "read-only file system",
               errno.EACCES: "not writable", errno.EPERM: "not writable", errno.ENOENT: "folder does not exist",
               errno.ENOTDIR: "a file is in the way of the folder"}
    reason = reasons.get(exc.errno)
    return f"{reason} ({system})" if reason else system


def write_target(path: str | os.PathLike) -> Path:
    """Where writing `path` really lands: a symbolic link (or a chain of them) is followed to the
    file it names, so saving through a link updates the real file and the link stays a link."""
    path = Path(path)
    if os.path.islink(path):
        return Path(os.path.realpath(path))
    return path


def check_replaceable(target: Path, shown: Path, error: type[TalkFaceError],
                      verb: str = "cannot write here") -> os.stat_result | None:
    """stat of the file about to be replaced (None if there is none); refuses what must not be."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise error(f"{verb}: {describe_os_error(exc)}", shown) from None
    kind = special_kind(st.st_mode)
    if kind is not None:
        raise error(f"is {kind}; nothing was written", shown)
    # root passes os.access for anything, so the permission bits are read too: a file nobody may
    # write was made read-only on purpose
    effective = os.access in os.supports_effective_ids  # the uid a setuid/seteuid process writes as
    if not os.access(target, os.W_OK, effective_ids=effective) or not st.st_mode & 0o222:
        owner = "" if st.st_uid == os.geteuid() else " (it belongs to another user)"
        raise error(f"is read-only{owner}; nothing was written (save under another name, or make it "
                    "writable first)", shown)
    return st


def reserve_temp(target: Path, suffix: str, like: os.stat_result | None) -> Path:
    """A new hidden file beside `target`, with the permissions (and owner) the result should have."""
    folder = target.parent if str(target.parent) else Path(".")
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=folder)
    os.close(fd)
    os.chmod(name, (like.st_mode & 0o777) if like is not None else 0o666 & ~_UMASK)
    if like is not None and (like.st_uid, like.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(OSError):  # only root may give a file away; others keep the group if allowed
            os.chown(name, like.st_uid if os.geteuid() == 0 else -1, like.st_gid)
    return Path(name)


def remove_stale_temps(target: Path, suffix: str = ".tmp", older_than_s: float = 60.0) -> None:
    """Delete temporary files a killed writer of `target` left (hidden, random-named, old): call it
    while holding the target's lock, so none of them can be another writer's file in progress."""
    import re
    import time

    pattern = re.compile(rf"^\.{re.escape(target.name)}\.[a-z0-9_]{{8}}{re.escape(suffix)}$")
    folder = target.parent if str(target.parent) else Path(".")
    now = time.time()
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if pattern.match(entry.name):
                with contextlib.suppress(OSError):
                    if now - entry.stat(follow_symlinks=False).st_mtime > older_than_s:
                        os.unlink(entry.path)


def backup_path(path: str | os.PathLike) -> Path:
    return Path(f"{os.fspath(path)}.bak")


def keep_backup(target: Path) -> None:
    """NAME.bak becomes the current file (a hard link when possible: no copy of the data)."""
    bak = backup_path(target)
    tmp = Path(f"{bak}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        try:
            os.link(target, tmp)
        except OSError:
            tmp.write_bytes(target.read_bytes())
        os.replace(tmp, bak)
    except BaseException:
        discard(tmp)
        raise


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    if os.name == "posix":
        fsync_path(folder if str(folder) else Path("."))


def discard(temp: Path) -> None:
    with contextlib.suppress(OSError):
        if temp.is_dir() and not temp.is_symlink():
            import shutil

            shutil.rmtree(temp)
        else:
            temp.unlink()


@contextlib.contextmanager
def replacing(path: str | os.PathLike, *, backup: bool = False, error: type[TalkFaceError] = TalkFaceError,
              verb: str = "could not save", temp_suffix: str = ".tmp", durable: bool = True,
              follow_links: bool = True) -> Iterator[Path]:
    """Yield a temporary path to fill; on a clean exit it atomically becomes `path` (see module doc).
    OS errors become one-line `error`s naming `path`; anything else propagates after clean-up.
    `durable=False` skips the fsyncs (caches: losing an entry in a power cut only costs time);
    `follow_links=False` replaces a link itself (caches: an entry is never a way into other files)."""
    shown = Path(path)
    target = write_target(shown) if follow_links else shown
    previous = check_replaceable(target, shown, error, verb) if follow_links or not target.is_symlink() else None
    unchanged = "; the previous file is unchanged" if previous is not None else ""
    try:
        temp = reserve_temp(target, temp_suffix, previous)
    except OSError as exc:
        raise error(f"{verb}: {describe_os_error(exc)}{unchanged}", shown) from None
    try:
        yield temp
        if durable:
            fsync_path(temp)
        if backup and previous is not None:
            keep_backup(target)
        os.replace(temp, target)
    except OSError as exc:
        discard(temp)
        raise error(f"{verb}: {describe_os_error(exc)}{unchanged}", shown) from None
    except BaseException:
        discard(temp)
        raise
    if durable:
        with contextlib.suppress(OSError):  # the new file is in place; some file systems cannot sync folders
            fsync_dir(target.parent)


def commit(temp: Path, path: str | os.PathLike, *, error: type[TalkFaceError] = TalkFaceError,
           verb: str = "could not save", durable: bool = True) -> None:
    """The end of `replacing` for a temporary file filled outside a `with` block (a video encoder
    writes it while frames arrive): fsync, rename onto `path` through links, fsync the folder."""
    shown = Path(path)
    target = write_target(shown)
    try:
        if durable:
            fsync_path(temp)
        os.replace(temp, target)
    except OSError as exc:
        discard(temp)
        raise error(f"{verb}: {describe_os_error(exc)}", shown) from None
    if durable:
        with contextlib.suppress(OSError):
            fsync_dir(target.parent)


def write_atomic(path: str | os.PathLike, data: bytes, *, backup: bool = False,
                 error: type[TalkFaceError] = TalkFaceError, verb: str = "could not save",
                 durable: bool = True) -> Path:
    """`replacing` for bytes already in memory."""
    with replacing(path, backup=backup, error=error, verb=verb, durable=durable) as temp:
        with open(temp, "wb") as fh:
            fh.write(data)
            fh.flush()
    return Path(path)
