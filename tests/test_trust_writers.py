"""Two writers (issue 11, item 3): an advisory lock per project and a check that the file on disk is
still the one that was loaded. The command line re-applies its change to the other writer's version;
the app asks. Real processes race here: `generate` while `import-curves` saves (the reported case
that dropped the import), and several imports saving at the same instant."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from talkface_studio.core import commands as C
from talkface_studio.core import project_file as pf
from talkface_studio.core import project_lock
from talkface_studio.core.project import Project
from talkface_studio.core.project_lock import ProjectLock, ProjectLockedError, lock_path
from talkface_studio.core.take import Take
from talkface_studio.core.timebase import FrameRate

from trust_helpers import assert_nothing_half_done, make_project, run_cli

ROOT = Path(__file__).resolve().parents[1]

# Runs the CLI in a child process that stops just before its save until GO exists (after writing
# READY), so a test can make another writer save in between, deterministically.
PAUSED_CLI = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    ready, go = Path(sys.argv[1]), Path(sys.argv[2])
    from talkface_studio.core import concurrent_save
    real_save = concurrent_save.save_project
    state = {"paused": False}
    def paused_save(*args, **kwargs):
        if not state["paused"]:
            state["paused"] = True
            ready.write_text("ready")
            deadline = time.time() + 60
            while not go.exists() and time.time() < deadline:
                time.sleep(0.01)
        return real_save(*args, **kwargs)
    concurrent_save.save_project = paused_save
    from talkface_studio.cli.main import main
    sys.exit(main(sys.argv[3:]))
""")


def _start_paused(tmp_path: Path, tag: str, argv: list) -> tuple[subprocess.Popen, Path, Path]:
    script = tmp_path / "paused_cli.py"
    script.write_text(PAUSED_CLI)
    ready, go = tmp_path / f"{tag}.ready", tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, str(script), str(ready), str(go), *map(str, argv)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc, ready, go


def _wait_for(path: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"writer ended early: {proc.communicate()}")
        assert time.time() < deadline, "writer never got to its save"
        time.sleep(0.02)


