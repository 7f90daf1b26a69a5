"""What an animator expects of the graph editor (Maya, Blender), driven through the window with real
Qt input: tangent handles, clicking a curve, isolate, Shift-constrained drags, mixed-selection
fields, next/previous key, markers, the frame field and view settings saved with the project."""

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from qt_input import click, drag, plot_point  # noqa: E402
from talkface_studio.core import project_file  # noqa: E402
from talkface_studio.core.channels import Channel  # noqa: E402
from talkface_studio.core.project import Project  # noqa: E402
from talkface_studio.core.take import Take  # noqa: E402
from talkface_studio.core.timebase import FrameRate  # noqa: E402
from talkface_studio.ui.selection import KeyRef  # noqa: E402

pytestmark = pytest.mark.gui
N = 120


def window(make_window, channels=("jaw_open",), keys=((30, 0.2), (60, 0.8), (90, 0.3))):
    """A window on a 120-frame take without media, jaw_open keyed at `keys` (one override layer)."""
    w = make_window()
    t = np.arange(N)
    take = Take("t", None, None, FrameRate(24), N,
                channels={"jaw_open": Channel("jaw_open", 0.4 + 0.2 * np.sin(t / 9)),
                          "head_yaw": Channel("head_yaw", 20 * np.sin(t / 17))})
    w.document.set_project(Project([take]), None)
    w.session.visible_channels = set(channels)
    w.session.channels_shown.emit()
    ce = w.curve_editor
    for f, v in keys:
        ce.add_key_at(f, v, channel="jaw_open")
    w.session.select_keys(set())
    ce.frame_all()
    w.document.undo_stack.set_clean()
    return w


def layer(w, channel="jaw_open"):
    return w.document.take.channel(channel).layers[-1]


def ref_at(w, frame, channel="jaw_open"):
    x = layer(w, channel)
    return KeyRef(channel, x.id, next(k.id for k in x.keys if k.frame == frame))


def activate(w, qtbot):
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=3000)


def test_dragging_a_handle_turns_the_tangent_and_break_lets_one_side_move(make_window):
    w = window(make_window)
    ce, take = w.curve_editor, w.document.take
    mid = ref_at(w, 60)
    w.session.select_keys({mid})
    sides = {side: (x, y) for r, side, x, y in ce.selection_items.handle_points}
    assert set(sides) == {"in", "out"}  # smooth spans on both sides: two handles
    before = take.channel("jaw_open").final().copy()
    n = len(w.document.undo_stack)
    x, y = sides["out"]
    drag(ce.plot.viewport(), [plot_point(ce, x, y), plot_point(ce, x, y + 0.1), plot_point(ce, x, y + 0.3)])
    key = layer(w).key(mid.key)
    assert key.tangent == "free" and key.out_slope > 0.02 and key.in_slope == key.out_slope  # unified
    assert len(w.document.undo_stack) == n + 1
    after = take.channel("jaw_open").final()
    assert after[70] > before[70] + 0.02 and after[50] < before[50] - 0.02  # both sides turned together
    ce.set_broken(True)
    sides = {side: (x, y) for r, side, x, y in ce.selection_items.handle_points}
    x, y = sides["in"]
    kept_right = take.channel("jaw_open").final()[61:90].copy()
    drag(ce.plot.viewport(), [plot_point(ce, x, y), plot_point(ce, x, y - 0.3)])
    assert np.allclose(take.channel("jaw_open").final()[61:90], kept_right)  # only the in side moved
    assert layer(w).key(mid.key).broken and layer(w).key(mid.key).in_slope != layer(w).key(mid.key).out_slope


