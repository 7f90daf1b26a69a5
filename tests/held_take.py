"""A generated take held in one emotion from its first frame to its last: what the renderer's
expression tests draw (a real stage-1 performance, speech included, not hand-made landmarks)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data"


def held_take(folder: Path, portrait: Path, emotion: str, size: int, clip: str = "en_m_goforward"):
    """(portrait, landmarks [T, 478, 3] at ``size`` px) of a take of ``portrait`` speaking
    tests/data/speech/CLIP with its script, painted ``emotion`` at level 3 throughout."""
    from talkface_studio.pipeline.new_project import new_project
    from talkface_studio.pipeline.take_state import TakeState

    script = json.loads((DATA / "speech" / f"{clip}.json").read_text(encoding="utf-8"))["text"]
    project = new_project(Path(folder) / "p.tfs", DATA / "speech" / f"{clip}.wav", portrait, fps="25",
                          transcript=script, seed=0)
    take = project.takes[0]
    take.emotion_track.paint(0, take.n_frames, emotion, 3)
    state = TakeState(project)
    state.generate(take)
    snap = state.snapshot(take)
    return snap.portrait, np.asarray(snap.landmarks(0, take.n_frames, size), np.float64)
