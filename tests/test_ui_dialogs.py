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
from talkface_studio.ui import project_io  # noqa: E402
from talkface_studio.ui.curve_editor import CurveEditor  # noqa: E402
from talkface_studio.ui.document import Document  # noqa: E402
from talkface_studio.ui.key_gestures import KeyRef  # noqa: E402
from talkface_studio.ui.render_jobs import FORMATS  # noqa: E402
from talkface_studio.ui.session import Session  # noqa: E402

pytestmark = pytest.mark.gui


def test_help_menu_about_shortcuts_and_icon(make_window):
    w = make_window()
    assert not w.windowIcon().isNull() and w.windowIcon().availableSizes()
    help_menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&Help")
    assert [a.text() for a in help_menu.actions()] == ["&Keyboard Shortcuts", "&About TalkFace Studio"]
    about = w.show_about()
    text = about.text.text()
    assert __version__ in text and "device" in text and "cache" in text and "settings" in text
    about.close()
    sheet = w.show_shortcuts()
    rows = {sheet.table.item(i, 0).text(): sheet.table.item(i, 1).text() for i in range(sheet.table.rowCount())}
    assert rows["Play / Pause"] == "Space" and rows["Undo"] == "Ctrl+Z"
    assert rows["Key Shown Channels"] == "S" and "Ctrl+Shift+Z" in rows["Redo"]
    assert not any(name.startswith("Brush ") for name in rows)  # 24 brush keys are summarised
    sheet.close()


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
    editor.drag_start(None, 30, y0, ref=ref)
    editor.drag_move(30, y0 + 0.05)
    editor.drag_finish()
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
    w.open_project(tmp_path / "p" / "demo.tfs")
    w.session.set_in_out(40, 44)  # four frames keep the test fast
    picked = {}

    class Answer(project_io.ExportDialog):
        def exec(self):
            self.format.setCurrentText(picked["format"])
            self.path.setText(str(tmp_path / "out" / picked["stem"]))
            self.size.setValue(128)
            self.in_out.setChecked(True)
            return 1

    monkeypatch.setattr(project_io, "ExportDialog", Answer)
    for i, name in enumerate(FORMATS):
        picked.update(format=name, stem=f"take{i}")
        w.export_dialog()
        entry = w.render_queue.entries[-1]
        assert entry.status == "done", w.render_queue.log.toPlainText()
        out = entry.result
        suffix, kind = FORMATS[name]
        if suffix:
            assert out.suffix == suffix and out.stat().st_size > 0
        else:
            assert sorted(p.name for p in out.iterdir())[:1] and len(list(out.glob("*.png"))) == 4
        if kind == "curves":
            text = out.read_text()
            assert "jaw_open" in text and "head_yaw" in text
    assert w.document.undo_stack.count() == 0  # exporting never edits the project
