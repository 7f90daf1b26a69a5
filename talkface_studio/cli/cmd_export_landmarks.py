"""`talkface-studio export-landmarks PROJECT.tfs -o OUT.npz [--take NAME] [--size N]`."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def add_parser(sub) -> None:
    p = sub.add_parser("export-landmarks", help="write the per-frame 478-point face landmarks (.npz)",
                       description="Write the relocated landmarks the renderer consumes: landmarks "
                                   "float32 [frames,478,3] in output-image pixels, frames, fps, "
                                   "fps_rational, image_size. Read with numpy.load(allow_pickle=False).")
    p.add_argument("project", type=Path, help="project file (.tfs)")
    p.add_argument("-o", "--output", type=Path, required=True, help="OUT.npz")
    p.add_argument("--take", help="take name (default: the first take)")
    p.add_argument("--size", type=int, default=512, help="output image size the pixels refer to (default 512)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.limits import check_output_size
    from talkface_studio.core.protected_files import ProtectedFiles
    from talkface_studio.pipeline.export.atomic import check_writable
    from talkface_studio.pipeline.export.landmarks import write_landmarks_npz
    from talkface_studio.pipeline.take_state import TakeState, load_take

    if args.output.suffix.lower() != ".npz":
        raise ValidationError("landmarks are written as .npz", args.output)
    check_output_size(args.size)  # the sizes `render` draws: the landmarks are that frame's pixels
    project, take = load_take(args.project, args.take)
    ProtectedFiles.of_project(project).check(args.output, "landmarks file")
    check_writable(args.output, create_folder=True)
    state = TakeState(project)
    snapshot = state.snapshot(take)  # as `render` sees the take
    from .cmd_render import print_status

    print_status(state, take, snapshot.status, "export")
    landmarks = snapshot.landmarks(0, snapshot.n_frames, args.size)
    write_landmarks_npz(args.output, landmarks, np.arange(snapshot.n_frames), snapshot.rate,
                        (args.size, args.size))
    print(f"wrote {args.output} ({snapshot.n_frames} frames x 478 points, {args.size}px)")
    return 0
