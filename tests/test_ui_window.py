"""The authoring window end to end (pytest-qt, offscreen, background work run inline)."""

import shutil

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QMessageBox  # noqa: E402

from talkface_studio.core import project_file  # noqa: E402
from talkface_studio.ui.selection import KeyRef  # noqa: E402
from talkface_studio.ui.selection import Brush  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def project_path(demo_dir, tmp_path):
    shutil.copytree(demo_dir, tmp_path / "p")
    return tmp_path / "p" / "demo.tfs"


def lane_drag(w, f0, f1):
    lane = w.timeline.lane
    x = lane.mapping.x_of
    lane.press_at(x(f0) + 0.5)
    lane.move_to(x((f0 + f1) / 2) + 0.5)
    lane.move_to(x(f1) + 0.5)
    lane.release_at(x(f1) + 0.5)


def test_import_audio_starts_a_take_with_waveform(make_window):
    from talkface_studio.audio.loading import load_audio
    from talkface_studio.pipeline.demo_project import demo_media_dir

    w = make_window()
    wav = demo_media_dir() / "line.wav"
    w.media.import_audio(wav)
    take = w.document.take
    assert take is not None and take.n_frames == take.rate.frames_in(load_audio(wav).duration)
    assert w.timeline.waveform.peaks is not None
    assert w.windowTitle().startswith("Untitled*")
    w.document.undo_stack.undo()
    assert w.document.project.takes == []


def test_paint_three_segments_undo_redo(make_window, project_path):
    w = make_window()
    w.files.open_project(project_path)
    track = w.document.take.emotion_track
    for s in list(track.segments):  # start from an empty lane
        track.erase(s.start, s.end)
    for (a, b), emo in zip(((5, 20), (40, 60), (120, 150)), ("angry", "fear", "happy")):
        w.session.set_brush(Brush("paint", emo, 3))
        lane_drag(w, a, b)
    segs = [(s.start, s.end, s.emotion, s.level) for s in track.segments]
    assert segs == [(5, 21, "angry", 3), (40, 61, "fear", 3), (120, 151, "happy", 3)]
    assert w.session.selected_segment == track.segments[-1].id
    assert w.windowTitle().startswith("demo*")
    stack = w.document.undo_stack
    assert len(stack) == 3
    stack.undo()
    assert [s.emotion for s in track.segments] == ["angry", "fear"]
    stack.redo()
    assert [s.emotion for s in track.segments] == ["angry", "fear", "happy"]
    # inspector edits the selected segment; a second level change merges into the same undo step
    w.inspector.level.setValue(1)
    w.inspector.level.setValue(2)
    assert track.segments[-1].level == 2 and len(stack) == 4
    stack.undo()
    assert track.segments[-1].level == 3


def test_edge_drag_is_live_and_one_undo_step(make_window, project_path):
    w = make_window()
    w.files.open_project(project_path)
    track = w.document.take.emotion_track
    first = track.segments[0]
    lane, x = w.timeline.lane, w.timeline.lane.mapping.x_of
    before = len(w.document.undo_stack)
    lane.press_at(x(first.end) + 1)
    for f in range(first.end + 1, first.end + 8):
        lane.move_to(x(f) + 0.5)
        assert track.get(first.id).end == f  # the model follows the mouse
    lane.release_at(x(first.end + 7) + 0.5)
    assert len(w.document.undo_stack) == before + 1
    w.document.undo_stack.undo()
    assert track.get(first.id).end == first.end


