"""`talkface-studio export-curves PROJECT.tfs -o OUT.csv|OUT.json|OUT.chan [--take NAME]`."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def add_parser(sub) -> None:
    p = sub.add_parser("export-curves", help="write a take's final channel curves (CSV, JSON or head-pose .chan)",
                       description="Write the final value of every channel (generated base plus edits) per "
                                   "frame. .csv: frame,time,<channel>...; .json: the same with the exact "
                                   "frame rate; .chan: head pose for Nuke/Maya (frame tx ty tz rx ry rz).")
    p.add_argument("project", type=Path, help="project file (.tfs)")
    p.add_argument("-o", "--output", type=Path, required=True, help="OUT.csv, OUT.json or OUT.chan")
    p.add_argument("--take", help="take name (default: the first take)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.protected_files import ProtectedFiles
    from talkface_studio.pipeline.export.atomic import check_writable
    from talkface_studio.pipeline.export.chan import write_chan
    from talkface_studio.pipeline.export.curves import write_curves
    from talkface_studio.pipeline.take_state import load_take

    suffix = args.output.suffix.lower()
    if suffix not in (".csv", ".json", ".chan"):
        raise ValidationError(f"unknown curve format {suffix!r}; use .csv, .json or .chan", args.output)
    project, take = load_take(args.project, args.take)
    ProtectedFiles.of_project(project).check(args.output, "curve file")
    check_writable(args.output, create_folder=True)
    frames = np.arange(take.n_frames)
    channels = take.final_channels()
    if suffix == ".chan":
        write_chan(args.output, frames, channels)
    else:
        write_curves(args.output, frames, channels, take.rate)
    print(f"wrote {args.output} ({take.n_frames} frames, take {take.name!r})")
    return 0
