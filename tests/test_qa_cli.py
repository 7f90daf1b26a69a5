"""QA regressions found by running the command line as an artist would."""

import os
import shutil
from pathlib import Path

import numpy as np
import soundfile as sf

from talkface_studio.cli.main import main
from talkface_studio.pipeline.take_state import TakeState, load_take

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"


def _short_project(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    audio = folder / "line.wav"
    t = np.arange(int(1.0 * 16000)) / 16000
    sf.write(audio, (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)
    shutil.copy(DEMO / "portrait.png", folder / "face.png")
    project = folder / "scene.tfs"
    assert main(["new", str(project), "--audio", str(audio), "--portrait", str(folder / "face.png")]) == 0
    return project


def test_media_of_a_project_opened_by_a_relative_path_from_another_folder(tmp_path, monkeypatch):
    # `talkface-studio render shots/scene.tfs` from the parent folder looked for shots/shots/line.wav
    _short_project(tmp_path / "shots")
    monkeypatch.chdir(tmp_path)
    project, take = load_take(os.path.join("shots", "scene.tfs"))
    state = TakeState(project)
    assert state.audio_path(take).resolve() == (tmp_path / "shots" / "line.wav").resolve()
    assert Path(take.portrait_path).resolve() == (tmp_path / "shots" / "face.png").resolve()
    monkeypatch.chdir(tmp_path / "shots")  # the GUI's current folder is anywhere
    assert state.audio_path(take).is_file()


def test_submit_errors_name_the_subcommand_once(tmp_path, capsys):
    broken = tmp_path / "broken.tfs"
    broken.write_text('{"schema": "talkface.project", "takes": [', encoding="utf-8")
    assert main(["submit", str(broken), "--farm", "openjd", "--no-submit", "-o", str(tmp_path / "jobs")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("talkface-studio submit: ") and "broken.tfs" in err[0]


def test_landmarks_on_a_full_disk_fail_once_and_cleanly(tmp_path, monkeypatch):
    import errno

    import pytest

    from talkface_studio.core.timebase import FrameRate
    from talkface_studio.pipeline.export import landmarks as landmarks_module
    from talkface_studio.pipeline.export.atomic import ExportError

    real_open = open

    class FullFile:
        def __init__(self, *a, **k):
            self._f = real_open(*a, **k)

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self._f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._f.close()

    monkeypatch.setattr(landmarks_module, "open", FullFile, raising=False)
    out = tmp_path / "lm.npz"
    with pytest.raises(ExportError, match="disk full"):
        landmarks_module.write_landmarks_npz(out, np.zeros((3, 478, 3)), range(3), FrameRate.parse("25"), (64, 64))
    assert not out.exists() and not list(tmp_path.iterdir())
