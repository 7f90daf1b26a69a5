"""`talkface-studio render PROJECT -o OUT --plate [--alpha] [--image-format exr] ...`: the take
rendered back into its whole source photo (``pipeline.plate``).

Every refusal (a photo too large, one changed since its fit, --alpha with .mp4, an output that would
replace a project file) comes before anything is computed or written.
"""

from __future__ import annotations

import argparse
import sys


def run_plate(args: argparse.Namespace) -> int:
    from talkface_studio.cli.cmd_render import _Span
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.protected_files import ProtectedFiles
    from talkface_studio.pipeline.export.atomic import check_writable
    from talkface_studio.pipeline.export.video import X264_PRESETS
    from talkface_studio.pipeline.job import parse_frame_range
    from talkface_studio.pipeline.plate.job import PlateJob, check_plate_renderer
    from talkface_studio.pipeline.plate.output import PLATE_PRESET, check_plate_request, describe, render_plate_to
    from talkface_studio.pipeline.plate.source import (MAX_RENDER_SIDE, MIN_RENDER_SIDE, check_fit_current,
                                                       plate_size)
    from talkface_studio.pipeline.progress_text import TextProgress
    from talkface_studio.pipeline.render_output import check_output
    from talkface_studio.pipeline.take_state import TakeState, load_take, resolve_media

    if args.size is not None:
        raise ValidationError("--size does not apply to --plate: a plate has the photo's own size "
                              "(--plate-max-side caps the head region's render)")
    if not 0 <= args.crf <= 51:
        raise ValidationError(f"--crf must be 0-51, got {args.crf}")
    preset = args.preset or PLATE_PRESET
    if preset not in X264_PRESETS:
        raise ValidationError(f"--preset must be one of {', '.join(X264_PRESETS)}, got {preset!r}")
    max_side = MAX_RENDER_SIDE if args.plate_max_side is None else args.plate_max_side
    if not MIN_RENDER_SIDE <= max_side <= 4096:
        raise ValidationError(f"--plate-max-side must be {MIN_RENDER_SIDE}-4096, got {max_side}")
    check_plate_renderer(args.renderer)
    kind = check_plate_request(args.output, args.alpha, args.image_format)
    project, take = load_take(args.project, args.take)
    if take.n_frames == 0:
        raise ValidationError(f"take {take.name!r} is empty", args.project)
    start, stop = parse_frame_range(args.frames, _Span(take.n_frames))
    check_output(ProtectedFiles.of_project(project), args.output, take.name, start, stop, args.image_format)
    photo = resolve_media(project, take.portrait_path)
    if photo is None:
        raise ValidationError(f"take {take.name!r} has no portrait", args.project)
    plate_size(photo)                               # from the header: too large is refused undecoded
    check_fit_current(take.portrait_fit, photo)     # a changed photo is refused, not refitted
    if kind == "video":
        check_writable(args.output, create_folder=True)
    state = TakeState(project)
    regenerated = state.ensure_generated(take)
    snapshot = state.snapshot(take)
    if regenerated:
        print(f"note: take {take.name!r} was (re)generated for this render; run `talkface-studio generate` "
              "to store it", file=sys.stderr)
        from talkface_studio.pipeline.alignment_notes import print_notices

        print_notices(take.name, state.report(take), take.rate)
    job = PlateJob.open(snapshot, start, stop, max_side, device=args.device, renderer=args.renderer,
                        alpha=args.alpha, pad_even=kind == "video")
    render_plate_to(job, args.output, image_format=args.image_format, crf=args.crf, audio_bits=args.audio_bits,
                    with_audio=not args.no_audio, preset=preset, progress=TextProgress(f"render {take.name}"))
    alpha = ", alpha: the performer's matte" if args.alpha else ""
    print(f"wrote {args.output} (frames {start}-{stop - 1}, {describe(job)}{alpha})")
    return 0

