"""Edit commands and the undo stack: every edit undoes to the exact same document."""

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talkface_studio.core import commands as C
from talkface_studio.core import key_commands as K
from talkface_studio.core import marker_commands as M
from talkface_studio.core.channels import CHANNEL_NAMES, Key
from talkface_studio.core.errors import ValidationError
from talkface_studio.core.project import Project
from talkface_studio.core.project_file import project_to_json
from talkface_studio.core.take import Take
from talkface_studio.core.timebase import FrameRate

N = 96


def make_project(n=N, rate=24):
    rng = np.random.default_rng(1)
    take = Take("t1", "/media/a.wav", "/media/p.png", FrameRate.parse(rate), n)
    take.channels["head_yaw"].base = rng.uniform(-10, 10, n)
    return Project([take])


def doc(project):
    return json.dumps(project_to_json(project, "/media"), sort_keys=True)


def layer_ids(project, channel="head_yaw"):
    return [x.id for x in project.take("t1").channel(channel).layers]


def first_layer(project, channel="head_yaw"):
    return project.take("t1").channel(channel).layers[0]


# Each maker builds a command from the current project (so ids refer to things that exist) or
# returns None when the edit does not apply.
def _paint(p, d):
    s = d.draw(st.integers(0, N - 2))
    return C.PaintEmotion("t1", s, d.draw(st.integers(s + 1, N)), d.draw(st.sampled_from(
        ["happy", "sad", "neutral", "fear"])), d.draw(st.integers(1, 3)))


def _move_edge(p, d):
    segs = p.take("t1").emotion_track.segments
    if not segs:
        return None
    return C.MoveSegmentBoundary("t1", d.draw(st.sampled_from(segs)).id, d.draw(st.sampled_from(["start", "end"])),
                                 d.draw(st.integers(-5, N + 5)))


def _set_segment(p, d):
    segs = p.take("t1").emotion_track.segments
    return C.SetSegment("t1", d.draw(st.sampled_from(segs)).id, level=d.draw(st.integers(1, 3))) if segs else None


def _add_keys(p, d):
    last = p.take("t1").n_frames - 1
    frames = d.draw(st.lists(st.integers(0, last), min_size=1, max_size=4, unique=True))
    layers = layer_ids(p)
    target = d.draw(st.sampled_from(layers + [None]))
    return C.AddKeys("t1", "head_yaw", [(f, d.draw(st.floats(-20, 20))) for f in frames], layer_id=target)


def _key_edit(p, d):
    layers = [x for x in p.take("t1").channel("head_yaw").layers if x.keys]
    if not layers:
        return None
    layer = d.draw(st.sampled_from(layers))
    ids = d.draw(st.lists(st.sampled_from([k.id for k in layer.keys]), min_size=1, unique=True))
    kind = d.draw(st.sampled_from(["move", "delete", "set"]))
    if kind == "move":
        return C.MoveKeys("t1", "head_yaw", layer.id, ids, d.draw(st.integers(-10, 10)), d.draw(st.floats(-3, 3)))
    if kind == "delete":
        return C.DeleteKeys("t1", "head_yaw", layer.id, ids)
    return C.SetKeys("t1", "head_yaw", layer.id, ids, value=d.draw(st.floats(-5, 5)),
                     interp=d.draw(st.sampled_from(["step", "linear", "smooth"])))


def _layer_edit(p, d):
    layers = layer_ids(p)
    if not layers:
        return C.AddLayer("t1", "head_yaw", mode="additive", keys=[(3, 1.0)])
    lid = d.draw(st.sampled_from(layers))
    return d.draw(st.sampled_from([
        C.RemoveLayer("t1", "head_yaw", lid),
        C.SetLayer("t1", "head_yaw", lid, mode="additive", blend_in=3),
        C.SetLayer("t1", "head_yaw", lid, enabled=False),
        C.MoveLayer("t1", "head_yaw", lid, 0),
    ]))


def _whole(p, d):
    return d.draw(st.sampled_from([
        C.ResetRangeToGenerated("t1", 10, 40),
        C.SetBase("t1", {"head_yaw": np.linspace(-3, 3, p.take("t1").n_frames)}),
        C.SetFrameRate("t1", "30" if p.take("t1").rate == FrameRate(24) else "24"),
        C.SetMedia("t1", audio_path="/media/b.wav", n_frames=p.take("t1").n_frames + 10),
        C.SetGeneration("t1", seed=d.draw(st.integers(0, 9))),
        C.ImportCurvesAsLayer("t1", {"blink": np.abs(np.sin(np.arange(30) / 4))}),
    ]))


