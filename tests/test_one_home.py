"""One home for each rule that used to be written several times (issue 12): the cache folder, frame
sizes, the default emotion transition, the "needs a checkpoint" message, media paths and atomic
renames. Each rule is checked where it acts, and the source is searched so a second copy fails."""

import re
from pathlib import Path

import pytest

from talkface_studio.cli.main import main
from talkface_studio.core.emotion_track import default_transition
from talkface_studio.core.errors import MissingCheckpointError, ValidationError
from talkface_studio.core.limits import (MAX_OUTPUT_SIZE, MIN_OUTPUT_SIZE, MIN_RENDER_SIZE, check_output_size,
                                         check_render_size)
from talkface_studio.core.media_paths import relative_media, resolve_media
from talkface_studio.core.take import Take
from talkface_studio.core.timebase import FrameRate

PACKAGE = Path(__file__).resolve().parents[1] / "talkface_studio"


def _sources_with(pattern: str) -> list[str]:
    rx = re.compile(pattern)
    return sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if rx.search(p.read_text("utf-8")))


def test_the_cache_folder_has_one_home(tmp_path, monkeypatch):
    from talkface_studio import app_info
    from talkface_studio.audio import cache as audio_cache
    from talkface_studio.pipeline.frame_cache import FrameCache

    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "c"))
    assert audio_cache.cache_dir() == tmp_path / "c" / "audio"
    assert FrameCache().root == tmp_path / "c" / "frames"
    assert app_info.app_paths().cache == tmp_path / "c"
    monkeypatch.delenv("TALKFACE_CACHE_DIR")
    assert audio_cache.cache_dir().parent == FrameCache().root.parent == app_info.app_paths().cache
    assert _sources_with(r"TALKFACE_CACHE_DIR\"|user_cache_dir\(") == ["app_info.py"]


@pytest.mark.parametrize("fps", ["23.976", "24", "25", "29.97", "30", "50", "60"])
def test_the_default_transition_has_one_home(fps):
    rate = FrameRate.parse(fps)
    expected = max(1, round(rate.fps / 3))
    assert default_transition(rate.fps) == expected
    assert Take("t", None, None, rate, 10).emotion_track.default_transition == expected


def test_new_projects_and_files_without_a_transition_use_it(tmp_path):
    import json
    import shutil

    from talkface_studio.core.project_file import load_project, save_project
    from talkface_studio.pipeline.new_project import new_project

    demo = PACKAGE.parent / "resources" / "demo"
    for name in ("line.wav", "portrait.png"):
        shutil.copy(demo / name, tmp_path / name)
    project = new_project(tmp_path / "p.tfs", tmp_path / "line.wav", tmp_path / "portrait.png", fps="50")
    assert project.takes[0].emotion_track.default_transition == default_transition(50) == 17
    save_project(project, tmp_path / "p.tfs")
    doc = json.loads((tmp_path / "p.tfs").read_text())
    del doc["takes"][0]["emotion_track"]["default_transition"]
    (tmp_path / "q.tfs").write_text(json.dumps(doc))
    assert load_project(tmp_path / "q.tfs").takes[0].emotion_track.default_transition == 17


def test_frame_sizes_have_one_home(tmp_path):
    from talkface_studio.pipeline.job import RenderJob

    for good in (MIN_OUTPUT_SIZE, 512, MAX_OUTPUT_SIZE):
        assert check_output_size(good) == good
    for bad in (MIN_OUTPUT_SIZE - 2, 513, MAX_OUTPUT_SIZE + 2, 8192):
        with pytest.raises(ValidationError, match=f"from {MIN_OUTPUT_SIZE} to {MAX_OUTPUT_SIZE}"):
            check_output_size(bad)
    assert check_render_size(MIN_RENDER_SIZE) == MIN_RENDER_SIZE
    with pytest.raises(ValidationError):
        check_render_size(MAX_OUTPUT_SIZE + 1)

    class Snap:  # enough of a TakeSnapshot for the job's own checks
        first_frame, last_frame = 0, 9

    with pytest.raises(ValidationError, match=str(MAX_OUTPUT_SIZE)):
        RenderJob(Snap(), 0, 5, size=8192)  # a job once took 8192, which the frame cache then refused


@pytest.mark.parametrize("argv", [["render", "x.tfs", "-o", "o.mp4", "--size", "8192"],
                                  ["export-landmarks", "x.tfs", "-o", "l.npz", "--size", "8192"],
                                  ["submit", "x.tfs", "--farm", "openjd", "--size", "8192"]])
def test_every_command_refuses_the_same_sizes(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"--size must be an even number of pixels from {MIN_OUTPUT_SIZE} to {MAX_OUTPUT_SIZE}" in err


def test_the_export_dialog_offers_the_same_sizes(qtbot):
    from talkface_studio.ui.window.export_dialog import ExportDialog

    dialog = ExportDialog(Path.home(), "t", False)
    qtbot.addWidget(dialog)
    assert (dialog.size.minimum(), dialog.size.maximum()) == (MIN_OUTPUT_SIZE, MAX_OUTPUT_SIZE)


def test_the_missing_checkpoint_messages_have_one_home(tmp_path, capsys):
    from talkface_studio.perform.registry import MISSING_CHECKPOINT as PERFORMER, get_performer
    from talkface_studio.render.registry import MISSING_CHECKPOINT as RENDERER

    with pytest.raises(MissingCheckpointError) as info:
        get_performer("neural")
    assert str(info.value) == PERFORMER
    assert len(_sources_with(r"needs a checkpoint")) == 2  # perform/registry.py, render/registry.py
    assert set(_sources_with(r"needs a checkpoint")) == {"perform/registry.py", "render/registry.py"}
    assert RENDERER.startswith("the neural renderer needs a checkpoint: --checkpoint FILE")


def test_media_paths_resolve_the_same_everywhere(tmp_path):
    from talkface_studio.core.project_file import load_project, save_project
    from talkface_studio.core.project import Project
    from talkface_studio.pipeline.take_cache import TakeCache

    (tmp_path / "media").mkdir()
    audio = tmp_path / "media" / "line.wav"
    audio.write_bytes((PACKAGE.parent / "resources" / "demo" / "line.wav").read_bytes())
    project = Project([Take("t", audio, None, FrameRate(25), 10)], path=tmp_path / "shots" / "p.tfs")
    (tmp_path / "shots").mkdir()
    save_project(project, project.path)
    assert relative_media(audio, tmp_path / "shots") == "../media/line.wav"
    take = load_project(project.path).takes[0]
    assert take.audio_path == audio  # absolute in memory once loaded
    assert resolve_media("../media/line.wav", project.path) == audio
    assert resolve_media(audio, None) == audio
    assert TakeCache.audio_path(Take("t", Path("../media/line.wav"), None, FrameRate(25), 10), project.path) == audio
    # the app resolves through the same function
    assert _sources_with(r"is_absolute\(\)") == ["core/media_paths.py"]


def test_atomic_renames_have_one_home():
    # the only os.replace outside core.atomic_write moves a finished image sequence's frames into place
    assert _sources_with(r"os\.replace\(") == ["core/atomic_write.py", "pipeline/export/image_sequence.py"]
    assert _sources_with(r"fsync_path\(|os\.fsync\(") == ["core/atomic_write.py"]
