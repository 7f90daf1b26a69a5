"""Emotion track: painting semantics, boundary drags, and the blended weights."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talkface_studio.core.emotion_track import EMOTIONS, EmotionTrack, Segment
from talkface_studio.core.errors import ValidationError

LENGTH = 120


def labels(track, n=LENGTH):
    out = []
    for f in range(n):
        s = track.segment_at(f)
        out.append(None if s is None else (s.emotion, s.level))
    return out


def test_emotions_are_meads_eight_in_contract_order():
    assert EMOTIONS == ("neutral", "angry", "contempt", "disgusted", "fear", "happy", "sad", "surprised")


def test_paint_splits_the_middle_of_a_segment_and_keeps_the_left_id():
    track = EmotionTrack()
    sid = track.paint(10, 50, "happy", 2)
    new = track.paint(20, 30, "sad", 1)
    spans = [(s.start, s.end, s.emotion) for s in track.segments]
    assert spans == [(10, 20, "happy"), (20, 30, "sad"), (30, 50, "happy")]
    assert track.segments[0].id == sid and track.segments[1].id == new
    assert len({s.id for s in track.segments}) == 3


def test_painting_neutral_erases_and_trims_neighbours():
    track = EmotionTrack()
    track.paint(0, 40, "angry", 3)
    track.paint(40, 80, "fear", 1)
    track.paint(30, 50, "neutral", 1)
    assert [(s.start, s.end) for s in track.segments] == [(0, 30), (50, 80)]
    track.erase(0, 100)
    assert track.segments == ()


def test_equal_neighbours_merge_but_different_levels_do_not():
    track = EmotionTrack()
    a = track.paint(0, 10, "happy", 2)
    merged = track.paint(10, 20, "happy", 2)
    assert merged == a and [(s.start, s.end) for s in track.segments] == [(0, 20)]
    track.paint(20, 30, "happy", 3)
    assert len(track.segments) == 2


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, LENGTH - 1), st.integers(1, 40), st.sampled_from(EMOTIONS),
                          st.integers(1, 3)), max_size=12))
def test_painting_matches_a_per_frame_reference_and_keeps_segments_tidy(strokes):
    track = EmotionTrack()
    reference = [None] * LENGTH
    for start, length, emotion, level in strokes:
        end = min(start + length, LENGTH)
        track.paint(start, end, emotion, level)
        for f in range(start, end):
            reference[f] = None if emotion == "neutral" else (emotion, level)
    segs = track.segments
    assert labels(track) == reference
    for a, b in zip(segs, segs[1:]):
        assert a.end <= b.start, "sorted and non-overlapping"
        assert not (a.end == b.start and a.same_label(b)), "equal neighbours are merged"
    assert all(0 <= s.start < s.end <= LENGTH for s in segs)
    assert len({s.id for s in segs}) == len(segs)


def test_move_boundary_clamps_at_neighbour_and_at_zero_length():
    track = EmotionTrack()
    a = track.paint(10, 20, "happy")
    track.paint(30, 40, "sad")
    assert track.move_boundary(a, "end", 35) == 30  # stops at the next segment
    assert track.move_boundary(a, "end", 2) == 11  # never zero length
    assert track.move_boundary(a, "start", -5) == 0
    assert track.get(a).start == 0 and track.get(a).end == 11


def test_move_shared_boundary_rolls_both_segments():
    track = EmotionTrack()
    a = track.paint(10, 20, "happy")
    b = track.paint(20, 30, "sad")
    assert track.move_boundary(a, "end", 25) == 25
    assert (track.get(a).end, track.get(b).start) == (25, 25)
    assert track.move_boundary(b, "start", 99) == 29  # the right one keeps one frame
    assert track.move_boundary(b, "start", 0) == 11  # the left one keeps one frame


def test_set_segment_and_validation():
    track = EmotionTrack()
    a = track.paint(0, 10, "happy")
    track.set_segment(a, level=3, transition=2)
    assert (track.get(a).level, track.get(a).transition) == (3, 2)
    with pytest.raises(ValidationError, match="neutral"):
        track.set_segment(a, emotion="neutral")
    for bad in [(5, 5, "happy", 2), (-1, 4, "happy", 2), (0, 4, "glee", 2), (0, 4, "sad", 5)]:
        with pytest.raises(ValidationError):
            track.paint(*bad)
    with pytest.raises(ValidationError):
        track.get("nope")
    with pytest.raises(ValidationError, match="overlap"):
        EmotionTrack([Segment(0, 10, "sad", 1, id="s1"), Segment(5, 12, "fear", 1, id="s2")])


def test_weights_hard_steps_without_transition():
    track = EmotionTrack(default_transition=0)
    track.paint(5, 10, "sad", 3)
    w = track.weights(15)
    assert w.shape == (15, 8) and w.dtype == np.float32
    sad = EMOTIONS.index("sad")
    assert np.array_equal(w[:, sad], np.r_[np.zeros(5), np.ones(5), np.zeros(5)].astype(np.float32))
    assert np.allclose(w[:, 0], 1 - w[:, 1:].sum(axis=1))


def test_weights_blend_smoothly_centred_on_the_boundary():
    track = EmotionTrack(default_transition=8)
    track.paint(40, 100, "happy", 3)
    happy = track.weights(140)[:, EMOTIONS.index("happy")]
    assert happy[:35].max() == 0 and np.allclose(happy[45:95], 1)
    assert np.all(np.diff(happy[30:50]) >= 0) and np.all(np.diff(happy[90:110]) <= 0)
    # symmetric about the boundary between frames 39 and 40
    assert np.allclose(happy[39 - np.arange(6)] + happy[40 + np.arange(6)], 1.0)
    assert 0 < happy[37] < 0.5 < happy[42] < 1


def test_shared_boundary_crossfades_and_levels_scale():
    track = EmotionTrack(default_transition=10)
    track.paint(0, 50, "happy", 2)
    track.paint(50, 100, "sad", 2)
    w = track.weights(100)
    h, s = w[:, EMOTIONS.index("happy")], w[:, EMOTIONS.index("sad")]
    assert np.allclose(h + s, 2 / 3, atol=1e-6)
    assert np.allclose(w[:, 0], 1 / 3, atol=1e-6)
    assert h[44] > s[44] and s[55] > h[55]


def test_short_segment_still_reaches_its_level():
    track = EmotionTrack(default_transition=30)
    track.paint(50, 56, "surprised", 3)
    col = track.weights(120)[:, EMOTIONS.index("surprised")]
    assert col.max() > 0.9 and col[:40].max() == 0 and col[66:].max() == 0
