"""The core undo stack as the app shows it (one history, a thin Qt adapter), and the preview
slicer's stale-result dropping."""

import threading

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from talkface_studio.core.commands import MoveSegmentBoundary, PaintEmotion, SetSegment  # noqa: E402
from talkface_studio.core.errors import ValidationError  # noqa: E402
from talkface_studio.core.project import Project  # noqa: E402
from talkface_studio.core.take import Take  # noqa: E402
from talkface_studio.core.timebase import FrameRate  # noqa: E402
from talkface_studio.ui.document import Document  # noqa: E402
from talkface_studio.ui.viewer.preview_slicer import PreviewSlicer  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def doc(qtbot):
    d = Document(Project([Take("t", None, None, FrameRate(24), 240)]))
    return d


def test_one_undo_history_shown_by_the_adapter(doc, qtbot):
    from talkface_studio.core.undo import UndoStack
    from talkface_studio.ui.undo_adapter import EMPTY_LABEL, UndoHistoryView, undo_actions
    from PySide6.QtWidgets import QMainWindow

    assert type(doc.undo_stack) is UndoStack  # the core's stack: there is no second one
    window = QMainWindow()
    qtbot.addWidget(window)
    view = UndoHistoryView(doc)
    undo, redo = undo_actions(window, doc)
    track = doc.project.take("t").emotion_track
    for a, emotion in ((10, "happy"), (60, "sad"), (120, "angry")):
        doc.push(PaintEmotion("t", a, a + 30, emotion, 2))
    model = view.model()
    rows = [model.data(model.index(i, 0)) for i in range(model.rowCount())]
    assert rows[0] == EMPTY_LABEL and len(rows) == 4 and all("Paint" in r for r in rows[1:])
    assert view.currentIndex().row() == 3 and undo.isEnabled() and not redo.isEnabled()
    assert undo.text().endswith(rows[3])  # Edit > Undo names the step
    view.clicked.emit(model.index(1, 0))  # a click in the history goes back to that step
    assert doc.undo_stack.index == 1 and len(track.segments) == 1 and view.currentIndex().row() == 1
    assert redo.isEnabled() and redo.text().endswith(rows[2])
    redo.trigger()
    assert doc.undo_stack.index == 2 and len(track.segments) == 2
    undo.trigger()
    undo.trigger()
    assert doc.undo_stack.index == 0 and not track.segments and not undo.isEnabled()
    view.clicked.emit(model.index(3, 0))
    assert len(track.segments) == 3


def test_push_merges_spin_box_edits_but_not_separate_drags(doc):
    track = doc.project.take("t").emotion_track
    cmd = doc.push(PaintEmotion("t", 10, 50, "happy", 2))
    sid = cmd.segment_id
    doc.push(SetSegment("t", sid, level=1))
    doc.push(SetSegment("t", sid, level=3))
    assert len(doc.undo_stack) == 2 and track.get(sid).level == 3
    for target in (55, 60):  # two separate drags of the same edge: two undo steps
        for f in range(51, target + 1):
            doc.live(("edge", sid), MoveSegmentBoundary("t", sid, "end", f))
        doc.finish_live()
    assert len(doc.undo_stack) == 4 and track.get(sid).end == 60
    doc.undo_stack.undo()
    assert track.get(sid).end == 55
    doc.undo_stack.undo()
    assert track.get(sid).end == 50
    doc.undo_stack.undo()
    assert track.get(sid).level == 2


def test_refused_edit_raises_and_leaves_no_undo_step(doc):
    with pytest.raises(ValidationError):
        doc.push(PaintEmotion("t", 10, 5, "happy", 2))
    assert len(doc.undo_stack) == 0 and not doc.dirty


def test_cancelled_live_drag_restores_model(doc):
    sid = doc.push(PaintEmotion("t", 10, 50, "happy", 2)).segment_id
    doc.live(("edge", sid), MoveSegmentBoundary("t", sid, "start", 20))
    doc.live(("edge", sid), MoveSegmentBoundary("t", sid, "start", 30))
    doc.cancel_live()
    assert doc.project.take("t").emotion_track.get(sid).start == 10 and len(doc.undo_stack) == 1


class SlowCompute:
    """Blocks the first request until released, so newer requests pile up behind it."""

    def __init__(self):
        self.gate = threading.Event()
        self.started = threading.Event()
        self.computed = []

    def preview_frame(self, take, project_path, frame, size, stage=None, version=None):
        if not self.computed:
            self.started.set()
            self.gate.wait(5)
        self.computed.append(frame)
        return np.full((size, size, 3), frame % 255, np.uint8), np.zeros((478, 3), np.float32)


def test_slicer_skips_superseded_requests_and_drops_stale_results(qtbot):
    compute = SlowCompute()
    slicer = PreviewSlicer(compute)
    shown = []
    slicer.ready.connect(lambda f, rgb, lm: shown.append(f))
    slicer.request(None, None, 1, 16)
    assert compute.started.wait(5)  # request 1 is computing ...
    for frame in (2, 3, 4):  # ... while the playhead moves on
        slicer.request(None, None, frame, 16)
    compute.gate.set()
    qtbot.waitUntil(lambda: shown == [4], timeout=5000)
    assert slicer.wait()
    assert compute.computed == [1, 4]  # 2 and 3 were skipped before computing; 1's result was dropped
    slicer.synchronous = True
    slicer.request(None, None, 9, 16)
    assert shown == [4, 9]
    slicer.request(None, None, 4, 16)  # seen since the last edit: served from the cache
    assert shown == [4, 9, 4] and compute.computed == [1, 4, 9]
    slicer.invalidate()  # an edit: recompute
    slicer.request(None, None, 4, 16)
    assert compute.computed == [1, 4, 9, 4]