def test_drag_key_changes_channel_then_reset_to_generated(make_window, project_path):
    w = make_window()
    w.files.open_project(project_path)
    ce, take = w.curve_editor, w.document.take
    w.session.set_channel_shown("head_yaw", visible=True)
    for c in ("jaw_open", "blink"):
        w.session.set_channel_shown(c, visible=False)
    generated = take.channel("head_yaw").base.copy()
    ce.add_key_at(60, ce.to_display("head_yaw", [10.0])[0], channel="head_yaw")
    (ref,) = w.session.selected_keys
    assert take.channel("head_yaw").final()[60] == pytest.approx(10.0, abs=1e-4)
    n = len(w.document.undo_stack)
    y0 = ce.to_display("head_yaw", [10.0])[0]
    ce.mouse.drag_start(None, 60, y0, ref=ref)
    for i in range(1, 6):
        ce.mouse.drag_move(60 + i, y0 + i * 0.02)
    ce.mouse.drag_finish()
    assert len(w.document.undo_stack) == n + 1
    final = take.channel("head_yaw").final()
    expected = 10.0 + 5 * 0.02 * 120.0  # display units -> degrees over the -60..60 range
    assert final[65] == pytest.approx(expected, abs=1e-3)
    k = take.channel("head_yaw").layer(ref.layer).key(ref.key)
    assert (k.frame, k.value) == (65, pytest.approx(expected))
    w.document.undo_stack.undo()
    assert take.channel("head_yaw").layer(ref.layer).key(ref.key).frame == 60
    w.document.undo_stack.redo()
    ce.copy()
    ce.reset_selection()
    assert np.allclose(take.channel("head_yaw").final()[65], generated[65], atol=1e-4)
    # the reset key left the model and the selection (it no longer shapes the curve)
    assert w.session.selected_keys == set()
    assert not any(k.id == ref.key for layer in take.channel("head_yaw").layers for k in layer.keys)
    # copy / paste keeps spacing relative to the playhead; delete removes keys
    w.session.set_playhead(120)
    ce.paste()
    assert any(k.frame == 120 for layer in take.channel("head_yaw").layers for k in layer.keys)
    w.session.select_keys({KeyRef("head_yaw", layer.id, k.id) for layer in take.channel("head_yaw").layers
                           if layer.mode == "override" for k in layer.keys})
    ce.set_interp("step")
    assert all(k.interp == "step" for layer in take.channel("head_yaw").layers if layer.mode == "override"
               for k in layer.keys)
    ce.delete_selected()
    assert not any(layer.keys for layer in take.channel("head_yaw").layers if layer.mode == "override")


def _eye_opening(landmarks):
    from talkface_studio.face.topology import REGIONS

    return float(np.mean([landmarks[REGIONS[f"{side}_lower_lid"], 1].mean() - landmarks[REGIONS[f"{side}_upper_lid"], 1].mean()
                          for side in ("left", "right")]))


def _eye_pixels(w):
    from talkface_studio.face.topology import REGIONS

    pts = w.viewer.landmarks[np.concatenate([REGIONS["left_eye"], REGIONS["right_eye"]]), :2]
    (x0, y0), (x1, y1) = np.floor(pts.min(0) - 2).astype(int), np.ceil(pts.max(0) + 2).astype(int)
    return w.viewer.rgb[y0:y1, x0:x1].astype(np.float64)


def test_generate_keeps_edits_and_preview_follows_playhead(make_window, project_path):
    """A key that holds the eye open in the middle of a generated blink survives Generate (which
    really replaces the bases), and the preview shows it: open there, closing at another blink."""
    w = make_window()
    w.files.open_project(project_path)
    take = w.document.take
    pitch = take.channel("head_pitch").base.copy()
    w.session.set_brush(Brush("paint", "sad", 3))  # sad hangs the head: Generate must change the base
    lane_drag(w, 140, 199)
    w.actions_by_name["generate"].trigger()
    closed = np.flatnonzero(take.channel("blink").base > 0.6)  # where this performance blinks
    assert len(closed), "the performance blinks"
    held = int(closed[0])
    w.document.undo_stack.undo()  # back to the old bases; the paint stays
    assert np.array_equal(take.channel("head_pitch").base, pitch)
    w.curve_editor.add_key_at(held, 0.0, channel="blink")  # hold the eye open through that blink
    w.actions_by_name["generate"].trigger()
    assert np.abs(take.channel("head_pitch").base[150:199] - pitch[150:199]).max() > 1.0  # bases replaced
    blink = take.channel("blink").base
    assert blink[held] > 0.6  # the generated blink is there...
    assert take.channel("blink").final()[held] == pytest.approx(0.0, abs=1e-6)  # ...and the key wins
    others = [f for f in np.flatnonzero(blink > 0.6) if abs(f - held) > 12]
    assert others, "another blink to compare with"
    other = int(others[0])
    w.session.set_playhead(held)
    assert w.viewer.frame == held
    open_eye, open_pixels = _eye_opening(w.viewer.landmarks), _eye_pixels(w)
    w.session.set_playhead(other)
    assert w.viewer.frame == other
    assert _eye_opening(w.viewer.landmarks) < 0.6 * open_eye  # the unkeyed blink closes the eye
    w.session.set_playhead(held)
    assert np.array_equal(_eye_pixels(w), open_pixels)  # the same frame again, the same pixels
    rest = int(np.argmin(np.abs(blink - 0.0) + 10 * (np.abs(np.arange(len(blink)) - held) < 8)))
    w.session.set_playhead(rest)  # an unkeyed open eye: the held frame looks like it
    assert _eye_opening(w.viewer.landmarks) == pytest.approx(open_eye, rel=0.25)


