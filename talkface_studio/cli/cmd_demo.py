"""`talkface-studio demo [-o DIR]`: build, generate and render the demo project (`make demo`)."""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

TRANSCRIPT = ("Hello there. I have been waiting for you all morning. But, you know what? "
              "Maybe this is the best day of my life.")
# Painted in seconds on the demo recording (espeak, 8 s): sentence pauses measured in the audio.
EMOTIONS = (
    "sad:2@1.2-3.35",        # "I have been waiting for you all morning."
    "surprised:3@4.2-5.1",   # "you know what?"
    "happy:2@5.35-7.95",     # "Maybe this is the best day of my life."
)
FPS = "25"


def demo_media_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "resources" / "demo"


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
    from talkface_studio.cli.cmd_new import build_project
    from talkface_studio.core.errors import MediaError
    from talkface_studio.core.project_file import save_project
    from talkface_studio.pipeline.export.chan import write_chan
    from talkface_studio.pipeline.export.curves import write_curves
    from talkface_studio.pipeline.frame_cache import FrameCache
    from talkface_studio.pipeline.job import RenderJob
    from talkface_studio.pipeline.progress_text import TextProgress
    from talkface_studio.pipeline.render_output import render_to
    from talkface_studio.pipeline.take_state import TakeState

    import numpy as np

    started = time.monotonic()
    source = demo_media_dir()
    out: Path = args.output
    try:
        (out / "media").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MediaError(f"cannot create the output folder ({exc.strerror})", out) from None
    for name in ("line.wav", "portrait.png"):
        if not (source / name).is_file():
            raise MediaError("demo media is missing (run from a source checkout)", source / name)
        shutil.copy2(source / name, out / "media" / name)

    project_path = out / "demo.tfs"
    spec = argparse.Namespace(project=str(project_path), audio=str(out / "media" / "line.wav"),
                              portrait=str(out / "media" / "portrait.png"), fps=FPS, emotion=list(EMOTIONS),
                              take="line", seed=7, transcript=TRANSCRIPT, force=True)
    project = build_project(spec)
    state = TakeState(project)
    take = project.takes[0]
    state.fit(take)
    state.generate(take)
    save_project(project, project_path, backup=False)
    print(f"wrote {project_path} ({take.n_frames} frames at {take.rate} fps)")

    frames = np.arange(take.n_frames)
    final = take.final_channels()
    write_curves(out / "demo_curves.csv", frames, final, take.rate)
    write_chan(out / "demo_head.chan", frames, final)

    job = RenderJob.whole_take(state.snapshot(take), size=args.size, device=args.device)
    video = render_to(job, out / "demo.mp4", cache=FrameCache(), progress=TextProgress("render demo"))
    print(f"wrote {video} in {time.monotonic() - started:.1f} s total")
    print(f"open it in the app: talkface-studio {project_path}")
    return 0
