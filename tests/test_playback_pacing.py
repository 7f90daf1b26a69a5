"""Playback's clocks, frame pacing and scrub grains, driven by fake times (no Qt event loop, no device,
no timing asserts): which frame is due, which are dropped, and that the picture follows the audio."""

import numpy as np
import pytest

from talkface_studio.ui.viewer.frame_pacer import FramePacer
from talkface_studio.ui.viewer.playback_clock import AUDIO_START_WAIT_S, AudioClock, WallClock

pytest.importorskip("PySide6")
from talkface_studio.ui.viewer.scrub_audio import scrub_grain, to_int16_mono  # noqa: E402


class FakeTime:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


class SteppingPlayer:
    """An audio device that reports its position in 20 ms steps, starting `latency` s after play."""

    def __init__(self, now, latency=0.1, rate=1.0, step_ms=20):
        self.now, self.latency, self.rate, self.step_ms = now, latency, rate, step_ms
        self.started_at = None
        self.pos_ms = 0.0

    def play(self, at_ms):
        self.started_at, self.pos_ms = self.now(), at_ms

    def position(self):
        if self.started_at is None:
            return self.pos_ms
        played = max(0.0, self.now() - self.started_at - self.latency) * 1000 * self.rate
        return self.pos_ms + played // self.step_ms * self.step_ms


def started_clock(player, start_s):
    """An AudioClock on `player`'s position, started at `start_s` as the player starts playing there."""
    clock = AudioClock(player.position, player.now)
    clock.start(start_s)
    player.play(start_s * 1000)
    return clock


def ticks(now, n, dt):
    """Fake time moving on: yields now.t n times, advancing it by dt after each tick's work."""
    for _ in range(n):
        yield now.t
        now.t += dt


def test_wall_clock_runs_from_the_start_position_at_its_speed():
    now = FakeTime()
    clock = WallClock(now)
    clock.start(2.0, speed=2.0)
    now.t += 0.5
    assert clock.position() == pytest.approx(3.0)
    assert not clock.follows_audio


def test_audio_clock_waits_for_the_sound_then_follows_it_smoothly_and_never_goes_back():
    now = FakeTime()
    clock = started_clock(SteppingPlayer(now, latency=0.1), 1.0)
    seen = [clock.position() for _ in ticks(now, 100, 0.005)]  # 0.5 s in 5 ms ticks
    assert seen[:20] == [1.0] * 20  # the device had not begun: the picture waits on the first frame
    assert all(b >= a for a, b in zip(seen, seen[1:]))  # monotonic
    # between the device's 20 ms reports the time still moves (interpolated), and stays on the audio
    assert len(set(seen[40:])) > 40
    truth = 1.0 + (now.t - 0.005 - (100.0 + 0.1))
    assert seen[-1] == pytest.approx(truth, abs=0.021)
    assert clock.follows_audio


def test_audio_clock_waits_for_a_device_waking_from_suspend_and_never_runs_ahead_of_its_sound():
    # QtMultimedia on a suspended PulseAudio sink began the sound 1.1 s after play() (measured): the
    # picture must wait on the first frame with the sound, not run ahead and then freeze.
    now = FakeTime()
    clock = started_clock(SteppingPlayer(now, latency=1.1), 0.0)
    start = now.t
    # 3 s in 5 ms ticks: the picture against where the sound is
    ahead = [clock.position() - max(0.0, t - start - 1.1) for t in ticks(now, 600, 0.005)]
    assert clock.follows_audio
    assert max(ahead) <= 0.021  # never ahead of the sound by more than one 20 ms report


class LateSeenPlayer:
    """QtMultimedia's FFmpeg backend: the position moves in 93 ms steps, and the GUI thread sees each
    step 0-70 ms late (a busy event loop: 55 ms seen in the app, 2026-12-02)."""

    def __init__(self, now, seed=0):
        rng = np.random.default_rng(seed)
        self.now, self.started_at = now, None
        self.delays = rng.uniform(0.0, 0.070, 1000)

    def play(self, at_ms):
        self.started_at = self.now()

    def position(self):
        t = self.now() - self.started_at
        k = int(t / 0.093)
        while k > 0 and t < k * 0.093 + self.delays[k]:  # this step not seen yet
            k -= 1
        return k * 93.0