def _graph_edit(p, d):
    """The graph editor's commands: insert keeping the shape, place, tangents, handles, markers."""
    take = p.take("t1")
    layers = [x for x in take.channel("head_yaw").layers if x.keys and x.mode != "reset"]
    kind = d.draw(st.sampled_from(["insert", "place", "tangents", "handle", "marker"]))
    if kind == "insert" or (kind in ("place", "tangents", "handle") and not layers):
        return K.InsertKeys("t1", d.draw(st.integers(0, take.n_frames - 1)), ["head_yaw", "blink"])
    if kind == "marker":
        ids = [m.id for m in take.markers]
        return d.draw(st.sampled_from([M.AddMarker("t1", d.draw(st.integers(0, take.n_frames - 1)))] + [
            M.MoveMarker("t1", i, d.draw(st.integers(-5, 200))) for i in ids[:1]] + [
            M.RenameMarker("t1", i, "breath") for i in ids[:1]] + [M.RemoveMarkers("t1", ids[-1:])] * bool(ids)))
    layer = d.draw(st.sampled_from(layers))
    key = d.draw(st.sampled_from(layer.keys))
    if kind == "place":
        return K.PlaceKeys("t1", "head_yaw", layer.id, {key.id: (d.draw(st.integers(-20, 200)),
                                                                 d.draw(st.floats(-500, 500)))})
    if kind == "tangents":
        return K.SetTangents("t1", "head_yaw", layer.id, [key.id],
                             tangent=d.draw(st.sampled_from([None, "auto", "flat", "linear", "auto_clamped"])),
                             broken=d.draw(st.sampled_from([None, True, False])),
                             weighted=d.draw(st.sampled_from([None, True, False])))
    return K.SetHandle("t1", "head_yaw", layer.id, key.id, d.draw(st.sampled_from(["in", "out"])),
                       d.draw(st.floats(-3, 3)), d.draw(st.sampled_from([None, 2.0, 9.5])))


MAKERS = [_paint, _move_edge, _set_segment, _add_keys, _key_edit, _layer_edit, _whole, _graph_edit]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_undo_of_every_edit_restores_the_document_and_redo_replays_it(data):
    project = make_project()
    stack = C.UndoStack(project)
    states = [doc(project)]
    for _ in range(data.draw(st.integers(1, 8))):
        cmd = data.draw(st.sampled_from(MAKERS))(project, data)
        if cmd is None:
            continue
        stack.push(cmd, merge=False)
        states.append(doc(project))
    for expected in reversed(states[:-1]):
        stack.undo()
        assert doc(project) == expected
    for expected in states[1:]:
        stack.redo()
        assert doc(project) == expected


def test_a_failing_command_changes_nothing():
    project = make_project()
    stack = C.UndoStack(project)
    stack.push(C.AddKeys("t1", "head_yaw", [(5, 1.0), (9, 2.0)]))
    before = doc(project)
    lid = layer_ids(project)[0]
    with pytest.raises(ValidationError):
        stack.push(C.DeleteKeys("t1", "head_yaw", lid, ["no-such-key"]))
    with pytest.raises(ValidationError):
        stack.push(C.PaintEmotion("t1", 10, 5, "happy"))
    with pytest.raises(ValidationError):
        stack.push(C.SetBase("t1", {"blink": np.zeros(3)}))
    assert doc(project) == before and len(stack) == 1


def test_a_drag_merges_into_one_undo_step_and_the_clean_state_follows():
    project = make_project()
    stack = C.UndoStack(project)
    sid = stack.push(C.PaintEmotion("t1", 20, 40, "happy")).segment_id
    stack.set_clean()
    for frame in (42, 45, 50):
        stack.push(C.MoveSegmentBoundary("t1", sid, "end", frame))
    assert len(stack) == 2 and not stack.is_clean
    assert project.take("t1").emotion_track.get(sid).end == 50
    stack.undo()
    assert project.take("t1").emotion_track.get(sid).end == 40 and stack.is_clean
    stack.redo()
    assert project.take("t1").emotion_track.get(sid).end == 50
    stack.push(C.MoveSegmentBoundary("t1", sid, "start", 10))  # another edge: a new step
    assert len(stack) == 3


def test_moving_several_keys_merges_and_replaces_keys_it_lands_on():
    project = make_project()
    stack = C.UndoStack(project)
    add = stack.push(C.AddKeys("t1", "head_yaw", [Key(10, 1.0), Key(20, 2.0), Key(30, 3.0)]))
    k10, k20, _ = add.key_ids
    stack.push(C.MoveKeys("t1", "head_yaw", add.layer_id, [k10, k20], 5, 0.5))
    stack.push(C.MoveKeys("t1", "head_yaw", add.layer_id, [k10, k20], 5, 0.5))
    assert len(stack) == 2
    keys = first_layer(project).keys
    assert [(k.frame, k.value) for k in keys] == [(20, 2.0), (30, 3.0)]  # 30 was replaced by moved 20
    stack.undo()
    assert [(k.frame, k.value) for k in first_layer(project).keys] == [(10, 1.0), (20, 2.0), (30, 3.0)]


