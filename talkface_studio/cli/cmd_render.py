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
    p.add_argument("--size", type=int, help="output width and height in pixels (default 512; not with --plate)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="torch device (default auto)")
    p.add_argument("--renderer", default="mesh_warp", choices=("mesh_warp", "neural"),
                   help="stage 2 backend (default mesh_warp; neural needs --checkpoint)")
    p.add_argument("--checkpoint", type=Path, help="generator checkpoint for --renderer neural (.safetensors)")
    p.add_argument("--crf", type=int, default=18, help="H.264 quality, 0-51, lower is better (default 18)")
    p.add_argument("--audio-bits", type=int, choices=(16, 24), default=16, help="MOV PCM bit depth (default 16)")
    p.add_argument("--no-audio", action="store_true", help="video without the dialogue track")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the frame cache")
    add_plate_arguments(p)
    p.set_defaults(handler=run)


def add_plate_arguments(p) -> None:
    g = p.add_argument_group("plate mode", "the performance rendered back into the whole source photo")
    g.add_argument("--plate", action="store_true",
                   help="render into the whole photo at its own resolution (only head, hair and neck change)")
    g.add_argument("--alpha", action="store_true",
                   help="with --plate: the performer's matte as alpha (PNG/EXR sequence, or .mov as ProRes 4444)")
    g.add_argument("--image-format", choices=("png", "exr"), default="png",
                   help="image sequence format (default png; exr: half-float, scene-linear)")
    g.add_argument("--plate-max-side", type=int, default=None, metavar="N",
                   help="with --plate: render the head region at most N px a side (default 2048; larger "
                        "regions are resampled into the photo)")
    g.add_argument("--preset", default=None, help="x264 preset for .mp4 (default medium; faster with --plate)")


def run(args: argparse.Namespace) -> int:
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.protected_files import ProtectedFiles
    from talkface_studio.pipeline.export.atomic import check_writable
    from talkface_studio.pipeline.export.video import X264_PRESETS
    from talkface_studio.pipeline.frame_cache import FrameCache
    from talkface_studio.core.limits import check_output_size
    from talkface_studio.pipeline.job import RenderJob, parse_frame_range
    from talkface_studio.pipeline.progress_text import TextProgress
    from talkface_studio.pipeline.render_output import check_output, output_kind, render_to
    from talkface_studio.pipeline.take_state import TakeState, load_take

    # Cheap checks first: bad options, a bad range or an unwritable output must not cost a fit
    if args.plate:
        max_side = check_plate_options(args)
    else:
        if args.alpha or args.plate_max_side is not None:
            raise ValidationError("--alpha and --plate-max-side need --plate")
        args.size = 512 if args.size is None else args.size
        check_output_size(args.size)
    if not 0 <= args.crf <= 51:
        raise ValidationError(f"--crf must be 0-51, got {args.crf}")
    if args.preset is not None and args.preset not in X264_PRESETS:
        raise ValidationError(f"--preset must be one of {', '.join(X264_PRESETS)}, got {args.preset!r}")
    kind = output_kind(args.output)
    if args.plate:
        from talkface_studio.pipeline.plate.output import check_plate_request

        check_plate_request(args.output, args.alpha, args.image_format)
    project, take = load_take(args.project, args.take)
    if take.n_frames == 0:
        raise ValidationError(f"take {take.name!r} is empty", args.project)
    first, stop = parse_frame_range(args.frames, _Span(take.n_frames))
    check_output(ProtectedFiles.of_project(project), args.output, take.name, first, stop, args.image_format)
    if args.renderer == "neural":
        from talkface_studio.cli.cmd_generate import check_checkpoint
        from talkface_studio.render.registry import MISSING_CHECKPOINT

        check_checkpoint(args.checkpoint, MISSING_CHECKPOINT)
    if args.plate:
        check_plate_photo(project, take, args.project)
    if kind == "video":
        check_writable(args.output, create_folder=True)
    state = TakeState(project)
    snapshot = state.snapshot(take)  # fits the portrait: may still refuse it, so say nothing before
    print_status(state, take, snapshot.status, "render")
    start, stop = parse_frame_range(args.frames, snapshot)
    checkpoint = str(args.checkpoint) if args.checkpoint else None
    plate = None
    if args.plate:  # the same job, framed as the whole photo (pipeline.plate.framing)
        from talkface_studio.pipeline.plate.framing import PlateFraming

        plate = PlateFraming.open(snapshot.portrait, max_side, alpha=args.alpha, pad_even=kind == "video")
    job = RenderJob(snapshot, start, stop, size=args.size or 512, device=args.device, renderer=args.renderer,
                    checkpoint=checkpoint, plate=plate)
    cache = None if args.no_cache or plate is not None else FrameCache()
    render_to(job, args.output, crf=args.crf, audio_bits=args.audio_bits, with_audio=not args.no_audio,
              cache=cache, progress=TextProgress(f"render {take.name}"), preset=args.preset,
              image_format=args.image_format)
    hits = f", {cache.hits} from cache" if cache is not None and cache.hits else ""
    if plate is not None:
        alpha = ", alpha: the performer's matte" if args.alpha else ""
        print(f"wrote {args.output} (frames {start}-{stop - 1}, {job.plate.describe()}{alpha})")
    else:
        print(f"wrote {args.output} (frames {start}-{stop - 1}, {args.size}px{hits})")
    return 0


def check_plate_options(args: argparse.Namespace) -> int:
    """--plate's own refusals (before anything is read); returns the head region's render cap."""
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.limits import MAX_PLATE_RENDER_SIDE, check_plate_render_cap
    from talkface_studio.pipeline.plate.framing import check_plate_renderer

    if args.size is not None:
        raise ValidationError("--size does not apply to --plate: a plate has the photo's own size "
                              "(--plate-max-side caps the head region's render)")
    check_plate_renderer(args.renderer)
    return MAX_PLATE_RENDER_SIDE if args.plate_max_side is None else check_plate_render_cap(args.plate_max_side)


def check_plate_photo(project, take, project_path) -> None:
    """The photo a plate goes into (pipeline.plate.source.check_plate_photo)."""
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.media_paths import resolve_media
    from talkface_studio.pipeline.plate.source import check_plate_photo as check

    photo = resolve_media(take.portrait_path, project.path)
    if photo is None:
        raise ValidationError(f"take {take.name!r} has no portrait", project_path)
    check(photo, take.portrait_fit)


def print_status(state, take, status: str, output: str) -> None:
    """What a take that is not current renders as (pipeline.renderable), on stderr."""
    from talkface_studio.pipeline.renderable import NEVER_GENERATED, status_notes

    for line in status_notes(take.name, status, output):
        print(line, file=sys.stderr)
    if status == NEVER_GENERATED:  # performed for this output: say where its lip sync fell back
        from talkface_studio.pipeline.alignment_notes import print_no_script_note, print_notices

        print_notices(take.name, state.report(take), take.rate)
        print_no_script_note(take)


class _Span:
    """Just enough of a take snapshot for parse_frame_range before anything is computed."""

    def __init__(self, n_frames: int):
        self.first_frame, self.last_frame = 0, n_frames - 1
