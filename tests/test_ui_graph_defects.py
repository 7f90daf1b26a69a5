"""The graph editor's reported defects, each reproduced with real Qt input (mouse events through the
plot's viewport, key clicks through the window's shortcut map) and shown fixed (pytest-qt,
offscreen). On the code before the fix every test here fails."""

import shutil

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from qt_input import drag, plot_point  # noqa: E402
from talkface_studio.core import project_file  # noqa: E402
from talkface_studio.core.channels import Channel  # noqa: E402
from talkface_studio.core.project import Project  # noqa: E402
from talkface_studio.core.take import Take  # noqa: E402
from talkface_studio.core.timebase import FrameRate  # noqa: E402
from talkface_studio.ui.selection import KeyRef  # noqa: E402
from talkface_studio.ui.selection import Brush  # noqa: E402

pytestmark = pytest.mark.gui
N = 120


@pytest.fixture
def project_path(demo_dir, tmp_path):
    shutil.copytree(demo_dir, tmp_path / "p")
    return tmp_path / "p" / "demo.tfs"


def small_window(make_window, channels=("gaze_yaw",), normalized=True):
    """A window on a 120-frame take without media (no preview to wait for)."""
    w = make_window()
    t = np.arange(N)
    take = Take("t", None, None, FrameRate(24), N,
                channels={"jaw_open": Channel("jaw_open", 0.4 + 0.3 * np.sin(t / 9)),
                          "gaze_yaw": Channel("gaze_yaw", 8 * np.sin(t / 13))})
    take.emotion_track.paint(10, 50, "happy", 2)
    w.document.set_project(Project([take]), None)
    w.session.visible_channels = set(channels)
    w.session.channels_shown.emit()
    if w.curve_editor.normalized != normalized:
        w.curve_editor.toggle_normalized(normalized)
    w.curve_editor.frame_all()
    return w


def activate(w, qtbot):
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=3000)


def test_a_key_dragged_past_the_plot_stops_at_the_range_and_the_last_frame(make_window, qtbot, tmp_path):
    """Raw units, gaze_yaw: the drag used to store -1938 deg (and frames past the take) while the
    inspector showed -35."""
    w = small_window(make_window, normalized=False)
    ce = w.curve_editor
    ce.add_key_at(60, 10.0, channel="gaze_yaw")
    (ref,) = w.session.selected_keys
    start = plot_point(ce, 60, 10.0)
    far = [start + QPointF(dx, dy) for dx, dy in ((0, 40), (0, 400), (0, 2000), (3000, 2500))]
    drag(ce.plot.viewport(), [start] + far)
    key = w.document.take.channel("gaze_yaw").layer(ref.layer).key(ref.key)
    assert (key.frame, key.value) == (N - 1, -35.0)
    assert w.inspector.keys.value.text() == "-35" and w.inspector.keys.frame.text() == str(N - 1)
    w.document.project.path = tmp_path / "p.tfs"
    project_file.autosave(w.document.project)  # what a crash would leave
    saved = project_file.load_project(project_file.autosave_path(tmp_path / "p.tfs"))
    assert saved.take("t").channel("gaze_yaw").layer(ref.layer).key(ref.key).value == -35.0
    # dragging back finds the key where the mouse is, not 1900 degrees away
    drag(ce.plot.viewport(), [plot_point(ce, N - 1, -35.0), plot_point(ce, N - 21, -20.0)])
    key = w.document.take.channel("gaze_yaw").layer(ref.layer).key(ref.key)
    assert key.frame == N - 21 and key.value == pytest.approx(-20.0, abs=0.5)


