"""The app shows where lip sync fell back (status bar, log, a mark on the ruler) and edits the take's
mouth settings through undoable commands (pytest-qt, offscreen, background work inline)."""

import dataclasses
import shutil

import pytest

pytest.importorskip("pytestqt")

import espeak_events  # noqa: E402
from audio_fixtures import write_speech_around_noise  # noqa: E402
from talkface_studio.core.project_file import save_project  # noqa: E402
from talkface_studio.pipeline.new_project import new_project  # noqa: E402
from talkface_studio.ui.timeline.alignment_marks import COLORS, marks_in_view, notice_at  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("private_cache")]
SCRIPT = "Maybe Bob put the bumpy map by my pen. Mom made a bubbly apple pie."


@pytest.fixture
def noisy_project(tmp_path, demo_dir):
    if not espeak_events.available():
        pytest.skip("libespeak-ng is not installed")
    noise = write_speech_around_noise(tmp_path / "line.wav", SCRIPT)
    shutil.copy(demo_dir / "media" / "portrait.png", tmp_path / "face.png")
    project = new_project(tmp_path / "scene.tfs", tmp_path / "line.wav", tmp_path / "face.png", fps="25",
                          transcript=SCRIPT)
    save_project(project, tmp_path / "scene.tfs")
    noise_frames = tuple(t * 25 for t in noise)
    return tmp_path / "scene.tfs", noise_frames


def test_generate_reports_and_marks_the_fallen_back_stretch(make_window, noisy_project):
    path, (noise0, noise1) = noisy_project
    w = make_window()
    w.files.open_project(path)
    assert w.session.alignment_notices(w.document.current_take) == ()
    w.actions_by_name["generate"].trigger()
    (notice,) = w.session.alignment_notices(w.document.current_take)
    assert notice.fell_back and notice.path == "recognized"  # noise where the script has no words
    assert notice.start_frame <= noise0 + 2 and notice.end_frame >= noise1 - 2
    assert "fell back" in w.status.currentMessage() and "ruler" in w.status.currentMessage()
    assert "Lip sync: take 'take1':" in w.render_queue.log.toPlainText()
    assert "A script places" not in w.status.currentMessage()  # it has one
    # the ruler draws a band over exactly that stretch, in the fallback's colour, with the reason as tooltip
    ruler = w.timeline.ruler
    w.timeline.fit()
    (mark,) = marks_in_view(ruler.notices(), ruler.mapping, ruler.width(), ruler.rate)
    assert mark.color == COLORS["recognized"] and "matches no words" in mark.text
    image = ruler.grab().toImage()
    mid = int((mark.x0 + mark.x1) / 2)
    assert image.pixelColor(mid, 2).name() == COLORS["recognized"]
    outside = int(ruler.mapping.x_of(5))
    assert image.pixelColor(outside, 2).name() != COLORS["recognized"]
    assert notice_at(ruler.notices(), (notice.start_frame + notice.end_frame) / 2) is notice
    # session state, not saved in the project; it follows what is generated: undoing Generate takes
    # the marks away (the take is back to never generated), redoing it brings them back from the cache
    w.document.undo_stack.undo()
    assert w.session.alignment_notices(w.document.current_take) == ()
    w.document.undo_stack.redo()
    assert w.session.alignment_notices(w.document.current_take) == (notice,)
    assert "alignment" not in path.read_text() and "fell back" not in path.read_text()


@pytest.fixture
def demo_window(make_window, demo_dir, tmp_path):
    """The app with a copy of the demo project open -> (window, its take, the Performance panel)."""
    shutil.copytree(demo_dir, tmp_path / "p")
    w = make_window()
    w.files.open_project(tmp_path / "p" / "demo.tfs")
    return w, w.document.take, w.performance


def test_performance_settings_are_undoable_and_mark_the_take_for_generate(demo_window):
    w, take, panel = demo_window
    assert panel.isEnabled() and panel.spins["jaw_amount"].value() == pytest.approx(1.0)
    panel.spins["jaw_amount"].setValue(1.6)
    assert take.generation.options["jaw_amount"] == pytest.approx(1.6)
    assert "•" in w.actions_by_name["generate"].iconText()
    # a slider drag is live and one undo step
    slider = panel.sliders["round_amount"]
    depth = len(w.document.undo_stack)
    slider.setSliderDown(True)
    for v in (110, 130, 150):
        slider.setValue(v)
    slider.setSliderDown(False)
    slider.sliderReleased.emit()
    assert take.generation.options["round_amount"] == pytest.approx(1.5)
    assert len(w.document.undo_stack) == depth + 1
    # Generate uses them: the jaw opens wider than the demo's stored curve
    before = take.channel("jaw_open").base.copy()
    w.actions_by_name["generate"].trigger()
    assert take.channel("jaw_open").base.max() > before.max() + 0.05
    assert "•" not in w.actions_by_name["generate"].iconText()
    w.document.undo_stack.undo()  # the generate
    w.document.undo_stack.undo()  # the drag
    assert "round_amount" not in take.generation.options and panel.sliders["round_amount"].value() == 100
    w.document.undo_stack.undo()
    assert "jaw_amount" not in take.generation.options and panel.spins["jaw_amount"].value() == pytest.approx(1.0)


