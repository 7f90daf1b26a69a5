"""The demo project: the recording and portrait shipped in resources/demo, with painted emotions.

Built by `talkface-studio demo` (`make demo`) and by the app's "Open demo project".
"""

from __future__ import annotations

import filecmp
import os
import shutil
from pathlib import Path

from talkface_studio.core.errors import MediaError, TalkFaceError

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


MEDIA = ("line.wav", "portrait.png")
OUTPUTS = ("demo.tfs", "demo.mp4", "demo_curves.csv", "demo_head.chan")


def check_demo_folder(folder: Path) -> None:
    """The demo may rebuild its own files in `folder`, never replace anything else the user keeps
    there: a project of theirs called demo.tfs, different media under media/, or a link (writing
    through it would land in some other file)."""
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.project_file import load_project

    for name in OUTPUTS + tuple(f"media/{m}" for m in MEDIA):
        if os.path.islink(folder / name):
            raise ValidationError("is a link; the demo writes only files of its own: choose another folder",
                                  folder / name)
    for name in MEDIA:
        target, source = folder / "media" / name, demo_media_dir() / name
        if target.exists() and (not target.is_file() or not filecmp.cmp(target, source, shallow=False)):
            raise ValidationError("is not the demo's file; the demo would replace it: choose another folder",
                                  target)
    project_file = folder / "demo.tfs"
    if project_file.exists():
        own = {str((folder / "media" / m).absolute()) for m in MEDIA}
        try:
            media = {str(p) for t in load_project(project_file).takes for p in (t.audio_path, t.portrait_path)}
        except TalkFaceError:
            media = set()
        if not media or not media <= own:
            raise ValidationError("is not a demo project; the demo would replace it: choose another folder",
                                  project_file)


def create_demo(folder: str | Path):
    """Copy the demo media into `folder`, paint, fit, generate and save -> (project, TakeState)."""
    from talkface_studio.core.project_file import save_project

    from .new_project import new_project
    from .take_state import TakeState

    folder = Path(folder).absolute()
    check_demo_folder(folder)
    try:
        (folder / "media").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MediaError(f"cannot create the output folder ({exc.strerror})", folder) from None
    for name in MEDIA:
        source = demo_media_dir() / name
        if not source.is_file():
            raise MediaError("demo media is missing (run from a source checkout)", source)
        try:
            shutil.copy2(source, folder / "media" / name)
        except OSError as exc:  # its filename is the source; the problem is the destination
            raise MediaError(f"cannot copy the demo media ({exc.strerror or exc})", folder / "media" / name) from None
    project = new_project(folder / "demo.tfs", folder / "media" / "line.wav", folder / "media" / "portrait.png",
                          fps=FPS, emotions=EMOTIONS, take="line", seed=7, transcript=TRANSCRIPT)
    state = TakeState(project)
    state.fit(project.takes[0])
    state.generate(project.takes[0])
    save_project(project, project.path, backup=False)
    return project, state


def build_demo_project(folder: str | Path) -> Path:
    """Build the demo project in `folder` -> its path (the app opens it)."""
    return Path(create_demo(folder)[0].path)
