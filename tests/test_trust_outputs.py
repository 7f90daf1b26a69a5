"""Output never equals input (issue 11, item 1): every command that writes refuses, before any work,
an output that is or would replace one of the project's files, however the path is spelled (links,
`..`, case, hard links, an image-sequence frame, a partial file's final name)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from talkface_studio.core import project_file as pf
from talkface_studio.core.errors import ValidationError
from talkface_studio.core.protected_files import ProtectedFiles

from trust_helpers import DEMO, assert_nothing_half_done, assert_refused, run_cli, tree_state, write_tone


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """scene.tfs whose audio is dialogue.mp4 (a container render also writes) + portrait face.png."""
    import imageio_ffmpeg

    folder = tmp_path_factory.mktemp("outputs")
    write_tone(folder / "line.wav")
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(folder / "line.wav"),
                    "-c:a", "aac", str(folder / "dialogue.mp4")], check=True)
    (folder / "line.wav").unlink()
    shutil.copy(DEMO / "portrait.png", folder / "face.png")
    from talkface_studio.cli.main import main

    assert main(["new", str(folder / "scene.tfs"), "--audio", str(folder / "dialogue.mp4"),
                 "--portrait", str(folder / "face.png"), "--fps", "25"]) == 0
    pf.save_project(pf.load_project(folder / "scene.tfs"))  # now there is a .bak too
    return folder


@pytest.fixture
def work(base, tmp_path, monkeypatch):
    folder = tmp_path / "p"
    shutil.copytree(base, folder, symlinks=True)
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(folder)
    return folder


def _link(folder: Path, name: str, to: str) -> str:
    (folder / name).symlink_to(to)
    return name


def _hard(folder: Path, name: str, to: str) -> str:
    os.link(folder / to, folder / name)
    return name


# (case id, setup(folder) -> output argument, command builder(output) -> argv, word the refusal names)
RENDER_VIDEO = [
    ("same-name", lambda f: "dialogue.mp4"),
    ("absolute", lambda f: str(f / "dialogue.mp4")),
    ("dot-dot", lambda f: (f / "sub").mkdir() or "sub/../dialogue.mp4"),
    ("dot-slash", lambda f: "./dialogue.mp4"),
    ("upper-case", lambda f: "DIALOGUE.mp4"),
    ("mixed-case-suffix", lambda f: "dialogue.MP4"),
    ("symlink", lambda f: _link(f, "out.mp4", "dialogue.mp4")),
    ("symlink-chain", lambda f: _link(f, "b.mp4", _link(f, "a.mp4", "dialogue.mp4"))),
    ("absolute-symlink", lambda f: _link(f, "abs.mp4", str(f / "dialogue.mp4"))),
    ("hard-link", lambda f: _hard(f, "hard.mp4", "dialogue.mp4")),
    ("symlinked-folder", lambda f: _link(f, "alias", ".") and "alias/dialogue.mp4"),
    ("link-to-project", lambda f: _link(f, "p.mp4", "scene.tfs")),
    ("link-to-backup", lambda f: _link(f, "b.mov", "scene.tfs.bak")),
    ("link-to-autosave", lambda f: _link(f, "a.mov", "scene.tfs.autosave")),
    ("link-to-portrait", lambda f: _link(f, "f.mov", "face.png")),
    ("hard-link-to-portrait", lambda f: _hard(f, "f2.mov", "face.png")),
    ("link-to-lock", lambda f: _link(f, "l.mov", "scene.tfs.lock")),
]


@pytest.mark.parametrize("case, output", RENDER_VIDEO, ids=[c[0] for c in RENDER_VIDEO])
@pytest.mark.parametrize("command", ["render", "encode"])
def test_a_video_output_never_replaces_a_project_file(work, capsys, case, output, command):
    out = output(work)
    if command == "encode":
        seq = work / "seq"
        seq.mkdir()
        argv = ["encode", "scene.tfs", "--sequence", seq, "--frames", "0-0", "-o", out]
        shutil.copy(work / "face.png", seq / "take1.000000.png")
    else:
        argv = ["render", "scene.tfs", "-o", out, "--size", "64"]
    before = tree_state(work)
    line = assert_refused(run_cli(argv, capsys), str(Path(out)))
    assert "refusing" in line
    assert tree_state(work) == before
    assert_nothing_half_done(work)


FILE_OUTPUTS = [
    ("export-curves", ".csv"), ("export-curves", ".json"), ("export-curves", ".chan"),
    ("export-landmarks", ".npz"),
]
TARGETS = ["dialogue.mp4", "face.png", "scene.tfs", "scene.tfs.bak"]


@pytest.mark.parametrize("command, suffix", FILE_OUTPUTS)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("how", ["symlink", "hard-link"])
def test_exports_never_replace_a_project_file(work, capsys, command, suffix, target, how):
    out = f"out{suffix}"
    (work / out).symlink_to(target) if how == "symlink" else os.link(work / target, work / out)
    before = tree_state(work)
    assert_refused(run_cli([command, "scene.tfs", "-o", out], capsys), out)
    assert tree_state(work) == before


def test_an_image_sequence_never_replaces_media(work, capsys):
    # a portrait named like frame 0 of the sequence, in the folder the sequence goes to
    (work / "face.png").rename(work / "take1.000000.png")
    project = pf.load_project(work / "scene.tfs")
    project.takes[0].portrait_path = work / "take1.000000.png"
    project.takes[0].portrait_fit = None
    pf.save_project(project)
    before = tree_state(work)
    line = assert_refused(run_cli(["render", "scene.tfs", "-o", ".", "--size", "64"], capsys), "take1.000000.png")
    assert "portrait" in line
    assert tree_state(work) == before


def test_an_image_sequence_frame_linked_to_media_is_refused(work, capsys):
    (work / "out").mkdir()
    (work / "out" / "take1.000003.png").symlink_to("../dialogue.mp4")
    before = tree_state(work)
    assert_refused(run_cli(["render", "scene.tfs", "-o", "out/", "--size", "64"], capsys), "take1.000003.png")
    assert tree_state(work) == before


def test_new_force_never_overwrites_its_own_inputs(work, capsys):
    """The reported case: `new x.tfs --force --audio x.tfs` overwrote its audio input."""
    write_tone(work / "x.tfs")  # a recording that happens to be named x.tfs
    shutil.copy(work / "face.png", work / "y.tfs")
    before = tree_state(work)
    for argv in (["new", "x.tfs", "--force", "--audio", "x.tfs", "--portrait", "face.png"],
                 ["new", "y.tfs", "--force", "--audio", "dialogue.mp4", "--portrait", "y.tfs"],
                 ["new", "X.TFS", "--force", "--audio", "x.tfs", "--portrait", "face.png"]):
        assert_refused(run_cli(argv, capsys), argv[1])
    assert tree_state(work) == before


def test_new_force_never_turns_its_audio_into_the_backup(work, capsys):
    write_tone(work / "scene.tfs.bak")
    before = tree_state(work)
    assert_refused(run_cli(["new", "scene.tfs", "--force", "--audio", "scene.tfs.bak", "--portrait", "face.png"],
                           capsys), "scene.tfs.bak")
    assert tree_state(work) == before


@pytest.mark.parametrize("name", ["template.yaml", "parameter_values.yaml", "openjd_parameters.yaml"])
def test_submit_never_writes_over_the_project(work, capsys, name):
    (work / "job").mkdir()
    (work / "job" / name).symlink_to("../scene.tfs")
    before = tree_state(work)
    assert_refused(run_cli(["submit", "scene.tfs", "--farm", "openjd", "--no-submit", "-o", "job"], capsys), name)
    assert tree_state(work) == before


def test_submit_refuses_a_job_whose_video_would_be_the_audio(work, capsys):
    shutil.move(work / "dialogue.mp4", work / "take1.mp4")
    project = pf.load_project(work / "scene.tfs")
    project.takes[0].audio_path = work / "take1.mp4"
    pf.save_project(project)
    before = tree_state(work)
    assert_refused(run_cli(["submit", "scene.tfs", "--farm", "openjd", "--no-submit", "-o", "."], capsys), "take1.mp4")
    assert tree_state(work) == before


def test_demo_never_replaces_the_users_files(work, capsys, tmp_path):
    demo = tmp_path / "demo-out"
    (demo / "media").mkdir(parents=True)
    shutil.copy(work / "scene.tfs", demo / "demo.tfs")  # a project of the user's, named demo.tfs
    before = tree_state(demo)
    assert_refused(run_cli(["demo", "-o", demo], capsys), "demo.tfs")
    assert tree_state(demo) == before
    (demo / "demo.tfs").unlink()
    write_tone(demo / "media" / "line.wav", 0.5)  # someone's recording where the demo copies its own
    before = tree_state(demo)
    assert_refused(run_cli(["demo", "-o", demo], capsys), "line.wav")
    assert tree_state(demo) == before
    (demo / "media" / "line.wav").unlink()
    (demo / "demo.mp4").symlink_to(work / "dialogue.mp4")
    before = tree_state(demo)
    assert_refused(run_cli(["demo", "-o", demo], capsys), "demo.mp4")
    assert tree_state(demo) == before


def test_save_as_onto_media_is_refused(work):
    project = pf.load_project(work / "scene.tfs")
    before = tree_state(work)
    for target in ("dialogue.mp4", "face.png", "FACE.png"):
        with pytest.raises(ValidationError, match=f"{target}: refusing"):
            pf.save_project(project, work / target)
    assert tree_state(work) == before


def test_the_apps_export_refuses_media(work):
    """The render queue's worker (Qt-free part) checks the guard the window hands it."""
    from talkface_studio.pipeline.render_jobs import RenderSpec, run_spec
    from talkface_studio.pipeline.cancel import CancelToken

    project = pf.load_project(work / "scene.tfs")
    guard = ProtectedFiles.of_project(project)
    take = project.takes[0]
    before = tree_state(work)
    for output, kind in ((work / "dialogue.mp4", "video"), (work / "scene.tfs.bak", "curves"),
                         (work / "Face.PNG", "curves")):
        spec = RenderSpec(take.copy(), project.path, 0, 5, output, kind, 64, "cpu", protected=guard)
        with pytest.raises(ValidationError, match="refusing"):
            run_spec(spec, lambda d, t: None, CancelToken())
    assert tree_state(work) == before


def test_a_fresh_output_beside_the_media_is_fine(work, capsys):
    result = run_cli(["export-curves", "scene.tfs", "-o", "dialogue.csv"], capsys)
    assert result.code == 0, result.err
    assert (work / "dialogue.csv").is_file()
