"""docs/screenshot-mouth-shapes.png: the demo take after Generate, with what the lip sync heard and
two mouth shapes set by hand along the bottom of the waveform, and the waveform's context menu open
over the in/out range. From the
repo root, under Xvfb:
`xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python packaging/screenshot_mouth_shapes.py docs/screenshot-mouth-shapes.png`"""
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QPoint, QSettings
from PySide6.QtWidgets import QApplication
from talkface_studio.pipeline.demo_project import build_demo_project
from talkface_studio.ui.theme import apply_theme
from talkface_studio.ui.window import mouth_shape_actions
from talkface_studio.ui.window.main_window import MainWindow


def pump(app, s, until=None):
    end = time.monotonic() + s
    while time.monotonic() < end:
        app.processEvents()
        if until and until():
            break
        time.sleep(0.01)


app = QApplication([])
apply_theme(app)
work = Path(tempfile.mkdtemp())
project = build_demo_project(work / "demo")
w = MainWindow(settings=QSettings(str(work / "s.ini"), QSettings.IniFormat))
w.resize(1600, 1000)
w.show()
pump(app, 1.0)
w.files.open_project(project, ask_save=False)
pump(app, 3.0)
w.timeline.fit()
mouth_shape_actions.set_mouth_shape(w, "MBP", (52, 56))
mouth_shape_actions.set_mouth_shape(w, "O", (96, 102))
w.actions_by_name["generate"].trigger()
pump(app, 60.0, until=lambda: "•" not in w.actions_by_name["generate"].iconText())
w.session.set_in_out(150, 157)
w.session.set_playhead(152)
pump(app, 4.0)
wave = w.timeline.waveform
menu = mouth_shape_actions.waveform_menu(w, 153)
menu.popup(wave.mapToGlobal(QPoint(int(wave.mapping.x_of(153)), wave.height() // 2)))
pump(app, 1.0)
app.primaryScreen().grabWindow(0).save(sys.argv[1])
print(w.status.currentMessage())
menu.close()
w.document.undo_stack.set_clean()
w.close()
