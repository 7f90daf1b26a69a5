"""Take menu and the take box's context menu: new, rename and delete takes, set the spoken
language and the script, each one undo step (core.take_commands.RenameTake / RemoveTake /
SetLanguage / SetGeneration), so a mistaken delete is a Ctrl+Z away."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMenu

from talkface_studio.core.errors import TalkFaceError
from talkface_studio.core.take_commands import RemoveTake, RenameTake, SetGeneration, SetLanguage


def ask_take_name(window, current: str) -> str | None:
    """The rename prompt (Prompts.ask_text; tests replace that to answer it)."""
    text, ok = QInputDialog.getText(window, "Rename take", "New name:", QLineEdit.Normal, current)
    return text if ok else None


def rename_take(window, new_name: str | None = None) -> bool:
    take = window.document.current_take
    if take is None:
        window.prompts.show_error("No take to rename.")
        return False
    if new_name is None:
        new_name = window.prompts.ask_text(take)
    new_name = (new_name or "").strip()  # a stray space typed in the prompt is not part of the name
    if not new_name or new_name == take:
        return False
    try:
        window.document.push(RenameTake(take, new_name))
    except TalkFaceError as exc:
        window.prompts.fail("Cannot rename take", exc)
        return False
    window.statusBar().showMessage(f"Renamed take {take} to {new_name}", 4000)
    return True


def delete_take(window) -> bool:
    take = window.document.current_take
    if take is None:
        window.prompts.show_error("No take to delete.")
        return False
    try:
        window.document.push(RemoveTake(take))
    except TalkFaceError as exc:
        window.prompts.fail("Cannot delete take", exc)
        return False
    window.statusBar().showMessage(f"Deleted take {take} (Undo brings it back)", 6000)
    return True


def ask_language(window, current: str) -> str | None:
    """The language prompt (a list of supported languages; Prompts.ask_language, which tests replace)."""
    from talkface_studio.audio.languages import language_choices

    choices = language_choices()
    labels = [label for _, label in choices]
    codes = [code for code, _ in choices]
    base = current.split("-")[0]
    index = codes.index(base) if base in codes else 0
    label, ok = QInputDialog.getItem(window, "Spoken language", "Language of the take's speech "
                                     "(lip sync reads the script with it):", labels, index, False)
    if not ok:
        return None
    code = codes[labels.index(label)]
    return current if code == base else code  # keep a region (fr-CA) when the language is unchanged


def set_take_language(window, code: str | None = None) -> bool:
    from talkface_studio.audio.languages import check_language, language_name

    take = window.document.current_take
    if take is None:
        window.prompts.show_error("No take to set the language of.")
        return False
    current = window.document.project.take(take).language
    if code is None:
        code = window.prompts.ask_language(current)
    if not code:
        return False
    try:
        code = check_language(code)
        if code == current:
            return False
        window.document.push(SetLanguage(take, code))
    except TalkFaceError as exc:
        window.prompts.fail("Cannot set the language", exc)
        return False
    message = f"Take {take} speaks {language_name(code)} ({code}); Generate to redo the lip sync"
    window.statusBar().showMessage(message + _language_hint(window.document.project.take(take)), 6000)
    return True


def _language_hint(t) -> str:
    """What the status bar adds when the take's script is clearly in another language than its own."""
    from talkface_studio.audio.script_language import mismatch_note

    odd = mismatch_note(t.generation.transcript or "", t.language)
    return f". Note: {odd} (Take ▸ Spoken Language…)" if odd else ""


def edit_take_script(window, text: str | None = None) -> bool:
    """Take > Script...: the words spoken (Prompts.ask_script: the script dialog); an empty text
    removes the script (lip sync then recognizes the speech). One undo step."""
    take = window.document.current_take
    if take is None:
        window.prompts.show_error("No take to give a script to.")
        return False
    t = window.document.project.take(take)
    current = t.generation.transcript
    if text is None:
        text = window.prompts.ask_script(take, current, window.document.resolve(t.audio_path), t.language,
                                         t.audio_channel)
    if text is None:
        return False
    script = text.strip() or None
    if script == current:
        return False
    try:
        window.document.push(SetGeneration(take, transcript=script), mergeable=False)  # each edit its own step
    except TalkFaceError as exc:
        window.prompts.fail("Cannot set the script", exc)
        return False
    what = f"a script of {len(script.split())} words" if script else "no script (the speech is recognized)"
    if script and _offer_scripts_language(window, take, script):
        return True
    hint = _language_hint(window.document.project.take(take))
    window.statusBar().showMessage(f"Take {take} has {what}; Generate to redo the lip sync{hint}",
                                   15000 if hint else 6000)
    return True


