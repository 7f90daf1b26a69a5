"""The graph editor's curve model (core, no Qt): tangent handles, inserting a key without changing
the curve, keys kept inside the channel's range and the take, and their file format."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from talkface_studio.core import commands as C
from talkface_studio.core import project_file as pf
from talkface_studio.core.channels import Channel, EditLayer, Key, interpolate, key_value_limits, spec
from talkface_studio.core.errors import ProjectFileError
from talkface_studio.core.key_commands import InsertKeys, PlaceKeys, SetHandle, SetTangents
from talkface_studio.core.key_curve import INTERPOLATIONS, TANGENTS, curve_arrays, evaluate, slopes
from talkface_studio.core.project import Project
from talkface_studio.core.take import Take
from talkface_studio.core.timebase import FrameRate

GOLDEN = Path(__file__).parent / "golden"
N = 120


def project_with(channel: str, layers=(), base=None) -> Project:
    take = Take("t", None, None, FrameRate(24), N)
    take.channels[channel] = Channel(channel, base if base is not None else np.zeros(N), layers)
    return Project([take])


@st.composite
def keys(draw, lo, hi, max_keys=6):
    frames = sorted(draw(st.lists(st.integers(0, N - 1), min_size=1, max_size=max_keys, unique=True)))
    out = []
    for f in frames:
        weighted = draw(st.booleans())
        broken = draw(st.booleans())
        slope_in = draw(st.floats(-0.2, 0.2))
        out.append(Key(f, draw(st.floats(lo, hi)), draw(st.sampled_from(INTERPOLATIONS)),
                       tangent=draw(st.sampled_from(TANGENTS)), in_slope=slope_in,
                       out_slope=draw(st.floats(-0.2, 0.2)) if broken else slope_in, broken=broken,
                       weighted=weighted,
                       in_weight=draw(st.one_of(st.none(), st.floats(0.5, 60))) if weighted else None,
                       out_weight=draw(st.one_of(st.none(), st.floats(0.5, 60))) if weighted else None))
    return tuple(out)


@st.composite
def channels(draw):
    """jaw_open (0..1) over a wavy generated base with up to three layers of any mode."""
    t = np.arange(N)
    base = 0.5 + 0.4 * np.sin(t / draw(st.floats(2, 12)) + draw(st.floats(0, 6)))
    layers = []
    for _ in range(draw(st.integers(0, 3))):
        mode = draw(st.sampled_from(["override", "additive", "reset"]))
        lo, hi = key_value_limits("jaw_open", mode)
        layers.append(EditLayer(mode=mode, keys=draw(keys(lo / 2 + 0.25 if mode == "override" else lo / 4,
                                                          hi / 2 + 0.25 if mode == "override" else hi / 4)),
                                blend_in=draw(st.integers(0, 8)), blend_out=draw(st.integers(0, 8)),
                                enabled=draw(st.booleans()) or mode == "reset"))
    return base, tuple(layers)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(channels(), st.integers(0, N - 1))
def test_inserting_a_key_never_changes_the_curve(channel, frame):
    base, layers = channel
    project = project_with("jaw_open", layers, base)
    ch = project.take("t").channel("jaw_open")
    top = layers[-1] if layers else None
    if top is not None and top.enabled and top.mode != "reset" and top.keys and \
            top.span[0] < frame < top.span[1]:
        lo, hi = key_value_limits("jaw_open", top.mode)
        value = top.sample(np.array([float(frame)]))[0]
        assume(lo <= value <= hi)  # an auto tangent overshooting the channel's range is clamped (documented)
    before = ch.final().astype(np.float64)
    stack = C.UndoStack(project)
    cmd = stack.push(InsertKeys("t", frame, ["jaw_open"]))
    layer_id, key_id = cmd.keys["jaw_open"]
    assert any(k.frame == frame and k.id == key_id for k in ch.layer(layer_id).keys)
    assert np.max(np.abs(ch.final() - before)) < 1e-6
    stack.undo()
    assert ch.layers == layers


@settings(max_examples=300, deadline=None)
@given(keys(-1, 1, max_keys=7), st.integers(0, N - 1))
def test_insert_splits_any_keyed_span_exactly(ks, frame):
    """The layer's own curve (not only the channel) is unchanged, every tangent type and weight."""
    assume(ks[0].frame < frame < ks[-1].frame and frame not in {k.frame for k in ks})
    from talkface_studio.core.key_insert import insert_key

    t = np.arange(-3, N + 3, 0.5)
    after = insert_key(ks, frame, "new", Key)
    assert len(after) == len(ks) + 1
    assert np.max(np.abs(evaluate(curve_arrays(after), t) - evaluate(curve_arrays(ks), t))) < 1e-9


