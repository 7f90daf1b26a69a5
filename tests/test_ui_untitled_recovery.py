"""Untitled projects autosave to the app's recovery folder; the dirty marker follows the undo
stack; takes are renamed and deleted as undo steps (offscreen, background work run inline)."""

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QMessageBox  # noqa: E402

from talkface_studio.core.commands import PaintEmotion  # noqa: E402
from talkface_studio.core.untitled_recovery import UntitledRecovery  # noqa: E402
from audio_fixtures import write_tone  # noqa: E402

pytestmark = pytest.mark.gui
DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"


@pytest.fixture
def media(tmp_path):
    audio = tmp_path / "media" / "line.wav"
    audio.parent.mkdir()
    write_tone(audio)
    shutil.copy(DEMO / "portrait.png", audio.parent / "face.png")
    return audio, audio.parent / "face.png"


def crash(window):
    """What a crash leaves: the recovery file, and no close, save or discard."""
    window.files.autosave_timer.stop()
    window.files.untitled.path = None  # the dead session no longer owns (or deletes) its file


def untitled_with_edit(w, media):
    w.media.import_audio(media[0])
    w.document.push(PaintEmotion(w.document.current_take, 3, 12, "happy", 3))
    return w.document.current_take


def test_untitled_work_survives_a_crash(make_window, media, tmp_path):
    w = make_window()
    take = untitled_with_edit(w, media)
    assert w.document.path is None and w.document.dirty
    w.files.autosave_now()  # what the 4 s timer does
    files = list((tmp_path / "recovery").glob("untitled-*.tfs"))
    assert len(files) == 1
    saved = json.loads(files[0].read_text())["takes"][0]
    assert Path(saved["audio"]).is_absolute() and Path(saved["audio"]) == media[0].absolute()
    crash(w)

    w2 = make_window()
    w2.answers.append(QMessageBox.Yes)
    assert w2.files.offer_untitled_recovery() and w2.answers == []
    seg = w2.document.project.take(take).emotion_track.segments[0]
    assert (seg.emotion, seg.level, seg.start) == ("happy", 3, 3)
    assert w2.document.path is None and w2.document.dirty and w2.windowTitle().startswith("Untitled*")
    assert w2.document.take.audio_path == media[0].absolute()
    # saving under a name deletes the recovery file; nothing is offered at the next start
    assert w2.files.save_to(tmp_path / "scene.tfs")
    assert not list((tmp_path / "recovery").glob("untitled-*.tfs"))
    w3 = make_window()
    w3.answers.append(QMessageBox.Yes)
    assert not w3.files.offer_untitled_recovery() and w3.answers == [QMessageBox.Yes]


def test_discarding_an_untitled_project_deletes_its_recovery(make_window, media, tmp_path):
    w = make_window()
    untitled_with_edit(w, media)
    w.files.autosave_now()
    assert list((tmp_path / "recovery").glob("untitled-*.tfs"))
    w.answers.append(QMessageBox.Discard)  # "Save changes to Untitled?" when starting a new project
    w.files.new_project()
    assert not list((tmp_path / "recovery").glob("untitled-*.tfs"))


def test_declined_recovery_is_kept_or_deleted_as_asked(make_window, media, tmp_path):
    w = make_window()
    untitled_with_edit(w, media)
    w.files.autosave_now()
    crash(w)
    w2 = make_window()
    w2.answers.append(QMessageBox.Cancel)  # not now: offered again next time
    assert not w2.files.offer_untitled_recovery() and w2.document.take is None
    w3 = make_window()
    w3.answers.append(QMessageBox.Discard)
    assert not w3.files.offer_untitled_recovery()
    assert not list((tmp_path / "recovery").glob("untitled-*.tfs"))


def test_recovery_of_a_running_session_is_not_offered(tmp_path):
    import os
    import subprocess
    import sys

    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        folder = tmp_path / "recovery"
        folder.mkdir()
        (folder / f"untitled-20250101-000000-p{live.pid}-abcdef12.tfs").write_text("{}")
        (folder / "untitled-20250101-000000-p999999999-abcdef12.tfs").write_text("{}")
        assert [p.name for p in UntitledRecovery(folder).pending()] == \
            ["untitled-20250101-000000-p999999999-abcdef12.tfs"]
    finally:
        live.kill()
        live.wait()
    assert os.getpid() != live.pid


def test_unreadable_recovery_is_set_aside_not_offered_forever(make_window, tmp_path):
    folder = tmp_path / "recovery"
    folder.mkdir()
    bad = folder / "untitled-20250101-000000-p999999999-abcdef12.tfs"
    bad.write_text('{"schema": "talkface.project", "takes": [')
    w = make_window()
    assert not w.files.offer_untitled_recovery()
    assert "untitled-20250101" in w.status.currentMessage() and not bad.exists()
    assert not w.files.untitled.pending()


def test_undo_to_the_empty_start_is_clean_again(make_window, media, tmp_path):
    w = make_window()
    assert not w.document.dirty and w.windowTitle().startswith("Untitled —")
    w.media.import_audio(media[0])
    w.media.import_portrait(media[1])  # the preview fits the portrait: stored outside the undo stack
    assert w.document.take.portrait_fit is not None
    assert w.document.dirty and "*" in w.windowTitle()
    w.files.autosave_now()
    assert list((tmp_path / "recovery").glob("untitled-*.tfs"))
    while w.document.undo_stack.can_undo:
        w.document.undo_stack.undo()
    assert not w.document.dirty and w.windowTitle().startswith("Untitled —")
    w.files.autosave_now()  # nothing left to recover: the file goes
    assert not list((tmp_path / "recovery").glob("untitled-*.tfs"))
    w.document.undo_stack.redo()
    assert w.document.dirty and "*" in w.windowTitle()


def test_stored_fit_marks_a_saved_project_dirty_until_saved(make_window, media, tmp_path):
    w = make_window()
    w.media.import_audio(media[0])
    assert w.files.save_to(tmp_path / "scene.tfs") and not w.document.dirty
    w.media.import_portrait(media[1])
    w.document.undo_stack.undo()  # back to the saved state: the portrait (and its fit) go away
    assert not w.document.dirty and "*" not in w.windowTitle()
    w.document.undo_stack.redo()
    assert w.files.save_to(tmp_path / "scene.tfs") and not w.document.dirty
    take = w.document.take
    fit = take.portrait_fit
    take.portrait_fit = None  # as if an older state without the fit were restored
    assert w.document.store_fit(take.name, take.portrait_path, fit) is True
    assert not w.document.dirty  # the same fit as on disk: nothing unsaved
    assert w.document.store_fit(take.name, take.portrait_path, {**fit, "extra": 1})
    assert w.document.dirty and "*" in w.windowTitle()
