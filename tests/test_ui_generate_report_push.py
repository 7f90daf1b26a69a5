"""Generate's result comes with its lip-sync report: the change its push makes must not send the
window's report lookup (ui.window.alignment_reports) after the same report again, which would say
"as last generated" over "Generated …" and list its notices twice; a failed push leaves nothing
behind that stops later lookups (pytest-qt, offscreen)."""

import shutil

import pytest

pytest.importorskip("pytestqt")

from wrong_word_clip import CLIP, SAID, SPEECH, WRONG  # noqa: E402
from talkface_studio.core.emotion_commands import PaintEmotion  # noqa: E402
from talkface_studio.core.errors import ValidationError  # noqa: E402
from talkface_studio.core.project_file import save_project  # noqa: E402
from talkface_studio.core.take_commands import SetGeneration  # noqa: E402
from talkface_studio.pipeline.new_project import new_project  # noqa: E402


pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("private_cache")]
NOTICE = "Lip sync: take 'take1':"


@pytest.fixture
def project(tmp_path, demo_dir):
    shutil.copy(SPEECH / f"{CLIP}.wav", tmp_path / "line.wav")
    shutil.copy(demo_dir / "media" / "portrait.png", tmp_path / "face.png")
    path = tmp_path / "scene.tfs"
    save_project(new_project(path, tmp_path / "line.wav", tmp_path / "face.png", fps="25", transcript=WRONG), path)
    return path


class CountingCache:
    """The lookup's analysis cache, counting the reports it is asked for (Generate has its own)."""

    def __init__(self, cache):
        self.cache, self.asked = cache, []

    def lipsync(self, take, project_path):  # (report, what the lip sync heard)
        self.asked.append(take.generation.transcript)
        return self.cache.lipsync(take, project_path)


def spy_lookups(w):
    reports = w.alignment_reports
    reports.cache = CountingCache(reports.cache)
    opened = []
    announce = reports.announce
    reports.announce = lambda *a, **k: (opened.append(a[0]), announce(*a, **k))
    return reports.cache.asked, opened


def notices_in_log(w) -> int:
    return w.render_queue.log.toPlainText().count(NOTICE)


def generate(w, qtbot):
    w.actions_by_name["generate"].trigger()
    qtbot.waitUntil(lambda: w.generation.running is None, timeout=60000)
    w.pool.waitForDone()
    qtbot.wait(50)  # queued results of any lookup the push started arrive here


@pytest.mark.parametrize("sync", [True, False])
def test_generates_push_does_not_look_its_report_up_again(make_window, project, qtbot, sync):
    w = make_window(sync=sync)  # sync: a lookup would run inline, inside the push
    w.files.open_project(project)
    asked, opened = spy_lookups(w)
    # the first Generate (no stamp before), one after painting (only the emotions part of the stamp
    # changes), one after the script changed (its lip-sync part changes too)
    for edit in (None, PaintEmotion("take1", 0, 20, "happy", 2), SetGeneration("take1", transcript=SAID)):
        if edit is not None:
            w.document.push(edit)
            qtbot.wait(50)
        asked.clear(), opened.clear()
        before = notices_in_log(w)
        generate(w, qtbot)
        assert asked == [] and opened == []  # no second analysis, nothing said again
        assert w.status.currentMessage().startswith("Generated take1; edits kept.")
        said = w.session.alignment_notices("take1")
        assert notices_in_log(w) - before == len(said)  # each notice listed once
        assert len(said) == (0 if edit is not None and edit.label.startswith("Set") else 1)
    # the lookup still answers every change that is not Generate's: undo takes the script back to
    # one that was not generated last (no marks), undo of that Generate brings the last report back
    w.document.undo_stack.undo()
    w.document.undo_stack.undo()
    w.pool.waitForDone()
    qtbot.waitUntil(lambda: len(w.session.alignment_notices("take1")) == 1, timeout=60000)
    assert asked == [WRONG]
    w.close()


def test_a_result_that_lands_while_another_take_is_shown_says_only_generates_line(make_window, project, qtbot):
    from talkface_studio.core.project_file import load_project

    p = load_project(project)
    second = p.take("take1").copy()
    second.name = "take2"
    p.add_take(second)
    save_project(p, project)
    w = make_window(sync=False)
    w.files.open_project(project)
    for name in ("take2", "take1"):
        w.document.set_current_take(name)
        generate(w, qtbot)
    w.document.push(PaintEmotion("take1", 0, 20, "happy", 2))
    w.actions_by_name["generate"].trigger()  # in the background...
    w.document.set_current_take("take2")  # ...while the artist looks at the other take
    assert w.status.currentMessage().startswith("take2 as last generated")
    asked, opened = spy_lookups(w)
    before = notices_in_log(w)
    qtbot.waitUntil(lambda: w.generation.running is None, timeout=60000)
    w.pool.waitForDone()
    qtbot.wait(50)
    assert asked == [] and opened == []  # take2's line is not said again under Generate's
    assert w.status.currentMessage().startswith("Generated take1; edits kept.")
    assert notices_in_log(w) - before == 1 and not w.take_status.stale
    w.close()


def test_a_push_that_fails_leaves_later_lookups_working(make_window, project, qtbot, monkeypatch):
    w = make_window()
    w.files.open_project(project)
    generate(w, qtbot)
    assert len(w.session.alignment_notices("take1")) == 1
    w.document.push(PaintEmotion("take1", 0, 20, "happy", 2))
    push = w.document.push

    def failing_push(commands, *args, **kwargs):
        if type(commands).__name__ == "SetBase":
            raise ValidationError("a generated curve has the wrong length")
        return push(commands, *args, **kwargs)

    monkeypatch.setattr(w.document, "push", failing_push)
    with qtbot.capture_exceptions() as raised:
        w.actions_by_name["generate"].trigger()
    assert [type(e[1]) for e in raised] == [ValidationError]
    monkeypatch.setattr(w.document, "push", push)
    assert w.take_status.stale  # nothing was pushed: the painted emotions still wait for Generate
    asked, _ = spy_lookups(w)
    w.document.push(SetGeneration("take1", transcript=SAID))  # not what was generated: the marks go
    assert w.session.alignment_notices("take1") == ()
    w.document.undo_stack.undo()  # the generated script back: its marks back, looked up again
    assert len(w.session.alignment_notices("take1")) == 1 and asked == [WRONG]
    assert w.status.currentMessage().startswith("take1 as last generated")
    w.close()
