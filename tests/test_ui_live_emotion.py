"""Painting emotions shows at once (expression bases follow the track, one undo step per edit),
and portrait fits computed by workers are kept in the project."""

import json
import shutil

import numpy as np
import pytest

pytest.importorskip("pytestqt")


from talkface_studio.core import project_file  # noqa: E402
from talkface_studio.core.commands import MoveSegmentBoundary, PaintEmotion, SetSegment  # noqa: E402
from talkface_studio.core.project import Project  # noqa: E402
from talkface_studio.core.take import Take  # noqa: E402
from talkface_studio.core.timebase import FrameRate  # noqa: E402
from talkface_studio.face.topology import REGIONS  # noqa: E402
from talkface_studio.ui.document import Document  # noqa: E402
from talkface_studio.core.emotion_follow import followed_bases  # noqa: E402
from talkface_studio.ui.selection import Brush  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def doc(qtbot):
    return Document(Project([Take("t", None, None, FrameRate(24), 240)]))


def test_paint_moves_expression_base_in_the_same_undo_step(doc):
    take = doc.project.take("t")
    sid = doc.push(PaintEmotion("t", 40, 120, "happy", 3)).segment_id
    happy, sad = take.channel("emo_happy"), take.channel("emo_sad")
    assert happy.base[80] == pytest.approx(1.0) and happy.base[5] == 0.0 and not sad.base.any()
    assert len(doc.undo_stack) == 1
    # the level spin box: two changes, one merged undo step, the curve follows each
    doc.push(SetSegment("t", sid, level=1))
    assert happy.base[80] == pytest.approx(1 / 3, abs=1e-5)
    doc.push(SetSegment("t", sid, level=2))
    assert happy.base[80] == pytest.approx(2 / 3, abs=1e-5) and len(doc.undo_stack) == 2
    # a drag of the edge: live, then one step; undo puts curve and track back together
    for f in range(120, 161, 5):
        doc.live(("edge", sid), MoveSegmentBoundary("t", sid, "end", f))
    doc.finish_live()
    assert happy.base[150] == pytest.approx(2 / 3, abs=1e-5) and len(doc.undo_stack) == 3
    doc.undo_stack.undo()
    assert take.emotion_track.get(sid).end == 120 and happy.base[150] == 0.0
    doc.undo_stack.undo()
    assert happy.base[80] == pytest.approx(1.0)
    doc.undo_stack.undo()
    assert not happy.base.any() and not take.emotion_track.segments
    doc.undo_stack.redo()
    assert happy.base[80] == pytest.approx(1.0)


def test_follow_keeps_generated_swell_and_clears_replaced_emotion():
    take = Take("t", None, None, FrameRate(24), 200)
    take.emotion_track.paint(20, 180, "happy", 3)
    before = take.emotion_weights()
    swell = 1.0 + 0.2 * np.sin(np.arange(200) / 7.0)  # what a performer adds on stressed syllables
    take.channel("emo_happy").base = np.clip(before[:, 5] * 0.8 * swell, 0, 1)
    generated = take.channel("emo_happy").base.copy()
    take.emotion_track.paint(20, 180, "happy", 1)  # quieter: same shape, a third of the height
    bases, frames = followed_bases(take, before, amount=0.8)
    assert np.allclose(bases["emo_happy"][40:160], generated[40:160] / 3, atol=1e-5)
    assert frames[0] <= 40 and frames[1] >= 160
    mid = take.emotion_weights()
    take.emotion_track.paint(20, 180, "sad", 2)
    take.channel("emo_happy").base = bases["emo_happy"]
    bases, _ = followed_bases(take, mid, amount=0.8)
    assert not bases["emo_happy"][40:160].any()
    assert np.allclose(bases["emo_sad"][40:160], 0.8 * 2 / 3, atol=1e-5)
    assert bases["emo_angry"] is take.channel("emo_angry").base  # untouched channels are not copied


@pytest.fixture
def window(make_window, tmp_path, demo_dir):
    shutil.copytree(demo_dir, tmp_path / "p")
    w = make_window(size=(1200, 800))
    w.path_under_test = tmp_path / "p" / "demo.tfs"
    return w


def _brow_y(landmarks):
    return float(landmarks[np.r_[REGIONS["left_brow"], REGIONS["right_brow"]], 1].mean())


def test_painting_shows_in_viewer_and_curves_without_generate(window):
    w = window
    w.files.open_project(w.path_under_test)
    take = w.document.take
    for s in list(take.emotion_track.segments):
        take.emotion_track.erase(s.start, s.end)
    w.generate()  # a neutral performance to start from
    w.session.set_playhead(60)
    neutral = w.viewer.landmarks.copy()
    w.session.set_channel_shown("emo_surprised", visible=True)
    curve = w.curve_editor.items["emo_surprised"].final
    steps = len(w.document.undo_stack)
    w.session.set_brush(Brush("paint", "surprised", 3))
    lane, x = w.timeline.lane, w.timeline.lane.mapping.x_of
    lane.press_at(x(30) + 0.5)
    lane.move_to(x(90) + 0.5)
    lane.release_at(x(90) + 0.5)
    assert len(w.document.undo_stack) == steps + 1  # one paint, one undo step
    assert take.channel("emo_surprised").final()[60] > 0.9
    assert curve.yData[60] == pytest.approx(take.channel("emo_surprised").final()[60])
    # the viewer shows raised brows at once (image y grows downwards)
    assert w.viewer.frame == 60 and _brow_y(w.viewer.landmarks) < _brow_y(neutral) - 1.0
    w.document.undo_stack.undo()
    assert np.allclose(w.viewer.landmarks, neutral, atol=1e-3)


def test_fit_from_the_preview_worker_is_saved_with_the_project(window):
    w = window
    path = w.path_under_test
    data = json.loads(path.read_text())
    stored = data["takes"][0]["portrait_fit"]
    assert stored is not None
    data["takes"][0]["portrait_fit"] = None
    path.write_text(json.dumps(data))
    w.files.open_project(path)
    take = w.document.take
    assert take.portrait_fit is not None  # fitted by the first preview and handed back
    assert len(w.document.undo_stack) == 0 and w.document.dirty  # not an undo step, but worth saving
    assert w.windowTitle().startswith("demo*")
    assert w.files.save()
    reopened = project_file.load_project(path)
    assert reopened.takes[0].portrait_fit["landmarks"] == take.portrait_fit["landmarks"]
