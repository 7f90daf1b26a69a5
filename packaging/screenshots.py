"""Screenshots of the application on the demo project, 1600x1000, under a real X server (Xvfb).

    .venv/bin/python packaging/screenshots.py [--out docs]

Without a DISPLAY it re-runs itself under `xvfb-run`. Writes screenshot-main.png (an edited take:
emotion segments, keyed curves, the viewer with landmarks), screenshot-graph-editor.png (the
timeline and curve editor: named markers, a key with broken, weighted tangent handles, linked
zoom), screenshot-playback.png (the viewer during playback with its dropped-frame readout) and
screenshot-welcome.png.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _under_xvfb() -> int:
    exe = shutil.which("xvfb-run")
    if exe is None:
        sys.exit("screenshots: no DISPLAY and no xvfb-run (apt-get install xvfb)")
    cmd = [exe, "-a", "-s", "-screen 0 1920x1200x24", sys.executable, *sys.argv]
    return subprocess.call(cmd, env={**os.environ, "TALKFACE_SCREENSHOT_CHILD": "1"})


def _pump(app, seconds: float, until=None) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        if until is not None and until():
            break
        time.sleep(0.01)


def parse_or_rerun(description: str):
    """(arguments, None) in a window-system session, or (None, exit code) after running this
    script again under Xvfb when there is no display."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY") and not os.environ.get("TALKFACE_SCREENSHOT_CHILD"):
        return None, _under_xvfb()
    os.environ["QT_QPA_PLATFORM"] = "xcb" if os.environ.get("DISPLAY") else "offscreen"
    return args, None


def main() -> int:
    args, exit_code = parse_or_rerun(__doc__.splitlines()[0])
    if args is None:
        return exit_code
    import torch

    torch.set_num_threads(2)
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from talkface_studio.pipeline.demo_project import build_demo_project
    from talkface_studio.ui.selection import KeyRef
    from talkface_studio.ui.window.main_window import MainWindow
    from talkface_studio.ui.theme import apply_theme

    app = QApplication([])
    apply_theme(app)
    work = Path(tempfile.mkdtemp(prefix="talkface-shots-"))
    settings = QSettings(str(work / "settings.ini"), QSettings.IniFormat)
    project = build_demo_project(work / "demo")
    settings.setValue("recent", [str(project)])
    w = MainWindow(settings=settings)
    w.resize(1600, 1000)
    w.show()
    _pump(app, 1.0)
    args.out.mkdir(parents=True, exist_ok=True)
    w.document.set_project(type(w.document.project)(), None)
    w.center.setCurrentWidget(w.welcome)
    _pump(app, 0.5)
    w.grab().save(str(args.out / "screenshot-welcome.png"))

    w.files.open_project(project, ask_save=False)
    _pump(app, 3.0, until=lambda: w.timeline.waveform.peaks is not None and w.viewer.frame is not None)
    take = w.document.take
    for name in ("jaw_open", "head_yaw", "blink", "emo_happy", "gaze_yaw"):
        w.session.set_channel_shown(name, visible=True)
    # An artist's correction: a held head turn keyed over the surprised line, shown selected.
    ce = w.curve_editor
    for f, v in ((100, -4.0), (112, 14.0), (124, 10.0)):
        ce.add_key_at(f, float(ce.to_display("head_yaw", [v])[0]), channel="head_yaw")
    layer = take.channel("head_yaw").layers[-1]
    w.session.select_keys({KeyRef("head_yaw", layer.id, k.id) for k in layer.keys[1:]})
    w.session.set_display(landmarks=True)
    w.actions_by_name["landmarks"].setChecked(True)
    w.session.set_playhead(112)
    ce.frame_all()
    w.timeline.fit()
    _pump(app, 3.0, until=lambda: w.viewer.frame == 112)
    _pump(app, 0.5)
    w.grab().save(str(args.out / "screenshot-main.png"))
    _graph_editor_shot(app, w, args.out / "screenshot-graph-editor.png")
    _playback_shot(app, w, args.out / "screenshot-playback.png")
    print(f"wrote {args.out / 'screenshot-main.png'}, screenshot-graph-editor.png, screenshot-playback.png "
          "and screenshot-welcome.png")
    w.document.undo_stack.set_clean()
    w.close()
    return 0


def _playback_shot(app, w, out: Path) -> None:
    """Playback from the first frame with nothing cached: 512-px frames render ahead of the clock and
    the viewer's corner counts the frames dropped so far (whatever this machine drops)."""
    w.session.set_display(landmarks=False)
    w.actions_by_name["landmarks"].setChecked(False)
    w.frame_all()
    w.slicer.invalidate()
    w.session.set_playhead(0)
    w.playback.play()
    _pump(app, 3.2)
    w.grab().save(str(out))
    w.playback.stop()


def _graph_editor_shot(app, w, out: Path) -> None:
    """Markers named by the director, the middle head turn key with broken, weighted handles (its
    out handle pulled long and flat), zoomed in: the timeline follows the curve editor's zoom."""
    from PySide6.QtCore import QRect

    from talkface_studio.core.key_commands import SetHandle
    from talkface_studio.core.marker_commands import AddMarker, RenameMarker
    from talkface_studio.ui.selection import KeyRef
    from talkface_studio.ui.timeline_mapping import TimeView

    take, ce, doc = w.document.take, w.curve_editor, w.document
    for frame, name in ((62, "breath"), (104, "look up"), (150, "smile")):
        cmd = doc.push(AddMarker(take.name, frame))
        doc.push(RenameMarker(take.name, cmd.marker_id, name))
    for name in ("emo_happy", "gaze_yaw"):
        w.session.set_channel_shown(name, visible=False)
    layer = take.channel("head_yaw").layers[-1]
    key = layer.keys[1]
    ref = KeyRef("head_yaw", layer.id, key.id)
    w.session.set_active_channel("head_yaw")
    w.session.select_keys({ref})
    ce.set_broken(True)
    ce.set_weighted(True)
    doc.push(SetHandle(take.name, "head_yaw", layer.id, key.id, "out", -1.6, length=9.0))
    w.session.set_playhead(112)
    w.session.set_time_view(TimeView(55, 165))
    ce.view_box.setYRange(0.38, 0.66, padding=0)
    _pump(app, 3.0, until=lambda: w.viewer.frame == 112)
    _pump(app, 0.5)
    top = w.docks["timeline"].geometry().top()
    bottom = w.docks["curves"].geometry().bottom()
    w.grab(QRect(0, top, w.width(), bottom - top + 1)).save(str(out))


if __name__ == "__main__":
    sys.exit(main())
