"""docs/screenshot-lipsync.png: a take whose script misses a noisy stretch, after Generate, with the
ruler mark's tooltip and the Performance panel. From the repo root, under Xvfb:
`xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python packaging/screenshot_lipsync.py docs/screenshot-lipsync.png`
(it borrows the tests' speech-around-noise recording: a script that misses a stretch of the audio)."""
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, "tests")
from PySide6.QtCore import QPoint, QSettings
from PySide6.QtWidgets import QApplication, QToolTip
from audio_fixtures import write_speech_around_noise
from talkface_studio.core.project_file import save_project
from talkface_studio.pipeline.demo_project import build_demo_project
from talkface_studio.pipeline.new_project import new_project
from talkface_studio.ui.theme import apply_theme
from talkface_studio.ui.timeline.alignment_marks import marks_in_view
from talkface_studio.ui.window.main_window import MainWindow

SCRIPT = "Maybe Bob put the bumpy map by my pen. Mom made a bubbly apple pie."

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
demo = build_demo_project(work / "demo").parent
write_speech_around_noise(work / "line.wav", SCRIPT)
shutil.copy(demo / "media" / "portrait.png", work / "face.png")
project = new_project(work / "scene.tfs", work / "line.wav", work / "face.png", fps="25", transcript=SCRIPT)
save_project(project, work / "scene.tfs")
w = MainWindow(settings=QSettings(str(work / "s.ini"), QSettings.IniFormat))
w.resize(1600, 1000)
w.show()
pump(app, 1.0)
w.files.open_project(work / "scene.tfs", ask_save=False)
pump(app, 2.0)
w.actions_by_name["generate"].trigger()
pump(app, 60.0, until=lambda: w.session.alignment_notices(w.document.current_take))
pump(app, 4.0)
w.timeline.fit()
ruler = w.timeline.ruler
marks = marks_in_view(ruler.notices(), ruler.mapping, ruler.width(), ruler.rate)
if marks:
    m = marks[0]
    QToolTip.showText(ruler.mapToGlobal(QPoint(int((m.x0 + m.x1) / 2), 8)), m.text, ruler)
pump(app, 1.0)
screen = app.primaryScreen().grabWindow(0)
screen.save(sys.argv[1])
print(w.status.currentMessage())
w.document.undo_stack.set_clean()
w.close()
