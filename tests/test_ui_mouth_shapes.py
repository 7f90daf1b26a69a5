"""Take > Mouth Shape and the waveform's context menu set mouth shapes by hand: one undo step each,
drawn along the bottom of the waveform, and Generate applies them (pytest-qt, offscreen)."""

import shutil

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt  # noqa: E402
from qt_input import drag, mouse  # noqa: E402
from talkface_studio.core.mouth_shapes import MouthShape  # noqa: E402
from talkface_studio.ui.timeline.waveform_view import (HEARD_CLOSURE, SHAPE_BAND, SHAPE_COLOR, WORD_BAND,  # noqa: E402
                                                       WORD_COLOR)
from talkface_studio.ui.window import mouth_shape_actions  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("private_cache")]


@pytest.fixture
def demo_window(make_window, demo_dir, tmp_path):
    shutil.copytree(demo_dir, tmp_path / "p")
    w = make_window()
    w.files.open_project(tmp_path / "p" / "demo.tfs")
    w.actions_by_name["generate"].trigger()
    return w


def _menu_action(menu, text):
    """The menu's action for a shape name ("MBP" finds "MBP: lips closed ...") or a whole label's start."""
    return next(a for a in menu.actions() if a.text().startswith(text + ":" if text.isalpha() else text))


def test_take_menu_shapes_the_in_out_range_and_generate_applies_it(demo_window):
    w = demo_window
    take = w.document.take
    jaw = take.channels["jaw_open"].base
    f = int(jaw.argmax())
    w.session.set_in_out(f - 3, f + 4)
    menu = next(a.menu() for a in w.menus.take.actions() if a.menu() and "Mouth Shape" in a.text())
    menu.aboutToShow.emit()
    assert "Over frames %d-%d" % (f - 3, f + 3) in menu.actions()[0].text()
    _menu_action(menu, "MBP").trigger()
    assert take.generation.mouth_shapes == (MouthShape(f - 3, f + 4, "MBP"),)
    assert "set to MBP" in w.status.currentMessage() and "Generate" in w.status.currentMessage()
    assert "•" in w.actions_by_name["generate"].iconText()
    assert "Set mouth shape MBP" in w.document.undo_stack.undo_label
    w.actions_by_name["generate"].trigger()
    assert take.channels["jaw_open"].base[f - 3:f + 4].max() <= 0.1 + 1e-6
    assert take.channels["lip_press"].base[f - 3:f + 4].min() > 0.99
    # drawn along the bottom of the waveform over exactly those frames
    wave = w.timeline.waveform
    w.timeline.fit()
    ((box, shape),) = wave.shape_boxes()
    assert shape.shape == "MBP" and box.top() == wave.height() - SHAPE_BAND
    image = wave.grab().toImage()
    y = int(box.center().y())
    assert image.pixelColor(int(box.center().x()), y).name() in (SHAPE_COLOR, "#ffffff")  # fill or its label
    assert image.pixelColor(int(wave.mapping.x_of(f - 12)), y).name() != SHAPE_COLOR
    # Generate, then the shape, undone in turn
    w.document.undo_stack.undo()
    w.document.undo_stack.undo()
    assert take.generation.mouth_shapes == ()
    assert wave.shape_boxes() == []


def test_waveform_menu_acts_on_the_clicked_frame_and_clears_a_span(demo_window):
    w = demo_window
    take = w.document.take
    menu = mouth_shape_actions.waveform_menu(w, 20)  # no in/out range: the frame clicked
    assert menu.actions()[0].text() == "Mouth shape over frame 20:"
    _menu_action(menu, "FV").trigger()
    assert take.generation.mouth_shapes == (MouthShape(20, 21, "FV"),)
    w.session.set_in_out(10, 30)  # inside the range: the whole range
    _menu_action(mouth_shape_actions.waveform_menu(w, 12), "O").trigger()
    assert take.generation.mouth_shapes == (MouthShape(10, 30, "O"),)
    _menu_action(mouth_shape_actions.waveform_menu(w, 40), "AI").trigger()  # outside: the frame clicked
    menu = mouth_shape_actions.waveform_menu(w, 15)
    _menu_action(menu, "Clear O over frames 10-29").trigger()
    assert take.generation.mouth_shapes == (MouthShape(40, 41, "AI"),)


