"""TakeState: a core take -> renderer-ready snapshot; generation through undoable commands."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from talkface_studio.core.commands import AddKeys, PaintEmotion, UndoStack
from talkface_studio.pipeline.new_project import new_project
from talkface_studio.pipeline.take_state import TakeState

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ts")
    for name in ("line.wav", "portrait.png"):
        shutil.copy(DEMO / name, folder / name)
    project = new_project(folder / "p.tfs", folder / "line.wav", folder / "portrait.png", fps="25",
                          take="t", seed=1)
    stack = UndoStack(project)
    st = TakeState(project, stack)
    st.generate("t")
    return st


def test_generate_is_one_undoable_step_that_keeps_edits(state):
    take = state.project.take("t")
    stack = state.stack
    AddKeys("t", "head_pitch", [(30, 9.0)]).do(state.project)
    before = take.channel("jaw_open").base.copy()
    n = len(stack)
    state.generate("t", seed=5)
    assert len(stack) == n + 1 and take.generation.seed == 5
    assert len(take.channel("head_pitch").layers) == 1
    assert not np.allclose(take.channel("head_yaw").base, 0)
    stack.undo()
    assert take.generation.seed == 1
    assert np.array_equal(take.channel("jaw_open").base, before)


def test_emotion_change_makes_the_take_stale(state):
    assert state.ensure_generated("t") is False
    state.stack.push(PaintEmotion("t", 100, 180, "happy", 3))
    assert state.ensure_generated("t") is True
    happy = state.project.take("t").channel("emo_happy").base
    assert happy[140] > happy[20] + 0.3
    state.stack.undo()  # the regeneration
    state.stack.undo()  # the paint


def test_snapshot_applies_mouth_edits_and_pose(state):
    take = state.project.take("t")
    plain = state.snapshot("t").landmarks(40, 41, 512)[0]
    AddKeys("t", "jaw_open", [(40, 1.0)], name="wide").do(state.project)
    AddKeys("t", "head_roll", [(40, 15.0)]).do(state.project)
    edited = state.snapshot("t").landmarks(40, 41, 512)[0]
    # chin (152) drops relative to the nose tip (1) when the jaw opens and the head rolls
    assert np.linalg.norm(edited[152] - edited[1]) > np.linalg.norm(plain[152] - plain[1]) + 3
    eye_line = edited[263, :2] - edited[33, :2]
    plain_line = plain[263, :2] - plain[33, :2]
    turned = np.degrees(np.arctan2(eye_line[1], eye_line[0]) - np.arctan2(plain_line[1], plain_line[0]))
    assert abs(abs(turned) - 15) < 5  # roll shows up in the image
    for ch in ("jaw_open", "head_roll"):
        take.channel(ch).layers = ()


def test_snapshot_is_immutable_and_fit_is_reused(state):
    snap = state.snapshot("t")
    with pytest.raises(ValueError):
        snap.channels["jaw_open"][0] = 1
    rows = snap.expression_rows(40, 41).copy()
    AddKeys("t", "jaw_open", [(40, 1.0)]).do(state.project)  # a later edit does not reach the snapshot
    np.testing.assert_array_equal(snap.expression_rows(40, 41), rows)
    state.project.take("t").channel("jaw_open").layers = ()
    assert state.fit("t") is state.fit("t")
    assert state.project.take("t").portrait_fit["schema"] == "talkface.portrait_fit"