def test_keying_a_frame_again_replaces_the_key():
    project = make_project()
    stack = C.UndoStack(project)
    add = stack.push(C.AddKeys("t1", "head_yaw", [(10, 1.0)]))
    stack.push(C.AddKeys("t1", "head_yaw", [(10, 4.0)], layer_id=add.layer_id))
    assert [(k.frame, k.value) for k in first_layer(project).keys] == [(10, 4.0)]
    assert project.take("t1").final_channels()["head_yaw"][10] == pytest.approx(4.0)


def test_regeneration_keeps_edits_and_reset_follows_the_new_base():
    project = make_project()
    stack = C.UndoStack(project)
    stack.push(C.AddKeys("t1", "head_yaw", [(0, 20.0), (N - 1, 20.0)]))
    stack.push(C.ResetRangeToGenerated("t1", 40, 60, blend=0))
    new_base = np.linspace(-8, 8, N).astype(np.float32)
    stack.push(C.SetBase("t1", {"head_yaw": new_base}))
    final = project.take("t1").final_channels()["head_yaw"]
    assert np.allclose(final[40:60], new_base[40:60]) and np.allclose(final[:30], 20)
    assert len(project.take("t1").channel("head_yaw").layers) == 2
    assert project.take("t1").channel("blink").layers == ()  # reset leaves unedited channels clean
    stack.undo()
    stack.undo()
    assert np.allclose(project.take("t1").final_channels()["head_yaw"][40:60], 20)


def test_import_curves_thins_straight_runs_and_reproduces_the_curve():
    project = make_project()
    ramp = np.r_[np.linspace(0, 1, 40), np.ones(20), np.linspace(1, 0, 36)]
    wave = 0.5 + 0.4 * np.sin(np.arange(N) / 5)
    stack = C.UndoStack(project)
    exact = stack.push(C.ImportCurvesAsLayer("t1", {"jaw_open": ramp, "mouth_wide": wave}, tolerance=1e-4))
    final = project.take("t1").final_channels()
    assert np.allclose(final["jaw_open"], ramp, atol=2e-4) and np.allclose(final["mouth_wide"], wave, atol=2e-4)
    assert len(exact.layers["jaw_open"].keys) <= 6
    stack.undo()
    loose = stack.push(C.ImportCurvesAsLayer("t1", {"mouth_wide": wave}, tolerance=0.01))
    assert len(loose.layers["mouth_wide"].keys) < N / 2
    assert np.allclose(project.take("t1").final_channels()["mouth_wide"], wave, atol=0.011)


def test_frame_rate_change_keeps_times_in_seconds():
    project = make_project(n=96, rate=24)
    stack = C.UndoStack(project)
    stack.push(C.PaintEmotion("t1", 12, 72, "happy"))
    stack.push(C.AddKeys("t1", "head_yaw", [(24, 5.0)]))
    stack.push(C.SetFrameRate("t1", "30"))
    take = project.take("t1")
    seg = take.emotion_track.segments[0]
    assert (seg.start, seg.end, take.n_frames) == (15, 90, 120)
    assert first_layer(project).keys[0].frame == 30
    assert len(take.channel("head_yaw").base) == 120
    stack.undo()
    assert project.take("t1").emotion_track.segments[0].end == 72 and project.take("t1").n_frames == 96


def test_take_commands_and_change_notifications():
    project = make_project()
    seen = []
    project.changed.append(seen.append)
    stack = C.UndoStack(project)
    stack.push(C.AddTake(Take("t2", None, None, FrameRate(25), 50)))
    stack.push(C.RenameTake("t2", "pickup"))
    with pytest.raises(ValidationError, match="already exists"):
        stack.push(C.RenameTake("pickup", "t1"))
    stack.push(C.MoveTake("pickup", 0))
    assert project.take_names() == ["pickup", "t1"]
    stack.push(C.RemoveTake("t1"))
    stack.push(C.PaintEmotion("pickup", 0, 10, "fear"))
    assert [c.kind for c in seen] == ["takes"] * 4 + ["emotion"]
    assert seen[-1].take == "pickup" and seen[-1].frames[0] == 0
    while stack.can_undo:
        stack.undo()
    assert project.take_names() == ["t1"]
    with pytest.raises(ValidationError, match="nothing to undo"):
        stack.undo()


def test_set_media_changes_length_but_keys_stay_put():
    project = make_project()
    stack = C.UndoStack(project)
    stack.push(C.AddKeys("t1", "head_yaw", [(80, 5.0)]))
    stack.push(C.SetMedia("t1", audio_path="/media/short.wav", n_frames=50))
    take = project.take("t1")
    assert take.n_frames == 50 and all(len(v) == 50 for v in take.final_channels().values())
    assert first_layer(project).keys[0].frame == 80
    stack.undo()
    assert str(project.take("t1").audio_path) == "/media/a.wav" and project.take("t1").n_frames == N


def test_every_channel_can_be_keyed():
    project = make_project()
    stack = C.UndoStack(project)
    for name in CHANNEL_NAMES:
        stack.push(C.AddKeys("t1", name, [(5, 0.5)]))
    assert all(v[5] == pytest.approx(0.5) for v in project.take("t1").final_channels().values())
