"""PlaybackController: plays the take in real time with its audio (QtMultimedia), shuttles with
J/K/L, steps frames, and plays a short grain of audio while scrubbing.

With no audio device (render nodes, CI, a headless session) the picture still plays on the wall
clock; audio problems never stop playback. Forward playback at 1x follows the audio clock so lips
stay in sync; shuttle speeds and reverse follow the wall clock.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, QUrl, Signal

SCRUB_GRAIN_MS = 90


class PlaybackController(QObject):
    state_changed = Signal(bool)  # playing?

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.fps = 24.0
        self.speed = 0.0  # frames of media per frame of wall time; 0 = stopped, negative = reverse
        self.timer = QTimer(self)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self._t0 = 0.0
        self._f0 = 0
        self.player = None
        self.audio_out = None
        self.audio_ok = False
        self._grain = QTimer(self)
        self._grain.setSingleShot(True)
        self._grain.timeout.connect(self.stop_scrub_audio)
        self.loop = True

    # -- audio -------------------------------------------------------------------------------------
    def set_media(self, audio_path, fps: float) -> None:
        self.stop()
        self.fps = fps
        self.audio_ok = False
        if audio_path is None:
            return
        try:
            from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer

            if not QMediaDevices.audioOutputs():
                return  # no device: silent playback
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
            self.player.setPosition(int(frame / self.fps * 1000))
            if play:
                self.player.play()
        except Exception:  # noqa: BLE001
            self.audio_ok = False

    def stop_scrub_audio(self) -> None:
        """End a grain of scrub audio (the playhead drag stopped, or the grain's time is up)."""
        if self.audio_ok and self.player is not None:
            self.player.pause()

    def scrub(self, frame: int) -> None:
        """A grain of audio at `frame` while the playhead is dragged."""
        if self.playing:
            return
        self._audio_at(frame, True)
        self._grain.start(SCRUB_GRAIN_MS)

    # -- transport ---------------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self.speed != 0.0

    def play(self, speed: float = 1.0) -> None:
        lo, hi = self.session.play_range()
        if speed > 0 and self.session.playhead >= hi - 1:
            self.session.set_playhead(lo)
        self.speed = speed
        self._t0, self._f0 = time.monotonic(), self.session.playhead
        self._audio_at(self._f0, speed == 1.0)
        if speed != 1.0:
            self.stop_scrub_audio()
        self.timer.start()
        self.state_changed.emit(True)

    def stop(self) -> None:
        was = self.playing
        self.speed = 0.0
        self.timer.stop()
        self.stop_scrub_audio()
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

    def _tick(self) -> None:
        lo, hi = self.session.play_range()
        if self.speed == 1.0 and self.audio_ok and self.player is not None and self.player.isPlaying():
            frame = int(self.player.position() / 1000 * self.fps)
        else:
            frame = self._f0 + int((time.monotonic() - self._t0) * self.fps * self.speed)
        if frame >= hi or frame < lo:
            if self.loop and self.speed > 0:
                self.session.set_playhead(lo)
                self.play(self.speed)
                return
            self.session.set_playhead(min(max(frame, lo), hi - 1))
            self.stop()
            return
        self.session.set_playhead(frame)
