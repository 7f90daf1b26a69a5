"""Scrub audio: while the playhead is dragged or stepped, a short grain of the recording at that frame
plays at once, as in Maya, Blender or an NLE. Each grain is cut from the decoded recording (kept in
memory as 16-bit mono) and written straight to a QAudioSink; a new grain replaces one still playing,
so a fast drag never queues sound behind the picture. QMediaPlayer seeks (tens of ms, more on long
files) are not used for this.

`scrub_grain` is plain numpy (tested without a device). With no output device nothing plays, and the
last grain is still kept (`last_grain`) for the tests.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject

from talkface_studio.audio.downmix import to_mono

GRAIN_S = 0.08  # a frame and a bit at 24-30 fps: enough to hear the phone under the playhead
FADE_S = 0.004  # no clicks at the grain's edges


def to_int16_mono(samples: np.ndarray) -> np.ndarray:
    """float [N] or [N, C] in -1..1 -> int16 [N] (the form kept for scrubbing: 2 bytes a sample)."""
    x = to_mono(samples)
    return (np.clip(x, -1.0, 1.0) * 32767.0).astype(np.int16)


def scrub_grain(samples: np.ndarray, rate: int, frame: int, fps: float, out_rate: int,
                grain_s: float = GRAIN_S, fade_s: float = FADE_S) -> np.ndarray:
    """int16 [round(grain_s * out_rate)]: the recording from the start of `frame`, faded in and out,
    resampled to the output's rate; silence past the end of the recording."""
    start = int(round(frame / fps * rate))
    n_in = max(1, int(round(grain_s * rate)))
    piece = np.zeros(n_in, np.float32)
    if 0 <= start < len(samples):
        got = samples[start:start + n_in].astype(np.float32)
        piece[:len(got)] = got
    n_out = max(1, int(round(grain_s * out_rate)))
    if out_rate != rate:
        piece = np.interp(np.arange(n_out) * (rate / out_rate), np.arange(n_in), piece).astype(np.float32)
    fade = min(int(round(fade_s * out_rate)), n_out // 2)
    if fade > 0:
        ramp = np.linspace(0.0, 1.0, fade, endpoint=False, dtype=np.float32)
        piece[:fade] *= ramp
        piece[n_out - fade:] *= ramp[::-1]
    return np.clip(np.round(piece), -32768, 32767).astype(np.int16)


class ScrubAudio(QObject):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.samples: np.ndarray | None = None  # int16 mono
        self.rate = 0
        self.last_grain: tuple[int, np.ndarray] | None = None  # (frame, int16 samples at out_rate)
        self.out_rate = 48000
        self.channels = 1
        self._sink = None
        self._io = None
        self._opened = False

    def set_clip(self, samples: np.ndarray | None, rate: int) -> None:
        """The shown take's recording (int16 mono, see to_int16_mono), or None."""
        self.samples, self.rate = samples, int(rate)
        self.last_grain = None

    def _open(self) -> None:
        """The default output as a push-mode QAudioSink, once; nothing when there is no device."""
        self._opened = True
        try:
            from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices

            if not QMediaDevices.audioOutputs():
                return
            device = QMediaDevices.defaultAudioOutput()
            fmt = device.preferredFormat()
            fmt.setSampleFormat(QAudioFormat.Int16)
            fmt.setChannelCount(1)
            if not device.isFormatSupported(fmt):
                fmt.setChannelCount(2)
            self.out_rate, self.channels = fmt.sampleRate(), fmt.channelCount()
            self._sink = QAudioSink(device, fmt, self)
        except Exception:  # noqa: BLE001 - a broken multimedia backend must not break scrubbing
            self._sink = None

    def play_frame(self, frame: int, fps: float) -> None:
        if self.samples is None or self.rate <= 0:
            return
        if not self._opened:
            self._open()
        grain = scrub_grain(self.samples, self.rate, frame, fps, self.out_rate)
        self.last_grain = (int(frame), grain)
        if self._sink is None:
            return
        if self.channels == 2:
            grain = np.repeat(grain, 2)
        try:
            self._sink.stop()  # a grain still playing is replaced, never queued behind
            self._io = self._sink.start()
            self._io.write(grain.tobytes())
        except Exception:  # noqa: BLE001
            self._sink = None

    def stop(self) -> None:
        if self._sink is not None:
            try:
                self._sink.stop()
            except Exception:  # noqa: BLE001
                self._sink = None
