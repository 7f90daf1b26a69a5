"""Opening a take stays responsive: one paint of the curve editor, compute modules imported early."""

import shutil
import sys

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QEvent, QObject  # noqa: E402

from talkface_studio.pipeline.cancel import CancelToken  # noqa: E402
from talkface_studio.pipeline import take_compute  # noqa: E402


class PaintCounter(QObject):
    def __init__(self):
        super().__init__()
        self.paints = 0

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Paint:
            self.paints += 1
        return False


def test_opening_a_take_paints_the_curve_editor_once(make_window, demo_dir, tmp_path, qtbot):
    shutil.copytree(demo_dir, tmp_path / "demo")
    w = make_window()
    qtbot.wait(20)  # the empty window's own first paints
    counter = PaintCounter()
    viewport = w.curve_editor.plot.viewport()
    viewport.installEventFilter(counter)
    w.files.open_project(tmp_path / "demo" / "demo.tfs", ask_save=False)
    qtbot.waitUntil(lambda: counter.paints >= 1, timeout=5000)
    qtbot.wait(100)  # anything the first paint invalidates would be painted by now
    viewport.removeEventFilter(counter)
    # Each full paint of a long take costs tens of ms: the view must not move its curves during the
    # first one (pyqtgraph applies a new range lazily, at paint time, which forced a second paint).
    assert counter.paints == 1
    assert len(w.curve_editor.items) == len(w.curve_editor.shown()) > 0


def test_warm_imports_reports_what_failed_and_stops_when_cancelled(monkeypatch):
    monkeypatch.setattr(take_compute, "WARM_MODULES", ("json", "talkface_studio.no_such_module"))
    assert take_compute.warm_imports() == ["talkface_studio.no_such_module"]
    monkeypatch.setattr(take_compute, "WARM_MODULES", ("talkface_studio.no_such_module",))
    token = CancelToken()
    token.cancel()
    assert take_compute.warm_imports(cancel=token) == []


def test_warm_imports_covers_real_modules():
    # A renamed module would silently leave the import (and its stall) to the first opened take.
    assert take_compute.warm_imports() == []
    assert all(name in sys.modules for name in take_compute.WARM_MODULES)
