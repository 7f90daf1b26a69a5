"""Screenshots of plate mode in the application, under a real X server (Xvfb), 1600x1000.

    .venv/bin/python packaging/screenshots_plate.py [--out docs]

On a project over a real photo (tests/data/portraits/smiling_man.jpg and the demo line): the main
window with View > Plate Framing on (the whole photo, the head region live, landmarks shown) as
screenshot-plate-viewer.png, and the Export dialog set to a ProRes plate with alpha as
screenshot-plate-export.png. Without a DISPLAY it re-runs itself under `xvfb-run`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshots import _pump, parse_or_rerun  # noqa: E402

PHOTO = ROOT / "tests" / "data" / "portraits" / "smiling_man.jpg"
AUDIO = ROOT / "resources" / "demo" / "line.wav"
FRAME = 46   # an open vowel of the demo line


def main() -> int:
    args, exit_code = parse_or_rerun(__doc__.splitlines()[0])
    if args is None:
        return exit_code
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from talkface_studio.cli.main import main as cli
    from talkface_studio.ui.window.export_dialog import ExportDialog
    from talkface_studio.ui.window.main_window import MainWindow
    from talkface_studio.ui.theme import apply_theme

    work = Path(tempfile.mkdtemp(prefix="talkface-plate-shots-"))
    shutil.copy(PHOTO, work / PHOTO.name)
    shutil.copy(AUDIO, work / AUDIO.name)
    project = work / "office.tfs"
    cli(["new", str(project), "--audio", str(work / AUDIO.name), "--portrait", str(work / PHOTO.name),
         "--fps", "25", "--take", "line"])
    cli(["generate", str(project)])

    app = QApplication([])
    apply_theme(app)
    w = MainWindow(settings=QSettings(str(work / "settings.ini"), QSettings.IniFormat))
    w.resize(1600, 1000)
    w.show()
    w.files.open_project(project, ask_save=False)
    _pump(app, 5.0, until=lambda: w.viewer.frame is not None)
    for name in ("jaw_open", "head_yaw", "blink"):
        w.session.set_channel_shown(name, visible=True)
    w.actions_by_name["landmarks"].setChecked(True)
    w.actions_by_name["plate"].setChecked(True)
    w.session.set_playhead(FRAME)
    w.timeline.fit()
    _pump(app, 10.0, until=lambda: w.viewer.frame == FRAME and w.viewer.rgb is not None
          and w.viewer.rgb.shape[0] != w.viewer.rgb.shape[1])
    _pump(app, 0.5)
    args.out.mkdir(parents=True, exist_ok=True)
    w.grab().save(str(args.out / "screenshot-plate-viewer.png"))

    dialog = ExportDialog(work, "line", has_range=False, parent=w, photo_size=(910, 1137))
    dialog.format.setCurrentText("MOV (ProRes 422 HQ)")
    dialog.plate.setChecked(True)
    dialog.alpha.setChecked(True)
    dialog.resize(620, dialog.sizeHint().height())
    dialog.show()
    _pump(app, 1.0)
    dialog.grab().save(str(args.out / "screenshot-plate-export.png"))
    dialog.close()
    print(f"wrote {args.out / 'screenshot-plate-viewer.png'} and screenshot-plate-export.png")
    w.document.undo_stack.set_clean()
    w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
