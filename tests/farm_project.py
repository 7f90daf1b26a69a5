"""A short project for the farm and package tests: 1.2 s of the demo line (30 frames at 25 fps)."""

from __future__ import annotations

from pathlib import Path

import soundfile as sf

from talkface_studio.cli.main import main
from talkface_studio.core.project_file import load_project, save_project
from talkface_studio.core.take import Take

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"
N_FRAMES = 30


def make_project(folder: Path, generate: bool = True) -> Path:
    """folder/scene.tfs with take `t1` over a 1.2 s clip; generated (portrait fit + curves) by default."""
    samples, rate = sf.read(DEMO / "line.wav")
    sf.write(folder / "line.wav", samples[: int(1.2 * rate)], rate)
    (folder / "portrait.png").write_bytes((DEMO / "portrait.png").read_bytes())
    tfs = folder / "scene.tfs"
    assert main(["new", str(tfs), "--audio", str(folder / "line.wav"), "--portrait",
                 str(folder / "portrait.png"), "--fps", "25", "--take", "t1", "--seed", "3"]) == 0
    if generate:
        assert main(["generate", str(tfs)]) == 0
    return tfs


def add_take(tfs: Path, name: str, n_frames: int) -> None:
    """Another (ungenerated) take of a given length over the same media: enough for job planning."""
    project = load_project(tfs)
    first = project.takes[0]
    project.add_take(Take(name, first.audio_path, first.portrait_path, first.rate, n_frames))
    save_project(project, tfs, backup=False)
