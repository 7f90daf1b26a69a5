"""The clocks playback follows: the audio device's position when sound plays, the monotonic wall
clock otherwise (no output device: CI, Xvfb, render nodes; shuttle speeds; a device that never
starts). Plain Python with an injectable `now` so the tests drive them with a fake time.

Media time is seconds into the take's audio (take frame f starts at f / fps).
"""

from __future__ import annotations

import time
from collections.abc import Callable

# How long the picture waits for the audio device to report its first position after Play before it
# gives up on the device and runs on the wall clock (a device that opens but never plays). A device
# that wakes from power saving can take seconds: QtMultimedia 6.11 on a suspended PulseAudio sink
# began the sound 0.5-2 s after play() (measured 2026-12-02); a picture that ran ahead on the wall
# clock meanwhile showed half a second of speech before the sound, then froze until it caught up.
AUDIO_START_WAIT_S = 2.5
# A device report below the clock moves it this share of the way (it may only have been seen late);
# one further off than SNAP_S (a stall, a seek) is taken whole.
LATE_REPORT_WEIGHT = 0.2
SNAP_S = 0.25


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

    A player reports its position in steps (one per audio buffer: 93 ms on QtMultimedia's FFmpeg
    backend), and a report is seen only at the next tick of a busy GUI thread, up to tens of ms late.
    So media time is the wall clock plus an offset (`_offset`) that the reports correct: a report seen
    late says the sound is earlier than it is, one seen at once is the truth, so a report above the
    offset is taken at once and one below pulls it down only a fifth of the way (a slow device still
    wins within a few reports); a report more than SNAP_S away (a stall, a seek) is taken whole.
    Snapping to every report instead made the picture jump a frame every few seconds, counted as
    dropped frames on a fully cached take. The picture never goes back in time: a report behind it
    holds the picture until the audio catches up. Until the device reports a first position after
    start() the picture waits on the first frame (the sound has not begun); after AUDIO_START_WAIT_S
    without one it runs on the wall clock (`follows_audio` False), and so it does past the end of the
    recording.
    """

    def __init__(self, read_ms: Callable[[], float], now: Callable[[], float] = time.monotonic):
        self.read_ms = read_ms
        self.now = now
        self._start_ms = 0.0
        self._t0 = 0.0
        self._offset: float | None = None  # media s minus wall s, from the reports
        self._last_ms: float | None = None
        self._shown = 0.0
        self.fell_back = False
        self._waited_out = False
        self._began = False

    @property
    def follows_audio(self) -> bool:
        return not self.fell_back

    def start(self, position_s: float, speed: float = 1.0) -> None:
        self._t0 = self.now()
        self._start_ms = position_s * 1000.0
        self._last_ms = None
        self._offset = None
        self._shown = float(position_s)
        self.fell_back = False
        self._waited_out = False  # the picture gave up waiting and ran on the wall clock
        self._began = False

    def sound_began(self) -> bool:
        """True once, at the first report of a sound that began while the picture waited for it: the
        picture moves from the first frame to where the sound already is (one report in, ~93 ms), and
        the frames in between were skipped by the sound's start, not dropped by rendering."""
        began, self._began = self._began, False
        return began

    def position(self) -> float:
        now = self.now()
        ms = float(self.read_ms())
        if self._last_ms is None:
            # the seek may not have landed yet: a report counts once it moved on from the start
            # position (one from before the seek, elsewhere in the file, is not the sound we started)
            if self._start_ms + 0.5 < ms < self._start_ms + 1000.0 * (AUDIO_START_WAIT_S + 0.5):
                self._last_ms = ms
                self._offset = ms / 1000.0 - now
                self.fell_back = False
                self._began = not self._waited_out
        elif ms != self._last_ms:
            self._last_ms = ms
            seen = ms / 1000.0 - now
            error = seen - self._offset
            if error > 0 or error < -SNAP_S:
                self._offset = seen
            else:
                self._offset += error * LATE_REPORT_WEIGHT
        if self._offset is None:
            if now - self._t0 < AUDIO_START_WAIT_S:
                return self._shown  # waiting for the sound to begin
            self.fell_back = True  # a late device still takes over when it reports
            self._waited_out = True
            self._offset = self._start_ms / 1000.0 - now
        self._shown = max(self._shown, now + self._offset)
        return self._shown
