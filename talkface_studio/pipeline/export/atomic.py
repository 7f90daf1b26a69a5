"""Write-then-rename for exports: a failed or cancelled export never leaves a finished-looking file.

The mechanics (temporary file in the target's folder, fsync, symlinks written through, read-only
targets refused, permissions kept) are core.atomic_write's; this module gives them the export's
names: ExportError, and a hidden temporary name ending in `.partial`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from talkface_studio.core import atomic_write
from talkface_studio.core.atomic_write import describe_os_error, discard  # noqa: F401 - re-exported
from talkface_studio.core.errors import MediaError

VERB = "cannot write output"


class ExportError(MediaError):
    """An output that could not be written (unwritable folder, full disk, encoder failure)."""


def temp_path_for(target: Path) -> Path:
    """Reserve a hidden `.partial` file beside where `target` really lands; ExportError names `target`."""
    shown = Path(target)
    real = atomic_write.write_target(shown)
    previous = atomic_write.check_replaceable(real, shown, ExportError, VERB)
    try:
        return atomic_write.reserve_temp(real, ".partial", previous)
    except OSError as exc:
        raise ExportError(f"{VERB}: {describe_os_error(exc)}", shown) from None


def check_writable(target: str | os.PathLike, create_folder: bool = False) -> None:
    """Fail early (before minutes of rendering) if `target` cannot be written. With `create_folder`
    a missing output folder is made first, as the app's Export does (the command line asks for it)."""
    target = Path(target)
    if create_folder:
        try:
            atomic_write.write_target(target).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"cannot create the output folder: {describe_os_error(exc)}", target) from None
    discard(temp_path_for(target))


def commit(temp: Path, target: Path) -> None:
    """Move a finished temporary file (from temp_path_for) onto `target`, through links."""
    atomic_write.commit(temp, target, error=ExportError, verb=VERB)


@contextlib.contextmanager
def atomic_file(target: str | os.PathLike, keep_suffix: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; rename it onto `target` only if the block succeeds.
    `keep_suffix` ends the temporary name in the target's own suffix, for writers that choose their
    format from the file name (USD)."""
    suffix = ".partial" + (Path(target).suffix if keep_suffix else "")
    with atomic_write.replacing(target, error=ExportError, verb=VERB, temp_suffix=suffix) as temp:
        yield temp


def write_text_atomic(target: str | os.PathLike, text: str) -> Path:
    target = Path(target)
    atomic_write.write_atomic(target, text.encode("utf-8"), error=ExportError, verb=VERB)
    return target
