"""TakeAudio: the shown take's recording, decoded once per file in a worker, for the timeline's
waveform (a peak pyramid) and for scrubbing (16-bit mono samples, ui.viewer.scrub_audio)."""

from __future__ import annotations

from talkface_studio.ui import workers
from talkface_studio.ui.timeline.peaks import PeakPyramid
from talkface_studio.ui.viewer.scrub_audio import to_int16_mono


class TakeAudio:
    def __init__(self, waveform, scrub_audio, pool, show_error, synchronous: bool = False, parent=None):
        self.waveform, self.scrub_audio, self.pool = waveform, scrub_audio, pool
        self.show_error, self.synchronous, self.parent = show_error, synchronous, parent
        self.loaded: dict[str, tuple] = {}  # audio path -> (PeakPyramid, int16 mono samples, rate)

    def forget(self, path: str) -> None:
        """A new recording was imported at `path`: decode it again."""
        self.loaded.pop(path, None)

    def show(self, path, fps: float) -> None:
        """Waveform and scrub samples of the recording at `path` (None: no recording)."""
        if path is None:
            self.waveform.set_audio(None, 24.0)
            self.scrub_audio.set_clip(None, 0)
            return
        key = str(path)
        if key in self.loaded:
            self._apply(self.loaded[key], fps)
            return

        def work(progress, cancel):
            from talkface_studio.audio.loading import load_audio

            clip = load_audio(path)
            return PeakPyramid(clip.samples, clip.sample_rate), to_int16_mono(clip.samples), clip.sample_rate

        def done(loaded):
            self.loaded[key] = loaded
            self._apply(loaded, fps)

        workers.submit(self.pool, work, on_done=done, on_error=lambda m, t: self.show_error(m),
                       synchronous=self.synchronous, parent=self.parent)

    def _apply(self, loaded, fps: float) -> None:
        peaks, samples, rate = loaded
        self.waveform.set_audio(peaks, fps)
        self.scrub_audio.set_clip(samples, rate)
