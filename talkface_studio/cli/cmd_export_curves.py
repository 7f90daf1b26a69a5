"""`talkface-studio export-curves PROJECT.tfs -o OUT.csv|OUT.json|OUT.chan [--take NAME]`;
`-o take.csv --format livelink` and `-o take.usda|.usdc|.usd` write ARKit rig curves (rig_curves_cli)."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def add_parser(sub) -> None:
    p = sub.add_parser("export-curves", help="write a take's final channel curves (CSV, JSON, head-pose .chan) "
                                             "or ARKit rig curves (Live Link Face CSV, USD)",
                       description="Write the final value of every channel (generated base plus edits) per "
                                   "frame. .csv: frame,time,<channel>...; .json: the same with the exact "
                                   "frame rate; .chan: head pose for Nuke/Maya (frame tx ty tz rx ry rz). "
                                   "--format livelink (.csv): the 52 ARKit weights, head and eye rotations "
                                   "as the Live Link Face app records them; .usda/.usdc/.usd: the same as a "
                                   "UsdSkel animation.")
    p.add_argument("project", type=Path, help="project file (.tfs)")
    p.add_argument("-o", "--output", type=Path, required=True,
                   help="OUT.csv, OUT.json, OUT.chan, or OUT.usda/.usdc/.usd (ARKit curves)")
    p.add_argument("--take", help="take name (default: the first take)")
    p.add_argument("--format", choices=("channels", "livelink", "usd"), default=None,
                   help="channels (default for .csv/.json/.chan), livelink (ARKit CSV), usd (default for .usd*)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.protected_files import ProtectedFiles
    from talkface_studio.pipeline.export.atomic import check_writable
    from talkface_studio.pipeline.export.chan import write_chan
    from talkface_studio.pipeline.export.curves import write_curves
    from talkface_studio.pipeline.take_state import TakeState, load_take

    from . import rig_curves_cli
    from .cmd_render import print_status

    if rig_curves_cli.is_rig_export(args):
        return rig_curves_cli.export(args)
    suffix = args.output.suffix.lower()
    if suffix not in (".csv", ".json", ".chan"):
        raise ValidationError(f"unknown curve format {suffix!r}; use .csv, .json, .chan or .usda/.usdc/.usd",
                              args.output)
    project, take = load_take(args.project, args.take)
    ProtectedFiles.of_project(project).check(args.output, "curve file")
    check_writable(args.output, create_folder=True)
    state = TakeState(project)
    snapshot = state.snapshot(take, portrait=False)  # the curves a render shows (never generated: performed)
    print_status(state, take, snapshot.status, "export")
    frames = np.arange(snapshot.n_frames)
    channels = dict(snapshot.channels)
    if suffix == ".chan":
        write_chan(args.output, frames, channels)
    else:
        write_curves(args.output, frames, channels, take.rate)
    print(f"wrote {args.output} ({snapshot.n_frames} frames, take {take.name!r})")
    return 0