def test_jaw_peak_keeps_its_height_and_place_when_keyed_beside_it():
    """The reported case: S next to a jaw_open peak used to drop it from 0.8 to 0.72 and move it later."""
    t = np.arange(N)
    base = 0.8 * np.exp(-((t - 50) / 6.0) ** 2)
    project = project_with("jaw_open", base=base)
    ch = project.take("t").channel("jaw_open")
    stack = C.UndoStack(project)
    for f in (47, 52, 60):
        stack.push(InsertKeys("t", f, ["jaw_open"]))
    final = ch.final()
    assert int(np.argmax(final)) == 50 and final[50] == pytest.approx(0.8, abs=1e-6)
    (layer,) = ch.layers  # the keys gathered on one layer
    assert [k.frame for k in layer.keys] == [47, 52, 60] and layer.mode == "additive"


def test_old_curves_evaluate_exactly_as_before():
    """Curves keyed before tangent handles existed (0.1.0's evaluation, stored) still give the same values."""
    golden = json.loads((GOLDEN / "curves_v1_expected.json").read_text())
    for case in golden["curves"]:
        frames, values, interp = zip(*case["keys"])
        t = np.arange(case["t0"], case["t0"] + len(case["values"]), dtype=float)
        y = interpolate(np.array(frames), np.array(values), np.array([INTERPOLATIONS.index(i) for i in interp]), t)
        assert np.max(np.abs(y - case["values"])) < 1e-8
    take = pf.load_project(GOLDEN / "project_v1.tfs").take("take1")
    for name, values in golden["project_v1_final"].items():
        assert np.max(np.abs(take.final_channels()[name] - values)) < 1e-5
    assert all(k.has_default_tangents for ch in take.channels.values() for x in ch.layers for k in x.keys)
    assert take.markers == ()


def test_tangent_types_shape_the_curve():
    ks = (Key(0, 0.0), Key(10, 1.0), Key(20, 0.0))
    curve = lambda tangent, **kw: evaluate(curve_arrays(tuple(  # noqa: E731
        Key(k.frame, k.value, tangent=tangent, **kw) for k in ks)), np.arange(21.0))
    clamped, flat = curve("auto_clamped"), curve("flat")
    assert np.all(clamped <= 1 + 1e-12) and np.all(flat <= 1 + 1e-12)  # no overshoot at the peak
    m_in, m_out = slopes(curve_arrays(tuple(Key(k.frame, k.value, tangent="linear") for k in ks)))
    assert (m_in[1], m_out[1]) == (pytest.approx(0.1), pytest.approx(-0.1))  # each side aims at its neighbour
    linear = curve("linear")
    assert np.allclose(linear, np.r_[np.arange(11) / 10, 1 - np.arange(1, 11) / 10])
    plateau = tuple(Key(f, v, tangent=tg) for f, v in ((0, 0.0), (10, 1.0), (20, 1.0)) for tg in ["auto"])
    assert evaluate(curve_arrays(plateau), np.arange(21.0)).max() > 1.01  # auto rounds over the plateau
    assert evaluate(curve_arrays(tuple(Key(k.frame, k.value) for k in plateau)), np.arange(21.0)).max() == 1.0
    # weighted: longer handles pull the span towards them; None weights are the unweighted curve
    assert np.allclose(curve("flat", weighted=True), flat)
    long = curve("flat", weighted=True, in_weight=9.0, out_weight=9.0)
    assert long[3] < flat[3] and long[7] > flat[7]


def test_drags_past_the_edges_stop_at_the_range_and_the_take():
    layer = EditLayer(keys=(Key(10, 5.0, id="a"), Key(20, -5.0, id="b")))
    project = project_with("gaze_yaw", [layer])
    ch = project.take("t").channel("gaze_yaw")
    stack = C.UndoStack(project)
    stack.push(PlaceKeys("t", "gaze_yaw", layer.id, {"a": (10, -1938.0)}))
    assert ch.layer(layer.id).key("a").value == spec("gaze_yaw").min == -35.0
    stack.push(PlaceKeys("t", "gaze_yaw", layer.id, {"a": (10, -20.0)}))  # back up: where the mouse is
    assert ch.layer(layer.id).key("a").value == -20.0
    # two keys dragged past the last frame stop there together, keeping their spacing
    stack.push(PlaceKeys("t", "gaze_yaw", layer.id, {"a": (150, 0.0), "b": (160, 0.0)}))
    assert [k.frame for k in ch.layer(layer.id).keys] == [N - 11, N - 1]
    stack.push(C.MoveKeys("t", "gaze_yaw", layer.id, ["a", "b"], d_frame=-500, d_value=900.0))
    assert [(k.frame, k.value) for k in ch.layer(layer.id).keys] == [(0, 35.0), (10, 35.0)]
    stack.push(C.SetKeys("t", "gaze_yaw", layer.id, ["a"], value=1e5))
    assert ch.layer(layer.id).key("a").value == 35.0
    with pytest.raises(Exception, match="outside the take"):
        stack.push(C.AddKeys("t", "gaze_yaw", [(N, 1.0)]))


