"""Screenshot of mouth shapes set by hand, under a real X server (Xvfb), 1600x1000.

    .venv/bin/python packaging/screenshot_mouth_shapes.py [--out docs]

The demo take after Generate, with its script's words along the top of the waveform, what the lip
sync heard and two mouth shapes set by hand along the bottom, and the waveform's context menu open
over the in/out range, as screenshot-mouth-shapes.png. Without a DISPLAY it re-runs itself under `xvfb-run`.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshots import _pump, parse_or_rerun  # noqa: E402


def main() -> int:
    args, exit_code = parse_or_rerun(__doc__.splitlines()[0])
    if args is None:
        return exit_code
    from PySide6.QtCore import QPoint, QSettings
    from PySide6.QtWidgets import QApplication

    from talkface_studio.pipeline.demo_project import build_demo_project
    from talkface_studio.ui.theme import apply_theme
    from talkface_studio.ui.window import mouth_shape_actions
    from talkface_studio.ui.window.main_window import MainWindow

    app = QApplication([])
    apply_theme(app)
    work = Path(tempfile.mkdtemp())
    project = build_demo_project(work / "demo")
    w = MainWindow(settings=QSettings(str(work / "s.ini"), QSettings.IniFormat))
    w.resize(1600, 1000)
    w.show()
    _pump(app, 1.0)
    w.files.open_project(project, ask_save=False)
    _pump(app, 3.0)
    w.timeline.fit()
    mouth_shape_actions.set_mouth_shape(w, "MBP", (52, 56))
    mouth_shape_actions.set_mouth_shape(w, "O", (96, 102))
    w.actions_by_name["generate"].trigger()
    _pump(app, 60.0, until=lambda: "•" not in w.actions_by_name["generate"].iconText())
    w.session.set_in_out(150, 157)
    w.session.set_playhead(152)
    _pump(app, 4.0)
    wave = w.timeline.waveform
    menu = mouth_shape_actions.waveform_menu(w, 153)
    menu.popup(wave.mapToGlobal(QPoint(int(wave.mapping.x_of(153)), wave.height() // 2)))
    _pump(app, 1.0)
    args.out.mkdir(parents=True, exist_ok=True)
    g = w.frameGeometry()  # the window with its menu open (a grab of the window alone leaves the menu out)
    app.primaryScreen().grabWindow(0, g.x(), g.y(), g.width(), g.height()).save(
        str(args.out / "screenshot-mouth-shapes.png"))
    menu.close()
    w.document.undo_stack.set_clean()
    w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