def script_from_file_dialog(window) -> None:
    from .script_dialog import FILE_FILTER

    path, _ = QFileDialog.getOpenFileName(window, "Import script or subtitles", str(window.files.last_dir()),
                                          FILE_FILTER)
    if path:
        script_from_file(window, path)


def script_from_file(window, path) -> bool:
    """A subtitle or text file (File > Import Script or Subtitles…, or dropped on the window) becomes
    the shown take's script (core.script_files: the dialogue alone; cues after the recording left
    out), one undo step as Take > Script… makes it."""
    from talkface_studio.core.script_files import read_script_file

    t = window.document.take
    if t is None:
        window.prompts.show_error("Import the audio first: a script belongs to a take.")
        return False
    try:
        read = read_script_file(path, t.n_frames / t.rate.fps)
    except TalkFaceError as exc:
        window.prompts.fail("Cannot read the script", exc)
        return False
    if not edit_take_script(window, read.text):
        return False
    if read.outside:  # said as the Script dialog's Load… and `script --file` say it
        bar = window.statusBar()
        bar.showMessage(f"{bar.currentMessage()}; {read.outside} subtitle cue(s) after the recording's end left out",
                        15000)
    return True


def _offer_scripts_language(window, take: str, script: str) -> bool:
    """A script clearly in another language than the take's: offer to set the take's language to it
    (its own undo step); True when it was set."""
    from talkface_studio.audio.languages import language_name
    from talkface_studio.audio.script_language import mismatched_language

    current = window.document.project.take(take).language
    found = mismatched_language(script, current)
    if found is None:
        return False
    if not window.prompts.ask_language_switch(language_name(current), current, language_name(found), found):
        return False
    return set_take_language(window, found)


def choose_portrait_face(window, face: int | None = None) -> bool:
    """Take > Portrait Face...: animate another face of a photo with several (counted from the
    left); the portrait is fitted again on that face, one undo step."""
    take = window.document.take
    if take is None or take.portrait_path is None:
        window.prompts.show_error("No portrait to choose a face in: import one first.")
        return False
    fit = take.portrait_fit or {}
    found, current = int(fit.get("faces_found", 1)), int(fit.get("face_number", 1))
    if found < 2:
        window.prompts.show_error(f"One face was found in {take.portrait_path.name} when it was imported.")
        return False
    if face is None:
        face = window.prompts.ask_face(found, current)
    if face is None or face == current:
        return False
    window.media.import_portrait(window.document.resolve(take.portrait_path), face=face)
    return True


def ask_face(parent, found: int, current: int) -> int | None:
    labels = [f"Face {n}" + (" (leftmost)" if n == 1 else " (rightmost)" if n == found else "")
              for n in range(1, found + 1)]
    label, ok = QInputDialog.getItem(parent, "Portrait face", f"{found} faces were found in the photo; "
                                     "animate which one (counted from the left)?", labels, current - 1, False)
    return labels.index(label) + 1 if ok else None


def build_take_menu(window, menu: QMenu, actions: dict) -> None:
    """Fill the menu bar's Take menu and give the toolbar's take box the same context menu."""
    for key in ("new_take", "rename_take", "delete_take", "take_language", "take_script", "portrait_face"):
        menu.addAction(actions[key])
    box = window.transport.take_box
    box.setContextMenuPolicy(Qt.CustomContextMenu)
    box.customContextMenuRequested.connect(lambda pos: take_box_menu(window, actions).popup(box.mapToGlobal(pos)))


def take_box_menu(window, actions: dict) -> QMenu:
    menu = QMenu(window.transport.take_box)
    menu.setAttribute(Qt.WA_DeleteOnClose)
    for key in ("rename_take", "delete_take", "new_take", "take_language", "take_script", "portrait_face"):
        menu.addAction(actions[key])
    return menu
