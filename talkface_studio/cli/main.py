"""Entry point. Each subcommand lives in its own module exposing `add_parser(sub)` and `run(args)`;
modules are imported only when listed here, so `talkface-studio info` never loads torch or Qt."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from talkface_studio.core.errors import TalkFaceError

# subcommand name -> module under talkface_studio.cli
SUBCOMMANDS: dict[str, str] = {
    "new": "cmd_new",
    "info": "cmd_info",
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


def _open_gui(project: str | None) -> int:
    from talkface_studio.ui.app import run_app  # Qt only when the GUI is asked for

    return run_app(project)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="talkface-studio",
        description="Emotional talking-face performances. With no subcommand, opens the GUI.",
    )
    parser.add_argument("--version", action=importlib.import_module("talkface_studio.app_info").VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in SUBCOMMANDS.items():
        mod = importlib.import_module(f"talkface_studio.cli.{module}")
        mod.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `talkface-studio` or `talkface-studio PROJECT.tfs` opens the GUI.
    if not argv or (len(argv) == 1 and not argv[0].startswith("-") and argv[0] not in SUBCOMMANDS):
        try:
            return _open_gui(argv[0] if argv else None)
        except TalkFaceError as exc:
            print(f"talkface-studio: {exc}", file=sys.stderr)
            return 2
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except TalkFaceError as exc:
        print(f"talkface-studio {args.command}: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader went away (`info --json | head`): stop quietly, as Unix tools do, and keep
        # Python from complaining again when it flushes stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(f"talkface-studio {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # full disk, permissions: name the file, no traceback
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"talkface-studio {args.command}: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