def test_break_unify_weight_and_handle_drag_keep_or_change_one_side():
    layer = EditLayer(keys=(Key(0, 0.0, id="a"), Key(10, 1.0, id="b"), Key(30, 0.2, id="c")))
    project = project_with("jaw_open", [layer])
    ch = project.take("t").channel("jaw_open")
    stack = C.UndoStack(project)
    before = ch.final().copy()
    stack.push(SetTangents("t", "jaw_open", layer.id, ["b"], broken=True))
    stack.push(SetTangents("t", "jaw_open", layer.id, ["b"], weighted=True))
    assert np.allclose(ch.final(), before, atol=1e-6)  # breaking and weighting keep the curve
    b = ch.layer(layer.id).key("b")
    assert b.tangent == "free" and b.broken and b.weighted and b.in_weight == pytest.approx(10 / 3)
    stack.push(SetHandle("t", "jaw_open", layer.id, "b", "out", -0.05, length=12.0))
    after = ch.final()
    assert np.allclose(after[:11], before[:11], atol=1e-6)  # the in side did not move
    assert not np.allclose(after[11:30], before[11:30], atol=1e-3)
    assert ch.layer(layer.id).key("b").out_weight == 12.0
    stack.push(SetTangents("t", "jaw_open", layer.id, ["b"], broken=False))  # unify: one slope
    b = ch.layer(layer.id).key("b")
    assert b.in_slope == b.out_slope and not b.broken
    stack.push(SetTangents("t", "jaw_open", layer.id, ["b"], tangent="flat", interp="smooth"))
    assert ch.layer(layer.id).key("b").tangent == "flat"
    for _ in range(5):
        stack.undo()
    assert ch.layers == (layer,)


def test_tangents_and_markers_are_saved_and_loaded(tmp_path):
    from talkface_studio.core.marker_commands import AddMarker, MoveMarker, RenameMarker

    layer = EditLayer(keys=(Key(0, 0.0, id="a"), Key(10, 1.0, id="b", tangent="free", in_slope=0.1, out_slope=-0.2,
                                                   broken=True, weighted=True, in_weight=4.5), Key(30, 0.2, id="c")))
    project = project_with("jaw_open", [layer])
    stack = C.UndoStack(project)
    add = stack.push(AddMarker("t", 12))
    stack.push(RenameMarker("t", add.marker_id, "breath"))
    stack.push(MoveMarker("t", add.marker_id, 500))  # stays on the take
    take = project.take("t")
    assert [(m.frame, m.name) for m in take.markers] == [(N - 1, "breath")]
    path = pf.save_project(project, tmp_path / "p.tfs")
    raw = json.loads(path.read_text())
    t = raw["takes"][0]
    assert t["version"] == 2 and t["markers"] == [{"id": add.marker_id, "frame": N - 1, "name": "breath"}]
    (saved,) = t["channels"]["jaw_open"]["layers"]
    assert saved["version"] == 2 and saved["keys"][0] == [0, 0.0, "smooth", "a"]  # defaults stay 4 fields
    assert saved["keys"][1][4] == {"tangent": "free", "in_slope": 0.1, "out_slope": -0.2, "broken": True,
                                   "weighted": True, "in_weight": 4.5}
    again = pf.load_project(path).take("t")
    assert again.channel("jaw_open").layers == (layer,) and again.markers == take.markers
    assert np.array_equal(again.final_channels()["jaw_open"], take.final_channels()["jaw_open"])
    # a project without handles or markers is written as 0.1.0 wrote it
    plain = project_with("jaw_open", [EditLayer(keys=(Key(3, 0.5, id="k"),))])
    t = json.loads(pf.save_project(plain, tmp_path / "plain.tfs").read_text())["takes"][0]
    assert t["version"] == 1 and "markers" not in t and t["channels"]["jaw_open"]["layers"][0]["version"] == 1


@pytest.mark.parametrize("edit, message", [
    (lambda t: t["channels"]["head_yaw"]["layers"][0].update(version=3), "talkface.edit_layer version 3 is newer"),
    (lambda t: t.update(version=5), "talkface.take version 5 is newer"),
    (lambda t: t["channels"]["head_yaw"]["layers"][0]["keys"][0].append({"tangent": "spline"}),
     "keys[0][4].tangent: must be one of"),
    (lambda t: t["channels"]["head_yaw"]["layers"][0]["keys"][0].append({"in_weight": -2}), "in_weight"),
    (lambda t: t["channels"]["head_yaw"]["layers"][0]["keys"][0].append({"shape": 1}), "unknown key field"),
    (lambda t: t.update(version=2, markers=[{"id": "m", "frame": -4, "name": "x"}]), "markers[0].frame"),
])
def test_bad_handles_and_markers_are_refused_naming_the_field(tmp_path, edit, message):
    doc = json.loads((GOLDEN / "project_v1.tfs").read_text())
    edit(doc["takes"][0])
    bad = tmp_path / "bad.tfs"
    bad.write_text(json.dumps(doc))
    with pytest.raises(ProjectFileError, match=re.escape(message)) as info:
        pf.load_project(bad)
    assert "bad.tfs" in str(info.value)
