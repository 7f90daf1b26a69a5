"""QA regressions found by using the window as an artist would (offscreen, work run inline)."""

import shutil
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QMessageBox  # noqa: E402

from talkface_studio.cli.main import main  # noqa: E402
from talkface_studio.core import project_file  # noqa: E402
from talkface_studio.core.commands import PaintEmotion  # noqa: E402
from audio_fixtures import write_tone  # noqa: E402

pytestmark = pytest.mark.gui
DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"


@pytest.fixture
def project_path(tmp_path):
    audio = tmp_path / "line.wav"
    write_tone(audio)
    shutil.copy(DEMO / "portrait.png", tmp_path / "face.png")
    path = tmp_path / "scene.tfs"
    assert main(["new", str(path), "--audio", str(audio), "--portrait", str(tmp_path / "face.png")]) == 0
    return path


def test_discarded_changes_are_not_offered_as_a_recovery(make_window, project_path):
    w = make_window()
    assert w.files.open_project(project_path)
    w.document.push(PaintEmotion(w.document.current_take, 2, 10, "angry", 2))
    w.files.autosave_now()
    assert project_file.find_recovery(project_path) is not None
    w.answers.append(QMessageBox.Discard)  # "Save changes to scene?" -> Discard, then quit
    assert w.close()
    assert project_file.find_recovery(project_path) is None
    w2 = make_window()
    w2.answers.append(QMessageBox.Yes)  # would restore the discarded edit if it were offered
    w2.files.open_project(project_path)
    assert not w2.document.take.emotion_track.segments and w2.answers == [QMessageBox.Yes]


def test_no_key_press_matches_two_shortcuts(make_window):
    """On X11, Shift+5 arrives as '%' and Qt also tries 'Shift+5': an action holding both, or two
    actions sharing a key, makes Qt refuse the press as ambiguous (Shift+digit brushes did nothing)."""
    from PySide6.QtGui import QKeySequence

    w = make_window()
    owners: dict[str, str] = {}
    for action in w.actions():
        for seq in action.shortcuts():
            text = seq.toString(QKeySequence.PortableText)
            assert text not in owners, f"{text!r} is bound to {owners[text]!r} and {action.text()!r}"
            owners[text] = action.text()
    for symbol in "!@#$%^&*":
        assert symbol not in owners, f"{symbol!r} is bound to {owners[symbol]!r}; X11 sends it for Shift+digit"


def test_window_fits_a_laptop_screen_width(make_window, project_path):
    w = make_window()
    w.files.open_project(project_path)
    # the emotion palette held the whole window ~900 px wide; it now scrolls sideways
    assert w.minimumSizeHint().width() <= 800
    assert w.timeline.palette_bar.isVisible() and w.timeline.palette_bar.emotion_buttons


def test_window_fits_a_laptop_screen_height(make_window, project_path):
    """Docks stacked ~790 px tall; a 1366 x 768 laptop (minus panel and title bar) has ~700."""
    w = make_window()
    w.files.open_project(project_path)
    assert w.minimumSizeHint().height() <= 700
    w.resize(1366, 700)
    for key in ("timeline", "curves", "inspector"):
        assert w.docks[key].isVisible() and w.docks[key].height() > 60, key
    assert w.docks["timeline"].geometry().bottom() <= w.height()
    # panels that shrank scroll: the inspector's controls stay reachable
    assert w.docks["inspector"].widget().widget() is w.inspector


def test_a_laptop_window_tabs_the_curve_editor_with_the_timeline(make_window, project_path, qtbot):
    """Stacked under the timeline, the curve editor left the viewer ~170 px at 1366 x 768: in a short
    window it is a tab beside the timeline by default; a tall one keeps them stacked."""
    from talkface_studio.ui.window.dock_layout import fit_to_screen

    short = make_window(size=(1366, 700))
    qtbot.waitUntil(lambda: short.dock_layout.default_state is not None)
    short.files.open_project(project_path)
    assert short.tabifiedDockWidgets(short.docks["timeline"]) == [short.docks["curves"]]
    def on_screen(widget):  # a dock behind another's tab is moved out of the window, not hidden
        return not widget.visibleRegion().isEmpty()

    assert on_screen(short.timeline) and not on_screen(short.curve_editor)
    assert short.viewer.height() > 330
    short.docks["curves"].raise_()  # one click on its tab
    qtbot.waitUntil(lambda: on_screen(short.curve_editor))
    assert short.curve_editor.height() > 150 and not on_screen(short.timeline)
    # View > Reset Layout gives the default for the window's height as it is now
    short.resize(1400, 960)
    short.reset_layout()
    qtbot.waitUntil(lambda: on_screen(short.timeline) and on_screen(short.curve_editor))
    short.resize(1366, 700)
    short.reset_layout()
    qtbot.waitUntil(lambda: on_screen(short.timeline) and not on_screen(short.curve_editor))
    tall = make_window(settings_name="tall.ini", size=(1400, 900))
    qtbot.waitUntil(lambda: tall.dock_layout.default_state is not None)
    assert tall.tabifiedDockWidgets(tall.docks["timeline"]) == []
    assert on_screen(tall.timeline) and on_screen(tall.curve_editor)
    # a first start on a screen smaller than the default size takes the whole available screen
    first = make_window(settings_name="first.ini", size=None)
    fit_to_screen(first)
    area = first.screen().availableGeometry()
    assert first.width() <= area.width() and first.height() <= area.height()


def test_second_take_from_audio_and_switching_takes(make_window, project_path):
    w = make_window()
    w.files.open_project(project_path)
    first = w.document.current_take
    w.document.push(PaintEmotion(first, 2, 10, "sad", 2))
    w.media.import_audio(project_path.parent / "line.wav", new_take=True)
    names = w.document.project.take_names()
    assert names == [first, "line"] and w.document.current_take == "line"
    second = w.document.take
    assert second.portrait_path == w.document.project.take(first).portrait_path and second.n_frames == 24
    assert not second.emotion_track.segments and [w.transport.take_box.itemText(i) for i in range(w.transport.take_box.count())] == names
    w.transport.take_box.setCurrentIndex(0)
    w.transport.take_box.activated.emit(0)  # what picking it in the toolbar does
    assert w.document.current_take == first and w.document.take.emotion_track.segments[0].emotion == "sad"
    w.document.undo_stack.undo()  # undoing the new take removes it
    assert w.document.project.take_names() == [first]
