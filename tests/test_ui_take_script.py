"""The take's script in the GUI: Take > Script... sets it as one undo step; the dialog drafts it
from English audio and says why it cannot for other languages."""

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

pytestmark = pytest.mark.gui
SPEECH = Path(__file__).resolve().parent / "data" / "speech"


@pytest.fixture
def window(window_with_line):
    return window_with_line(SPEECH / "en_m_goforward.wav")


def test_take_menu_sets_the_script_and_undo_restores_it(window):
    w = window
    take = w.document.take
    assert take.generation.transcript is None
    asked = []
    w.prompts.ask_script = lambda name, text, audio, language, channel: \
        asked.append((name, text, audio.name, language)) or "  Go forward ten metres. "
    w.actions_by_name["take_script"].trigger()
    assert asked == [(take.name, None, "line.wav", "en")]
    assert take.generation.transcript == "Go forward ten metres."
    assert w.take_status.stale                               # the lip sync must be redone
    assert "Generate" in w.statusBar().currentMessage()
    w.prompts.ask_script = lambda *a: ""                      # an emptied text removes the script
    w.actions_by_name["take_script"].trigger()
    assert take.generation.transcript is None
    w.document.undo_stack.undo()
    assert take.generation.transcript == "Go forward ten metres."
    w.document.undo_stack.undo()
    assert take.generation.transcript is None
    w.prompts.ask_script = lambda *a: None                    # Cancel: nothing pushed
    n = (w.document.undo_stack.undo_label, w.document.undo_stack.can_redo)
    w.actions_by_name["take_script"].trigger()
    assert (w.document.undo_stack.undo_label, w.document.undo_stack.can_redo) == n
    assert take.generation.transcript is None


def test_a_script_too_long_for_the_project_file_is_refused_with_the_reason(window):
    from talkface_studio.core.json_reader import MAX_TEXT

    w = window
    errors = []
    w.prompts.fail = lambda title, exc: errors.append(f"{title}: {exc}")
    w.prompts.ask_script = lambda *a: "x" * (MAX_TEXT + 1)
    assert not w.actions_by_name["take_script"].trigger() and w.document.take.generation.transcript is None
    assert errors and errors[0].startswith("Cannot set the script") and "at most" in errors[0]


def test_the_dialog_drafts_english_and_refuses_other_languages(qtbot):
    from talkface_studio.ui.window.script_dialog import ScriptDialog

    dialog = ScriptDialog(None, "take1", "old words", SPEECH / "en_m_goforward.wav", "en", synchronous=True)
    qtbot.addWidget(dialog)
    assert dialog.text() == "old words" and dialog.draft_button.isEnabled()
    dialog.draft_button.click()
    assert dialog.text() == "go forward ten meters"
    assert "correct" in dialog.state.text() and dialog.draft_button.isEnabled()
    french = ScriptDialog(None, "take1", None, SPEECH / "fr_f_asterisk_dir_intro.wav", "fr-CA", synchronous=True)
    qtbot.addWidget(french)
    assert not french.draft_button.isEnabled() and "French" in french.state.text()
    silent = ScriptDialog(None, "take1", None, None, "en", synchronous=True)
    qtbot.addWidget(silent)
    assert not silent.draft_button.isEnabled() and "no recording" in silent.state.text()


def test_a_failed_draft_says_why_and_keeps_the_text(qtbot, tmp_path):
    from talkface_studio.ui.window.script_dialog import ScriptDialog

    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF not really a wave file")
    dialog = ScriptDialog(None, "take1", "typed words", broken, "en", synchronous=True)
    qtbot.addWidget(dialog)
    dialog.draft_button.click()
    assert dialog.text() == "typed words"
    assert dialog.state.text().startswith("Could not draft:") and "broken.wav" in dialog.state.text()


def test_the_inspector_shows_the_script_and_its_button_opens_the_editor(window):
    w = window
    button = w.inspector.script
    assert button.isEnabled() and "None" in button.text()
    w.prompts.ask_script = lambda *a: "Go forward ten metres, then turn left at the second crossing and stop."
    button.click()                                            # asks, as Take > Script... does
    assert w.document.take.generation.transcript.startswith("Go forward")
    assert button.text().startswith("“Go forward ten metres") and button.text().endswith("…”")
    w.document.undo_stack.undo()
    assert "None" in button.text()


def test_closing_mid_draft_stops_it_without_waiting(qtbot):
    import time

    from talkface_studio.ui.window.script_dialog import ScriptDialog

    dialog = ScriptDialog(None, "take1", "typed", SPEECH / "en_m_librivox_sense_0890.wav", "en")
    gone = []
    dialog.destroyed.connect(lambda: gone.append(True))
    dialog.draft_button.click()                               # in the background
    assert dialog.cancel_button.isVisibleTo(dialog)
    started = time.perf_counter()
    dialog.reject()
    dialog.dispose()
    assert time.perf_counter() - started < 0.5                # the window is not held up
    qtbot.waitUntil(lambda: bool(gone), timeout=20000)         # deleted once the recognition stopped


def test_a_script_in_another_language_than_the_takes_is_pointed_out(window):
    w = window
    w.prompts.ask_script = lambda *a: "Il y a du pain à la maison et nous sommes dans la cuisine pour le dîner."
    w.actions_by_name["take_script"].trigger()
    message = w.statusBar().currentMessage()
    assert "the script looks French (fr) but the take's language is English (en)" in message
    assert "Spoken Language" in message
    w.prompts.ask_language = lambda current: "fr"
    w.actions_by_name["take_language"].trigger()
    assert "looks" not in w.statusBar().currentMessage()


def test_the_app_offers_to_set_the_take_to_its_scripts_language(window):
    w = window
    take = w.document.take
    asked = []
    w.prompts.ask_language_switch = lambda *names: asked.append(names) or True
    w.prompts.ask_script = lambda *a: "El perro de mi hermano come la comida que está en la mesa con los niños."
    w.actions_by_name["take_script"].trigger()
    assert asked == [("English", "en", "Spanish", "es")]
    assert take.language == "es" and "speaks Spanish (es)" in w.statusBar().currentMessage()
    w.document.undo_stack.undo()  # the language is its own step: the script stays
    assert take.language == "en" and take.generation.transcript.startswith("El perro")
    w.prompts.ask_language_switch = lambda *names: False  # No: the take keeps its language, the note says why
    w.prompts.ask_script = lambda *a: "Il y a du pain à la maison et nous sommes dans la cuisine pour le dîner."
    w.actions_by_name["take_script"].trigger()
    assert take.language == "en" and "looks French" in w.statusBar().currentMessage()
