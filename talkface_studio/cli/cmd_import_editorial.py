"""`talkface-studio import-editorial PROJECT.tfs edit.otio [--take NAME] [--replace]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("import-editorial", help="paint a take's emotion lane from the markers of an edit (OTIO)",
                       description="Read the markers on the take's clip (named '<emotion> <level>', e.g. "
                                   "'happy 2'; 'neutral' erases) and paint them onto the emotion lane as "
                                   "undoable edits. Point markers last until the next marker. Run generate "
                                   "afterwards to perform the new emotions.")
    p.add_argument("project", type=Path, help="project file (.tfs); saved in place")
    p.add_argument("timeline", type=Path, help="edit.otio (or .edl/.xml/.aaf with its adapter)")
    p.add_argument("--take", help="take name (default: the first take)")
    p.add_argument("--replace", action="store_true", help="clear the take's emotion lane first")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from talkface_studio.core.concurrent_save import save_reapplying
    from talkface_studio.core.emotion_follow import do_with_follow
    from talkface_studio.pipeline.editorial_import import plan_markers, read_timeline
    from talkface_studio.pipeline.export.atomic import check_writable
    from talkface_studio.pipeline.rig_curves import take_start_seconds
    from talkface_studio.pipeline.take_state import load_take

    project, take = load_take(args.project, args.take)
    check_writable(args.project)
    timeline = read_timeline(args.timeline, take.rate.fps)
    plan = plan_markers(timeline, take, args.timeline, take_start_seconds(project, take),
                        only_take=len(project.takes) == 1, replace=args.replace)
    do_with_follow(project, plan.commands)  # as a paint in the app: the expression curves follow

    def reapply(theirs) -> None:  # another program saved meanwhile: paint onto its version
        again = plan_markers(timeline, theirs.take(take.name), args.timeline,
                             take_start_seconds(theirs, theirs.take(take.name)),
                             only_take=len(theirs.takes) == 1, replace=args.replace)
        do_with_follow(theirs, again.commands)

    save_reapplying(project, reapply, args.project, note=lambda text: print(f"note: {text}", file=sys.stderr))
    note = f"; {plan.outside} marker(s) outside the take left out" if plan.outside else ""
    print(f"painted {len(plan.painted)} emotion segment(s) from clip {plan.clip!r} of {args.timeline} onto "
          f"take {take.name!r}{note}; the expression curves follow them now, run generate for posture, gaze, "
          "blinks and lip sync")
    return 0
