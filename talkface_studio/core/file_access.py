"""Reading a file the user named, safely: refuse special files by type before opening them for
reading (a FIFO would hang, /dev/zero never ends), and refuse sizes no real file of that kind has.

    data = read_regular(path, "project file", max_bytes=MAX_PROJECT_BYTES, error=ProjectFileError)

Every refusal is one line naming the file and what it is ("is a named pipe (FIFO), not a project file").
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import TalkFaceError

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def special_kind(mode: int) -> str | None:
    """'a named pipe (FIFO)', 'a folder', ... for anything that is not a regular file, else None."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def a(what: str) -> str:
    """'a project file', 'an audio file'."""
    return f"an {what}" if what[:1].lower() in "aeiou" else f"a {what}"


def human_bytes(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= size:
            return f"{n / size:.0f} {unit}"
    return f"{n} bytes"


def missing_problem(path: Path, what: str) -> str:
    """'not found', or, for a link whose target is gone, where the link points."""
    if os.path.islink(path):
        return f"is a link to {os.readlink(path)}, which does not exist"
    return f"{what} not found"


def check_regular(path: str | os.PathLike, what: str, error: type[TalkFaceError] = TalkFaceError) -> os.stat_result:
    """stat `path` (following links) and refuse anything but an existing regular file."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise error(missing_problem(path, what), path) from None
    except OSError as exc:
        raise error(f"cannot read the {what} ({exc.strerror or exc})", path) from None
    kind = special_kind(st.st_mode)
    if kind is not None:
        raise error(f"is {kind}, not {a(what)}", path)
    return st


def read_regular(path: str | os.PathLike, what: str, max_bytes: int,
                 error: type[TalkFaceError] = TalkFaceError) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; special files are refused before reading.

    Opened non-blocking and checked again on the open descriptor, so a FIFO swapped in between the
    check and the open cannot hang the program either.
    """
    path = Path(path)
    check_regular(path, what, error)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise error(missing_problem(path, what), path) from None
        raise error(f"cannot read the {what} ({exc.strerror or exc})", path) from None
    try:
        st = os.fstat(fd)
        kind = special_kind(st.st_mode)
        if kind is not None:
            raise error(f"is {kind}, not {a(what)}", path)
        if st.st_size > max_bytes:
            raise error(f"is too large for {a(what)} ({human_bytes(st.st_size)}; the limit is "
                        f"{human_bytes(max_bytes)})", path)
        chunks, total = [], 0
        while True:
            block = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not block:
                break
            chunks.append(block)
            total += len(block)
            if total > max_bytes:  # grew while we read it
                raise error(f"is too large for {a(what)} (over {human_bytes(max_bytes)})", path)
        return b"".join(chunks)
    except OSError as exc:
        raise error(f"cannot read the {what} ({exc.strerror or exc})", path) from None
    finally:
        os.close(fd)
