"""Qt-free parts of the UI: peak pyramid, time mapping, ruler ticks, lane and key gestures."""

import numpy as np
import pytest

from talkface_studio.core.emotion_track import EmotionTrack
from talkface_studio.core.timebase import FrameRate
from talkface_studio.ui.timeline import lane_gestures as lg
from talkface_studio.ui.curves.key_gestures import BoxSelectGesture, KeyDragGesture, KeyRef, keys_in_box, paste_offsets
from talkface_studio.ui.timeline.peaks import PeakPyramid
from talkface_studio.ui.timeline.ruler_ticks import ruler_ticks
from talkface_studio.ui.timeline_mapping import TimeMapping


def test_peaks_match_brute_force_min_max():
    rng = np.random.default_rng(0)
    sr = 8000
    x = rng.standard_normal(sr * 3).astype(np.float32) * np.linspace(0, 1, sr * 3, dtype=np.float32)
    pyr = PeakPyramid(x, sr)
    for n_cols, (t0, t1) in ((50, (0, 3)), (400, (0.5, 1.0)), (7, (1.0, 2.9))):
        mins, maxs = pyr.query(t0, t1, n_cols)
        edges = np.linspace(t0 * sr, t1 * sr, n_cols + 1).astype(int)
        for i in range(n_cols):
            seg = x[edges[i]:edges[i + 1]]
            # exact to within one block of the chosen level: the true extremes are inside the reported ones
            assert maxs[i] >= seg.max() - 1e-6 and mins[i] <= seg.min() + 1e-6
        # ... and not wildly beyond them (coarse level chosen correctly)
        assert np.abs(maxs).max() <= np.abs(x).max() + 1e-6


def test_peaks_outside_clip_are_zero_and_long_clip_levels_exist():
    pyr = PeakPyramid(np.ones(48000 * 60, np.float32), 48000)
    mins, maxs = pyr.query(-10, 70, 80)
    assert maxs[:9].max() == 0 and maxs[15:60].min() == 1 and maxs[-5:].max() == 0
    assert len(pyr.levels) > 5


def test_mapping_zoom_keeps_anchor_and_fit():
    m = TimeMapping(100, 4.0)
    z = m.zoomed(2.0, anchor_x=200)
    assert z.frame_at(200) == pytest.approx(m.frame_at(200))
    assert z.px_per_frame == 8.0
    f = m.fitted(0, 1000, 1000, margin=0)
    assert f.x_of(0) == pytest.approx(0) and f.x_of(1000) == pytest.approx(1000)
    assert m.panned(40).first_frame == pytest.approx(90)


@pytest.mark.parametrize("rate", ["24", "29.97", "25"])
def test_ruler_labels_are_round_and_spaced(rate):
    r = FrameRate.parse(rate)
    for ppf in (0.05, 0.5, 3, 30):
        ticks = ruler_ticks(TimeMapping(0, ppf), 1600, r, timecode=True)
        majors = [t for t in ticks if t.major]
        assert majors, ppf
        gaps = np.diff([t.frame for t in majors]) * ppf
        assert gaps.min() >= 90 - 1e-9 or len(majors) == 1
        for t in majors:
            assert r.from_timecode(t.label) == t.frame
    frames = ruler_ticks(TimeMapping(0, 3), 800, FrameRate(24), timecode=False)
    assert all(t.label == str(t.frame) for t in frames if t.major)


def _track():
    t = EmotionTrack()
    t.paint(10, 30, "happy", 2)
    t.paint(50, 80, "sad", 1)
    return t.segments


def test_paint_drag_reports_inclusive_range_either_direction():
    x_of = TimeMapping(0, 10).x_of
    g = lg.press(lg.Brush("paint", "angry", 3), (), 40, 400, x_of)
    g.move(45)
    g.move(35)
    assert g.release() == lg.Paint(35, 41, "angry", 3)


def test_press_near_edge_drags_edge_and_click_selects():
    segs = _track()
    x_of = TimeMapping(0, 10).x_of
    g = lg.press(lg.Brush("paint"), segs, 30, x_of(30) + 2, x_of)
    assert isinstance(g, lg.EdgeGesture) and g.side == "end"
    g.move(40)
    assert g.release() == lg.MoveEdge(segs[0].id, "end", 30, 40)
    click = lg.press(lg.Brush("paint"), segs, 60, x_of(60), x_of)
    assert click.release() == lg.Select(segs[1].id)
    erase_click = lg.press(lg.Brush("erase"), segs, 60, x_of(60), x_of)
    assert erase_click.release() == lg.Erase(50, 80)
    # the eraser never grabs edges
    assert isinstance(lg.press(lg.Brush("erase"), segs, 30, x_of(30), x_of), lg.RangeGesture)


def test_key_drag_snaps_to_frames_and_never_lands_on_other_keys():
    a, b = KeyRef("jaw_open", "L1", "k1"), KeyRef("jaw_open", "L1", "k2")
    g = KeyDragGesture({a: (10, 0.2), b: (20, 0.5)}, press_frame=10.0, press_value=0.2,
                       occupied={("jaw_open", "L1"): {25}})
    assert g.move(12.6, 0.3) == (3, pytest.approx(0.1))
    assert g.move(15.2, 0.3)[0] == 3  # 20+5 = 25 is taken: keep the last legal time
    assert g.move(-50, 0.2)[0] == -10  # keys stop at frame 0
    assert g.positions()[a][0] == 0
    assert KeyDragGesture({a: (10, 0.2)}, 10, 0.2).release() is None


def test_box_select_and_paste_offsets():
    box = BoxSelectGesture(5, 0.9)
    box.move(15, 0.1)
    refs = [(KeyRef("c", "L", "a"), 10, 0.5), (KeyRef("c", "L", "b"), 20, 0.5)]
    assert keys_in_box(box.release(), refs) == {KeyRef("c", "L", "a")}
    pasted = paste_offsets([("blink", 30, 1.0, "linear"), ("blink", 34, 0.0, "smooth")], at_frame=100)
    assert pasted == {"blink": [(100, 1.0, "linear"), (104, 0.0, "smooth")]}