def test_reset_to_generated_removes_its_keys_from_the_model_and_the_selection(make_window, qtbot):
    w = small_window(make_window, channels=("jaw_open",))
    ce, take = w.curve_editor, w.document.take
    for f, v in ((40, 0.9), (50, 0.1), (60, 0.9)):
        ce.add_key_at(f, v, channel="jaw_open")
    refs = {KeyRef("jaw_open", layer.id, k.id) for layer in take.channel("jaw_open").layers for k in layer.keys}
    w.session.select_keys(refs)
    activate(w, qtbot)
    qtbot.keyClick(w, Qt.Key_R, Qt.ControlModifier)
    base = take.channel("jaw_open").base
    assert np.allclose(take.channel("jaw_open").final(), base, atol=1e-6)
    assert w.session.selected_keys == set() and ce.mouse.all_keys() == []
    # nothing is left to drag where the keys were: the curve cannot be bent any more
    drag(ce.plot.viewport(), [plot_point(ce, 50, 0.1), plot_point(ce, 50, 0.8)])
    assert np.allclose(take.channel("jaw_open").final(), base, atol=1e-6)
    w.document.undo_stack.undo()
    assert len(ce.mouse.all_keys()) == 3  # undo puts the keys back


def test_key_at_playhead_keeps_a_jaw_peak_where_it_was(make_window, project_path, qtbot):
    """S beside a generated jaw_open peak used to pull it down (0.8 -> 0.72) and later."""
    w = make_window()
    w.files.open_project(project_path)
    take = w.document.take
    w.session.visible_channels = {"jaw_open", "head_yaw", "blink"}
    w.session.channels_shown.emit()
    jaw = take.channel("jaw_open").final().copy()
    peak = int(np.argmax(jaw))
    before = {c: take.channel(c).final().copy() for c in w.session.visible_channels}
    activate(w, qtbot)
    for frame in (peak + 3, peak - 2, peak + 9):
        w.session.set_playhead(frame)
        qtbot.keyClick(w, Qt.Key_S)
    for c, values in before.items():
        assert np.max(np.abs(take.channel(c).final() - values)) < 1e-6, c
    assert int(np.argmax(take.channel("jaw_open").final())) == peak
    assert len(w.session.selected_keys) == 3  # the three keys of the last S, ready to drag


def test_typing_in_the_inspector_keeps_undo_and_export_shortcuts(make_window, qtbot):
    """After typing a value, Ctrl+Z and Ctrl+E did nothing until the curve editor was clicked."""
    w = small_window(make_window)
    take = w.document.take
    segment = take.emotion_track.segments[0]
    w.session.select_segment(segment.id)
    exported = []
    export = w.actions_by_name["export"]
    export.triggered.disconnect()  # record instead of opening the (modal) export dialog
    export.triggered.connect(lambda *_: exported.append(True))
    activate(w, qtbot)
    level = w.inspector.level
    level.setFocus()
    qtbot.keyClick(level, Qt.Key_A, Qt.ControlModifier)
    qtbot.keyClicks(level, "3")
    qtbot.keyClick(level, Qt.Key_Return)
    assert take.emotion_track.get(segment.id).level == 3 and QApplication.focusWidget() is level
    qtbot.keyClick(level, Qt.Key_Z, Qt.ControlModifier)
    assert take.emotion_track.get(segment.id).level == 2
    qtbot.keyClick(level, Qt.Key_E, Qt.ControlModifier)
    assert exported == [True]


def test_one_level_change_is_one_undo_step_that_changes_the_level(make_window, qtbot):
    w = small_window(make_window)
    take = w.document.take
    segment = take.emotion_track.segments[0]
    w.session.select_segment(segment.id)
    activate(w, qtbot)
    stack = w.document.undo_stack
    n = len(stack)
    level = w.inspector.level
    level.setFocus()
    qtbot.keyClick(level, Qt.Key_A, Qt.ControlModifier)
    qtbot.keyClicks(level, "1")
    qtbot.keyClick(level, Qt.Key_Return)  # the spin box repeats its value here
    assert len(stack) == n + 1
    stack.undo()
    assert take.emotion_track.get(segment.id).level == 2  # the one step did the change


