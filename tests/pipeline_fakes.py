"""Stand-ins for a take snapshot and a renderer, so pipeline tests run without the face/render rooms."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from talkface_studio.core.timebase import FrameRate
from talkface_studio.pipeline.frame_cache import image_hash


class FakeTake:
    """Duck-types TakeSnapshot: per-frame landmarks are a base face shifted by `offsets[t]` pixels."""

    def __init__(self, n_frames=50, rate=FrameRate(25), first_frame=0, audio_path=None, name="shot"):
        self.name = name
        self.rate = rate
        self.first_frame = first_frame
        self.n_frames = n_frames
        self.offsets = np.zeros(n_frames, dtype=np.float32)
        self.audio_path = audio_path
        self.audio_offset_s = 0.0
        rng = np.random.default_rng(0)
        self.base = (rng.random((478, 3)) * 64).astype(np.float32)
        self.portrait = SimpleNamespace(image=np.full((64, 64, 3), 90, np.uint8), landmarks=self.base)
        self.portrait_hash = image_hash(self.portrait.image)
        self.landmark_calls = []

    @property
    def last_frame(self):
        return self.first_frame + self.n_frames - 1

    def landmarks(self, start, stop, size):
        self.landmark_calls.append((start, stop))
        off = self.offsets[start - self.first_frame: stop - self.first_frame]
        return self.base[None] * (size / 64) + off[:, None, None]


class CountingRenderer:
    """Frame brightness encodes the landmark offset; `flash` offsets render pure white."""

    name = "counting"
    version = "1"

    def __init__(self):
        self.rendered = 0

    def render(self, portrait, landmarks_px, size):
        for lm in landmarks_px:
            self.rendered += 1
            shift = float(lm[:, 0].mean() - portrait.landmarks[:, 0].mean() * size / 64)
            value = 255 if shift >= 100 else int(round(shift)) % 200
            yield np.full((size, size, 3), value, np.uint8)
