"""Poisoned caches (issue 11, item 4): a damaged or hostile frame-cache or analysis-cache entry is a
miss: it is logged, rebuilt and written again, and the result is the same as with a clean cache. A
link planted in the cache is never written through."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from talkface_studio.core import project_file as pf
from talkface_studio.pipeline.frame_cache import read_frame

from trust_helpers import make_project, run_cli


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """A project rendered once (3 frames, 64 px) with a frame cache: the reference pictures."""
    folder = tmp_path_factory.mktemp("caches")
    old = os.environ.get("TALKFACE_CACHE_DIR")
    os.environ["TALKFACE_CACHE_DIR"] = str(folder / "cache")
    try:
        project = make_project(folder / "p")
        from talkface_studio.cli.main import main

        assert main(["generate", str(project)]) == 0
        assert main(["render", str(project), "-o", str(folder / "ref") + "/", "--size", "64", "--frames", "0-2"]) == 0
    finally:
        if old is None:
            os.environ.pop("TALKFACE_CACHE_DIR")
        else:
            os.environ["TALKFACE_CACHE_DIR"] = old
    return folder


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.png"))}


def _npy_header(shape, descr="|u1") -> bytes:
    header = repr({"descr": descr, "fortran_order": False, "shape": tuple(shape)}).encode()
    header += b" " * (64 - (10 + len(header) + 1) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header


POISONS = {
    "garbage": lambda p, user: p.write_bytes(os.urandom(500)),
    "empty": lambda p, user: p.write_bytes(b""),
    "float-frame": lambda p, user: np.save(p, np.zeros((64, 64, 3))),
    "wrong-size": lambda p, user: np.save(p, np.zeros((32, 32, 3), np.uint8)),
    "grey-frame": lambda p, user: np.save(p, np.zeros((64, 64), np.uint8)),
    "giant-header": lambda p, user: p.write_bytes(_npy_header((1_000_000, 1_000_000, 3))),
    "object-array": lambda p, user: p.write_bytes(_npy_header((2,), "|O") + b"\x80\x04N."),
    "truncated": lambda p, user: p.write_bytes(p.read_bytes()[:200]),
    "trailing-data": lambda p, user: p.write_bytes(p.read_bytes() + b"extra"),
    "fifo": lambda p, user: (p.unlink(), os.mkfifo(p)),
    "folder": lambda p, user: (p.unlink(), p.mkdir()),
    "link-to-user-file": lambda p, user: (p.unlink(), p.symlink_to(user)),
}


@pytest.mark.parametrize("poison", sorted(POISONS))
def test_a_poisoned_frame_cache_entry_is_a_miss_that_is_rewritten(rendered, tmp_path, capsys, monkeypatch, poison):
    cache = tmp_path / "cache"
    shutil.copytree(rendered / "cache", cache, symlinks=True)
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(cache))
    user_file = tmp_path / "precious.wav"
    user_file.write_bytes(b"an artist's recording")
    entries = sorted((cache / "frames").rglob("*.npy"))
    assert len(entries) == 3
    for entry in entries:
        POISONS[poison](entry, user_file)
    result = run_cli(["render", rendered / "p" / "scene.tfs", "-o", str(tmp_path / "out") + "/", "--size", "64",
                      "--frames", "0-2"], capsys)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    assert _hashes(tmp_path / "out") == _hashes(rendered / "ref")  # the same pictures as a clean cache
    notes = [ln for ln in result.err.splitlines() if "frame cache entry" in ln]
    if poison != "folder":
        assert len(notes) == 3 and all(ln.startswith("note: ") for ln in notes), result.err
        for entry in entries:
            assert not entry.is_symlink() and read_frame(entry, (64, 64, 3)).shape == (64, 64, 3)  # rewritten
    assert user_file.read_bytes() == b"an artist's recording"


def test_an_unusable_cache_folder_never_fails_a_render(rendered, tmp_path, capsys, monkeypatch):
    (tmp_path / "cachefile").write_text("a file where the cache folder should be")
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cachefile"))
    result = run_cli(["render", rendered / "p" / "scene.tfs", "-o", str(tmp_path / "out") + "/", "--size", "64",
                      "--frames", "0-0"], capsys)
    assert result.code == 0, result.err
    assert "rendering without it" in result.err


ANALYSIS_POISONS = {
    "garbage": lambda p: p.write_bytes(os.urandom(300)),
    "empty": lambda p: p.write_bytes(b""),
    "wrong-arrays": lambda p: np.savez(p.open("wb"), loudness=np.zeros(3), voicing=np.zeros(3)),
    "wrong-length": lambda p: np.savez(p.open("wb"), **{k: np.zeros(7, np.float32) for k in (
        "loudness", "voicing", "pitch_hz", "spectral_centroid")}, mel=np.zeros((7, 80), np.float32)),
    "nan-values": lambda p: np.savez(p.open("wb"), **{k: np.full(25, np.nan, np.float32) for k in (
        "loudness", "voicing", "pitch_hz", "spectral_centroid")}, mel=np.zeros((25, 80), np.float32)),
    "fifo": lambda p: (p.unlink(), os.mkfifo(p)),
}
PHONE_POISONS = {
    "garbage": lambda p: p.write_bytes(os.urandom(100)),
    "wrong-shape": lambda p: p.write_text('{"source": "aligned", "phones": [[1, 2]]}'),
    "negative-times": lambda p: p.write_text('{"source": "aligned", "phones": [[-5, 2, "AA"]]}'),
    "deep": lambda p: p.write_text("[" * 100_000 + "]" * 100_000),
    "fifo": lambda p: (p.unlink(), os.mkfifo(p)),
}


@pytest.mark.parametrize("poison", sorted(set(ANALYSIS_POISONS) | {f"phones-{k}" for k in PHONE_POISONS}))
def test_a_poisoned_analysis_cache_entry_is_analysed_again(rendered, tmp_path, capsys, monkeypatch, poison):
    cache = tmp_path / "cache"
    shutil.copytree(rendered / "cache", cache, symlinks=True)
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(cache))
    project = tmp_path / "p"
    shutil.copytree(rendered / "p", project)
    reference = pf.load_project(project / "scene.tfs").takes[0].channels["jaw_open"].base
    if poison.startswith("phones-"):
        targets, damage = sorted((cache / "audio").glob("phones-*.json")), PHONE_POISONS[poison[7:]]
    else:
        targets, damage = sorted((cache / "audio").glob("acoustic-*.npz")), ANALYSIS_POISONS[poison]
    assert targets
    for target in targets:
        damage(target)
    result = run_cli(["generate", project / "scene.tfs"], capsys)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err and "analysis cache" in result.err
    again = pf.load_project(project / "scene.tfs").takes[0].channels["jaw_open"].base
    np.testing.assert_allclose(again, reference, atol=1e-6)
