"""Playback in the app: paced by a clock (fake here: ticks are driven by hand), frames dropped and
counted when rendering falls behind, never the sound; the count on the viewer; scrub audio."""

import shutil

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from talkface_studio.ui.session import Session  # noqa: E402
from talkface_studio.ui.viewer.playback import PlaybackController  # noqa: E402

pytestmark = pytest.mark.gui

FPS = 25


class FakeTime:
    def __init__(self):
        self.t = 50.0

    def __call__(self):
        return self.t


class SimulatedRenderer:
    """RenderAhead's interface, rendering one frame at a time in `cost_s` of fake time."""

    def __init__(self, now, cost_s):
        self.now, self.cost_s = now, cost_s
        self.done: dict[int, np.ndarray] = {0: np.zeros((4, 4, 3), np.uint8)}  # the paused frame, previewed
        self.in_flight = None  # (frame, when it lands)
        self.requested = []

    def pump(self):
        if self.in_flight and self.now() >= self.in_flight[1]:
            f = self.in_flight[0]
            self.done[f] = np.full((4, 4, 3), f % 256, np.uint8)
            self.in_flight = None

    def ready(self, frame):
        return (self.done[frame], None) if frame in self.done else None

    def busy(self):
        return self.in_flight is not None

    def render(self, frame):
        self.requested.append(frame)
        self.in_flight = (frame, self.now() + self.cost_s)


class FakePlayer:
    """QMediaPlayer's position, from an audio device that starts 60 ms after play() and runs 5% slow."""

    def __init__(self, now):
        self.now, self.started, self.at_ms = now, None, 0.0
        self.playing = False

    def setPosition(self, ms):
        self.at_ms = ms

    def play(self):
        self.started, self.playing = self.now(), True

    def pause(self):
        self.playing = False

    def position(self):
        if not self.playing:
            return self.at_ms
        return self.at_ms + (max(0.0, self.now() - self.started - 0.06) * 950) // 10 * 10


def play_through(qtbot, cost_s, n_frames=125, player=None):
    """Play a take of `n_frames` to its end (no loop) with a renderer of `cost_s` a frame; returns the
    controller, the renderer and [(fake time, frame shown)]."""
    now = FakeTime()
    session = Session()
    session.n_frames = n_frames
    frames = SimulatedRenderer(now, cost_s)
    pb = PlaybackController(session, frames, now=now)
    pb.fps, pb.loop = FPS, False
    if player is not None:
        pb.player, pb.audio_ok = player, True
    shown = []
    pb.frame_shown.connect(lambda f, rgb, lm: shown.append((now.t, f, int(rgb[0, 0, 0]))))
    pb.play()
    pb.timer.stop()  # the test is the timer
    while pb.playing and now.t < 80:
        now.t += 0.004
        frames.pump()
        pb._tick()
    return pb, frames, shown, now


def test_fast_rendering_shows_every_frame_on_time(qtbot):
    pb, _, shown, now = play_through(qtbot, cost_s=0.02)
    assert [f for _, f, _ in shown] == list(range(125))
    assert (pb.stats.shown, pb.stats.dropped) == (125, 0)
    assert pb.stats.max_offset_ms < 40
    assert now.t - 50.0 == pytest.approx(5.0, abs=0.01)  # 125 frames at 25 fps took 5 s


def test_slow_rendering_drops_frames_never_the_sound(qtbot):
    pb, frames, shown, now = play_through(qtbot, cost_s=0.1)  # 2.5 frames per render
    # the clock did not wait for the renderer: 125 frames still took 5 s
    assert now.t - 50.0 == pytest.approx(5.0, abs=0.01)
    assert pb.stats.shown + pb.stats.dropped == 125
    assert 40 <= pb.stats.shown <= 55 and pb.stats.dropped >= 70  # one render per 100 ms
    for t, f, pixel in shown:  # each frame shown inside its own slot, with its own pixels
        assert f / FPS - 1e-6 <= t - 50.0 < (f + 1) / FPS and pixel == f % 256
    assert [f for _, f, _ in shown] == sorted({f for _, f, _ in shown})  # never backwards
    # it rendered frames that would still be due, not the next one in line
    assert all(b - a >= 2 for a, b in zip(frames.requested, frames.requested[1:]))


def test_playback_follows_the_audio_device_not_the_wall_clock(qtbot):
    now = FakeTime()
    session = Session()
    session.n_frames = 100
    frames = SimulatedRenderer(now, 0.02)
    pb = PlaybackController(session, frames, now=now)
    pb.fps, pb.loop = FPS, False
    pb.player, pb.audio_ok = FakePlayer(now), True
    pb.play()
    pb.timer.stop()
    start = now.t
    for _ in range(500):  # 2 s of wall time
        now.t += 0.004
        frames.pump()
        pb._tick()
    assert pb.clock.follows_audio
    audio_s = pb.player.position() / 1000
    assert session.playhead == int(audio_s * FPS)  # locked to the sound (5% slow), not the wall
    assert session.playhead < int((now.t - start) * FPS) - 2
    assert pb.stats.dropped == 0


