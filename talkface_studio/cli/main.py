"""Entry point. Each subcommand lives in its own module exposing `add_parser(sub)` and `run(args)`;
modules are imported only when listed here, so `talkface-studio info` never loads torch or Qt."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from talkface_studio.core.errors import TalkFaceError

INTERNAL_ERROR = 3  # 2 is bad input (and argparse's usage errors); 3 is a bug, with a crash log

# subcommand name -> module under talkface_studio.cli
SUBCOMMANDS: dict[str, str] = {
    "new": "cmd_new",
    "info": "cmd_info",
    "script": "cmd_script",
    "mouth": "cmd_mouth",
    "train": "cmd_train",
    "generate": "cmd_generate",
    "render": "cmd_render",
    "demo": "cmd_demo",
    "export-curves": "cmd_export_curves",
    "import-curves": "cmd_import_curves",
    "export-landmarks": "cmd_export_landmarks",
    "encode": "cmd_encode",
    "submit": "cmd_submit",
    "export-editorial": "cmd_export_editorial",
    "import-editorial": "cmd_import_editorial",
}


class OneLineParser(argparse.ArgumentParser):
    """Usage mistakes end like every other error: one line, exit 2 (argparse prints the usage too).
    An option is spelled out: argparse's abbreviations read `new --script "Hello."` as
    --script-fallback and refused the words as a number."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)  # subcommands' parsers are made by this class too
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _open_gui(project: str | None) -> int:
    from talkface_studio.ui.app import run_app  # Qt only when the GUI is asked for

    return run_app(project)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or with ``only`` (a subcommand name, or "" for none) one that imports just
    that subcommand's module: the others get bare placeholders, so `render` never pays for the
    imports of `new` (numpy, the performer's settings) and `--version` for none of them."""
    parser = OneLineParser(
        prog="talkface-studio",
        description="Emotional talking-face performances. With no subcommand, opens the GUI.",
    )
    parser.add_argument("--version", action=importlib.import_module("talkface_studio.app_info").VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in SUBCOMMANDS.items():
        if only is None or name == only:
            importlib.import_module(f"talkface_studio.cli.{module}").add_parser(sub)
        else:
            sub.add_parser(name)
    return parser


class _NoteHandler(logging.Handler):
    """Warnings of the rooms (a damaged cache entry that was rebuilt, ...) as `note:` lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"note: {' '.join(record.getMessage().split())}", file=sys.stderr)  # sys.stderr of now


def _show_notes() -> None:
    logger = logging.getLogger("talkface_studio")
    if not any(isinstance(h, _NoteHandler) for h in logger.handlers):
        logger.addHandler(_NoteHandler(logging.WARNING))
        logger.setLevel(logging.INFO)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _show_notes()
    # `talkface-studio` or `talkface-studio PROJECT.tfs` opens the GUI.
    if not argv or (len(argv) == 1 and not argv[0].startswith("-") and argv[0] not in SUBCOMMANDS):
        return _run("talkface-studio", lambda: _open_gui(argv[0] if argv else None))
    if argv[0] in SUBCOMMANDS:
        only = argv[0]
    elif argv[0] in ("--version", "-h", "--help"):
        only = "" if argv[0] == "--version" else None
    else:
        only = None
    parser = build_parser(only)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return _run(f"talkface-studio {args.command}", lambda: int(args.handler(args) or 0))


def _run(prog: str, work) -> int:
    """The error boundary: every way out of a command is an exit code and at most one line."""
    try:
        return work()
    except TalkFaceError as exc:
        print(f"{prog}: {_single_line(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader went away (`info --json | head`): stop quietly, as Unix tools do, and keep
        # Python from complaining again when it flushes stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # full disk, permissions: name the file, no traceback
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"{prog}: {where}{_single_line(exc.strerror or str(exc))}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug: one line here, the traceback in a crash log
        from talkface_studio import crash_log

        print(f"{prog}: {crash_log.one_line(exc, prog)}", file=sys.stderr)
        return INTERNAL_ERROR


def _single_line(text: str) -> str:
    return " ".join(text.split())


if __name__ == "__main__":
    sys.exit(main())
