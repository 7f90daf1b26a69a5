"""The take's spoken language in the GUI: Take menu and inspector, one undo step each."""

import pytest

pytest.importorskip("pytestqt")

pytestmark = pytest.mark.gui


@pytest.fixture
def window(window_with_line):
    return window_with_line()


def test_take_menu_sets_the_language_and_undo_restores_it(window):
    w = window
    take = w.document.take
    assert take.language == "en"
    asked = []
    w.prompts.ask_language = lambda current: asked.append(current) or "ja"
    w.actions_by_name["take_language"].trigger()
    assert asked == ["en"] and take.language == "ja"
    assert w.inspector.language.currentData() == "ja"
    assert w.take_status.stale and "•" in w.actions_by_name["generate"].iconText()  # the lip sync must be redone
    w.document.undo_stack.undo()
    assert take.language == "en" and w.inspector.language.currentData() == "en"


def test_inspector_combo_pushes_one_command_and_keeps_a_region(window):
    w = window
    from talkface_studio.core.commands import SetLanguage

    w.document.push(SetLanguage(w.document.current_take, "fr-CA"))
    combo = w.inspector.language
    assert combo.currentData() == "fr" and "fr-CA" in combo.currentText()
    combo.setCurrentIndex(combo.findData("it"))
    combo.activated.emit(combo.currentIndex())
    assert w.document.take.language == "it"
    w.document.undo_stack.undo()
    assert w.document.take.language == "fr-CA"


def test_an_unsupported_answer_is_refused_without_a_change(window):
    w = window
    errors = []
    w.prompts.fail = lambda title, exc: errors.append(str(exc))
    w.prompts.ask_language = lambda current: "xx"
    w.actions_by_name["take_language"].trigger()
    assert w.document.take.language == "en" and "not supported" in errors[0]


def test_without_a_take_the_language_field_is_empty_and_disabled(make_window):
    # It used to show the list's first entry, "Afrikaans (af)", on the welcome screen.
    w = make_window(size=None)
    assert w.document.take is None
    combo = w.inspector.language
    assert not combo.isEnabled() and combo.currentIndex() == -1 and combo.currentText() == ""
