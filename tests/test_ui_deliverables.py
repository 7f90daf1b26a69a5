"""The app's side of the deliverables: File > Import of a Live Link capture and of editorial
markers (one undo step each, a question before resampling), and the Export dialog's ARKit formats."""

import shutil

import numpy as np
import pytest

pytest.importorskip("PySide6")
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from talkface_studio.perform.arkit.names import LIVE_LINK_VALUES  # noqa: E402
from talkface_studio.pipeline.export.livelink import livelink_timecode  # noqa: E402
from talkface_studio.ui.window import deliverable_imports  # noqa: E402
from talkface_studio.ui.window import exports  # noqa: E402
from talkface_studio.pipeline.render_jobs import FORMATS  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def window(make_window, demo_dir, tmp_path):
    shutil.copytree(demo_dir, tmp_path / "p")
    w = make_window()
    w.render_queue.show_dialogs = False
    assert w.files.open_project(tmp_path / "p" / "demo.tfs")
    return w


def _capture(path, n, fps, yaw_deg):
    """A capture holding the head turned by `yaw_deg` (ours) with the jaw a little open."""
    rows = [",".join(("Timecode", "BlendShapeCount", *LIVE_LINK_VALUES))]
    for i in range(n):
        values = np.zeros(61)
        values[52] = -np.radians(yaw_deg)  # HeadYaw, Live Link's sign
        values[LIVE_LINK_VALUES.index("JawOpen")] = 0.3
        rows.append(f"{livelink_timecode(i / fps)},61," + ",".join(f"{v:.10f}" for v in values))
    path.write_text("\n".join(rows) + "\n")
    return path


def test_import_live_link_is_one_undo_step_and_asks_before_resampling(window, tmp_path):
    doc = window.document
    take = doc.take
    before = take.final_channels()["head_yaw"].copy()
    deliverable_imports.import_livelink(window, _capture(tmp_path / "same.csv", 50, 25, 12.0))
    assert len(doc.undo_stack) == 1 and "Import same.csv" in doc.undo_stack.undo_label
    assert np.allclose(take.final_channels()["head_yaw"][:50], 12.0, atol=0.01)
    doc.undo_stack.undo()
    assert np.allclose(take.final_channels()["head_yaw"], before)
    sixty = _capture(tmp_path / "sixty.csv", 120, 60, -8.0)
    window.answers = [QMessageBox.Cancel]
    deliverable_imports.import_livelink(window, sixty)
    assert doc.undo_stack.index == 0 and not window.answers  # asked, and cancelled
    window.answers = [QMessageBox.Yes]
    deliverable_imports.import_livelink(window, sixty)
    assert np.allclose(take.final_channels()["head_yaw"][:49], -8.0, atol=0.01)
    (tmp_path / "broken.csv").write_text("Timecode,BlendShapeCount,EyeBlinkLeft\n")
    deliverable_imports.import_livelink(window, tmp_path / "broken.csv")
    assert "broken.csv: missing column(s)" in window.status.currentMessage()  # one line, nothing imported
    assert doc.undo_stack.index == 1


def test_import_editorial_markers_paints_the_lane_in_one_step(window, tmp_path):
    otio = pytest.importorskip("opentimelineio")
    doc = window.document
    take = doc.take
    rate = take.rate.fps
    clip = otio.schema.Clip(name=take.name, source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(take.n_frames, rate)))
    clip.markers.append(otio.schema.Marker(name="angry 3", marked_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(20, rate), otio.opentime.RationalTime(30, rate))))
    otio.adapters.write_to_file(otio.schema.Timeline(tracks=[otio.schema.Track(children=[clip])]),
                                str(tmp_path / "edit.otio"))
    before = take.emotion_track.snapshot()
    emo_before = take.channel("emo_angry").base.copy()
    assert deliverable_imports.import_editorial(window, tmp_path / "edit.otio")
    assert any((s.start, s.end, s.emotion, s.level) == (20, 50, "angry", 3) for s in take.emotion_track.segments)
    assert take.channel("emo_angry").base[35] > emo_before[35] + 0.5  # the expression follows at once
    assert len(doc.undo_stack) == 1
    doc.undo_stack.undo()
    assert take.emotion_track.snapshot() == before
    (tmp_path / "bad.otio").write_text("{")
    assert not deliverable_imports.import_editorial(window, tmp_path / "bad.otio")
    assert doc.undo_stack.index == 0


def test_file_menu_offers_the_imports_and_export_offers_arkit(window):
    texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "Import &Live Link Capture…" in texts and "Import E&ditorial Markers…" in texts
    assert FORMATS["ARKit curves (Live Link CSV)"] == (".csv", "livelink")
    assert FORMATS["ARKit curves (USD)"] == (".usda", "usd")
    dialog = exports.ExportDialog(window.files.last_dir(), "line", False, window)
    dialog.format.setCurrentText("ARKit curves (USD)")
    assert dialog.path.text().endswith("line_arkit.usda") and not dialog.size.isEnabled()


