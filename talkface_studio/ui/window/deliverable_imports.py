"""File > Import of film and game material: an iPhone Live Link Face capture (edit layers on the
shown take's channels), the emotion markers of an edit (OTIO, EDL with its adapter) painted onto
its emotion lane, and the mouth cues of a 2D lip sync (Rhubarb, Moho / Papagayo) as mouth shapes set
by hand. Each import is one undo step; reading and planning are the pipeline's, the same
as `import-curves --format livelink`, `import-editorial` and `mouth --import`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from talkface_studio.core.errors import TalkFaceError


def import_livelink_dialog(window) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "Import Live Link Face capture", str(window.files.last_dir()),
                                          "Live Link Face (*.csv)")
    if path:
        import_livelink(window, path)


def import_livelink(window, path) -> None:
    """Read and plan the capture in a worker (an hour at 60 fps takes seconds), ask on the GUI thread
    before resampling one recorded at another rate, then push one layer per channel as one step."""
    from talkface_studio.pipeline.livelink_capture import read_capture
    from talkface_studio.pipeline.livelink_import import at_take_rate, plan_capture
    from talkface_studio.pipeline.rig_curves import take_start_seconds

    from talkface_studio.ui import workers

    take = window.document.take
    if take is None:
        window.prompts.show_error("Import the audio first: a capture lands on a take.")
        return
    path = Path(path)
    copy, start_s = take.copy(), take_start_seconds(window.document.project, take)
    name = f"Live Link {path.name}"

    def failed(message, _trace=None):
        window.prompts.fail("Cannot import the capture", TalkFaceError(message))

    def plan(capture, retime):
        def work(progress, cancel):
            p = plan_capture(capture, copy, start_s, retime=retime)
            return p, p.command(copy.name, name)
        workers.submit(window.pool, work, on_done=apply, on_error=failed, synchronous=window.synchronous,
                       parent=window)

    def apply(result):
        planned, command = result
        if window.document.take is None or window.document.take.name != copy.name:
            window.prompts.show_error(f"Take {copy.name} is no longer shown; the capture was not imported.")
            return
        try:
            window.document.push(command, label=f"Import {path.name}")
        except TalkFaceError as exc:
            window.prompts.fail("Cannot import the capture", exc)
            return
        window.statusBar().showMessage(f"Imported {planned.summary()}", 8000)

    def read_done(capture):
        retime = not at_take_rate(capture, copy)
        if retime and window.prompts.ask(
                "Resample capture?",
                f"{path.name} was recorded at {capture.rate:.4g} fps; take {copy.name} is at {copy.rate} fps.\n\n"
                "Resample it by its timecodes?", QMessageBox.Yes | QMessageBox.Cancel,
                QMessageBox.Yes) != QMessageBox.Yes:
            return
        plan(capture, retime)

    workers.submit(window.pool, lambda progress, cancel: read_capture(path), on_done=read_done,
                   on_error=failed, synchronous=window.synchronous, parent=window)


def import_editorial_dialog(window) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "Import editorial markers", str(window.files.last_dir()),
                                          "Timelines (*.otio *.edl *.xml *.aaf)")
    if path:
        import_editorial(window, path)


def import_editorial(window, path) -> bool:
    """Paint the take's clip markers onto its emotion lane (the expression curves follow, one undo step)."""
    from talkface_studio.pipeline.editorial_import import plan_markers, read_timeline
    from talkface_studio.pipeline.rig_curves import take_start_seconds

    take = window.document.take
    if take is None:
        window.prompts.show_error("Import the audio first: markers land on a take.")
        return False
    path = Path(path)
    project = window.document.project
    try:
        timeline = read_timeline(path, take.rate.fps)
        plan = plan_markers(timeline, take, path, take_start_seconds(project, take),
                            only_take=len(project.takes) == 1)
        window.document.push(plan.commands, label=f"Import markers from {path.name}")
    except TalkFaceError as exc:
        window.prompts.fail("Cannot import the markers", exc)
        return False
    window.statusBar().showMessage(f"Painted {len(plan.painted)} emotion segment(s) from {path.name}", 8000)
    return True


def import_mouth_cues_dialog(window) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "Import mouth cues", str(window.files.last_dir()),
                                          "Mouth cues (*.tsv *.json *.xml *.dat *.pgo *.pg2)")
    if path:
        import_mouth_cues(window, path)


def import_mouth_cues(window, path, dat_fps: float | None = None, voice: str | None = None) -> bool:
    """Set the cues of a Rhubarb or Moho file, or a Papagayo project's voice, as the shown take's
    mouth shapes by hand (one undo step; Generate applies them). A .dat file that does not say its
    frame rate is asked for one; a Papagayo project of several voices which voice."""
    from talkface_studio.core.mouth_cues import PAPAGAYO, declared_fps, papagayo_voices, read_cues
    from talkface_studio.core.take_commands import ImportMouthShapes

    take = window.document.take
    if take is None:
        window.prompts.show_error("Import the audio first: mouth cues land on a take.")
        return False
    path = Path(path)
    try:
        if dat_fps is None and path.suffix.lower() == ".dat" and declared_fps(path) is None:
            dat_fps, ok = QInputDialog.getDouble(window, "Import mouth cues",
                                                 f"{path.name} counts frames at (fps):", take.rate.fps, 1, 1000, 3)
            if not ok:
                return False
        if voice is None and path.suffix.lower() in PAPAGAYO and len(voices := papagayo_voices(path)) > 1:
            voice, ok = QInputDialog.getItem(window, "Import mouth cues", f"{path.name} has {len(voices)} voices; "
                                             "import:", voices, 0, False)
            if not ok:
                return False
        cues = read_cues(path, take.rate.fps, take.n_frames, dat_fps, voice)
        window.document.push(ImportMouthShapes(take.name, cues.shapes, path.name))
    except TalkFaceError as exc:
        window.prompts.fail("Cannot import the mouth cues", exc)
        return False
    a, b = cues.span
    past = f"; {cues.past_end} cue(s) past the take's end left out" if cues.past_end else ""
    other = cues.other_sound(take.audio_path)
    other = f" Note: the file was {other}." if other else ""
    window.statusBar().showMessage(f"Set {len(cues.shapes)} mouth shape(s) by hand from {path.name} over frames "
                                   f"{a}-{b - 1}{past}. Generate to apply them.{other}", 20000 if other else 10000)
    return True
