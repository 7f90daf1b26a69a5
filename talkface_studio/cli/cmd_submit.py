"""`talkface-studio submit PROJECT.tfs --farm openjd|opencue [--chunk N] [--take NAME ...] [-o OUT]`.

Writes a render-farm job (and submits it where that farm's client is configured): per take, one task
per chunk of frames rendering a PNG sequence, then a dependent task encoding the video with audio.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from talkface_studio.farm.chunking import DEFAULT_CHUNK, DEFAULT_COMMAND


def add_parser(sub) -> None:
    p = sub.add_parser("submit", help="write (and submit) a render-farm job: OpenJD / Deadline Cloud or OpenCue",
                       description="Write a farm job for the project's takes into OUT: OpenJD writes a Deadline "
                                   "Cloud job bundle (OUT/template.yaml + parameter_values.yaml), OpenCue an "
                                   "OpenCue job spec (OUT/opencue_job.xml). Frames render to OUT/<take>/, videos "
                                   "to OUT/<take>.mp4. Submits when the farm's client is configured (`deadline` "
                                   "with a default farm and queue; CUEBOT_HOSTS for OpenCue) unless --no-submit.")
    p.add_argument("project", type=Path, help="project file (.tfs); paths in the job are absolute")
    p.add_argument("--farm", choices=("openjd", "opencue"), required=True)
    p.add_argument("--chunk", type=int, default=DEFAULT_CHUNK, help=f"frames per task (default {DEFAULT_CHUNK})")
    p.add_argument("--take", action="append", metavar="NAME", help="take to render (repeatable; default: all)")
    p.add_argument("-o", "--output", type=Path, help="job and output folder (default: farm-<project>/ beside it)")
    p.add_argument("--size", type=int, help="output width and height in pixels (default 512; not with --plate)")
    p.add_argument("--format", choices=("mp4", "mov"), default="mp4", help="video format (default mp4)")
    p.add_argument("--renderer", default="mesh_warp", help="stage 2 backend (default mesh_warp)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="render device on the nodes")
    # dest must not be "command": that is the subcommand's name, which error messages print
    p.add_argument("--command", dest="node_command", default=DEFAULT_COMMAND,
                   help="how render nodes start talkface-studio (default: talkface-studio on PATH)")
    p.add_argument("--name", default="", help="job name (default: talkface-<project>)")
    p.add_argument("--show", default="talkface", help="OpenCue show (default talkface)")
    p.add_argument("--no-submit", action="store_true", help="only write the job files")
    p.add_argument("--plate", action="store_true",
                   help="render into the whole source photo at its own resolution (render --plate)")
    p.add_argument("--alpha", action="store_true",
                   help="with --plate: the performer's matte as alpha (RGBA PNG frames; needs --format mov)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.farm.chunking import plan_job
    from talkface_studio.core.limits import check_output_size

    if args.plate and args.size is not None:
        raise ValidationError("--size does not apply to --plate: a plate has the photo's own size")
    args.size = 512 if args.size is None else args.size
    check_output_size(args.size)
    command = shlex.split(args.node_command)
    if not command:
        raise ValidationError("--command is empty")
    output = args.output or args.project.absolute().parent / f"farm-{args.project.stem}"
    plan = plan_job(args.project, output, takes=args.take, chunk=args.chunk, size=args.size,
                    renderer=args.renderer, device=args.device, video_ext=f".{args.format}",
                    command=command, name=args.name, plate=args.plate, alpha=args.alpha)
    n_tasks = sum(len(t.chunks) + 1 for t in plan.takes)
    if args.farm == "openjd":
        from talkface_studio.farm import openjd

        written = openjd.write_bundle(plan)
        print(f"wrote {written} ({len(plan.takes)} take(s), {n_tasks} tasks; validated with openjd-model)")
        exe = None if args.no_submit else openjd.deadline_client()
        if exe is not None:
            print(f"submitted: {openjd.submit_bundle(written.parent, exe)}")
        elif not args.no_submit:
            local = shlex.join(openjd.local_run_command(written, plan.takes[0].name))
            print("not submitted: no configured Deadline Cloud client; submit with "
                  f"`deadline bundle submit {written.parent}` or run locally with `{local}`", file=sys.stderr)
        return 0
    from talkface_studio.farm import opencue

    written = opencue.write_spec(plan, show=args.show)
    print(f"wrote {written} ({len(plan.takes)} take(s), {n_tasks} tasks)")
    if not args.no_submit:
        if opencue.cuebot_configured():
            print(f"submitted: {', '.join(opencue.submit(plan, show=args.show))}")
        else:
            print("not submitted: no Cuebot configured (set CUEBOT_HOSTS)", file=sys.stderr)
    return 0
