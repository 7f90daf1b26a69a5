"""Shared by the "never damaged" tests (tests/test_trust_*.py): a small real project, running the
command line in-process, and the checks every hostile case makes (exit code, one line naming the
file, no traceback, every file unchanged, nothing left that looks finished)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from talkface_studio.cli.main import main

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"
PARTIAL_MARKERS = (".partial", ".tmp")
PROGRESS = re.compile(r"^render \S+: \d+/\d+ frames")


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        """stderr without render's progress lines (`render take1: 3/25 frames (12%)`)."""
        return [ln for ln in self.err.splitlines() if ln.strip() and not PROGRESS.match(ln)]


def run_cli(argv: list[str], capsys) -> Result:
    """`talkface-studio ARGV` in this process (fast: no interpreter or torch start-up per case)."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse
        code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return Result(code, out, err)


def write_tone(path: Path, seconds: float = 1.0, rate: int = 16000) -> Path:
    import soundfile as sf

    t = np.arange(int(seconds * rate)) / rate
    sf.write(path, (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 3 * t))).astype(np.float32), rate,
             format="WAV")
    return path


def make_project(folder: Path, capsys=None, fps: str = "25", seconds: float = 1.0, name: str = "scene.tfs") -> Path:
    """A real project: a short tone as audio, the demo portrait, made with `new`."""
    folder.mkdir(parents=True, exist_ok=True)
    write_tone(folder / "line.wav", seconds)
    shutil.copy(DEMO / "portrait.png", folder / "face.png")
    project = folder / name
    argv = ["new", project, "--audio", folder / "line.wav", "--portrait", folder / "face.png", "--fps", fps]
    code = main([str(a) for a in argv])
    assert code == 0
    if capsys is not None:
        capsys.readouterr()
    return project


def tree_state(folder: Path) -> dict[str, tuple]:
    """name -> (kind, sha256 or link target, mode) for everything under `folder` (links not followed)."""
    state = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            rel = str(path.relative_to(folder))
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                state[rel] = ("link", os.readlink(path), 0)
            elif stat.S_ISREG(st.st_mode):
                state[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mode & 0o777)
            elif stat.S_ISDIR(st.st_mode):
                state[rel] = ("dir", "", st.st_mode & 0o777)
            else:
                state[rel] = ("special", "", st.st_mode & 0o777)
    return state


def assert_refused(result: Result, *names: str, code: int = 2) -> str:
    """Exit `code`, exactly one line on stderr that names every one of `names`, no traceback."""
    assert result.code == code, (result.code, result.err)
    lines = result.err_lines
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err and "Traceback" not in result.out
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


def assert_nothing_half_done(folder: Path) -> None:
    """No temporary or partial file left anywhere under `folder`."""
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            assert not any(m in name for m in PARTIAL_MARKERS), os.path.join(root, name)
            assert not name.endswith(".lock"), os.path.join(root, name)