@pytest.fixture
def project_path(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    return make_project(tmp_path / "p", capsys, seconds=2.0)


def _curves(folder: Path, name: str, channel: str, value: float) -> Path:
    path = folder / name
    path.write_text(f"frame,{channel}\n0,{value}\n20,{value + 1}\n")
    return path


@pytest.mark.slow
def test_generate_while_import_curves_saves_keeps_both(project_path, tmp_path, capsys):
    """The reported case: the import had reported success and was gone after generate saved."""
    proc, ready, go = _start_paused(tmp_path, "generate", ["generate", project_path])
    _wait_for(ready, proc)  # generate has loaded the project and generated; it is about to save
    result = run_cli(["import-curves", project_path, _curves(tmp_path, "fix.csv", "head_yaw", 7.0)], capsys)
    assert result.code == 0, result.err
    go.write_text("go")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "saved by another program meanwhile" in err and "Traceback" not in err
    take = pf.load_project(project_path).takes[0]
    assert [layer.name for layer in take.channels["head_yaw"].layers] == ["Imported fix.csv"]  # theirs
    assert np.ptp(take.channels["jaw_open"].base) > 0.05  # and generate's bases
    assert take.portrait_fit is not None
    assert_nothing_half_done(project_path.parent)


@pytest.mark.slow
def test_import_while_generate_saves_keeps_both(project_path, tmp_path, capsys):
    proc, ready, go = _start_paused(tmp_path, "import", ["import-curves", project_path,
                                                           _curves(tmp_path, "late.csv", "blink", 0.2)])
    _wait_for(ready, proc)
    result = run_cli(["generate", project_path], capsys)
    assert result.code == 0, result.err
    go.write_text("go")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    take = pf.load_project(project_path).takes[0]
    assert [layer.name for layer in take.channels["blink"].layers] == ["Imported late.csv"]
    assert np.ptp(take.channels["jaw_open"].base) > 0.05


@pytest.mark.slow
def test_four_imports_saving_at_the_same_instant_all_survive(project_path, tmp_path):
    procs = []
    for i in range(4):
        curves = _curves(tmp_path, f"c{i}.csv", "head_roll", float(i))
        procs.append(_start_paused(tmp_path, f"w{i}", ["import-curves", project_path, curves]))
    for proc, ready, _ in procs:
        _wait_for(ready, proc)
    (tmp_path / "go").write_text("go")  # all four save now
    for proc, _, _ in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    layers = pf.load_project(project_path).takes[0].channels["head_roll"].layers
    assert sorted(layer.name for layer in layers) == [f"Imported c{i}.csv" for i in range(4)]
    assert_nothing_half_done(project_path.parent)


# -- the check before saving (API) -----------------------------------------------------------------
def _simple(path: Path) -> Project:
    pf.save_project(Project([Take("take1", None, None, FrameRate(25), 40)]), path)
    return pf.load_project(path)


def test_a_save_over_another_programs_save_is_refused(tmp_path):
    path = tmp_path / "scene.tfs"
    mine, theirs = _simple(path), pf.load_project(path)
    C.UndoStack(theirs).push(C.PaintEmotion("take1", 0, 10, "sad"))
    pf.save_project(theirs)
    saved = path.read_bytes()
    C.UndoStack(mine).push(C.PaintEmotion("take1", 20, 30, "happy"))
    with pytest.raises(pf.ProjectChangedError, match="scene.tfs: was saved by another program"):
        pf.save_project(mine)
    assert path.read_bytes() == saved


def test_same_bytes_rewritten_is_not_a_conflict(tmp_path):
    path = tmp_path / "scene.tfs"
    mine = _simple(path)
    path.write_bytes(path.read_bytes())  # touched (newer mtime), same content: a copy tool, a sync client
    C.UndoStack(mine).push(C.PaintEmotion("take1", 0, 10, "sad"))
    pf.save_project(mine)


def test_a_deleted_project_is_saved_again(tmp_path):
    path = tmp_path / "scene.tfs"
    mine = _simple(path)
    path.unlink()
    pf.save_project(mine)
    assert path.is_file()


def test_restoring_an_autosave_then_saving_is_not_a_conflict(tmp_path):
    path = tmp_path / "scene.tfs"
    project = _simple(path)
    C.UndoStack(project).push(C.PaintEmotion("take1", 0, 10, "sad"))
    pf.autosave(project)
    restored = pf.load_project(pf.autosave_path(path), as_path=path)
    pf.save_project(restored)
    assert pf.load_project(path).takes[0].emotion_track.segments[0].emotion == "sad"


def test_reapply_gives_up_after_a_few_tries(tmp_path, monkeypatch):
    from talkface_studio.core import concurrent_save
    from talkface_studio.core.errors import ProjectFileError

    path = tmp_path / "scene.tfs"
    project = _simple(path)

    def always_changed(*a, **k):
        raise pf.ProjectChangedError("changed", path)

    monkeypatch.setattr(concurrent_save, "save_project", always_changed)
    with pytest.raises(ProjectFileError, match="kept being changed"):
        concurrent_save.save_reapplying(project, lambda p: None, path)


# -- the lock --------------------------------------------------------------------------------------
def _write_lock(path: Path, **fields) -> Path:
    lock = lock_path(path)
    record = {"user": "someone", "host": socket.gethostname(), "pid": os.getpid(), "program": "test",
              "time": time.time(), "token": "x"}
    record.update(fields)
    lock.write_text(json.dumps(record))
    return lock


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_the_lock_exists_only_while_saving(tmp_path, monkeypatch):
    path = tmp_path / "scene.tfs"
    project = _simple(path)
    seen = []
    real = pf.write_atomic

    def spy(*a, **k):
        seen.append(json.loads(lock_path(path).read_text()))
        return real(*a, **k)

    monkeypatch.setattr(pf, "write_atomic", spy)
    pf.save_project(project)
    assert seen and seen[0]["pid"] == os.getpid() and seen[0]["host"] == socket.gethostname()
    assert {"user", "time", "program"} <= set(seen[0])
    assert not lock_path(path).exists()


@pytest.mark.parametrize("stale", ["dead-pid", "old", "old-unreadable", "old-other-host"])
def test_a_stale_lock_is_taken_over(tmp_path, stale):
    path = tmp_path / "scene.tfs"
    project = _simple(path)
    if stale == "dead-pid":
        lock = _write_lock(path, pid=_dead_pid())
    elif stale == "old":
        lock = _write_lock(path, time=time.time() - project_lock.STALE_AFTER_S - 5)
    elif stale == "old-other-host":
        lock = _write_lock(path, host="render-node-7", time=time.time() - project_lock.STALE_AFTER_S - 5)
    else:
        lock = lock_path(path)
        lock.write_bytes(b"")  # a writer killed between creating and filling it
        old = time.time() - 30
        os.utime(lock, (old, old))
    pf.save_project(project)
    assert not lock.exists()
    assert not list(tmp_path.glob("*.stale-*"))


@pytest.mark.parametrize("live", ["live-pid", "other-host", "fresh-unreadable"])
def test_a_live_lock_makes_the_save_wait_then_say_who(tmp_path, monkeypatch, live):
    path = tmp_path / "scene.tfs"
    project = _simple(path)
    before = path.read_bytes()
    if live == "fresh-unreadable":
        lock = lock_path(path)
        lock.write_bytes(b"{")
    else:
        lock = _write_lock(path, host=socket.gethostname() if live == "live-pid" else "render-node-7",
                           user="maria", program="talkface-studio generate")
    monkeypatch.setattr(project_lock, "WAIT_S", 0.3)
    with pytest.raises(ProjectLockedError, match="scene.tfs: is being saved by") as info:
        pf.save_project(project)
    assert "\n" not in str(info.value)
    if live != "fresh-unreadable":
        assert "maria" in str(info.value)
    assert lock.exists() and path.read_bytes() == before


def test_a_lock_released_while_waiting_lets_the_save_through(tmp_path):
    import threading

    path = tmp_path / "scene.tfs"
    project = _simple(path)
    lock = _write_lock(path)
    threading.Timer(0.3, lock.unlink).start()
    pf.save_project(project)
    assert not lock.exists()


def test_links_share_one_lock(tmp_path):
    real = tmp_path / "real.tfs"
    _simple(real)
    (tmp_path / "link.tfs").symlink_to("real.tfs")
    assert lock_path(tmp_path / "link.tfs") == lock_path(real)


def test_release_never_removes_someone_elses_lock(tmp_path):
    path = tmp_path / "scene.tfs"
    _simple(path)
    lock = ProjectLock(path)
    lock.acquire()
    _write_lock(path, token="theirs")  # ours was broken as stale and someone else took it
    lock.release()
    assert lock_path(path).exists()


# -- the app asks ----------------------------------------------------------------------------------
@pytest.mark.gui
@pytest.mark.parametrize("choice", ["Keep mine", "Take theirs", "Save As…", None])
def test_the_app_asks_and_never_drops_a_version(make_window, tmp_path, monkeypatch, choice):
    path = tmp_path / "scene.tfs"
    _simple(path)
    w = make_window()
    assert w.files.open_project(path, ask_save=False)
    w.document.push(C.PaintEmotion("take1", 0, 10, "happy"))  # mine, unsaved
    theirs = pf.load_project(path)
    C.UndoStack(theirs).push(C.PaintEmotion("take1", 20, 30, "sad"))
    pf.save_project(theirs)
    theirs_bytes = path.read_bytes()
    asked = []
    w.prompts.ask_choice = lambda title, text, choices: asked.append(choices) or choice
    other = tmp_path / "mine.tfs"
    monkeypatch.setattr("talkface_studio.ui.window.project_files.QFileDialog.getSaveFileName",
                        staticmethod(lambda *a, **k: (str(other), "")))
    w.files.save()
    assert asked == [["Keep mine", "Take theirs", "Save As…"]]
    emotions = lambda p: [s.emotion for s in pf.load_project(p).takes[0].emotion_track.segments]  # noqa: E731
    if choice == "Keep mine":
        assert emotions(path) == ["happy"]
        assert (tmp_path / "scene.tfs.bak").read_bytes() == theirs_bytes
    elif choice == "Take theirs":
        assert path.read_bytes() == theirs_bytes
        assert [s.emotion for s in w.document.project.takes[0].emotion_track.segments] == ["sad"]
    elif choice == "Save As…":
        assert path.read_bytes() == theirs_bytes and emotions(other) == ["happy"]
    else:
        assert path.read_bytes() == theirs_bytes and w.document.dirty
