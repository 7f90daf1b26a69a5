"""Renaming and deleting takes from the Take menu and the take box's context menu (undoable)."""

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")


from talkface_studio.core.commands import PaintEmotion  # noqa: E402
from talkface_studio.ui.window import take_actions  # noqa: E402
from audio_fixtures import write_tone  # noqa: E402

pytestmark = pytest.mark.gui
DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"


@pytest.fixture
def window(make_window, tmp_path):
    audio = tmp_path / "line.wav"
    write_tone(audio)
    w = make_window(size=None)
    w.media.import_audio(audio)
    w.media.import_audio(audio, new_take=True)  # takes "take1" and "line"; "line" is shown
    return w


def box_items(w):
    return [w.transport.take_box.itemText(i) for i in range(w.transport.take_box.count())]


def test_rename_shown_take_from_the_menu_and_undo(window):
    w = window
    w.document.push(PaintEmotion("line", 1, 5, "sad", 1))
    w.prompts.ask_text = lambda current: "  hero_line  "  # the rename prompt, answered
    w.actions_by_name["rename_take"].trigger()
    assert w.document.project.take_names() == ["take1", "hero_line"]
    assert w.document.current_take == "hero_line" and w.transport.take_box.currentText() == "hero_line"
    assert box_items(w) == ["take1", "hero_line"] and "hero_line" in w.transport.frame_label.text() + w.viewer.info
    assert w.document.take.emotion_track.segments[0].emotion == "sad"  # the same take, renamed
    w.document.undo_stack.undo()
    assert box_items(w) == ["take1", "line"] and w.document.current_take == "line"
    w.document.undo_stack.redo()
    assert w.document.current_take == "hero_line"


def test_rename_to_a_used_or_empty_name_changes_nothing(window):
    w = window
    depth = len(w.document.undo_stack)
    assert not take_actions.rename_take(w, "take1")
    assert "already exists" in w.status.currentMessage()
    w.prompts.ask_text = lambda current: None  # Cancel in the prompt
    assert not take_actions.rename_take(w)
    assert w.document.project.take_names() == ["take1", "line"] and len(w.document.undo_stack) == depth


def test_delete_take_from_the_box_menu_and_undo(window):
    w = window
    menu = take_actions.take_box_menu(w, w.actions_by_name)
    labels = [a.text() for a in menu.actions()]
    assert labels[:2] == ["&Rename Take…", "&Delete Take"]
    w.actions_by_name["delete_take"].trigger()
    assert w.document.project.take_names() == ["take1"] and w.document.current_take == "take1"
    assert box_items(w) == ["take1"]
    w.document.undo_stack.undo()
    assert w.document.project.take_names() == ["take1", "line"] and box_items(w) == ["take1", "line"]
    # deleting the last take leaves an empty project, still undoable
    take_actions.delete_take(w)
    take_actions.delete_take(w)
    assert w.document.project.take_names() == [] and w.document.take is None and box_items(w) == []
    w.document.undo_stack.undo()
    assert w.document.project.take_names() == ["line"] and w.document.current_take == "line"


def test_take_menu_lists_the_take_actions(window):
    texts = [a.text() for a in window.menus.take.actions()]
    assert texts == ["New &Take from Audio…", "&Rename Take…", "&Delete Take", "Spoken &Language…", "&Script…",
                     "Portrait &Face…", "&Mouth Shape"]


def test_singletons_survive_pyside_reference_leaks(window):
    """PySide6 6.12 loses a reference to True/False per disconnect() and ~100 to None per legend
    rebuild; a long session made CPython abort. The pinned PySide6 must not leak them."""
    import sys

    def counts():
        return {s: sys.getrefcount(s) for s in (None, True, False)}

    take_actions.rename_take(window, "other")  # warm up: first-time caches hold references
    window.document.undo_stack.undo()
    before = counts()
    for _ in range(20):  # rename and undo: a curve-editor rebuild (legend, many disconnects) each
        take_actions.rename_take(window, "other")
        window.document.undo_stack.undo()
    assert window.document.current_take == "line"
    after = counts()
    for singleton in (True, False):  # 6.12 loses 40+ here; a few either way is ordinary churn
        assert after[singleton] - before[singleton] > -10, (singleton, before[singleton], after[singleton])
    assert after[None] - before[None] > -500, (before[None], after[None])