def test_audio_clock_moves_smoothly_on_coarse_reports_seen_late():
    # snapping to each report made the picture jump over a frame every few seconds (a fully cached
    # take played through a PulseAudio device dropped 4 of 200 frames, 2026-12-02)
    for seed in range(3):
        now = FakeTime()
        clock = started_clock(LateSeenPlayer(now, seed), 0.0)
        start = now.t
        pacer = FramePacer(25, 0, 250)
        pacer.start(0)
        behind = []
        for wall in ticks(now, 2500, 0.004):  # 10 s in 4 ms ticks, every frame at hand (as PlaybackController._tick)
            t = clock.position()
            if clock.sound_began():
                pacer.skip_to(t)
            pacer.advance(t, lambda f: True)
            if t > 0.0:
                behind.append((wall - start) - t)
        assert pacer.stats.dropped == 0 and pacer.stats.shown >= 248  # frame 0, then every frame from the first report on
        assert max(behind) < 0.075 and min(behind) > -0.005  # never ahead of the sound; behind by less than a late report


def test_audio_clock_follows_a_device_that_runs_slow():
    now = FakeTime()
    clock = started_clock(SteppingPlayer(now, latency=0.0, rate=0.9), 0.0)  # a device clock 10% slower than the wall
    t = [clock.position() for _ in ticks(now, 801, 0.005)][-1]  # read at 0, 5 ms, ... 4 s
    assert t == pytest.approx(0.9 * 4.0, abs=0.03)  # 4 s of wall time, 3.6 s of sound: the picture follows the sound


def test_audio_clock_falls_back_to_the_wall_clock_when_the_device_never_plays():
    now = FakeTime()
    clock = AudioClock(lambda: 0.0, now)
    clock.start(0.0)
    now.t += AUDIO_START_WAIT_S + 0.01
    assert clock.position() == 0.0 and not clock.follows_audio
    now.t += 1.0
    assert clock.position() == pytest.approx(1.0)


def test_pacer_shows_a_frame_only_in_its_own_slot_and_counts_every_slot_once():
    pacer = FramePacer(25, 0, 100)
    pacer.start(0)
    ready = {0, 1, 5}
    assert pacer.advance(0.001, ready.__contains__) == 0
    assert pacer.advance(0.030, ready.__contains__) is None  # already on screen
    assert pacer.advance(0.041, ready.__contains__) == 1
    assert pacer.advance(0.090, ready.__contains__) is None  # frame 2 not rendered: 1 stays up
    assert pacer.advance(0.205, ready.__contains__) == 5  # 2, 3, 4 passed without being shown
    assert (pacer.stats.shown, pacer.stats.dropped) == (3, 3)
    assert pacer.stats.max_offset_ms == pytest.approx(5.0)
    pacer.finish()  # stopping inside frame 5's slot: nothing more counted
    assert pacer.stats.played == 6
    pacer.start(10)
    pacer.finish(last=12)  # the range ended: 10, 11, 12 never came
    assert pacer.stats.dropped == 6


def test_pacer_renders_ahead_to_the_frame_due_when_the_render_lands():
    pacer = FramePacer(25, 0, 1000)
    pacer.start(0)
    cached = set()
    assert pacer.next_to_render(0.0, 0.0, cached.__contains__) == 0
    assert pacer.next_to_render(0.0, 0.02, cached.__contains__) == 1  # lands 25 ms in: frame 1 is the next on time
    assert pacer.next_to_render(0.0, 0.10, cached.__contains__) == 4  # lands at 0.125 s: frame 4 starts after
    cached.update(range(0, 30))
    assert pacer.next_to_render(0.0, 0.02, cached.__contains__) is None  # 0.5 s ahead already at hand
    assert pacer.next_to_render(0.9, 0.02, cached.__contains__) == 30
    assert pacer.next_to_render(1.0, 0.02, cached.__contains__) == 30  # the frame due now, not on screen yet
    end = FramePacer(25, 0, 10)
    assert end.next_to_render(0.39, 0.02, lambda f: False) is None  # nothing past the range
    looping = FramePacer(25, 4, 10, loop=True)  # near the end of a looped range: its first frames next
    assert looping.next_to_render(0.39, 0.02, lambda f: f == 4) == 5


def test_scrub_grain_is_the_sound_at_the_frame_faded_and_resampled():
    rate, fps = 16000, 25
    t = np.arange(rate * 2) / rate
    # each frame of the recording has its own level, so a grain says where it was cut
    level = np.floor(t * fps) / 100.0
    samples = to_int16_mono(np.stack([level, level], axis=1))
    grain = scrub_grain(samples, rate, frame=30, fps=fps, out_rate=48000)
    assert grain.dtype == np.int16 and len(grain) == round(0.08 * 48000)
    middle = grain[len(grain) // 8: len(grain) // 4]  # inside frame 30's 40 ms, past the fade-in
    assert np.allclose(middle, 0.30 * 32767, atol=40)
    assert abs(int(grain[0])) < 200 and abs(int(grain[-1])) < 400  # faded: no click
    past_end = scrub_grain(samples, rate, frame=60, fps=fps, out_rate=48000)
    assert not past_end.any()
