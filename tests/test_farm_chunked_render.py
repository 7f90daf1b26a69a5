"""A take rendered in three chunks (three farm tasks) and encoded equals the single-machine render,
frame for frame: the PNG sequences are identical and the two videos decode to identical frames."""

import numpy as np
import pytest
from PIL import Image

from talkface_studio.cli.main import main
from talkface_studio.farm.chunking import chunk_ranges
from talkface_studio.pipeline.ffmpeg import decode_audio, decode_video

from farm_project import N_FRAMES, make_project

SIZE = 96
pytestmark = pytest.mark.slow


def _frames(folder):
    paths = sorted(folder.glob("t1.*.png"))
    return [p.name for p in paths], np.stack([np.asarray(Image.open(p)) for p in paths])


def test_three_chunks_and_encode_equal_one_render(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    tfs = make_project(tmp_path)
    common = [str(tfs), "--take", "t1", "--size", str(SIZE), "--no-cache"]
    chunks = chunk_ranges(0, N_FRAMES - 1, 11)
    assert len(chunks) == 3
    for a, b in chunks[::-1]:  # order does not matter: tasks run anywhere, in any order
        assert main(["render", *common, "--frames", f"{a}-{b}", "-o", str(tmp_path / "chunks")]) == 0
    assert main(["encode", str(tfs), "--take", "t1", "--sequence", str(tmp_path / "chunks"),
                 "-o", str(tmp_path / "chunked.mp4")]) == 0
    assert main(["render", *common, "-o", str(tmp_path / "single")]) == 0
    assert main(["render", *common, "-o", str(tmp_path / "single.mp4")]) == 0

    names, chunked = _frames(tmp_path / "chunks")
    single_names, single = _frames(tmp_path / "single")
    assert names == single_names == [f"t1.{f:06d}.png" for f in range(N_FRAMES)]
    assert np.array_equal(chunked, single)
    assert np.ptp(single.astype(int) - single[0], axis=0).max() > 0  # the face moves: not a still

    video_chunked = decode_video(tmp_path / "chunked.mp4", SIZE, SIZE)
    video_single = decode_video(tmp_path / "single.mp4", SIZE, SIZE)
    assert video_chunked.shape == (N_FRAMES, SIZE, SIZE, 3)
    assert np.array_equal(video_chunked, video_single)
    assert np.array_equal(decode_audio(tmp_path / "chunked.mp4"), decode_audio(tmp_path / "single.mp4"))


def test_encode_names_the_missing_frame(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    tfs = make_project(tmp_path)
    assert main(["render", str(tfs), "--size", "64", "--frames", "0-4", "--no-cache", "-o", str(tmp_path / "seq")]) == 0
    (tmp_path / "seq" / "t1.000002.png").unlink()
    capsys.readouterr()
    assert main(["encode", str(tfs), "--frames", "0-4", "--sequence", str(tmp_path / "seq"),
                 "-o", str(tmp_path / "out.mp4")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "t1.000002.png" in err[0] and "Traceback" not in err[0]
    assert not (tmp_path / "out.mp4").exists()