def test_save_reopen_and_close_prompt(make_window, project_path, tmp_path):
    w = make_window()
    w.files.open_project(project_path)
    w.session.set_brush(Brush("paint", "disgusted", 1))
    lane_drag(w, 2, 12)
    assert w.document.dirty
    out = tmp_path / "saved.tfs"
    assert w.files.save_to(out)
    assert not w.document.dirty and w.windowTitle().startswith("saved —")
    w2 = make_window()
    w2.files.open_project(out)
    assert any(s.emotion == "disgusted" and (s.start, s.end) == (2, 13) for s in w2.document.take.emotion_track.segments)
    assert str(out.absolute()) in w2.files.recent_projects()
    # unsaved changes: closing asks; Cancel keeps the window open
    lane_drag(w2, 15, 18)
    w2.answers.append(QMessageBox.Cancel)
    assert not w2.close()
    w2.answers.append(QMessageBox.Discard)
    assert w2.close()


def test_recovery_after_crash(make_window, project_path):
    w = make_window()
    w.files.open_project(project_path)
    w.session.set_brush(Brush("paint", "fear", 2))
    lane_drag(w, 0, 9)
    w.files.autosave_now()
    assert project_file.find_recovery(project_path) is not None
    # crash: the window vanishes without saving; a new session opens the project
    w2 = make_window()
    w2.answers.append(QMessageBox.Yes)
    w2.files.open_project(project_path)
    segs = w2.document.take.emotion_track.segments
    assert segs[0].emotion == "fear" and segs[0].start == 0
    assert w2.document.dirty and "*" in w2.windowTitle()
    w3 = make_window()
    w3.answers.append(QMessageBox.No)
    w3.files.open_project(project_path)
    assert w3.document.take.emotion_track.segments[0].emotion != "fear"


def test_render_start_and_cancel_leaves_nothing(make_window, project_path, tmp_path, qtbot, monkeypatch):
    # an empty frame cache: frames cached by earlier runs would finish the render before the cancel
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    w = make_window(sync=False)
    w.render_queue.show_dialogs = False
    assert w.files.open_project(project_path, ask_save=False)
    out = tmp_path / "cancelled.mp4"
    entry = w.exports.queue_render(out, size=64)
    qtbot.waitUntil(lambda: entry.status == "running" and w.render_queue.bar(entry).value() >= 1, timeout=60000)
    w.render_queue.cancel(entry)
    qtbot.waitUntil(lambda: entry.status == "cancelled", timeout=30000)
    assert not out.exists()
    ok = w.exports.queue_render(tmp_path / "curves.csv", kind="curves")
    qtbot.waitUntil(lambda: ok.status == "done", timeout=30000)
    assert (tmp_path / "curves.csv").read_text().count("\n") >= w.document.take.n_frames
    # a missing output folder is made, and the job renders its own copy of the take: clearing the
    # project's audio after queueing changes nothing about it
    w.session.set_in_out(10, 30)
    made = w.exports.queue_render(tmp_path / "missing-folder" / "x" / "out.mov", size=64, use_range=True)
    w.document.take.audio_path = None
    qtbot.waitUntil(lambda: made.status in ("done", "failed"), timeout=60000)
    assert made.status == "done"
    import imageio_ffmpeg

    assert imageio_ffmpeg.count_frames_and_secs(str(made.spec.output))[0] == 20
    # a render whose portrait vanished fails, names the file and leaves nothing behind
    portrait = project_path.parent / "media" / "portrait.png"
    portrait.rename(tmp_path / "away.png")
    folder = tmp_path / "bad-out"
    bad = w.exports.queue_render(folder / "out.mp4", size=64, use_range=True)
    qtbot.waitUntil(lambda: bad.status in ("done", "failed"), timeout=60000)
    assert bad.status == "failed" and "portrait.png" in w.render_queue.log.toPlainText()
    assert not any(folder.iterdir()) if folder.exists() else True
    w.render_queue.pool.waitForDone(30000)


