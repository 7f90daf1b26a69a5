"""Closing the window while a worker still runs Python (a preview preparing a portrait) must not
hang: a QThreadPool's destructor waits for its threads while the deleting thread holds Python's
lock, so the window drains its pools when it closes. Run in a child process with a timeout: the
old code hung forever."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    from PySide6.QtTest import QTest
    import shiboken6
    from talkface_studio.ui import workers
    from talkface_studio.ui.window.main_window import MainWindow

    tmp = Path(sys.argv[1])
    app = QApplication([])
    w = MainWindow(settings=QSettings(str(tmp / "s.ini"), QSettings.IniFormat), synchronous=False,
                   recovery_dir=tmp / "recovery")
    w.show()
    started = []

    def busy(progress, cancel):  # pure Python for a while: it needs the interpreter's lock throughout
        started.append(1)
        end = time.monotonic() + 1.5
        n = 0
        while time.monotonic() < end:
            n += 1
        return n

    for pool in (w.slicer.pool, w.render_ahead.pool, w.pool):
        workers.submit(pool, busy, parent=w)
    while not started:
        app.processEvents()
    w.close()
    w.deleteLater()  # as when the app quits: destroyed from the event loop, pools and all
    QTest.qWait(200)
    print("closed", shiboken6.isValid(w))
""")


def test_closing_the_window_while_workers_run_python_does_not_hang(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT),
               TALKFACE_CACHE_DIR=str(tmp_path / "cache"))
    try:
        run = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path)], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=90)
    except subprocess.TimeoutExpired:
        pytest.fail("the window hung while closing with workers running")
    assert run.returncode == 0 and "closed False" in run.stdout, run.stdout[-2000:] + run.stderr[-2000:]
