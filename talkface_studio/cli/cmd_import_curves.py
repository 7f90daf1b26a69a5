"""`talkface-studio import-curves PROJECT.tfs CURVES.csv [--mode override|additive] [--take NAME]`;
`--format livelink` (or a CSV that starts `Timecode,BlendShapeCount`) reads a Live Link Face recording
(rig_curves_cli, with `--retime`, `--at FRAME`, `--channels`).

Curves come in as edit layers (one per channel, all named after the file), so the generated base is
kept, a later generate keeps them, and removing the layers in the app undoes the import.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np


def add_parser(sub) -> None:
    p = sub.add_parser("import-curves", help="bring curves (CSV/JSON) or a Live Link Face capture in as edit layers",
                       description="Add the curves of CURVES (frame,time,<channel>... CSV or the JSON that "
                                   "export-curves writes) to a take as edit layers. Empty cells are gaps.")
    p.add_argument("project", type=Path, help="project file (.tfs); saved in place")
    p.add_argument("curves", type=Path, help="CURVES.csv or CURVES.json")
    p.add_argument("--mode", choices=("override", "additive"), default="override",
                   help="override replaces the value, additive adds to it (default: override)")
    p.add_argument("--take", help="take name (default: the first take)")
    p.add_argument("--format", choices=("channels", "livelink"), default=None,
                   help="channels (frame,time,<channel>... or JSON) or livelink (an iPhone Live Link Face "
                        "recording); default: recognised from the file")
    p.add_argument("--retime", action="store_true",
                   help="livelink: resample a capture recorded at another frame rate by its timecodes")
    p.add_argument("--at", type=int, default=None, metavar="FRAME",
                   help="livelink: put the capture's first sample at this take frame (default: by timecode "
                        "when the take's recording has one, else frame 0)")
    p.add_argument("--channels", default=None, metavar="GROUPS",
                   help="livelink: comma-separated groups to import: head,gaze,blink,mouth,emotion (default all)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from talkface_studio.core.channels import CHANNEL_NAMES
    from talkface_studio.core.concurrent_save import save_reapplying
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.pipeline.export.curves import read_curves
    from talkface_studio.pipeline.take_state import load_take

    from . import rig_curves_cli

    if args.format == "livelink" or (args.format is None and rig_curves_cli.looks_like_livelink(args.curves)):
        return rig_curves_cli.import_capture(args)
    project, take = load_take(args.project, args.take)
    table = read_curves(args.curves, known=set(CHANNEL_NAMES))
    if not table.channels:
        raise ValidationError("no channel columns to import", args.curves)
    imported = import_into(project, table, args)
    # another program saved meanwhile: add the same layers to their version (never drop either edit)
    save_reapplying(project, lambda theirs: import_into(theirs, table, args), args.project,
                    note=lambda text: print(f"note: {text}", file=sys.stderr))
    print(f"imported {imported} channel(s) from {args.curves} into take {take.name!r} as "
          f"{args.mode} layers")
    return 0


def import_into(project, table, args) -> int:
    """Check the curves against the take and add them as edit layers; -> number of channels."""
    from talkface_studio.core.commands import ImportCurvesAsLayer
    from talkface_studio.pipeline.export.curves import check_against_take
    from talkface_studio.pipeline.take_state import pick_take

    take = pick_take(project, args.take, args.project)
    check_against_take(table, take, args.curves)
    curves = {n: (table.frames, v) for n, v in table.channels.items() if np.isfinite(v).any()}
    ImportCurvesAsLayer(take.name, curves, mode=args.mode, name=f"Imported {args.curves.name}").do(project)
    return len(curves)
