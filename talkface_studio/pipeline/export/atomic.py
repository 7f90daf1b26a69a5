"""Write-then-rename: a failed or cancelled export never leaves a finished-looking file behind.

The temporary file lives in the target directory (same filesystem, so the final `os.replace` is
atomic) under a hidden name ending in `.partial`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from talkface_studio.core.errors import MediaError


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


class ExportError(MediaError):
    """An output that could not be written (unwritable folder, full disk, encoder failure)."""


def describe_os_error(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "disk full while writing"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "folder is not writable"
    if exc.errno == errno.ENOENT:
        return "folder does not exist"
    if exc.errno == errno.ENOTDIR:
        return "a file is in the way of the folder"
    return exc.strerror or str(exc)


def temp_path_for(target: Path) -> Path:
    """Reserve a hidden temporary file next to `target`; raise ExportError naming the target."""
    target = Path(target)
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    except OSError as exc:
        raise ExportError(f"cannot write output: {describe_os_error(exc)}", target) from None
    os.close(fd)
    os.chmod(name, 0o666 & ~_UMASK)  # mkstemp makes 0600; a finished export gets normal permissions
    return Path(name)


def check_writable(target: str | os.PathLike, create_folder: bool = False) -> None:
    """Fail early (before minutes of rendering) if `target` cannot be written. With `create_folder`
    a missing output folder is made first, as the app's Export does (the command line asks for it)."""
    target = Path(target)
    if create_folder:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"cannot create the output folder: {describe_os_error(exc)}", target) from None
    discard(temp_path_for(target))


def commit(temp: Path, target: Path) -> None:
    try:
        os.replace(temp, target)
    except OSError as exc:
        discard(temp)
        raise ExportError(f"cannot write output: {describe_os_error(exc)}", target) from None


def discard(temp: Path) -> None:
    with contextlib.suppress(OSError):
        if temp.is_dir():
            shutil.rmtree(temp)
        else:
            temp.unlink()


@contextlib.contextmanager
def atomic_file(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path to write; rename it onto `target` only if the block succeeds."""
    target = Path(target)
    temp = temp_path_for(target)
    try:
        yield temp
    except OSError as exc:
        discard(temp)
        raise ExportError(f"cannot write output: {describe_os_error(exc)}", target) from None
    except BaseException:
        discard(temp)
        raise
    commit(temp, target)


def write_text_atomic(target: str | os.PathLike, text: str) -> Path:
    target = Path(target)
    with atomic_file(target) as temp:
        temp.write_text(text, encoding="utf-8")
    return target
