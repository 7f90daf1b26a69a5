"""TakeAudio: the shown take's recording, decoded once per file and channel in a worker, for the
timeline's waveform (a peak pyramid), scrubbing (16-bit mono samples, ui.viewer.scrub_audio) and
playback: the channel the take analyses where it names one (written once as a WAV of its own for
the media player, which plays whole files), else the recording as it is."""

from __future__ import annotations

import tempfile
from pathlib import Path

from talkface_studio.ui import workers
from talkface_studio.ui.timeline.peaks import PeakPyramid
from talkface_studio.ui.viewer.scrub_audio import to_int16_mono


class TakeAudio:
    def __init__(self, waveform, scrub_audio, pool, show_error, synchronous: bool = False, parent=None,
                 on_channels=None, on_playback=None):
        self.waveform, self.scrub_audio, self.pool = waveform, scrub_audio, pool
        self.show_error, self.synchronous, self.parent = show_error, synchronous, parent
        self.on_channels = on_channels  # (count or None): how many channels the shown recording has
        self.on_playback = on_playback  # (path): a channel's own file for playback to play instead
        self._channel_files = tempfile.TemporaryDirectory(prefix="talkface-channels-")  # removed with us
        # (audio path, channel) -> (PeakPyramid, int16 mono samples, rate, the recording's channel count,
        # the channel's own WAV for playback or None)
        self.loaded: dict[tuple[str, int | None], tuple] = {}

    def forget(self, path: str) -> None:
        """A new recording was imported at `path`: decode it again."""
        for key in [k for k in self.loaded if k[0] == path]:
            del self.loaded[key]

    def show(self, path, fps: float, channel: int | None = None) -> None:
        """Waveform and scrub samples of the recording at `path` (None: no recording), of its
        `channel` alone (from 1) where one is given."""
        if path is None:
            self.waveform.set_audio(None, 24.0)
            self.scrub_audio.set_clip(None, 0)
            self._tell(None)
            return
        key = (str(path), channel)
        if key in self.loaded:
            self._apply(self.loaded[key], fps)
            return

        def work(progress, cancel):
            from talkface_studio.audio.loading import load_audio
            from talkface_studio.core.errors import MediaError

            whole = clip = load_audio(path)
            problem, alone = None, None
            try:
                clip = whole.only_channel(channel)
            except MediaError as exc:  # a channel the file lacks: the mix is drawn, the status line says why
                problem = str(exc)
            int16 = to_int16_mono(clip.samples)
            if clip is not whole:
                alone = self._channel_file(int16, clip.sample_rate)
            return (PeakPyramid(clip.samples, clip.sample_rate), int16, clip.sample_rate, whole.n_channels,
                    alone), problem

        def done(result):
            loaded, problem = result
            if problem is None:
                self.loaded[key] = loaded
            self._apply(loaded, fps)
            if problem is not None:
                self.show_error(problem)

        workers.submit(self.pool, work, on_done=done, on_error=lambda m, t: self.show_error(m),
                       synchronous=self.synchronous, parent=self.parent)

    def _apply(self, loaded, fps: float) -> None:
        peaks, samples, rate, channels, alone = loaded
        self.waveform.set_audio(peaks, fps)
        self.scrub_audio.set_clip(samples, rate)
        self._tell(channels)
        if alone is not None and self.on_playback is not None:
            self.on_playback(alone)

    def _channel_file(self, int16, rate: int) -> Path:
        import uuid

        import soundfile as sf

        path = Path(self._channel_files.name) / f"{uuid.uuid4().hex}.wav"  # a folder of our own: no clash
        sf.write(path, int16, rate, subtype="PCM_16")
        return path

    def _tell(self, channels: int | None) -> None:
        if self.on_channels is not None:
            self.on_channels(channels)