def test_the_viewer_says_what_it_waits_for_while_a_take_opens_and_a_portrait_imports(make_window, project_path,
                                                                                      qtbot):
    """It used to keep saying "Import audio and a portrait..." for the 7-34 s of the first preview."""
    w = make_window(sync=False)
    steps = []
    w.slicer.stage.connect(lambda i, n: steps.append(w.viewer.busy))
    w.files.open_project(project_path)
    assert w.viewer.busy is not None and "preparing the preview" in w.viewer.busy
    assert "Import audio" not in w.viewer.message
    qtbot.waitUntil(lambda: w.viewer.frame is not None, timeout=90000)
    assert w.viewer.busy is None and any(s and "Rendering" in s for s in steps)
    portrait = project_path.parent / "media" / "portrait.png"
    w.media.import_portrait(portrait)
    assert w.viewer.busy == "Fitting the face in portrait.png…"
    qtbot.waitUntil(lambda: w.document.take.portrait_path == portrait.absolute(), timeout=60000)
    qtbot.waitUntil(lambda: w.viewer.busy is None, timeout=60000)
    w.pool.waitForDone(10000)
    w.slicer.wait(10000)


def test_generate_mark_survives_save_reopen_and_recovery(make_window, project_path, tmp_path):
    w = make_window()
    w.files.open_project(project_path)
    generate = w.actions_by_name["generate"]
    assert not w.take_status.stale and "•" not in generate.iconText()  # the demo was generated
    w.session.set_brush(Brush("paint", "angry", 3))
    w.timeline.lane.press_at(w.timeline.lane.mapping.x_of(5))
    w.timeline.lane.release_at(w.timeline.lane.mapping.x_of(30))
    assert w.take_status.stale and generate.iconText().endswith("•")
    out = tmp_path / "saved.tfs"
    assert w.files.save_to(out)
    w2 = make_window()
    w2.files.open_project(out)
    assert w2.take_status.stale and w2.actions_by_name["generate"].iconText().endswith("•")
    w2.generate()
    assert not w2.take_status.stale
    w2.document.undo_stack.undo()  # undoing Generate brings the mark back
    assert w2.take_status.stale
    w2.document.undo_stack.redo()
    assert w2.files.save_to(out)
    w3 = make_window()
    w3.files.open_project(out)
    assert not w3.take_status.stale
    w3.session.set_brush(Brush("paint", "sad", 1))
    w3.timeline.lane.press_at(w3.timeline.lane.mapping.x_of(40))
    w3.timeline.lane.release_at(w3.timeline.lane.mapping.x_of(60))
    w3.files.autosave_now()  # then a crash
    w4 = make_window()
    w4.answers.append(QMessageBox.Yes)
    w4.files.open_project(out)
    assert w4.document.dirty and w4.take_status.stale


def test_timeline_and_curve_editor_zoom_and_pan_together(make_window, qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent

    w = small_window(make_window)
    ce, wf = w.curve_editor, w.timeline.waveform
    event = QWheelEvent(QPointF(300, 10), QPointF(wf.mapToGlobal(QPoint(300, 10))), QPoint(0, 0), QPoint(0, 240),
                        Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(wf, event)  # zoom the timeline
    view = w.session.time_view
    (x0, x1), _ = ce.view_box.viewRange()
    assert (x0, x1) == (pytest.approx(view.start), pytest.approx(view.end)) and view.end - view.start < N * 0.7
    # pan the curve editor with the middle button: the timeline follows
    vp = ce.plot.viewport()
    drag(vp, [QPointF(500, 100), QPointF(450, 100), QPointF(300, 100)], button=Qt.MiddleButton)
    (y0, y1), _ = ce.view_box.viewRange()
    assert y0 > x0 + 1
    assert wf.mapping.frame_at(0) == pytest.approx(y0) and wf.mapping.frame_at(wf.width()) == pytest.approx(y1)
