"""The timeline's lip-sync marks survive closing and reopening a project: a fresh window finds the
report of each generated take (analysis cache, or analysis in the background) without Generate,
and never shows marks of a script the take was not generated from (pytest-qt, offscreen)."""

import shutil

import pytest

pytest.importorskip("pytestqt")

from wrong_word_clip import CLIP, SAID, SPEECH, WRONG  # noqa: E402
from talkface_studio.core.project_file import load_project, save_project  # noqa: E402
from talkface_studio.core.take_commands import SetGeneration, SetLanguage  # noqa: E402
from talkface_studio.pipeline import generation_stamp as gs  # noqa: E402
from talkface_studio.pipeline.new_project import new_project  # noqa: E402
from talkface_studio.ui.timeline.alignment_marks import marks_in_view  # noqa: E402


pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("private_cache")]


def make_project(tmp_path, demo_dir, transcript):
    shutil.copy(SPEECH / f"{CLIP}.wav", tmp_path / "line.wav")
    shutil.copy(demo_dir / "media" / "portrait.png", tmp_path / "face.png")
    path = tmp_path / "scene.tfs"
    save_project(new_project(path, tmp_path / "line.wav", tmp_path / "face.png", fps="25", transcript=transcript),
                 path)
    return path


def opened(make_window, path, **window):
    """A fresh window (a new session) with the project at `path` open."""
    w = make_window(**window)
    w.files.open_project(path)
    return w


def generate_and_close(make_window, path):
    w = opened(make_window, path)
    w.actions_by_name["generate"].trigger()
    notices = w.session.alignment_notices(w.document.current_take)
    w.files.save()
    w.close()
    return notices


def ruler_marks(w):
    ruler = w.timeline.ruler
    w.timeline.fit()
    return marks_in_view(ruler.notices(), ruler.mapping, ruler.width(), ruler.rate)


@pytest.mark.parametrize("sync", [True, False])
def test_a_reopened_project_shows_the_fallen_back_stretch_without_generate(make_window, demo_dir, tmp_path, qtbot,
                                                                         sync):
    path = make_project(tmp_path, demo_dir, WRONG)
    (generated,) = generate_and_close(make_window, path)
    assert generated.fell_back and "mop" in generated.words
    w = opened(make_window, path, sync=sync)  # a fresh window, the same cache folder: no Generate
    qtbot.waitUntil(lambda: w.session.alignment_notices("take1") != (), timeout=60000)
    (notice,) = w.session.alignment_notices("take1")
    assert (notice.start_frame, notice.end_frame, notice.path) == (generated.start_frame, generated.end_frame,
                                                                    generated.path)
    (mark,) = ruler_marks(w)
    assert mark.x1 > mark.x0 and "fell back" in mark.text
    message = w.status.currentMessage()
    assert "take1" in message and "fell back" in message and "ruler" in message and "Generated" not in message
    assert "Lip sync: take 'take1':" in w.render_queue.log.toPlainText()
    assert not w.take_status.stale  # nothing was generated again
    assert "fell back" not in path.read_text()  # session state: never saved
    w.close()


def test_reopening_after_the_cache_is_gone_analyses_in_the_background(make_window, demo_dir, tmp_path, qtbot):
    path = make_project(tmp_path, demo_dir, WRONG)
    (generated,) = generate_and_close(make_window, path)
    shutil.rmtree(tmp_path / "cache")  # another machine, a cleared cache: the analysis runs again
    w = opened(make_window, path, sync=False)
    assert w.session.alignment_notices("take1") == ()  # not on the GUI thread
    qtbot.waitUntil(lambda: w.session.alignment_notices("take1") != (), timeout=60000)
    assert [(n.start_frame, n.end_frame) for n in w.session.alignment_notices("take1")] == \
        [(generated.start_frame, generated.end_frame)]
    w.close()


def test_a_take_without_fallback_or_never_generated_shows_no_marks_after_reopening(make_window, demo_dir, tmp_path):
    path = make_project(tmp_path, demo_dir, SAID)
    w = opened(make_window, path)
    assert w.session.alignment.get("take1") is None  # never generated: nothing looked up, nothing marked
    w.close()
    assert generate_and_close(make_window, path) == ()
    w = opened(make_window, path)
    assert w.session.alignment.get("take1") is not None  # its report is there, with nothing to mark
    assert w.session.alignment_notices("take1") == () and ruler_marks(w) == []
    assert "as last generated" in w.status.currentMessage()
    w.close()


