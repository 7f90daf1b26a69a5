"""Take-model speed on a 10-minute take at 60 fps (36000 frames): what every edit triggers.

Prints medians over repeats and the ratio to a floor measured in the same run: one float64 pass
over the same [T] array (np.clip of a copy), the least an evaluation of one channel can do.
Targets: all channels' final() after an edit and the emotion weights well under 100 ms; a save
and load of the edited take under a second.

    .venv/bin/python benchmarks/bench_take_model.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from talkface_studio.core import commands as C
from talkface_studio.core.channels import CHANNEL_NAMES, EditLayer, Key
from talkface_studio.core.project import Project
from talkface_studio.core.project_file import load_project, save_project
from talkface_studio.core.take import Take
from talkface_studio.core.timebase import FrameRate

from timing import median_seconds

N = 36000


def build() -> Project:
    rng = np.random.default_rng(0)
    take = Take("long", None, None, FrameRate(60), N)
    for name in CHANNEL_NAMES:
        take.channels[name].base = rng.uniform(0, 1, N)
    for i in range(0, N - 600, 600):  # an emotion change every 10 s
        take.emotion_track.paint(i, i + 400, ("happy", "sad", "angry")[i // 600 % 3], 1 + i // 600 % 3)
    for name in ("head_yaw", "head_pitch", "jaw_open", "blink"):
        frames = np.unique(rng.integers(0, N, 500))
        keys = tuple(Key(int(f), float(v)) for f, v in zip(frames, rng.uniform(0, 1, len(frames))))
        take.channels[name].layers = [EditLayer(keys=keys), EditLayer(mode="additive", keys=(Key(0, .1), Key(N - 1, .1)))]
    return Project([take])


def main() -> None:
    project = build()
    take = project.take("long")
    base = take.channel("head_yaw").base
    floor = median_seconds(lambda: np.clip(base.astype(np.float64), -1, 1))

    def all_final():
        for ch in take.channels.values():
            ch._final = None  # what an edit of every channel would invalidate
        take.final_channels()

    stack = C.UndoStack(project)
    layer = take.channel("head_yaw").layers[0]

    def key_edit():
        stack.push(C.MoveKeys("long", "head_yaw", layer.id, [layer.keys[3].id], 0, 0.01), merge=False)
        take.channel("head_yaw").final()

    folder = Path(tempfile.mkdtemp())
    rows = [("final() of all 18 channels", median_seconds(all_final)),
            ("emotion weights [T, 8]", median_seconds(lambda: take.emotion_weights())),
            ("move a key + final()", median_seconds(key_edit)),
            ("save project", median_seconds(lambda: save_project(project, folder / "long.tfs"), 3)),
            ("load project", median_seconds(lambda: load_project(folder / "long.tfs"), 3))]
    print(f"{N} frames (10 min at 60 fps); floor (one pass over [T]) = {floor * 1e3:.3f} ms")
    print(f"{'operation':<30} {'median ms':>10} {'x floor':>9}")
    for label, seconds in rows:
        print(f"{label:<30} {seconds * 1e3:>10.2f} {seconds / floor:>9.0f}")
    print(f"file size: {(folder / 'long.tfs').stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
