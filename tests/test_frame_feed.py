"""Frames reach the encoder from a feeder thread: all of them, in order, and a dead encoder is
noticed (never a hang)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from talkface_studio.pipeline.export.frame_feed import FrameFeed


def test_every_frame_arrives_in_order(tmp_path):
    out = tmp_path / "raw"
    with open(out, "wb") as sink:
        proc = subprocess.Popen([sys.executable, "-c", "import shutil,sys; shutil.copyfileobj(sys.stdin.buffer, sys.stdout.buffer)"],
                                stdin=subprocess.PIPE, stdout=sink)
        feed = FrameFeed(proc.stdin, frame_bytes=64 * 64 * 3)
        frames = [np.full((64, 64, 3), i, np.uint8) for i in range(40)]
        assert all(feed.put(f) for f in frames)
        assert feed.finish()
        assert proc.wait() == 0
    data = np.fromfile(out, np.uint8).reshape(40, 64, 64, 3)
    assert [int(f[0, 0, 0]) for f in data] == list(range(40))


def test_an_encoder_that_stops_reading_is_noticed(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.buffer.read(1000)"], stdin=subprocess.PIPE)
    feed = FrameFeed(proc.stdin, frame_bytes=0, depth=2)
    frame = np.zeros((256, 256, 3), np.uint8)
    accepted = 0
    for _ in range(200):  # far more than the pipe and the queue hold: put() must not block forever
        if not feed.put(frame):
            break
        accepted += 1
    assert not feed.finish()
    assert accepted < 200
    proc.wait()
