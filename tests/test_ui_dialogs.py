"""Help menu (About, shortcuts, icon), additive keys drawn on the curve, dock layout restore, and
the Export dialog writing each format."""

import shutil

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from talkface_studio import __version__  # noqa: E402
from talkface_studio.core.commands import AddLayer, SetBase  # noqa: E402
from talkface_studio.core.project import Project  # noqa: E402
from talkface_studio.core.take import Take  # noqa: E402
from talkface_studio.core.timebase import FrameRate  # noqa: E402
from talkface_studio.ui.window import exports  # noqa: E402
from talkface_studio.ui.curves.curve_editor import CurveEditor  # noqa: E402
from talkface_studio.ui.document import Document  # noqa: E402
from talkface_studio.ui.selection import KeyRef  # noqa: E402
from talkface_studio.pipeline.render_jobs import FORMATS  # noqa: E402
from talkface_studio.ui.session import Session  # noqa: E402

pytestmark = pytest.mark.gui


def test_every_shortcut_the_help_lists_triggers_its_action(make_window, qtbot):
    """F1 opens the sheet; each row's keys, pressed in the window, fire that action and no other
    (an ambiguous or dead binding fails here, whatever the rows say)."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QApplication

    from talkface_studio.ui.window.help_dialogs import ShortcutsDialog

    w = make_window()
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=3000)
    opened = []
    w.show_shortcuts = lambda: opened.append(ShortcutsDialog(w.actions(), w)) or opened[-1]
    shortcuts = w.actions_by_name["shortcuts"]
    shortcuts.triggered.disconnect()
    shortcuts.triggered.connect(lambda *_: w.show_shortcuts())
    qtbot.keyClick(w, Qt.Key_F1)
    assert len(opened) == 1
    rows = {opened[0].table.item(i, 0).text(): opened[0].table.item(i, 1).text()
            for i in range(opened[0].table.rowCount())}
    fired = []
    by_name = {}
    for a in w.actions():
        name = a.text().replace("&", "").replace("…", "")
        if name in rows and not name.startswith("Brush "):
            by_name[name] = a
            a.setEnabled(True)  # Undo/Redo are disabled with nothing to undo
            try:
                a.triggered.disconnect()  # record instead of doing (no dialogs, no edits)
            except (RuntimeError, TypeError):
                pass
            a.triggered.connect(lambda *_, n=name: fired.append(n))
    assert len(by_name) >= 40  # every menu command with a key is listed
    for name, action in by_name.items():
        for text in rows[name].split(", "):
            combo = QKeySequence(text, QKeySequence.NativeText)[0]
            fired.clear()
            qtbot.keyClick(w, combo.key(), combo.keyboardModifiers())
            assert fired == [name], (name, text, fired)
    # the brush rows: Shift+5 is fear at the high level, Alt+3 contempt at the low one
    qtbot.keyClick(w, Qt.Key_5, Qt.ShiftModifier)
    assert (w.session.brush.emotion, w.session.brush.level) == ("fear", 3)
    qtbot.keyClick(w, Qt.Key_3, Qt.AltModifier)
    assert (w.session.brush.emotion, w.session.brush.level) == ("contempt", 1)
    # the timeline's mouse gestures are listed too (tests/test_ui_mouth_shapes.py drives them)
    assert rows["Set the in/out range over the frames dragged (ruler, waveform)"] == "Shift+drag"
    assert rows["Set the in/out range over a script word (waveform, zoomed in)"] == "Double-click"


def test_about_names_the_version_device_and_folders_in_use(make_window):
    from talkface_studio.torch_support.device import pick_device

    w = make_window()
    assert not w.windowIcon().isNull() and w.windowIcon().availableSizes()
    about = w.show_about()
    text = about.text.text()
    assert __version__ in text and str(pick_device("auto")) in text
    about.close()


def test_additive_keys_sit_on_the_final_curve(qtbot):
    take = Take("t", None, None, FrameRate(24), 100)
    doc = Document(Project([take]))
    SetBase("t", {"head_yaw": np.linspace(-20, 20, 100)}).do(doc.project)
    add = AddLayer("t", "head_yaw", mode="additive", keys=[(30, 5.0), (60, 5.0)], blend_in=0, blend_out=0)
    doc.push(add)
    session = Session()
    session.visible_channels = {"head_yaw"}
    editor = CurveEditor(doc, session)
    qtbot.addWidget(editor)
    editor.rebuild()
    keys = editor.items["head_yaw"].keys
    xs, ys = keys.getData()
    final = take.channel("head_yaw").final()
    assert list(xs) == [30, 60]
    assert np.allclose(ys, editor.to_display("head_yaw", final[[30, 60]]))  # on the curve, not at +5
    assert not np.allclose(ys, editor.to_display("head_yaw", [5.0, 5.0]))
    # dragging a drawn key moves the curve under it by exactly the dragged distance
    ref = KeyRef("head_yaw", add.layer_id, take.channel("head_yaw").layers[0].keys[0].id)
    y0 = float(ys[0])
    editor.mouse.drag_start(None, 30, y0, ref=ref)
    editor.mouse.drag_move(30, y0 + 0.05)
    editor.mouse.drag_finish()
    assert take.channel("head_yaw").final()[30] == pytest.approx(final[30] + 0.05 * 120, abs=1e-3)
    assert editor.items["head_yaw"].keys.getData()[1][0] == pytest.approx(y0 + 0.05, abs=1e-5)


def test_dock_layout_is_restored_from_settings(make_window):
    w = make_window()
    w.addDockWidget(Qt.LeftDockWidgetArea, w.docks["queue"])
    w.docks["history"].hide()
    w.close()  # saves the layout
    again = make_window()
    assert again.dockWidgetArea(again.docks["queue"]) == Qt.LeftDockWidgetArea
    assert again.docks["history"].isHidden() and not again.docks["inspector"].isHidden()
    again.reset_layout()  # View > Reset Layout puts the default back
    assert again.dockWidgetArea(again.docks["queue"]) == Qt.RightDockWidgetArea
    fresh = make_window(settings_name="other.ini")
    assert fresh.dockWidgetArea(fresh.docks["queue"]) == Qt.RightDockWidgetArea


def test_export_dialog_writes_each_format(make_window, demo_dir, tmp_path, monkeypatch):
    shutil.copytree(demo_dir, tmp_path / "p")
    w = make_window()
    w.render_queue.show_dialogs = False
    w.files.open_project(tmp_path / "p" / "demo.tfs")
    w.session.set_in_out(40, 44)  # four frames keep the test fast
    picked = {}

    class Answer(exports.ExportDialog):
        def exec(self):
            self.format.setCurrentText(picked["format"])
            self.path.setText(str(tmp_path / "out" / picked["stem"]))
            self.size.setValue(128)
            self.in_out.setChecked(True)
            return 1

    monkeypatch.setattr(exports, "ExportDialog", Answer)
    for i, name in enumerate(FORMATS):
        picked.update(format=name, stem=f"take{i}")
        w.exports.export_dialog()
        entry = w.render_queue.entries[-1]
        assert entry.status == "done", w.render_queue.log.toPlainText()
        out = entry.result
        suffix, kind = FORMATS[name]
        if suffix:
            assert out.suffix == suffix and out.stat().st_size > 0
        else:
            ext = "exr" if name.startswith("EXR") else "png"
            assert sorted(p.name for p in out.iterdir())[:1] and len(list(out.glob(f"*.{ext}"))) == 4
        if kind == "curves":
            text = out.read_text()
            assert "jaw_open" in text and "head_yaw" in text
    assert len(w.document.undo_stack) == 0  # exporting never edits the project