def test_the_waveform_shows_what_the_lip_sync_heard(demo_window, make_window, qtbot):
    w = demo_window
    heard = w.session.heard_shapes(w.document.current_take)
    closures = [(a, b) for a, b, shape in heard if shape == "MBP"]
    assert closures and {shape for _, _, shape in heard} <= {"MBP", "FV", "AI", "E", "O", "U", "WQ", "L", "etc"}
    # where it heard a closure the lips are shut in the generated curves
    press = w.document.take.channels["lip_press"].base
    assert all(press[a:b].max() > 0.9 for a, b in closures)
    wave = w.timeline.waveform
    w.timeline.fit()
    assert [shape for _, shape in wave.heard_boxes()] == [shape for _, _, shape in heard]  # the take seen whole
    a, b = max(closures, key=lambda c: c[1] - c[0])
    x = int(wave.mapping.x_of(a)) + 1  # its left edge: the label is centred
    image = wave.grab().toImage()
    assert image.pixelColor(x, wave.height() - 3).name() == HEARD_CLOSURE
    # the script's words along the top, where they were placed, each from a tick at its first frame
    script = w.document.take.generation.transcript
    words = [word for _, _, word in heard.words]
    assert words[:4] == ["Hello", "there", "I", "have"] and all(word in script for word in words)  # as typed
    assert [a for a, _, _ in heard.words] == sorted(a for a, _, _ in heard.words)
    assert [word for _, word in wave.word_boxes()] == words
    box = wave.word_boxes()[0][0]
    assert image.pixelColor(int(box.left()), WORD_BAND // 2).name() == WORD_COLOR
    # a word in a stretch that fell back from the script is drawn in the ruler mark's colour
    from talkface_studio.audio.alignment_report import PathStretch
    from talkface_studio.ui.timeline.alignment_marks import COLORS

    a, b, _ = heard.words[2]
    real_fallbacks = wave.fallbacks
    wave.fallbacks = lambda: [PathStretch(a, b, "recognized", "the audio here does not sound like the script's words",
                                          "i", True)]
    assert [f is not None for _, _, f in wave.word_items()][:4] == [False, False, True, False]
    image = wave.grab().toImage()
    box = wave.word_boxes()[2][0]
    assert image.pixelColor(int(box.left()), WORD_BAND // 2).name() == COLORS["recognized"]
    wave.fallbacks = real_fallbacks
    # a double-click over a word makes it the in/out range (then Take > Mouth Shape acts on it)
    a, b, word = heard.words[3]
    qtbot.mouseDClick(wave, Qt.LeftButton, pos=QPoint(int((wave.mapping.x_of(a) + wave.mapping.x_of(b)) / 2),
                                                       wave.height() // 2))
    assert (w.session.in_frame, w.session.out_frame) == (a, b) and word == "have"
    # session state, never saved; a reopened project shows it again from the analysis cache
    path = w.document.path
    w.files.save()
    assert "heard" not in path.read_text()
    again = make_window(settings_name="again.ini")
    again.files.open_project(path)
    again.pool.waitForDone()
    assert again.session.heard_shapes(again.document.current_take) == heard


def test_shift_drag_on_the_waveform_or_ruler_sets_the_in_out_range(demo_window):
    """Maya's time slider: Shift+drag selects the frames to act on (here, to give them a shape)."""
    w = demo_window
    w.timeline.fit()
    wave, ruler = w.timeline.waveform, w.timeline.ruler
    playhead = w.session.playhead
    y = wave.height() / 2
    drag(wave, [QPointF(wave.mapping.x_of(44.5), y), QPointF(wave.mapping.x_of(47.5), y),
                QPointF(wave.mapping.x_of(41.5), y)], modifiers=Qt.ShiftModifier)
    assert (w.session.in_frame, w.session.out_frame) == (41, 45)  # either way from where it started
    assert w.session.playhead == playhead  # a range drag does not scrub
    mouse(ruler, QEvent.MouseButtonPress, QPointF(ruler.mapping.x_of(120.5), 8), modifiers=Qt.ShiftModifier)
    mouse(ruler, QEvent.MouseButtonRelease, QPointF(ruler.mapping.x_of(120.5), 8), modifiers=Qt.ShiftModifier)
    assert (w.session.in_frame, w.session.out_frame) == (120, 121)
    # the range is what the shapes act on
    _menu_action(mouth_shape_actions.waveform_menu(w, 120), "MBP").trigger()
    assert w.document.take.generation.mouth_shapes == (MouthShape(120, 121, "MBP"),)
    drag(wave, [QPointF(wave.mapping.x_of(10.5), y), QPointF(wave.mapping.x_of(20.5), y)])  # no Shift: scrubs
    assert w.session.playhead == 20 and (w.session.in_frame, w.session.out_frame) == (120, 121)
