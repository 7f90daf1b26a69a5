"""When another program saved the project since this window opened it, a save asks (never drops
either version): keep mine (theirs stays as NAME.tfs.bak), take theirs, or save mine under
another name. The command line instead re-applies its change on their version
(core.concurrent_save)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from talkface_studio.core import project_file
from talkface_studio.core.errors import TalkFaceError

KEEP_MINE, TAKE_THEIRS, SAVE_AS = "Keep mine", "Take theirs", "Save As…"


def ask_choice(parent, title: str, text: str, choices: list[str]) -> str | None:
    box = QMessageBox(QMessageBox.Warning, title, text, QMessageBox.Cancel, parent)
    buttons = {box.addButton(c, QMessageBox.AcceptRole): c for c in choices}
    box.setDefaultButton(next(iter(buttons)))
    box.exec()
    return buttons.get(box.clickedButton())


def resolve(files, path: Path) -> bool:
    """`files` (a ProjectFiles) could not save to `path`: ask, then keep mine, take theirs or Save As.
    -> True when nothing unsaved is left (mine saved, or theirs taken on purpose)."""
    choice = files.prompts.ask_choice(
        "Project changed on disk",
        f"{path.name} was saved by another program (or another window) since you opened it.\n\n"
        f"{KEEP_MINE}: save your version; theirs is kept as {path.name}.bak.\n"
        f"{TAKE_THEIRS}: open their version; your unsaved changes are discarded.\n"
        f"{SAVE_AS.rstrip('…')}: keep both, yours under another name.",
        [KEEP_MINE, TAKE_THEIRS, SAVE_AS])
    if choice == KEEP_MINE:
        files.document.project.file_digest = None  # overwrite knowingly: the .bak keeps theirs
        return files.save_to(path)
    if choice == TAKE_THEIRS:
        files.drop_autosave()
        try:
            files.document.set_project(project_file.load_project(path), path)
        except TalkFaceError as exc:
            files.prompts.fail("Cannot open project", exc)
            return False
        return True
    if choice == SAVE_AS:
        return files.save_as()
    return False
