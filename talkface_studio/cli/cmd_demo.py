"""`talkface-studio demo [-o DIR]`: build, generate and render the demo project (`make demo`)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("demo", help="build and render the demo project (make demo)",
                       description="Copy the demo recording and portrait into DIR, create DIR/demo.tfs "
                                   "with painted emotions, generate it and render DIR/demo.mp4 (plus the "
                                   "curves as CSV and the head pose as .chan).")
    p.add_argument("-o", "--output", type=Path, default=Path("demo-out"), help="output folder (default demo-out)")
    p.add_argument("--size", type=int, default=512, help="video size in pixels (default 512)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from talkface_studio.pipeline.alignment_notes import print_notices
    from talkface_studio.pipeline.demo_project import create_demo
    from talkface_studio.pipeline.export.chan import write_chan
    from talkface_studio.pipeline.export.curves import write_curves
    from talkface_studio.pipeline.frame_cache import FrameCache
    from talkface_studio.pipeline.job import RenderJob
    from talkface_studio.pipeline.progress_text import TextProgress
    from talkface_studio.pipeline.render_output import render_to

    import numpy as np

    started = time.monotonic()
    out: Path = args.output
    project, state = create_demo(out)
    project_path, take = project.path, project.takes[0]
    report = state.report(take)
    print(f"wrote {project_path} ({take.n_frames} frames at {take.rate} fps; phones: {report.summary()})")
    print_notices(take.name, report, take.rate)

    frames = np.arange(take.n_frames)
    final = take.final_channels()
    write_curves(out / "demo_curves.csv", frames, final, take.rate)
    write_chan(out / "demo_head.chan", frames, final)

    job = RenderJob.whole_take(state.snapshot(take), size=args.size, device=args.device)
    video = render_to(job, out / "demo.mp4", cache=FrameCache(), progress=TextProgress("render demo"))
    print(f"wrote {video} in {time.monotonic() - started:.1f} s total")
    print(f"open it in the app: talkface-studio {project_path}")
    return 0
