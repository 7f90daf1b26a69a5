"""The error boundary's second half: an error we did not foresee is a bug, so the user gets one line
(what failed, and where the details are) and the traceback goes to a crash log for the bug report,
never onto the terminal or into a dialog.

Logs live in the user log folder (platformdirs: ~/.local/state/talkface-studio/log on Linux,
~/Library/Logs/talkface-studio on macOS, %LOCALAPPDATA%\\talkface-studio\\Logs on Windows);
`TALKFACE_LOG_DIR` moves them. Each is `crash-YYYYMMDD-HHMMSS-PID.log`; the newest 50 are kept.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import traceback
from pathlib import Path

KEEP = 50


def log_dir() -> Path:
    override = os.environ.get("TALKFACE_LOG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_log_dir("talkface-studio", appauthor=False))


def summary(exc: BaseException) -> str:
    """'ValueError: cannot reshape ...' on one line, cut to a readable length."""
    text = " ".join(str(exc).split())
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def write(exc: BaseException, context: str) -> Path | None:
    """Write the traceback of `exc` with what was running; -> the log's path (None if it could not
    be written: a full or read-only disk must not turn one error into two)."""
    from talkface_studio import __version__

    stamp = time.strftime("%Y%m%d-%H%M%S")
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{stamp}-{os.getpid()}.log"
        lines = [f"TalkFace Studio {__version__} crash log, {time.strftime('%Y-%m-%d %H:%M:%S %z')}",
                 f"while: {context}", f"command line: {sys.argv!r}",
                 f"python {sys.version.split()[0]} on {platform.platform()}", "",
                 *traceback.format_exception(type(exc), exc, exc.__traceback__)]
        path.write_text("\n".join(line.rstrip("\n") for line in lines) + "\n", encoding="utf-8")
        _prune(folder)
        return path
    except Exception:  # noqa: BLE001 - the boundary itself must never raise
        return None


def one_line(exc: BaseException, context: str) -> str:
    """The message for the user: what went wrong and where the crash log is."""
    path = write(exc, context)
    if isinstance(exc, MemoryError):
        what = "ran out of memory"
    else:
        what = f"internal error ({summary(exc)})"
    where = f"details in {path}" if path is not None else "no crash log could be written"
    return f"{what}; this is a bug, please report it: {where}"


def _prune(folder: Path) -> None:
    logs = sorted(folder.glob("crash-*.log"), key=lambda p: p.stat().st_mtime)
    for old in logs[:-KEEP]:
        try:
            old.unlink()
        except OSError:
            pass