def test_a_script_edited_after_generate_shows_no_stale_marks(make_window, demo_dir, tmp_path):
    path = make_project(tmp_path, demo_dir, WRONG)
    generate_and_close(make_window, path)
    w = opened(make_window, path)
    assert len(w.session.alignment_notices("take1")) == 1
    # the script corrected: the mouth on screen still follows the old one, its marks go (Generate is due)
    w.document.push(SetGeneration("take1", transcript=SAID))
    assert w.session.alignment_notices("take1") == () and ruler_marks(w) == []
    w.document.undo_stack.undo()  # the generated script back: its marks back, from the cache
    assert len(w.session.alignment_notices("take1")) == 1
    w.document.undo_stack.redo()
    assert w.session.alignment_notices("take1") == ()
    w.files.save()
    w.close()
    w = opened(make_window, path)  # saved with the edited script: reopened, still no marks
    assert w.session.alignment_notices("take1") == ()
    w.document.push(SetGeneration("take1", transcript=WRONG))
    assert len(w.session.alignment_notices("take1")) == 1
    w.document.push(SetLanguage("take1", "de"))  # another language: not what was generated either
    assert w.session.alignment_notices("take1") == ()
    w.close()


def test_painting_emotions_after_generate_keeps_the_marks(make_window, demo_dir, tmp_path):
    from talkface_studio.core.emotion_commands import PaintEmotion

    path = make_project(tmp_path, demo_dir, WRONG)
    generate_and_close(make_window, path)
    w = opened(make_window, path)
    w.document.push(PaintEmotion("take1", 0, 20, "happy", 2))
    assert w.take_status.stale  # Generate is due for the emotions...
    w.files.save()
    w.close()
    w = opened(make_window, path)
    assert len(w.session.alignment_notices("take1")) == 1  # ...but the lip sync is what was generated
    w.close()


@pytest.mark.parametrize("sync", [True, False])
def test_each_take_shows_its_own_marks_when_it_is_shown(make_window, demo_dir, tmp_path, qtbot, sync):
    path = make_project(tmp_path, demo_dir, WRONG)
    project = load_project(path)
    second = project.take("take1").copy()
    second.name, second.generation.transcript = "take2", SAID  # the right script: nothing falls back
    project.add_take(second)
    save_project(project, path)
    w = opened(make_window, path)
    for name in ("take1", "take2"):
        w.document.set_current_take(name)
        w.actions_by_name["generate"].trigger()
    w.files.save()
    w.close()
    w = opened(make_window, path, sync=sync)
    qtbot.waitUntil(lambda: {"take1", "take2"} <= set(w.session.alignment), timeout=60000)
    assert w.document.current_take == "take1" and len(w.session.alignment_notices("take1")) == 1
    assert w.session.alignment_notices("take2") == ()
    w.document.set_current_take("take2")
    qtbot.waitUntil(lambda: w.status.currentMessage().startswith("take2 as last generated"), timeout=10000)
    assert ruler_marks(w) == [] and "fell back" not in w.status.currentMessage()
    w.document.set_current_take("take1")
    qtbot.waitUntil(lambda: w.status.currentMessage().startswith("take1 as last generated"), timeout=10000)
    (mark,) = ruler_marks(w)
    assert "fell back" in w.status.currentMessage()
    w.close()


def test_a_stamp_from_before_its_lip_sync_part_is_still_current(tmp_path, demo_dir):
    path = make_project(tmp_path, demo_dir, WRONG)
    take = load_project(path).take("take1")
    audio = tmp_path / "line.wav"
    stamp = gs.generation_stamp(take, audio)
    take.generation.stamp = stamp.split(gs.LIPSYNC_SEPARATOR)[0]  # as saved before this version
    assert gs.is_stale(take, audio) is False and gs.lipsync_current(take, audio) is True
    take.generation.transcript = SAID
    assert gs.is_stale(take, audio) is True and gs.lipsync_current(take, audio) is False
    take.generation.stamp = stamp  # today's: the lip-sync part alone decides
    assert gs.lipsync_current(take, audio) is False
    take.generation.transcript = WRONG
    take.generation.seed = 7  # the performer's seed is not what the phones come from
    assert gs.is_stale(take, audio) is True and gs.lipsync_current(take, audio) is True
