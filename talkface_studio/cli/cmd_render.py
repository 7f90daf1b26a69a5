"""`talkface-studio render PROJECT.tfs -o OUT.mp4|OUT.mov|OUT_DIR [--frames A-B] [--size N] ...`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("render", help="render a take to MP4, MOV (ProRes) or a PNG sequence",
                       description="Render a take (or a frame range of it, one farm task) to .mp4 (H.264 + "
                                   "AAC), .mov (ProRes 422 HQ + PCM) or a folder of NAME.%%06d.png. The "
                                   "file appears only when the whole range succeeded. The project is not "
                                   "modified. A take renders as its curves are stored, as the app shows it "
                                   "(a take whose emotions changed since the last generate is not "
                                   "regenerated; one never generated is performed in memory).")
    p.add_argument("project", type=Path, help="project file (.tfs)")
    # a str, not a Path: a trailing slash ("take1.v2/") says "folder" and Path would drop it
    p.add_argument("-o", "--output", required=True, help="OUT.mp4, OUT.mov or an output folder")
    p.add_argument("--take", help="take name (default: the first take)")
    p.add_argument("--frames", metavar="A-B", help="inclusive frame range (default: the whole take)")
    p.add_argument("--size", type=int, default=512, help="output width and height in pixels (default 512)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="torch device (default auto)")
    p.add_argument("--renderer", default="mesh_warp", choices=("mesh_warp", "neural"),
                   help="stage 2 backend (default mesh_warp; neural needs --checkpoint)")
    p.add_argument("--checkpoint", type=Path, help="generator checkpoint for --renderer neural (.safetensors)")
    p.add_argument("--crf", type=int, default=18, help="H.264 quality, 0-51, lower is better (default 18)")
    p.add_argument("--audio-bits", type=int, choices=(16, 24), default=16, help="MOV PCM bit depth (default 16)")
    p.add_argument("--no-audio", action="store_true", help="video without the dialogue track")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the frame cache")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.protected_files import ProtectedFiles
    from talkface_studio.pipeline.export.atomic import check_writable
    from talkface_studio.pipeline.frame_cache import FrameCache
    from talkface_studio.core.limits import check_output_size
    from talkface_studio.pipeline.job import RenderJob, parse_frame_range
    from talkface_studio.pipeline.progress_text import TextProgress
    from talkface_studio.pipeline.render_output import check_output, output_kind, render_to
    from talkface_studio.pipeline.take_state import TakeState, load_take

    check_output_size(args.size)
    if not 0 <= args.crf <= 51:
        raise ValidationError(f"--crf must be 0-51, got {args.crf}")
    kind = output_kind(args.output)
    project, take = load_take(args.project, args.take)
    # Cheap checks first: a bad range or an unwritable output must not cost a fit and a performance.
    if take.n_frames == 0:
        raise ValidationError(f"take {take.name!r} is empty", args.project)
    first, stop = parse_frame_range(args.frames, _Span(take.n_frames))
    check_output(ProtectedFiles.of_project(project), args.output, take.name, first, stop)
    if args.renderer == "neural":
        from talkface_studio.cli.cmd_generate import check_checkpoint
        from talkface_studio.render.registry import MISSING_CHECKPOINT

        check_checkpoint(args.checkpoint, MISSING_CHECKPOINT)
    if kind == "video":
        check_writable(args.output, create_folder=True)
    state = TakeState(project)
    snapshot = state.snapshot(take)  # fits the portrait: may still refuse it, so say nothing before
    print_status(state, take, snapshot.status, "render")
    start, stop = parse_frame_range(args.frames, snapshot)
    checkpoint = str(args.checkpoint) if args.checkpoint else None
    job = RenderJob(snapshot, start, stop, size=args.size, device=args.device, renderer=args.renderer,
                    checkpoint=checkpoint)
    cache = None if args.no_cache else FrameCache()
    render_to(job, args.output, crf=args.crf, audio_bits=args.audio_bits, with_audio=not args.no_audio,
              cache=cache, progress=TextProgress(f"render {take.name}"))
    hits = f", {cache.hits} from cache" if cache is not None and cache.hits else ""
    print(f"wrote {args.output} (frames {start}-{stop - 1}, {args.size}px{hits})")
    return 0


def print_status(state, take, status: str, output: str) -> None:
    """What a take that is not current renders as (pipeline.renderable), on stderr."""
    from talkface_studio.pipeline.renderable import NEVER_GENERATED, status_notes

    for line in status_notes(take.name, status, output):
        print(line, file=sys.stderr)
    if status == NEVER_GENERATED:  # performed for this output: say where its lip sync fell back
        from talkface_studio.pipeline.alignment_notes import print_notices

        print_notices(take.name, state.report(take), take.rate)


class _Span:
    """Just enough of a take snapshot for parse_frame_range before anything is computed."""

    def __init__(self, n_frames: int):
        self.first_frame, self.last_frame = 0, n_frames - 1