def test_weighted_handles_stretch_and_tangent_buttons_set_the_type(make_window):
    w = window(make_window)
    ce = w.curve_editor
    mid = ref_at(w, 60)
    w.session.select_keys({mid})
    ce.buttons["weighted"].click()
    assert layer(w).key(mid.key).weighted
    (x, y), = [(x, y) for r, s, x, y in ce.selection_items.handle_points if s == "out"]
    drag(ce.plot.viewport(), [plot_point(ce, x, y), plot_point(ce, x + 12, y)])
    assert layer(w).key(mid.key).out_weight == pytest.approx(10 + 12, abs=0.6)  # a third of 30 frames, +12
    for button, tangent, interp in (("flat", "flat", "smooth"), ("auto", "auto", "smooth"),
                                    ("linear", "linear", "linear"), ("auto_clamped", "auto_clamped", "smooth")):
        ce.buttons[button].click()
        key = layer(w).key(mid.key)
        assert (key.tangent, key.interp) == (tangent, interp)
    ce.buttons["step"].click()
    assert layer(w).key(mid.key).interp == "step"
    assert [s for _, s, _, _ in ce.selection_items.handle_points] == ["in"]  # a step span has no out handle


def test_clicking_a_curve_selects_it_and_its_keys_and_isolate_shows_only_it(make_window, qtbot):
    w = window(make_window, channels=("jaw_open", "head_yaw"))
    ce, take = w.curve_editor, w.document.take
    y = float(ce.to_display("head_yaw", [take.channel("head_yaw").final()[15]])[0])
    click(ce.plot.viewport(), plot_point(ce, 15, y))  # on head_yaw between its (no) keys
    assert w.session.active_channel == "head_yaw" and w.session.selected_keys == set()
    y = float(ce.to_display("jaw_open", [take.channel("jaw_open").final()[45]])[0])
    click(ce.plot.viewport(), plot_point(ce, 45, y))
    assert w.session.active_channel == "jaw_open"
    assert w.session.selected_keys == {ref_at(w, f) for f in (30, 60, 90)}
    activate(w, qtbot)
    qtbot.keyClick(w, Qt.Key_I, Qt.ShiftModifier)
    assert ce.shown() == ["jaw_open"] and set(ce.items) == {"jaw_open"} and ce.buttons["isolate"].isChecked()
    qtbot.keyClick(w, Qt.Key_I, Qt.ShiftModifier)
    assert set(ce.items) == {"jaw_open", "head_yaw"}


def test_shift_drag_moves_a_key_along_one_axis_and_keys_are_hit_from_further_away(make_window):
    w = window(make_window)
    ce = w.curve_editor
    key = ref_at(w, 60)
    start = plot_point(ce, 60, 0.8)
    # pressed 9 px beside the key (outside the old 7 px radius), dragged mostly sideways with a wobble
    press = start + QPointF(6, 6.5)
    drag(ce.plot.viewport(), [press, press + QPointF(40, 8), press + QPointF(120, -10)], modifiers=Qt.ShiftModifier)
    k = layer(w).key(key.key)
    assert k.frame > 62 and k.value == pytest.approx(0.8)
    drag(ce.plot.viewport(), [plot_point(ce, k.frame, 0.8), plot_point(ce, k.frame + 1, 0.6)],
         modifiers=Qt.ShiftModifier)
    k2 = layer(w).key(key.key)
    assert k2.frame == k.frame and k2.value == pytest.approx(0.6, abs=0.01)


def test_inspector_fields_stay_blank_for_a_mixed_selection_and_set_them_all(make_window):
    w = window(make_window)
    panel = w.inspector.keys
    w.session.select_keys({ref_at(w, 30), ref_at(w, 90)})
    assert panel.value.text() == "" and panel.value.placeholderText() == "mixed" and panel.frame.text() == ""
    assert panel.interp.currentText() == "smooth"  # what they share is shown
    panel.value.setText("0.5")
    panel.value.editingFinished.emit()
    assert [k.value for k in layer(w).keys if k.frame in (30, 90)] == [0.5, 0.5]
    assert panel.value.text() == "0.5"
    n = len(w.document.undo_stack)
    panel.value.editingFinished.emit()  # leaving the field again changes nothing: no undo step
    assert len(w.document.undo_stack) == n
    w.session.select_keys({ref_at(w, 60)})
    assert panel.frame.text() == "60" and panel.value.text() == "0.8"


