"""The clocks playback follows: the audio device's position when sound plays, the monotonic wall
clock otherwise (no output device: CI, Xvfb, render nodes; shuttle speeds; a device that never
starts). Plain Python with an injectable `now` so the tests drive them with a fake time.

Media time is seconds into the take's audio (take frame f starts at f / fps).
"""

from __future__ import annotations

import time
from collections.abc import Callable

# How long the picture waits for the audio device to report its first position after Play before it
# gives up on the device and runs on the wall clock (a device that opens but never plays).
AUDIO_START_WAIT_S = 0.5


class WallClock:
    """Media time = where play started + elapsed monotonic time x speed."""

    def __init__(self, now: Callable[[], float] = time.monotonic):
        self.now = now
        self.speed = 1.0
        self._t0 = 0.0
        self._p0 = 0.0

    @property
    def follows_audio(self) -> bool:
        return False

    def start(self, position_s: float, speed: float = 1.0) -> None:
        self._t0, self._p0, self.speed = self.now(), float(position_s), float(speed)

    def position(self) -> float:
        return self._p0 + (self.now() - self._t0) * self.speed


class AudioClock:
    """Media time read from the audio output (`read_ms()`: QMediaPlayer.position()).

    A player reports its position in steps (one per audio buffer, tens of ms); between two reports the
    time runs on from the last one on the wall clock, so frames are due smoothly. The picture never
    goes back in time: a report a little behind the extrapolation holds the picture until the audio
    catches up. Until the device reports a first position after start() the picture waits on the
    first frame (the sound has not begun); after AUDIO_START_WAIT_S without one it runs on the wall
    clock (`follows_audio` False), and so it does past the end of the recording.
    """

    def __init__(self, read_ms: Callable[[], float], now: Callable[[], float] = time.monotonic):
        self.read_ms = read_ms
        self.now = now
        self._start_ms = 0.0
        self._t0 = 0.0
        self._anchor: tuple[float, float] | None = None  # (media s, wall s) of the last new report
        self._last_ms: float | None = None
        self._shown = 0.0
        self.fell_back = False

    @property
    def follows_audio(self) -> bool:
        return not self.fell_back

    def start(self, position_s: float, speed: float = 1.0) -> None:
        self._t0 = self.now()
        self._start_ms = position_s * 1000.0
        self._last_ms = None
        self._anchor = None
        self._shown = float(position_s)
        self.fell_back = False

    def position(self) -> float:
        now = self.now()
        ms = float(self.read_ms())
        if self._last_ms is None:
            # the seek may not have landed yet: a report counts once it moved on from the start
            # position (one from before the seek, elsewhere in the file, is not the sound we started)
            if self._start_ms + 0.5 < ms < self._start_ms + 1000.0 * (AUDIO_START_WAIT_S + 0.5):
                self._last_ms = ms
                self._anchor = (ms / 1000.0, now)
                self.fell_back = False
        elif ms != self._last_ms:
            self._last_ms = ms
            self._anchor = (ms / 1000.0, now)
        if self._anchor is None:
            if now - self._t0 < AUDIO_START_WAIT_S:
                return self._shown  # waiting for the sound to begin
            self.fell_back = True  # a late device still takes over when it reports
            self._anchor = (self._start_ms / 1000.0, now)
        media_s, at = self._anchor
        self._shown = max(self._shown, media_s + (now - at))
        return self._shown