def test_keyboard_brush_transport_and_real_mouse_paint(make_window, project_path, qtbot):
    from PySide6.QtCore import QPoint, Qt

    w = make_window()
    w.files.open_project(project_path)
    with qtbot.waitActive(w):
        w.activateWindow()
    lane = w.timeline.lane
    lane.setFocus()
    qtbot.keyClick(lane, Qt.Key_3)
    assert (w.session.brush.tool, w.session.brush.emotion, w.session.brush.level) == ("paint", "contempt", 2)
    qtbot.keyClick(lane, Qt.Key_5, Qt.AltModifier)
    assert (w.session.brush.emotion, w.session.brush.level) == ("fear", 1)
    qtbot.keyClick(lane, Qt.Key_E)
    assert w.session.brush.tool == "erase"
    qtbot.keyClick(lane, Qt.Key_End)
    assert w.session.playhead == w.document.take.n_frames - 1
    qtbot.keyClick(lane, Qt.Key_Left)
    assert w.session.playhead == w.document.take.n_frames - 2
    qtbot.keyClick(lane, Qt.Key_Home)
    assert w.session.playhead == 0
    # a real press/move/release on the lane with the eraser clears frames 40-60 of the sad segment
    qtbot.keyClick(lane, Qt.Key_E)
    x = lambda f: round(lane.mapping.x_of(f + 0.5))  # noqa: E731
    y = lane.height() // 2
    qtbot.mousePress(lane, Qt.LeftButton, pos=QPoint(x(40), y))
    qtbot.mouseMove(lane, QPoint(x(50), y))
    qtbot.mouseMove(lane, QPoint(x(60), y))
    qtbot.mouseRelease(lane, Qt.LeftButton, pos=QPoint(x(60), y))
    track = w.document.take.emotion_track
    assert track.segment_at(50) is None and track.segment_at(35) is not None


def test_wheel_zooms_around_mouse_and_drop_dispatches(make_window, project_path, qtbot):
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    w = make_window()
    w.files.open_project(project_path)
    wf = w.timeline.waveform
    before = wf.mapping
    anchor = before.frame_at(300)
    ev = QWheelEvent(QPointF(300, 10), QPointF(wf.mapToGlobal(QPoint(300, 10))), QPoint(0, 0), QPoint(0, 240),
                     Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(wf, ev)
    after = wf.mapping
    assert after.px_per_frame == pytest.approx(before.px_per_frame * 1.25 ** 2)
    assert after.frame_at(300) == pytest.approx(anchor)
    # drops: an image replaces the portrait (undoable), other files are refused with a message
    portrait = project_path.parent / "media" / "portrait.png"
    w.media.open_dropped(str(portrait))
    # the dropped portrait is fitted by the preview worker and the fit kept for the next session
    assert w.document.take.portrait_path == portrait.absolute() and w.document.take.portrait_fit is not None
    w.media.open_dropped(str(project_path.parent / "notes.txt"))
    assert "not an audio file" in w.status.currentMessage()
    # subtitles become the take's script (the dialogue alone), mouth cues the shapes set by hand
    (project_path.parent / "line.srt").write_text("1\n00:00:00,100 --> 00:00:01,500\n<i>Hello there.</i> [WIND]\n")
    w.media.open_dropped(str(project_path.parent / "line.srt"))
    assert w.document.take.generation.transcript == "Hello there."
    (project_path.parent / "line.dat").write_text("MohoSwitch1\nFPS 24\n1 MBP\n3 AI\n6 rest\n")
    w.media.open_dropped(str(project_path.parent / "line.dat"))
    assert [s.shape for s in w.document.take.generation.mouth_shapes] == ["MBP", "AI"]


def test_a_never_generated_take_says_so_in_the_curve_editor_and_generates_from_there(make_window, project_path):
    """The viewer plays a never-generated take performed in memory while the project stores flat
    curves: the curve editor says why its curves are flat and offers Generate, which fills them."""
    from talkface_studio.pipeline.demo_project import demo_media_dir

    w = make_window()
    banner = w.curve_editor.not_generated
    w.media.import_audio(demo_media_dir() / "line.wav")   # a new take: never generated
    take = w.document.take
    assert banner.isVisible()
    assert np.ptp(take.channel("jaw_open").base) == 0.0   # what the editor draws: flat
    banner.button.click()
    assert not banner.isVisible()
    assert np.ptp(take.channel("jaw_open").base) > 0.1    # the performance, stored
    w.document.undo_stack.undo()                          # back to never generated
    assert banner.isVisible()
    w.document.undo_stack.redo()
    assert not banner.isVisible()
    w.document.undo_stack.undo()
    w.answers = [QMessageBox.Discard]
    w.files.open_project(project_path)                    # a generated take
    assert not banner.isVisible()
