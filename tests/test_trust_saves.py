"""Saves that respect the file system (issue 11, item 2): links are written through, files the user
may not write are refused, permissions and owners are kept, the previous version stays as .bak, and
every writer in the program shares the one atomic writer (core.atomic_write)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from talkface_studio.core import atomic_write
from talkface_studio.core import commands as C
from talkface_studio.core import project_file as pf
from talkface_studio.core.errors import ProjectFileError, TalkFaceError
from talkface_studio.core.project import Project
from talkface_studio.core.take import Take
from talkface_studio.core.timebase import FrameRate

from trust_helpers import assert_nothing_half_done, assert_refused, run_cli, tree_state


def _project(path: Path) -> Project:
    project = Project([Take("take1", None, None, FrameRate(25), 50)])
    pf.save_project(project, path)
    return pf.load_project(path)


def _edit(project: Project, emotion: str = "happy") -> None:
    C.UndoStack(project).push(C.PaintEmotion("take1", 0, 10, emotion))


def test_saving_through_a_link_updates_the_target_and_keeps_the_link(tmp_path):
    real_dir = tmp_path / "store"
    real_dir.mkdir()
    real = real_dir / "real.tfs"
    _project(real)
    link = tmp_path / "scene.tfs"
    link.symlink_to(os.path.relpath(real, tmp_path))
    project = pf.load_project(link)
    _edit(project)
    pf.save_project(project)
    assert link.is_symlink() and os.readlink(link) == os.path.relpath(real, tmp_path)
    assert pf.load_project(real).take("take1").emotion_track.segments[0].emotion == "happy"
    assert (real_dir / "real.tfs.bak").is_file()  # the backup sits beside the real file
    assert not (tmp_path / "scene.tfs.bak").exists()
    assert_nothing_half_done(tmp_path)


def test_a_chain_of_links_is_followed_to_the_end(tmp_path):
    real = tmp_path / "real.tfs"
    _project(real)
    (tmp_path / "a.tfs").symlink_to("real.tfs")
    (tmp_path / "b.tfs").symlink_to("a.tfs")
    project = pf.load_project(tmp_path / "b.tfs")
    _edit(project, "sad")
    pf.save_project(project)
    assert (tmp_path / "a.tfs").is_symlink() and (tmp_path / "b.tfs").is_symlink()
    assert pf.load_project(real).take("take1").emotion_track.segments[0].emotion == "sad"


def test_cli_save_through_a_link(tmp_path, capsys):
    real = tmp_path / "real.tfs"
    _project(real)
    link = tmp_path / "link.tfs"
    link.symlink_to("real.tfs")
    csv = tmp_path / "fix.csv"
    csv.write_text("frame,head_yaw\n0,5\n10,8\n")
    result = run_cli(["import-curves", link, csv], capsys)
    assert result.code == 0, result.err
    assert link.is_symlink()
    assert pf.load_project(real).take("take1").channels["head_yaw"].layers


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555])
def test_a_read_only_project_is_refused_and_untouched(tmp_path, capsys, mode):
    path = tmp_path / "ro.tfs"
    _project(path)
    os.chmod(path, mode)
    before = tree_state(tmp_path)
    csv = tmp_path / "fix.csv"
    csv.write_text("frame,head_yaw\n0,5\n")
    before = tree_state(tmp_path)
    result = run_cli(["import-curves", path, csv], capsys)
    line = assert_refused(result, "ro.tfs")
    assert "read-only" in line
    assert tree_state(tmp_path) == before
    os.chmod(path, 0o644)


def test_a_read_only_target_behind_a_link_is_refused(tmp_path):
    real = tmp_path / "real.tfs"
    project = _project(real)
    os.chmod(real, 0o444)
    link = tmp_path / "link.tfs"
    link.symlink_to("real.tfs")
    with pytest.raises(ProjectFileError, match="link.tfs: is read-only"):
        pf.save_project(project, link)
    assert link.is_symlink()
    os.chmod(real, 0o644)


def test_permission_bits_and_owner_are_kept(tmp_path):
    path = tmp_path / "scene.tfs"
    project = _project(path)
    os.chmod(path, 0o640)
    if os.geteuid() == 0:
        os.chown(path, 12345, 23456)  # another user's project, saved by root (an admin's script)
    _edit(project)
    pf.save_project(project)
    st = os.stat(path)
    assert stat.S_IMODE(st.st_mode) == 0o640
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (12345, 23456)


@pytest.fixture
def open_tmp():
    """A folder every user can reach (pytest's own tmp folder is private to root)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="trust-"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _as_other_user(fn) -> tuple[int, str]:
    """Run `fn` in a forked child with another effective uid; -> (exit code, message)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read)
        code, text = 0, ""
        try:
            os.setegid(65534)
            os.seteuid(65534)
            fn()
        except TalkFaceError as exc:
            code, text = 2, str(exc)
        except BaseException as exc:  # noqa: BLE001
            code, text = 3, f"{type(exc).__name__}: {exc}"
        os.write(write, text.encode())
        os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        text = fh.read().decode()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), text


@pytest.mark.skipif(not hasattr(os, "fork") or os.geteuid() != 0, reason="needs root to act as another user")
def test_another_users_project_is_not_replaced_by_my_save(open_tmp):
    """The reported case: a shared (world-writable) folder let one user's save replace another's
    read-only project. Now the save is refused and the file keeps its owner and content."""
    shared = open_tmp / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    path = shared / "scene.tfs"
    project = _project(path)
    os.chmod(path, 0o644)  # root's, readable by all, writable by root only
    before = tree_state(shared)
    _edit(project)
    code, text = _as_other_user(lambda: pf.save_project(project, path))
    assert code == 2, text
    assert "scene.tfs: is read-only (it belongs to another user)" in text
    assert tree_state(shared) == before
    assert os.stat(path).st_uid == 0


@pytest.mark.skipif(not hasattr(os, "fork") or os.geteuid() != 0, reason="needs root to act as another user")
def test_a_folder_i_cannot_write_is_a_clear_error(open_tmp):
    folder = open_tmp / "locked"
    folder.mkdir()
    path = folder / "scene.tfs"
    project = _project(path)
    os.chmod(path, 0o666)
    os.chmod(folder, 0o755)  # the file is writable by all, its folder is not: no atomic save possible
    before = tree_state(folder)
    _edit(project)
    code, text = _as_other_user(lambda: pf.save_project(project, path))
    assert code == 2, text
    assert "scene.tfs: could not save: not writable" in text and "unchanged" in text
    assert tree_state(folder) == before


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_special_file_where_the_project_goes_is_refused(tmp_path, kind):
    path = tmp_path / "scene.tfs"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    project = Project([Take("take1", None, None, FrameRate(25), 5)])
    with pytest.raises(ProjectFileError, match="scene.tfs: is a (named pipe|folder)"):
        pf.save_project(project, path)


def test_the_previous_version_is_kept_as_bak(tmp_path):
    path = tmp_path / "scene.tfs"
    project = _project(path)
    first = path.read_bytes()
    _edit(project)
    pf.save_project(project)
    assert (tmp_path / "scene.tfs.bak").read_bytes() == first
    second = path.read_bytes()
    _edit(project, "sad")
    pf.save_project(project)
    assert (tmp_path / "scene.tfs.bak").read_bytes() == second


@pytest.mark.parametrize("where", ["write", "fsync", "replace"])
def test_a_failure_at_any_step_keeps_the_old_file(tmp_path, monkeypatch, where):
    path = tmp_path / "scene.tfs"
    project = _project(path)
    before = tree_state(tmp_path)
    _edit(project)

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    if where == "write":
        real_open = open

        class Full:
            def __init__(self, *a, **k):
                self.f = real_open(*a, **k)

            def write(self, data):
                raise OSError(errno.ENOSPC, "No space left on device")

            def __getattr__(self, name):
                return getattr(self.f, name)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.f.close()

        monkeypatch.setattr("builtins.open", Full)
    else:
        monkeypatch.setattr(os, where, full)
    with pytest.raises(ProjectFileError, match="scene.tfs: could not save: disk full.*unchanged"):
        pf.save_project(project)
    monkeypatch.undo()
    assert tree_state(tmp_path) == before


def test_every_writer_uses_the_one_atomic_writer():
    """No module keeps its own temp+rename copy (the issue found several)."""
    root = Path(atomic_write.__file__).resolve().parents[1]
    offenders = []
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name == "atomic_write.py":
            continue
        for needle in ("tempfile.mkstemp", "os.replace(", ".replace(path)", "os.rename("):
            if needle in text:
                offenders.append(f"{path.relative_to(root)}: {needle}")
    # the image sequence moves finished frames out of its hidden folder; the lock moves a stale
    # lock aside (a rename is how a lock is broken atomically)
    allowed = {"pipeline/export/image_sequence.py: os.replace(", "pipeline/export/atomic.py: os.replace(",
               "core/project_lock.py: os.rename("}
    assert sorted(set(offenders) - allowed) == []