def test_next_and_previous_key_and_the_frame_field(make_window, qtbot):
    w = window(make_window)
    activate(w, qtbot)
    w.session.set_playhead(40)
    qtbot.keyClick(w, Qt.Key_Period)
    assert w.session.playhead == 60
    qtbot.keyClick(w, Qt.Key_Period)
    qtbot.keyClick(w, Qt.Key_Comma)
    qtbot.keyClick(w, Qt.Key_Comma)
    assert w.session.playhead == 30
    field = w.transport.frame_field
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "00:00:03:12")  # 24 fps: 84
    qtbot.keyClick(field, Qt.Key_Return)
    assert w.session.playhead == 84 and field.text() == "84" and not field.hasFocus()


def test_markers_add_rename_drag_delete_undo_and_save(make_window, qtbot, tmp_path):
    w = window(make_window)
    lane = w.timeline.markers
    activate(w, qtbot)
    w.session.set_playhead(20)
    qtbot.keyClick(w, Qt.Key_M)
    (m,) = w.document.take.markers
    assert (m.frame, m.name) == (20, "M1") and w.session.selected_marker == m.id
    lane.ask_name = lambda parent, current: "breath"
    x = lane.mapping.x_of(20.5)
    qtbot.mouseDClick(lane, Qt.LeftButton, pos=QPointF(x, 10).toPoint())
    assert w.document.take.markers[0].name == "breath"
    n = len(w.document.undo_stack)
    drag(lane, [QPointF(x, 10), QPointF(lane.mapping.x_of(30.5), 10), QPointF(lane.mapping.x_of(35.5), 10)])
    assert w.document.take.markers[0].frame == 35 and len(w.document.undo_stack) == n + 1
    out = tmp_path / "m.tfs"
    assert w.files.save_to(out)
    assert [(x.frame, x.name) for x in project_file.load_project(out).take("t").markers] == [(35, "breath")]
    w.session.select_keys({ref_at(w, 60)})
    click(lane, QPointF(lane.mapping.x_of(35.5), 10))  # selecting the marker drops the key selection
    assert w.session.selected_marker == m.id and not w.session.selected_keys
    qtbot.keyClick(w, Qt.Key_Delete)
    assert w.document.take.markers == () and len(layer(w).keys) == 3  # the marker went, not the keys
    w.document.undo_stack.undo()
    assert [x.name for x in w.document.take.markers] == ["breath"]


def test_view_settings_are_saved_with_the_project_and_are_not_edits(make_window, tmp_path):
    w = window(make_window, channels=("jaw_open", "head_yaw"))
    out = tmp_path / "v.tfs"
    assert w.files.save_to(out)
    ce = w.curve_editor
    n = len(w.document.undo_stack)
    w.session.set_channel_shown("blink", visible=True)
    w.session.set_channel_shown("jaw_open", locked=True)
    ce.toggle_normalized(False)
    w.session.set_time_view(type(w.session.time_view)(30.0, 70.0))
    assert len(w.document.undo_stack) == n and not w.document.dirty  # view state: no undo step, no "*"
    assert w.files.save_to(out)
    w2 = make_window()
    w2.files.open_project(out)
    assert w2.session.visible_channels == {"jaw_open", "head_yaw", "blink"}
    assert w2.session.locked_channels == {"jaw_open"} and not w2.curve_editor.normalized
    view = w2.session.time_view
    assert (view.start, view.end) == (pytest.approx(30.0), pytest.approx(70.0))
    (x0, x1), _ = w2.curve_editor.view_box.viewRange()
    assert (x0, x1) == (pytest.approx(30.0), pytest.approx(70.0))
