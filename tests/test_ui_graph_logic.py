"""Qt-free interaction logic of the graph editor: drags (axis constraint, take ends), handle drags,
hit tests, markers, the frame field, the shared time view and view settings."""

import numpy as np
import pytest

from talkface_studio.core.markers import Marker
from talkface_studio.core.timebase import FrameRate
from talkface_studio.ui.curves import curve_hits
from talkface_studio.ui.window.frame_field import parse_frame
from talkface_studio.ui.curves.key_gestures import HandleDragGesture, KeyDragGesture, KeyRef
from talkface_studio.ui.timeline.marker_gestures import MarkerDrag, marker_at
from talkface_studio.ui.timeline_mapping import TimeView

A, B = KeyRef("jaw_open", "L1", "a"), KeyRef("jaw_open", "L1", "b")


def test_shift_drag_keeps_to_the_axis_moved_furthest_in_pixels():
    g = KeyDragGesture({A: (10, 0.5)}, 10, 0.5, px_per_frame=10, px_per_value=400)
    assert g.move(14, 0.52, constrain=True) == (4, 0.0)  # 40 px across, 8 px up: time only
    assert g.move(11, 0.7, constrain=True) == (0, pytest.approx(0.2))  # 10 px across, 80 px up: value only
    assert g.move(14, 0.7) == (4, pytest.approx(0.2))  # without Shift: both


def test_a_drag_stops_at_the_take_ends_and_skips_occupied_frames():
    g = KeyDragGesture({A: (10, 0.0), B: (30, 0.0)}, 10, 0.0, occupied={("jaw_open", "L1"): {50}}, last_frame=99)
    assert g.move(500, 0.0)[0] == 69 and g.move(-500, 0.0)[0] == -10
    assert g.move(29, 0.0)[0] == 19
    assert g.move(30, 0.0)[0] == 19  # B would land on the layer's other key at 50: it waits a frame short


def test_handle_drag_turns_and_stretches_and_never_crosses_its_key():
    g = HandleDragGesture(A, "out", key=(10.0, 0.5), handle=(13.0, 0.5))
    assert g.result == (0.0, 3.0)
    assert g.move(16.0, 0.8) == (pytest.approx(0.05), pytest.approx(6.0))
    slope, length = g.move(4.0, 0.8)  # dragged behind the key: it stays on its side
    assert length == HandleDragGesture.MIN_LENGTH and slope > 0
    inn = HandleDragGesture(A, "in", key=(10.0, 0.5), handle=(7.0, 0.5))
    assert inn.move(6.0, 0.3) == (pytest.approx(0.05), pytest.approx(4.0))


def test_hits_pick_the_nearest_key_within_its_larger_radius_and_curves_by_their_lines():
    keys = [("a", 100.0, 100.0), ("b", 111.0, 100.0)]
    assert curve_hits.nearest_point(keys, 104, 100, curve_hits.KEY_HIT_PX) == "a"
    assert curve_hits.nearest_point(keys, 100, 110, curve_hits.KEY_HIT_PX) == "a"  # 10 px: a hit (was 7)
    assert curve_hits.nearest_point(keys, 100, 120, curve_hits.KEY_HIT_PX) is None
    xs = np.array([0.0, 50, 100])
    curves = {"flat": (xs, np.array([10.0, 10, 10])), "ramp": (xs, np.array([0.0, 50, 100]))}
    assert curve_hits.curve_near(curves, 75, 14) == "flat"
    assert curve_hits.curve_near(curves, 75, 73) == "ramp"
    assert curve_hits.curve_near(curves, 75, 40) is None
    assert curve_hits.distance_to_polyline(xs, np.array([0.0, 0, 0]), 120, 0) == pytest.approx(20)


def test_markers_are_hit_at_their_frame_and_dragged_within_the_take():
    markers = [Marker(10, "breath", "m1"), Marker(12, "", "m2")]
    x_of = lambda f: f * 5.0  # noqa: E731
    assert marker_at(markers, 52, x_of) == "m1" and marker_at(markers, 61, x_of) == "m2"
    assert marker_at(markers, 90, x_of) is None
    d = MarkerDrag("m1", 10, press_frame=10.2, last_frame=99)
    assert d.move(14.4) == 14 and d.moved and d.move(-50) == 0 and d.move(500) == 99


def test_the_frame_field_reads_frames_and_timecode_within_the_take():
    rate = FrameRate(25)
    assert parse_frame("112", rate, 200) == 112
    assert parse_frame("00:00:04:12", rate, 200) == 112
    assert parse_frame("900", rate, 200) == 199 and parse_frame("-3", rate, 200) == 0
    assert parse_frame("twelve", rate, 200) is None and parse_frame("", rate, 200) is None


def test_one_time_view_maps_every_width_to_the_same_frames():
    view = TimeView.fitted(0, 100, margin=0.05)
    for width in (300, 1400):
        m = view.mapping(width)
        assert m.frame_at(0) == pytest.approx(view.start) and m.frame_at(width) == pytest.approx(view.end)
    assert view.start < 0 < 100 < view.end
    back = TimeView.of(view.mapping(800).zoomed(2.0, 400), 800)
    assert back.span == pytest.approx(view.span / 2) and (back.start + back.end) / 2 == pytest.approx(50)


def test_view_settings_read_leniently(qtbot):
    from talkface_studio.core.project import Project
    from talkface_studio.core.take import Take
    from talkface_studio.ui.window import view_settings
    from talkface_studio.ui.curves.curve_editor import CurveEditor
    from talkface_studio.ui.document import Document
    from talkface_studio.ui.session import Session

    session, doc = Session(), Document(Project([Take("t", None, None, FrameRate(24), 50)]))
    editor = CurveEditor(doc, session)
    qtbot.addWidget(editor)
    bad = {"schema": "talkface.view", "visible_channels": ["jaw_open", "no_such", 3], "normalized": "yes",
           "frames": [40, 10], "take": "t"}
    assert not view_settings.apply(bad, session, editor, "t")  # backwards frames: not applied
    assert session.visible_channels == {"jaw_open"} and editor.normalized is True
    assert not view_settings.apply(["not", "a", "view"], session, editor, "t")
    good = view_settings.capture(session, editor, "t")
    session.visible_channels = {"blink"}
    assert view_settings.apply(good, session, editor, "t") and session.visible_channels == {"jaw_open"}