def test_hear_lip_closures_is_an_undoable_setting_in_the_performance_panel(demo_window):
    w, take, panel = demo_window
    spin = panel.spins["closure_hearing"]
    assert spin.value() == pytest.approx(1.0) and spin.maximum() == pytest.approx(2.0)
    assert "script" in spin.toolTip()  # says aligned words do not change
    depth = len(w.document.undo_stack)
    spin.setValue(1.8)
    assert take.generation.options["closure_hearing"] == pytest.approx(1.8)
    assert len(w.document.undo_stack) == depth + 1
    assert "•" in w.actions_by_name["generate"].iconText()
    assert panel.sliders["closure_hearing"].value() == 180
    w.document.undo_stack.undo()
    assert "closure_hearing" not in take.generation.options and spin.value() == pytest.approx(1.0)
    assert "•" not in w.actions_by_name["generate"].iconText()
    w.document.undo_stack.redo()
    panel.set_defaults()
    assert "closure_hearing" not in take.generation.options


def test_a_band_of_script_words_given_up_points_to_script_fallback():
    from talkface_studio.audio.alignment_report import PathStretch
    from talkface_studio.core.timebase import FrameRate
    from talkface_studio.ui.timeline.alignment_marks import tooltip

    words = PathStretch(10, 30, "recognized", "the script did not match the audio here", "妈妈骂", True)
    loudness = PathStretch(40, 60, "acoustic", "sound here matches no words of the script", "", True)
    assert "turn Script fallback down (Performance panel)" in tooltip(words, FrameRate(25))
    assert "Script fallback" not in tooltip(loudness, FrameRate(25))  # no words to keep there


def test_a_note_of_words_said_twice_says_so_instead_of_asking_for_a_script():
    from talkface_studio.audio.alignment_report import SAID_AGAIN, PathStretch
    from talkface_studio.core.timebase import FrameRate
    from talkface_studio.ui.timeline.alignment_marks import tooltip

    text = tooltip(PathStretch(70, 90, "piecewise", SAID_AGAIN, "maybe bob", False), FrameRate(25))
    assert text.startswith("Lip sync note:") and '"maybe bob"' in text and "says these words twice" in text
    assert "Give or correct the script" not in text


def test_every_mouth_setting_and_defaults_fit_the_default_layout_unscrolled(make_window, qtbot):
    """At 1600 x 1000 (the screenshots' size) the Performance panel shows all six rows and its
    Defaults button without a scroll bar, and the Inspector above it a take's Language, Script and
    Channel rows."""
    from PySide6.QtCore import QPoint

    w = make_window(size=(1600, 1000))
    qtbot.wait(50)  # the default dock sizes are applied after the first layout
    scroll = w.docks["performance"].widget()
    assert scroll.verticalScrollBar().maximum() == 0, scroll.viewport().height()
    inspector = w.docks["inspector"].widget()
    for row in (w.inspector.language, w.inspector.script, w.inspector.channel):
        bottom = row.mapTo(inspector.viewport(), QPoint(0, row.height())).y()
        assert bottom <= inspector.viewport().height(), (bottom, inspector.viewport().height())


def test_a_refused_value_is_named_until_the_next_change(demo_window, monkeypatch):
    """The panel's note says why a typed value was refused and goes at the next change of any kind
    (here a slider drag), so a stale reason never sits under values that were accepted."""
    from talkface_studio.core.errors import ValidationError

    w, take, panel = demo_window
    real_push = w.document.push

    def refuse(*_a, **_k):
        raise ValidationError("jaw_amount refused for the test")

    monkeypatch.setattr(w.document, "push", refuse)
    panel.spins["jaw_amount"].setValue(1.4)
    assert not panel.hint.isHidden() and "refused for the test" in panel.hint.text()
    assert "jaw_amount" not in take.generation.options
    monkeypatch.setattr(w.document, "push", real_push)
    slider = panel.sliders["round_amount"]
    slider.setSliderDown(True)
    slider.setValue(120)
    slider.setSliderDown(False)
    slider.sliderReleased.emit()
    assert take.generation.options["round_amount"] == pytest.approx(1.2)
    assert panel.hint.isHidden()


def test_generate_without_a_script_says_how_to_get_one(make_window, noisy_project):
    path, _ = noisy_project
    w = make_window()
    w.files.open_project(path)
    w.document.take.generation = dataclasses.replace(w.document.take.generation, transcript=None)
    w.actions_by_name["generate"].trigger()
    message = w.status.currentMessage()
    assert "Lip sync: phones recognized (no script)" in message
    assert message.endswith("A script places every p, b and m: Take > Script… drafts one from the audio or loads "
                            "subtitles.")
