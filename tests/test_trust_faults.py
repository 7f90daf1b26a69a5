"""Faults (issue 11, item 6): kill -9 during every kind of save, export and render, and a full disk
(a real 256 kB tmpfs where the machine lets us mount one; a simulated ENOSPC otherwise). After each
fault the project loads, every output is either absent, the previous complete one, or the new
complete one, and nothing half-written looks finished."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from talkface_studio.core import project_file as pf

from trust_helpers import assert_refused, make_project, run_cli, tree_state

ROOT = Path(__file__).resolve().parents[1]

SAVE_LOOP = textwrap.dedent("""
    import sys
    from talkface_studio.core import commands as C
    from talkface_studio.core import project_file as pf
    path, kind = sys.argv[1], sys.argv[2]
    project = pf.load_project(path)
    stack = C.UndoStack(project)
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        stack.push(C.PaintEmotion("take1", i % 20, i % 20 + 3, "happy" if i % 2 else "sad", 1 + i % 3))
        stack.push(C.AddLayer("take1", "blink", keys=[(i % 25, 0.5)]))  # the file grows with every save
        if kind == "save":
            pf.save_project(project)
        else:
            pf.autosave(project)
""")

EXPORT_LOOP = textwrap.dedent("""
    import sys
    import numpy as np
    from talkface_studio.core.timebase import FrameRate
    from talkface_studio.pipeline.export.chan import write_chan
    from talkface_studio.pipeline.export.curves import write_curves
    from talkface_studio.pipeline.export.landmarks import write_landmarks_npz
    out = sys.argv[1]
    frames = np.arange(2000)
    channels = {n: np.sin(frames / (3 + k)) for k, n in enumerate(["head_yaw", "head_pitch", "head_roll", "blink"])}
    print("ready", flush=True)
    while True:
        if out.endswith(".chan"):
            write_chan(out, frames, channels)
        elif out.endswith(".npz"):
            write_landmarks_npz(out, np.random.rand(200, 478, 3), np.arange(200), FrameRate(25), (512, 512))
        else:
            write_curves(out, frames, channels, FrameRate(25))
""")


def _child(tmp_path: Path, script: str, *args) -> subprocess.Popen:
    path = tmp_path / "child.py"
    path.write_text(script)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, str(path), *map(str, args)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    return proc


def _kill_at_random(proc: subprocess.Popen, rng: random.Random) -> None:
    time.sleep(rng.uniform(0.02, 0.4))
    proc.send_signal(signal.SIGKILL)
    proc.wait()


@pytest.fixture
def project(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    return make_project(tmp_path / "p", capsys, seconds=1.0)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["save", "autosave"])
def test_kill_during_saves_never_damages_the_project(project, tmp_path, kind):
    rng = random.Random(11)
    target = project if kind == "save" else pf.autosave_path(project)
    for _ in range(6):
        proc = _child(tmp_path, SAVE_LOOP, project, kind)
        _kill_at_random(proc, rng)
        if target.exists():
            loaded = pf.load_project(target, as_path=project)  # complete: every field reads
            assert loaded.takes[0].n_frames == 25
        assert pf.load_project(project).takes[0].n_frames == 25
    # the next save clears what the killed ones left (hidden temp files, a stale lock)
    os.utime(project.parent, None)
    for leftover in project.parent.glob(".scene.tfs.*.tmp"):
        os.utime(leftover, (time.time() - 120, time.time() - 120))
    pf.save_project(pf.load_project(project))
    names = [p.name for p in project.parent.iterdir()]
    assert not [n for n in names if n.startswith(".scene.tfs.") and n.endswith(".tmp") and "autosave" not in n]
    assert "scene.tfs.lock" not in names


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".csv", ".json", ".chan", ".npz"])
def test_kill_during_exports_leaves_the_old_file_or_the_new_one(tmp_path, suffix):
    rng = random.Random(5)
    out = tmp_path / f"out{suffix}"
    for _ in range(4):
        proc = _child(tmp_path, EXPORT_LOOP, out)
        _kill_at_random(proc, rng)
        if out.exists():
            if suffix == ".npz":
                with np.load(out, allow_pickle=False) as data:
                    assert data["landmarks"].shape == (200, 478, 3)
            elif suffix == ".json":
                assert len(json.loads(out.read_text())["frames"]) == 2000
            else:
                assert len(out.read_text().splitlines()) in (2000, 2001)  # header + rows, complete
    visible = [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")]
    assert sorted(visible) == sorted({"child.py", out.name} & set(visible) | {"child.py"})


RENDER_CHILD = textwrap.dedent("""
    import sys
    from talkface_studio.cli.main import main
    print("ready", flush=True)
    sys.exit(main(sys.argv[1:]))
