"""The rig-curve halves of `export-curves` and `import-curves`: Live Link Face CSV and USD.

Kept apart from the channel-table commands so each stays small; cmd_export_curves and
cmd_import_curves hand over here when the format asks for it.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path

USD_SUFFIXES = (".usda", ".usdc", ".usd")


def is_rig_export(args: argparse.Namespace) -> bool:
    return getattr(args, "format", None) in ("livelink", "usd") or args.output.suffix.lower() in USD_SUFFIXES


def export(args: argparse.Namespace) -> int:
    """Write the take's ARKit curves as Live Link Face CSV (--format livelink) or USD (.usda/.usdc/.usd)."""
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.protected_files import ProtectedFiles
    from talkface_studio.pipeline.export.atomic import check_writable
    from talkface_studio.pipeline.rig_curves import snapshot_rig_curves, take_start_frame, take_start_seconds

    from .cmd_render import print_status
    from talkface_studio.pipeline.take_state import TakeState, load_take

    suffix = args.output.suffix.lower()
    if args.format == "livelink" and suffix != ".csv":
        raise ValidationError("a Live Link Face file is a .csv", args.output)
    if suffix in USD_SUFFIXES and args.format not in (None, "usd"):
        raise ValidationError(f"{suffix} is USD; leave out --format or use --format usd", args.output)
    if args.format == "usd" and suffix not in USD_SUFFIXES:
        raise ValidationError(f"USD is written as {', '.join(USD_SUFFIXES)}", args.output)
    project, take = load_take(args.project, args.take)
    ProtectedFiles.of_project(project).check(args.output, "curve file")
    check_writable(args.output, create_folder=True)
    state = TakeState(project)
    snapshot = state.snapshot(take, portrait=False)  # the curves are what a render would show
    print_status(state, take, snapshot.status, "export")
    curves = snapshot_rig_curves(snapshot)
    if suffix == ".csv":
        from talkface_studio.pipeline.export.livelink import write_livelink_csv

        write_livelink_csv(args.output, curves, take.rate, 0, take_start_seconds(project, take))
        kind = "Live Link Face CSV"
    else:
        from talkface_studio.pipeline.export.usd_skel import write_usd

        start = take_start_frame(project, take)
        write_usd(args.output, curves, take.rate, 0, take.name, take.rate.to_timecode(start))
        kind = "USD"
    print(f"wrote {args.output} ({kind}, {take.n_frames} frames of ARKit curves, take {take.name!r})")
    return 0


def import_capture(args: argparse.Namespace) -> int:
    """Bring a Live Link Face recording in as edit layers on the take's channels."""
    from talkface_studio.core.concurrent_save import save_reapplying
    from talkface_studio.pipeline.export.atomic import check_writable
    from talkface_studio.pipeline.livelink_capture import read_capture
    from talkface_studio.pipeline.livelink_import import parse_groups, plan_capture
    from talkface_studio.pipeline.rig_curves import take_start_seconds
    from talkface_studio.pipeline.take_state import load_take

    groups = parse_groups(args.channels)
    project, take = load_take(args.project, args.take)
    check_writable(args.project)
    capture = read_capture(args.curves)
    plan = plan_capture(capture, take, take_start_seconds(project, take), retime=args.retime, at=args.at,
                        groups=groups)
    layer_name = f"Live Link {Path(args.curves).name}"
    plan.command(take.name, layer_name, args.mode).do(project)

    def reapply(theirs) -> None:  # another program saved meanwhile: add the layers to its version
        again = plan_capture(capture, theirs.take(take.name), take_start_seconds(theirs, theirs.take(take.name)), retime=args.retime,
                             at=args.at, groups=groups)
        again.command(take.name, layer_name, args.mode).do(theirs)

    save_reapplying(project, reapply, args.project, note=lambda text: print(f"note: {text}", file=sys.stderr))
    print(f"imported {plan.summary()} from {args.curves} into take {take.name!r} as {args.mode} layers")
    return 0


def looks_like_livelink(path: Path) -> bool:
    """A CSV whose header starts like a Live Link Face recording. Only a regular file is peeked at (a
    FIFO would block here); anything else is left to the curve reader, which refuses it by type."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            return fh.readline(200).replace(" ", "").startswith("Timecode,BlendShapeCount")
    except OSError:
        return False