def test_a_loop_keeps_counting_and_stop_keeps_the_figures(qtbot):
    now = FakeTime()
    session = Session()
    session.n_frames = 50
    frames = SimulatedRenderer(now, 0.1)
    pb = PlaybackController(session, frames, now=now)
    pb.fps = FPS
    reports = []
    pb.stats_changed.connect(reports.append)
    pb.play()
    pb.timer.stop()
    for _ in range(int(3.0 / 0.004)):  # 3 s: the 2 s range and a second pass
        now.t += 0.004
        frames.pump()
        pb._tick()
    assert pb.playing and pb.stats.played >= 70  # counted across the loop
    pb.stop()
    assert reports[-1] is pb.stats and not pb.playing and pb.stats.dropped > 0


@pytest.fixture
def demo_window(make_window, demo_dir, tmp_path):
    shutil.copytree(demo_dir, tmp_path / "p")
    w = make_window()
    w.files.open_project(tmp_path / "p" / "demo.tfs")
    w.playback.audio_ok = False  # these tests drive the wall clock by hand, whatever sound device this machine has
    return w


def test_window_plays_512px_frames_and_shows_the_dropped_count(demo_window):
    w = demo_window
    now = FakeTime()
    w.playback.now = w.render_ahead.now = now  # rendering inline takes no time on the fake clock
    w.playback.loop = False
    w.session.set_playhead(10)
    start = now.t
    w.playback.play()
    w.playback.timer.stop()
    assert w.playback.paced and not w.playback.clock.follows_audio  # the wall clock
    assert "Pause" in w.actions_by_name["play"].iconText()
    for k in range(1, 31):  # 4 ms ticks for 3 frames; the synchronous renderer keeps up
        now.t = start + 0.004 * k
        w.playback._tick()
    assert w.viewer.frame == w.session.playhead == 13 and w.viewer.rgb.shape == (512, 512, 3)
    assert "0 dropped" in w.viewer.hud and not w.viewer.hud_alert
    assert np.array_equal(w.viewer.rgb, w.compute.preview_frame(w.document.take.copy(), w.document.path, 13, 512)[0])
    now.t += 0.2  # the GUI was held up for five frames: those are dropped, the clock went on
    w.playback._tick()
    assert w.session.playhead == 18 and w.viewer.frame == 18
    assert w.playback.stats.dropped == 4 and "4 dropped" in w.viewer.hud and w.viewer.hud_alert
    w.playback.stop()
    assert w.viewer.hud.startswith("Last play") and "4 dropped" in w.statusBar().currentMessage()
    assert "Play" in w.actions_by_name["play"].iconText()


def test_an_edit_while_playing_shows_while_it_plays(demo_window):
    from talkface_studio.core.commands import PaintEmotion

    w = demo_window
    now = FakeTime()
    w.playback.now = w.render_ahead.now = now  # rendering inline takes no time on the fake clock
    w.playback.play()
    w.playback.timer.stop()
    now.t += 0.04
    w.playback._tick()
    before = w.viewer.rgb.copy()
    w.document.push(PaintEmotion(w.document.take.name, 0, w.document.take.n_frames, "surprised", 3))
    for _ in range(100):  # 0.4 s in 4 ms ticks: frames of the new version render ahead and show
        now.t += 0.004
        w.playback._tick()
    frame = w.viewer.frame
    assert frame == w.session.playhead
    edited = w.compute.preview_frame(w.document.take.copy(), w.document.path, frame, 512, version=w.slicer.version)[0]
    assert np.array_equal(w.viewer.rgb, edited) and not np.array_equal(before, edited)


def test_scrubbing_the_ruler_plays_a_grain_of_the_sound_under_the_playhead(demo_window):
    from PySide6.QtCore import QEvent, QPointF

    from qt_input import mouse

    w = demo_window
    audio = w.playback.scrub_audio
    assert audio.samples is not None  # decoded with the waveform
    ruler = w.timeline.ruler
    x = ruler.mapping.x_of
    mouse(ruler, QEvent.MouseButtonPress, QPointF(x(40) + 0.5, 10))
    mouse(ruler, QEvent.MouseMove, QPointF(x(60) + 0.5, 10))
    frame, grain = audio.last_grain
    assert frame == w.session.playhead == 60
    from talkface_studio.ui.viewer.scrub_audio import scrub_grain

    assert np.array_equal(grain, scrub_grain(audio.samples, audio.rate, 60, w.playback.fps, audio.out_rate))
    assert np.abs(grain).max() > 0
    mouse(ruler, QEvent.MouseButtonRelease, QPointF(x(60) + 0.5, 10))
    w.playback.step(1)  # stepping a frame plays its grain too
    assert audio.last_grain[0] == 61
    wave = w.timeline.waveform  # and so does dragging the playhead along the waveform
    mouse(wave, QEvent.MouseButtonPress, QPointF(x(90) + 0.5, 20))
    mouse(wave, QEvent.MouseMove, QPointF(x(95) + 0.5, 20))
    mouse(wave, QEvent.MouseButtonRelease, QPointF(x(95) + 0.5, 20))
    assert audio.last_grain[0] == 95 and not wave.scrubbing
    w.session.set_playhead(120)  # a playhead moved otherwise (frame field, key jump) is silent
    assert audio.last_grain[0] == 95
