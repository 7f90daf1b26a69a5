"""One error boundary (issue 11, item 5): bad input ends in one line and exit 2; a bug ends in one
line naming a crash log that holds the traceback (exit 3), never a traceback on the terminal; the
app's workers and GUI thread do the same in a dialog. Also: `new` and the app's portrait import
refuse a photo without a face, and `render` says nothing about regenerating when it then fails."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from talkface_studio.cli.main import INTERNAL_ERROR, SUBCOMMANDS
from talkface_studio.core import project_file as pf

from trust_helpers import DEMO, assert_refused, make_project, run_cli, tree_state, write_tone


@pytest.fixture(autouse=True)
def logs(tmp_path, monkeypatch):
    folder = tmp_path / "logs"
    monkeypatch.setenv("TALKFACE_LOG_DIR", str(folder))
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    return folder


@pytest.mark.parametrize("command", sorted(SUBCOMMANDS))
@pytest.mark.parametrize("error", [ValueError("cannot reshape array of size 3 into shape (2,)"),
                                   KeyError("takes"), RecursionError("maximum recursion depth exceeded"),
                                   ZeroDivisionError("division by zero"), AssertionError()])
def test_a_bug_in_any_command_is_one_line_and_a_crash_log(monkeypatch, capsys, logs, command, error):
    module = importlib.import_module(f"talkface_studio.cli.{SUBCOMMANDS[command]}")

    def broken(args):
        def deeper():
            raise error
        deeper()

    monkeypatch.setattr(module, "run", broken)
    argv = {"new": ["new", "x.tfs", "--audio", "a.wav", "--portrait", "p.png"],
            "train": ["train", "--data", "d", "--out", "o"], "demo": ["demo"],
            "import-curves": ["import-curves", "x.tfs", "c.csv"],
            "export-curves": ["export-curves", "x.tfs", "-o", "c.csv"],
            "export-landmarks": ["export-landmarks", "x.tfs", "-o", "l.npz"],
            "render": ["render", "x.tfs", "-o", "o.mp4"],
            "encode": ["encode", "x.tfs", "--sequence", "s", "-o", "o.mp4"],
            "submit": ["submit", "x.tfs", "--farm", "openjd"],
            "export-editorial": ["export-editorial", "x.tfs", "-o", "e.otio"],
            "import-editorial": ["import-editorial", "x.tfs", "e.otio"]}.get(command, [command, "x.tfs"])
    result = run_cli(argv, capsys)
    line = assert_refused(result, f"talkface-studio {command}: internal error ({type(error).__name__}",
                          code=INTERNAL_ERROR)
    logs_written = list(logs.glob("crash-*.log"))
    assert len(logs_written) == 1 and str(logs_written[0]) in line
    text = logs_written[0].read_text()
    assert "Traceback" in text and "deeper" in text and type(error).__name__ in text
    assert f"talkface-studio {command}" in text


def test_out_of_memory_is_one_line(monkeypatch, capsys, logs):
    module = importlib.import_module("talkface_studio.cli.cmd_info")
    def huge(args):
        raise MemoryError()

    monkeypatch.setattr(module, "run", huge)
    line = assert_refused(run_cli(["info", "x.tfs"], capsys), "ran out of memory", code=INTERNAL_ERROR)
    assert "crash-" in line


def test_an_unwritable_log_folder_still_gives_one_line(monkeypatch, capsys, tmp_path):
    (tmp_path / "blocker").write_text("a file where the log folder should be")
    monkeypatch.setenv("TALKFACE_LOG_DIR", str(tmp_path / "blocker" / "logs"))
    module = importlib.import_module("talkface_studio.cli.cmd_info")
    monkeypatch.setattr(module, "run", lambda args: 1 / 0)
    assert_refused(run_cli(["info", "x.tfs"], capsys), "no crash log could be written", code=INTERNAL_ERROR)


USAGE_MISTAKES = [
    ["render"], ["render", "x.tfs"], ["render", "x.tfs", "-o", "o.mp4", "--size", "big"],
    ["render", "x.tfs", "-o", "o.mp4", "--device", "tpu"], ["new", "x.tfs"], ["new", "x.tfs", "--audio", "a.wav"],
    ["import-curves", "x.tfs"], ["import-curves", "x.tfs", "c.csv", "--mode", "multiply"],
    ["generate", "x.tfs", "--seed", "1.5"], ["submit", "x.tfs"], ["submit", "x.tfs", "--farm", "tractor"],
    ["encode", "x.tfs", "-o", "o.mp4"], ["export-curves", "x.tfs"], ["info"], ["bogus-command", "x.tfs"],
    ["render", "x.tfs", "-o", "o.mp4", "--frobnicate"], ["--frobnicate"], ["train"],
    ["export-landmarks", "x.tfs", "-o", "l.npz", "--size", "-"], ["render", "x.tfs", "-o", "o.mp4", "--crf"],
]


@pytest.mark.parametrize("argv", USAGE_MISTAKES, ids=[" ".join(a) for a in USAGE_MISTAKES])
def test_usage_mistakes_are_one_line_and_exit_2(capsys, argv):
    result = run_cli(argv, capsys)
    line = assert_refused(result, "talkface-studio")
    assert "--help" in line


def test_the_app_worker_reports_a_bug_with_its_crash_log(logs):
    from talkface_studio.ui.workers import failure_message

    try:
        {}["missing"]
    except KeyError as exc:
        message = failure_message(exc)
    assert "\n" not in message and "internal error (KeyError" in message
    assert str(next(logs.glob("crash-*.log"))) in message


@pytest.mark.gui
def test_the_render_queue_dialog_gets_one_line_and_the_log(qtbot, logs, monkeypatch):
    from talkface_studio.ui import workers

    seen = []
    workers.submit(None, lambda progress, cancel: [][1], on_error=lambda m, t: seen.append((m, t)), synchronous=True)
    (message, trace), = seen
    assert message.count("\n") == 0 and "IndexError" in message and "crash-" in message
    assert "Traceback" in trace  # the queue's log panel keeps the traceback


@pytest.mark.gui
def test_an_exception_on_the_gui_thread_becomes_a_dialog(qtbot, logs, monkeypatch, capsys):
    import sys

    from PySide6.QtWidgets import QMessageBox

    from talkface_studio.ui.app import install_error_dialog

    shown = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text: shown.append(text)))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install_error_dialog()
    try:
        raise TypeError("unsupported operand")
    except TypeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert len(shown) == 1 and "TypeError" in shown[0] and "crash-" in shown[0]
    assert "Traceback" not in capsys.readouterr().err


# -- a portrait must have a face -------------------------------------------------------------------
def _faceless(path: Path, kind: str) -> Path:
    size = 400
    if kind == "grey":
        img = np.full((size, size, 3), 128, np.uint8)
    elif kind == "gradient":
        img = np.repeat(np.linspace(0, 255, size, dtype=np.uint8)[None, :, None], size, 0).repeat(3, 2)
    else:  # noise
        img = np.random.default_rng(0).integers(0, 255, (size, size, 3), dtype=np.uint8)
    Image.fromarray(img).save(path)
    return path


@pytest.mark.parametrize("kind", ["grey", "gradient", "noise"])
def test_new_refuses_a_portrait_without_a_face(tmp_path, capsys, kind):
    write_tone(tmp_path / "line.wav")
    photo = _faceless(tmp_path / "wall.png", kind)
    before = tree_state(tmp_path)
    line = assert_refused(run_cli(["new", tmp_path / "scene.tfs", "--audio", tmp_path / "line.wav",
                                   "--portrait", photo], capsys), "wall.png")
    assert "no face" in line
    assert tree_state(tmp_path) == before


def test_new_stores_the_fit_so_generate_does_not_fit_again(tmp_path, capsys):
    project = make_project(tmp_path, capsys)
    assert pf.load_project(project).takes[0].portrait_fit["schema"] == "talkface.portrait_fit"


def test_render_says_nothing_about_regenerating_when_it_then_fails(tmp_path, capsys):
    project = make_project(tmp_path, capsys)
    _faceless(tmp_path / "face.png", "grey")  # the portrait was replaced after `new`
    result = run_cli(["render", project, "-o", tmp_path / "out.mp4", "--size", "64"], capsys)
    line = assert_refused(result, "face.png")
    assert "regenerated" not in result.err and "no face" in line
    assert not (tmp_path / "out.mp4").exists()


@pytest.mark.gui
def test_the_apps_portrait_import_refuses_a_photo_without_a_face(make_window, tmp_path, capsys):
    project = make_project(tmp_path, capsys)
    w = make_window()
    assert w.files.open_project(project, ask_save=False)
    errors = []
    w.prompts.fail = lambda title, exc: errors.append(f"{title}: {exc}")
    w.media.import_portrait(_faceless(tmp_path / "wall.png", "gradient"))
    assert len(errors) == 1 and "wall.png" in errors[0] and "no face" in errors[0]
    assert Path(w.document.take.portrait_path).name == "face.png" and not w.document.dirty
    shutil.copy(DEMO / "portrait.png", tmp_path / "other.png")
    w.media.import_portrait(tmp_path / "other.png")
    assert Path(w.document.take.portrait_path).name == "other.png"
    assert w.document.take.portrait_fit["schema"] == "talkface.portrait_fit"
    w.document.undo_stack.undo()  # one undo step puts the old portrait (and its fit) back
    assert Path(w.document.take.portrait_path).name == "face.png"


@pytest.mark.gui
def test_the_apps_portrait_import_says_when_a_small_face_will_export_soft(make_window, tmp_path, capsys):
    project = make_project(tmp_path, capsys)
    w = make_window()
    assert w.files.open_project(project, ask_save=False)
    canvas = Image.new("RGB", (1920, 1080), (30, 35, 40))
    canvas.paste(Image.open(DEMO / "portrait.png").convert("RGB").resize((256, 256)), (1500, 700))
    canvas.save(tmp_path / "wide.png")
    w.media.import_portrait(tmp_path / "wide.png")
    assert Path(w.document.take.portrait_path).name == "wide.png"  # imported, not refused
    message = w.statusBar().currentMessage()
    assert message.startswith("The face is small in wide.png") and "plate" in message


@pytest.mark.gui
def test_the_app_animates_another_face_of_a_photo_with_several(make_window, tmp_path, capsys):
    project = make_project(tmp_path, capsys)
    w = make_window()
    assert w.files.open_project(project, ask_save=False)
    shutil.copy(Path(__file__).resolve().parent / "data" / "portraits" / "more" / "turned_glasses_beard_pair.jpg",
                tmp_path / "pair.jpg")
    w.media.import_portrait(tmp_path / "pair.jpg")
    assert w.document.take.portrait_fit["face_number"] == 2  # the largest
    assert "2 faces in pair.jpg" in w.statusBar().currentMessage()
    assert "Portrait Face" in w.statusBar().currentMessage()
    right_box = w.document.take.portrait_fit["crop_box"]
    asked = []
    w.prompts.ask_face = lambda found, current: asked.append((found, current)) or 1
    assert w.actions_by_name["portrait_face"].isEnabled()
    w.actions_by_name["portrait_face"].trigger()
    assert asked == [(2, 2)]
    assert w.document.take.portrait_fit["face_number"] == 1 and w.document.take.portrait_fit["crop_box"] != right_box
    w.document.undo_stack.undo()  # one step back to the face it had
    assert w.document.take.portrait_fit["face_number"] == 2