""")


@pytest.mark.slow
@pytest.mark.parametrize("output", ["out.mp4", "out.mov", "seq/"])
def test_kill_during_a_render_leaves_nothing_that_looks_finished(tmp_path, capsys, monkeypatch, output):
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    project = make_project(tmp_path / "p", capsys, seconds=3.0)
    assert run_cli(["generate", project], capsys).code == 0
    before = pf.load_project(project).takes[0]
    proc = _child(tmp_path, RENDER_CHILD, "render", project, "-o", tmp_path / output, "--size", "256", "--no-cache")
    deadline = time.time() + 120
    for line in proc.stderr:  # progress lines: kill once frames are being written
        if "frames (" in line and not line.split(":")[1].strip().startswith("0/"):
            break
        assert time.time() < deadline
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if output.endswith("/"):
        seq = tmp_path / "seq"
        for png in seq.glob("*.png") if seq.exists() else []:
            from PIL import Image

            with Image.open(png) as im:
                im.load()  # any frame that is in place is complete
    else:
        assert not (tmp_path / output).exists()
    after = pf.load_project(project).takes[0]
    assert after.n_frames == before.n_frames and after.channels["jaw_open"].base.tobytes() == \
        before.channels["jaw_open"].base.tobytes()  # render never touches the project


# -- a full disk -----------------------------------------------------------------------------------------------
@pytest.fixture
def full_disk(tmp_path):
    """A 256 kB tmpfs, filled up to the last few kB. Skipped (with the reason) where mounting is not
    permitted; the simulated-ENOSPC tests (test_trust_saves, test_qa_cli) still run there."""
    mount = tmp_path / "small"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True,
                            text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip() or 'not permitted'}); "
                    "full disks are simulated in test_trust_saves")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(mount: Path, leave: int) -> None:
    free = shutil.disk_usage(mount).free
    with open(mount / "filler", "wb") as fh:
        fh.write(b"\0" * max(0, free - leave))
        fh.flush()
        os.fsync(fh.fileno())


def _project_on(mount: Path, capsys, media: Path) -> Path:
    """A project file on the small disk whose media live elsewhere (they would not fit)."""
    source = make_project(media, capsys)
    project = pf.load_project(source)
    project.path = None
    project.file_digest = None
    return pf.save_project(project, mount / "scene.tfs", backup=False)


@pytest.mark.parametrize("command", [
    ["generate", "scene.tfs"],
    ["import-curves", "scene.tfs", "{media}/fix.csv"],
    ["export-curves", "scene.tfs", "-o", "c.csv"],
    ["export-curves", "scene.tfs", "-o", "c.json"],
    ["export-curves", "scene.tfs", "-o", "c.chan"],
    ["export-landmarks", "scene.tfs", "-o", "l.npz"],
    ["render", "scene.tfs", "-o", "o.mp4", "--size", "256", "--no-cache"],
    ["render", "scene.tfs", "-o", "seq/", "--size", "256", "--no-cache"],
], ids=lambda c: " ".join(c[:1] + [a for a in c if "." in a and "{" not in a][-1:]))
def test_a_full_disk_is_one_line_and_changes_nothing(full_disk, tmp_path, capsys, monkeypatch, command):
    media = tmp_path / "media"
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    project = _project_on(full_disk, capsys, media)
    (media / "fix.csv").write_text("frame,head_yaw\n" + "".join(f"{i},{i % 7}\n" for i in range(25)))
    run_cli(["generate", project], capsys)  # the long way to a full disk: generated bases need room
    monkeypatch.chdir(full_disk)
    _fill(full_disk, leave=2048)
    before = tree_state(full_disk)
    argv = [a.format(media=media) for a in command]
    line = assert_refused(run_cli(argv, capsys), argv[argv.index("-o") + 1].rstrip("/") if "-o" in argv
                          else "scene.tfs")
    assert "disk full" in line or "No space left" in line, line
    assert tree_state(full_disk) == before
