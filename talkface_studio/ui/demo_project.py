"""Build the demo project (the recording and portrait shipped in resources/demo) for the welcome
screen's "Open demo project". Runs in a worker: analysis, fitting and generation take seconds."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path


def build_demo_project(folder: str | Path) -> Path:
    """Copy the demo media into `folder`, paint the demo emotions, fit, generate, save -> project path."""
    from talkface_studio.cli.cmd_demo import EMOTIONS, FPS, TRANSCRIPT, demo_media_dir
    from talkface_studio.cli.cmd_new import build_project
    from talkface_studio.core.errors import MediaError
    from talkface_studio.core.project_file import save_project
    from talkface_studio.pipeline.take_state import TakeState

    folder = Path(folder)
    (folder / "media").mkdir(parents=True, exist_ok=True)
    for name in ("line.wav", "portrait.png"):
        source = demo_media_dir() / name
        if not source.is_file():
            raise MediaError("demo media is missing (run from a source checkout)", source)
        shutil.copy2(source, folder / "media" / name)
    path = folder / "demo.tfs"
    spec = argparse.Namespace(project=str(path), audio=str(folder / "media" / "line.wav"),
                              portrait=str(folder / "media" / "portrait.png"), fps=FPS, emotion=list(EMOTIONS),
                              take="line", seed=7, transcript=TRANSCRIPT, force=True)
    project = build_project(spec)
    state = TakeState(project)
    state.fit(project.takes[0])
    state.generate(project.takes[0])
    save_project(project, path, backup=False)
    return path