def test_mouth_cues_import_as_shapes_set_by_hand_and_export_through_the_queue(window, tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from talkface_studio.core.mouth_cues import read_cues
    from talkface_studio.core.mouth_shapes import MouthShape

    texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "Import &Mouth Cues…" in texts and "Import &Script or Subtitles…" in texts
    # File > Import Script or Subtitles…: the dialogue of a subtitle file becomes the take's script
    from PySide6.QtWidgets import QFileDialog

    (tmp_path / "line.vtt").write_text("WEBVTT\n\n00:00.200 --> 00:02.000\n<v Anna>Hello there.</v>\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "line.vtt"), ""))
    window.actions_by_name["import_script"].trigger()
    assert window.document.take.generation.transcript == "Hello there."
    assert "left out" not in window.statusBar().currentMessage()
    window.document.undo_stack.undo()
    # a cue after the recording's end is left out, and the status line says so, as the Script dialog does
    (tmp_path / "late.srt").write_text("1\n00:00:00,200 --> 00:00:02,000\nHello there.\n\n"
                                       "2\n01:00:00,000 --> 01:00:02,000\nMuch later.\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "late.srt"), ""))
    window.actions_by_name["import_script"].trigger()
    assert window.document.take.generation.transcript == "Hello there."
    assert "1 subtitle cue(s) after the recording's end left out" in window.statusBar().currentMessage()
    window.document.undo_stack.undo()
    doc, take = window.document, window.document.take
    # Papagayo's .dat says no frame rate: the artist is asked, and 12 fps keys land on the take's frames
    asked = []
    monkeypatch.setattr(QInputDialog, "getDouble", lambda *a, **k: (asked.append(a[3]) or 12.0, True))
    dat = tmp_path / "line.dat"
    dat.write_text("MohoSwitch1\n1 rest\n3 MBP\n4 AI\n7 rest\n")
    assert deliverable_imports.import_mouth_cues(window, dat)
    assert asked == [take.rate.fps]
    f = take.rate.fps / 12
    assert take.generation.mouth_shapes[:2] == (MouthShape(0, round(2 * f), "rest"),
                                                MouthShape(round(2 * f), round(3 * f), "MBP"))
    assert doc.undo_stack.undo_label == "Import mouth cues from line.dat"
    assert "Generate to apply" in window.statusBar().currentMessage()
    assert "•" in window.actions_by_name["generate"].iconText()
    doc.undo_stack.undo()
    assert take.generation.mouth_shapes == ()
    # a bad file: one message naming it, nothing changed
    (tmp_path / "bad.tsv").write_text("0.0\tX\n0.2\tQ\n")
    assert not deliverable_imports.import_mouth_cues(window, tmp_path / "bad.tsv")
    assert "bad.tsv: line 2: unknown mouth shape 'Q'" in window.statusBar().currentMessage()
    assert take.generation.mouth_shapes == ()
    # Export: the cue formats, named for the take, through the render queue
    dialog = exports.ExportDialog(window.files.last_dir(), "line", False, window)
    dialog.format.setCurrentText("Mouth cues (Rhubarb TSV)")
    assert dialog.path.text().endswith("line_mouth.tsv") and not dialog.size.isEnabled()
    assert not dialog.plate.isEnabled() and dialog.hold.isEnabled()
    dialog.hold.setValue(2)
    assert dialog.choices()["hold"] == 2  # drawn on twos
    dialog.format.setCurrentText("MP4 (H.264)")
    assert not dialog.hold.isEnabled()
    dialog.format.setCurrentText("Captions (SubRip .srt)")  # the script timed by the lip sync
    assert dialog.path.text().endswith("line.srt") and not dialog.hold.isEnabled() and not dialog.size.isEnabled()
    out = tmp_path / "mouth.tsv"
    entry = window.exports.queue_render(out, kind="cues", hold=2)
    qtbot.waitUntil(lambda: entry.status in ("done", "failed"), timeout=60000)
    assert entry.status == "done"
    cues = read_cues(out, take.rate.fps, take.n_frames)
    assert cues.span == (0, take.n_frames) and any(s.shape == "MBP" for s in cues.shapes)
    assert all(s.end - s.start >= 2 for s in cues.shapes[:-1])


def test_a_papagayo_project_asks_which_voice_and_goes_out_through_the_queue(window, tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from talkface_studio.core.mouth_cues import read_cues
    from talkface_studio.core.mouth_shapes import MouthShape

    take = window.document.take
    pgo = tmp_path / "two.pgo"
    pgo.write_text("lipsync version 1\nother.wav\n25\n200\n2\n"
                   "\tAnna\n\tHi\n\t1\n\t\tHi\n\t\t5\n\t\t9\n\t\t1\n\t\t\tHi 5 9 2\n\t\t\t\t5 etc\n\t\t\t\t7 AI\n"
                   "\tBen\n\tMm\n\t1\n\t\tMm\n\t\t20\n\t\t29\n\t\t1\n\t\t\tMm 20 29 1\n\t\t\t\t20 MBP\n")
    asked = []
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (asked.append(a[3]) or "Ben", True))
    assert deliverable_imports.import_mouth_cues(window, pgo)
    assert asked == [["Anna", "Ben"]] and take.generation.mouth_shapes == (MouthShape(20, 30, "MBP"),)
    assert window.document.undo_stack.undo_label == "Import mouth cues from two.pgo"
    assert "the file was made for 'other.wav', not this take's recording 'line.wav'" in \
        window.statusBar().currentMessage()
    # cancelled: nothing more changes
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("", False))
    window.document.undo_stack.undo()
    assert not deliverable_imports.import_mouth_cues(window, pgo) and take.generation.mouth_shapes == ()
    # Export: a Papagayo project of the take's script, named for the take
    assert "Mouth cues (Papagayo project .pgo)" in FORMATS
    out = tmp_path / "line.pgo"
    entry = window.exports.queue_render(out, kind="cues")
    qtbot.waitUntil(lambda: entry.status in ("done", "failed"), timeout=60000)
    assert entry.status == "done" and out.read_text().splitlines()[6].startswith("\tHello there|")
    assert read_cues(out, take.rate.fps, take.n_frames).shapes[0].start >= 0
