"""PlaybackController: plays the take at its frame rate with its audio (QtMultimedia), shuttles with
J/K/L, steps frames, and plays a grain of audio while scrubbing (ui.viewer.scrub_audio).

Forward playback is paced by a clock, never by how fast frames render: at 1x the clock is the audio
device's position (playback_clock.AudioClock), otherwise, and with no audio device (CI, Xvfb, render
nodes), the monotonic wall clock. Every tick asks the FramePacer which frame is due; a frame that is
not rendered by the end of its slot is dropped (counted, shown in the viewer) and the sound goes on.
Frames render ahead of the clock in a worker (`frames`: ui.viewer.render_ahead.RenderAhead) into the
preview cache. Reverse shuttle moves the playhead on the wall clock and the preview follows it.

`now` and `clock_for` are injectable so tests drive playback with a fake clock, tick by tick.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, QUrl, Qt, Signal

from .frame_pacer import FramePacer, PlaybackStats
from .playback_clock import AudioClock, WallClock
from .scrub_audio import ScrubAudio

TICK_MS = 4  # how often the clock is read: a frame is on screen at most ~4 ms into its slot


class PlaybackController(QObject):
    state_changed = Signal(bool)  # playing?
    frame_shown = Signal(int, object, object)  # frame, rgb, landmarks: paced playback puts it on screen
    stats_changed = Signal(object)  # PlaybackStats of the current (or last) playback

    def __init__(self, session, frames=None, parent=None, now=time.monotonic):
        super().__init__(parent)
        self.session = session
        self.frames = frames  # RenderAhead (ready, busy, render, cost_s); None: the window previews
        self.can_pace = lambda: True  # the window: False while the take cannot be previewed (no portrait)
        self.now = now
        self.fps = 24.0
        self.speed = 0.0  # frames of media per frame of wall time; 0 = stopped, negative = reverse
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.clock: WallClock | AudioClock | None = None
        self.pacer: FramePacer | None = None
        self.stats: PlaybackStats | None = None  # kept after stop (the viewer's HUD shows it)
        self.player = None
        self.audio_out = None
        self.audio_ok = False
        self.media_path = None  # the file playback plays (the recording, or its analysed channel alone)
        self.scrub_audio = ScrubAudio(self)
        self.loop = True
        if hasattr(frames, "rendered"):
            frames.rendered.connect(self._frame_arrived)

    # -- audio -------------------------------------------------------------------------------------
    def set_media(self, audio_path, fps: float) -> None:
        self.stop()
        self.fps = fps
        self.audio_ok = False
        self.stats = None
        self.stats_changed.emit(None)  # another take: the last playback's figures were not its own
        self.media_path = audio_path
        if audio_path is None:
            return
        try:
            from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer

            if not QMediaDevices.audioOutputs():
                return  # no device: the picture plays on the wall clock, silently
            if self.player is None:
                self.player = QMediaPlayer(self)
                self.audio_out = QAudioOutput(self)
                self.player.setAudioOutput(self.audio_out)
            self.player.setSource(QUrl.fromLocalFile(str(audio_path)))
            self.audio_ok = True
        except Exception:  # noqa: BLE001 - a broken multimedia backend must not break the app
            self.player, self.audio_ok = None, False

    def _audio_at(self, frame: int, play: bool) -> None:
        if not self.audio_ok or self.player is None:
            return
        try:
            self.player.setPosition(int(round(frame / self.fps * 1000)))
            if play:
                self.player.play()
        except Exception:  # noqa: BLE001
            self.audio_ok = False

    def _pause_audio(self) -> None:
        if self.audio_ok and self.player is not None:
            self.player.pause()

    def stop_scrub_audio(self) -> None:
        """The playhead drag ended: silence the grain."""
        self.scrub_audio.stop()

    def scrub(self, frame: int) -> None:
        """A grain of audio at `frame` (the playhead is dragged or stepped)."""
        if not self.playing:
            self.scrub_audio.play_frame(frame, self.fps)

    def clock_for(self, speed: float):
        """The audio device's clock at 1x when sound plays, else the wall clock."""
        if speed == 1.0 and self.audio_ok and self.player is not None:
            return AudioClock(self.player.position, self.now)
        return WallClock(self.now)

    # -- transport ---------------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self.speed != 0.0

    @property
    def paced(self) -> bool:
        """Frames come from playback itself (forward play with a frame source), not the preview."""
        return self.pacer is not None

    def play(self, speed: float = 1.0) -> None:
        self._start(speed, count_afresh=not self.playing)

    def _start(self, speed: float, count_afresh: bool) -> None:
        """Run the clock from the playhead; a loop or a new shuttle speed keeps counting drops."""
        lo, hi = self.session.play_range()
        if speed > 0 and self.session.playhead >= hi - 1:
            self.session.set_playhead(lo)
        if self.pacer is not None:
            self.pacer.finish()
        self.speed = speed
        self.clock = self.clock_for(speed)
        start = self.session.playhead
        self.scrub_audio.stop()
        self.clock.start(start / self.fps, speed)
        if speed == 1.0:
            self._audio_at(start, True)
        else:
            self._pause_audio()
        if speed > 0 and self.frames is not None and self.can_pace():
            if self.stats is None or count_afresh:
                self.stats = PlaybackStats(fps=self.fps)
            self.pacer = FramePacer(self.fps, lo, hi, loop=self.loop)
            self.pacer.stats = self.stats
            self.pacer.start(start)
        else:
            self.pacer = None
        self.timer.start()
        self.state_changed.emit(True)
        if self.pacer is not None:
            self._tick()  # the frame under the playhead is (usually) at hand: on screen in its slot

    def stop(self) -> None:
        was = self.playing
        self.speed = 0.0
        self.timer.stop()
        self._pause_audio()
        if self.pacer is not None:
            self.pacer.finish()
            self.pacer = None
            self.stats_changed.emit(self.stats)
        if was:
            self.state_changed.emit(False)

    def toggle(self) -> None:
        self.stop() if self.playing else self.play(1.0)

    def shuttle(self, direction: int) -> None:
        """J (-1) / K (0) / L (+1): pressing again in the same direction doubles the speed (max 8x)."""
        if direction == 0:
            self.stop()
            return
        if self.speed and (self.speed > 0) == (direction > 0):
            self.play(max(-8.0, min(8.0, self.speed * 2)))
        else:
            self.play(float(direction))

    def step(self, frames: int) -> None:
        self.stop()
        self.session.set_playhead(self.session.playhead + frames)
        self.scrub(self.session.playhead)

    def home(self) -> None:
        self.stop()
        self.session.set_playhead(self.session.play_range()[0])

    def end(self) -> None:
        self.stop()
        self.session.set_playhead(self.session.play_range()[1] - 1)

    # -- the clock's tick ----------------------------------------------------------------------------
    def _tick(self) -> None:
        lo, hi = self.session.play_range()
        t = self.clock.position()
        frame = int(t * self.fps + 1e-6)
        if frame >= hi or frame < lo:
            self._at_range_end(frame, lo, hi)
            return
        self.session.set_playhead(frame)  # the playhead follows the clock, shown frame or not
        if self.pacer is not None:
            if getattr(self.clock, "sound_began", lambda: False)():
                self.pacer.skip_to(t)
            self._present(t)

    def _present(self, t: float) -> None:
        frames, pacer = self.frames, self.pacer
        before = (self.stats.shown, self.stats.dropped)
        shown = pacer.advance(t, lambda f: frames.ready(f) is not None)
        if shown is not None:
            self.frame_shown.emit(shown, *frames.ready(shown))
        if not frames.busy():
            wanted = pacer.next_to_render(t, frames.cost_s, lambda f: frames.ready(f) is not None)
            if wanted is not None:
                frames.render(wanted)
        if (self.stats.shown, self.stats.dropped) != before:
            self.stats_changed.emit(self.stats)

    def _frame_arrived(self, frame: int) -> None:
        """A frame landed from the worker: on screen now if its slot is under way, not at the next tick."""
        if self.pacer is not None and self.playing:
            self._tick()

    def _at_range_end(self, frame: int, lo: int, hi: int) -> None:
        if self.pacer is not None and frame >= hi:
            self.pacer.finish(last=hi - 1)
        if self.loop and self.speed > 0:
            self.session.set_playhead(lo)
            self._start(self.speed, count_afresh=False)
            return
        self.session.set_playhead(min(max(frame, lo), hi - 1))
        self.stop()
