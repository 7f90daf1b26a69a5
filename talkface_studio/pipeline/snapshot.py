"""An immutable, renderer-ready picture of one take: what a job (GUI, CLI or farm task) needs.

Everything here is small per frame (478 points and a few channels); image landmarks are computed
per chunk on demand so even a long take never holds a whole take's frames or landmarks at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.timebase import FrameRate

# channels relocation reads; the rest act through the expression landmarks (blendshape edits)
POSE_CHANNELS = ("head_yaw", "head_pitch", "head_roll", "gaze_yaw", "gaze_pitch", "blink")


def _frozen(a: np.ndarray, dtype=np.float32) -> np.ndarray:
    a = np.array(a, dtype=dtype, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class TakeSnapshot:
    """Copies, not views: later edits to the project cannot change a running job.

    `portrait` is a face.portrait.PortraitFit (crop image + identity landmarks in crop pixels).
    `expression` float32 [T,478,3] normalized, channel edits already applied; `channels` final
    values {name: float32 [T]}. Frame i of the arrays is take frame `first_frame + i`.
    """

    name: str
    rate: FrameRate
    portrait: object
    expression: np.ndarray
    channels: dict
    audio_path: Path | None = None
    audio_offset_s: float = 0.0  # where take frame `first_frame` sits in the audio file
    first_frame: int = 0
    seed: int = 0
    portrait_hash: str = field(default="")
    # Drive from the portrait with its own expression (a smile, parted lips) removed, so painted
    # emotions read as themselves; the renderer still samples the original portrait pixels.
    neutralize: bool = True
    identity: np.ndarray | None = None  # driving identity landmarks [478,3] crop pixels (derived)

    def __post_init__(self):
        object.__setattr__(self, "expression", _frozen(self.expression))
        object.__setattr__(self, "channels", {k: _frozen(v) for k, v in self.channels.items()})
        n = self.expression.shape[0]
        for k, v in self.channels.items():
            if len(v) != n:
                raise ValidationError(f"channel {k} has {len(v)} frames, the take has {n}")
        identity = np.asarray(self.portrait.landmarks, dtype=np.float32)
        if self.neutralize:
            from talkface_studio.perform.neutralize import neutralize_identity

            identity, _ = neutralize_identity(identity)
        object.__setattr__(self, "identity", _frozen(identity))
        if not self.portrait_hash:
            from .frame_cache import image_hash

            object.__setattr__(self, "portrait_hash", image_hash(self.portrait.image))

    @property
    def n_frames(self) -> int:
        return int(self.expression.shape[0])

    @property
    def last_frame(self) -> int:
        return self.first_frame + self.n_frames - 1

    @property
    def portrait_size(self) -> int:
        return int(self.portrait.image.shape[0])

    def landmarks(self, start: int, stop: int, size: int) -> np.ndarray:
        """Image landmarks float32 [stop-start, 478, 3] in pixels of a `size` output, take frames."""
        from talkface_studio.face.relocate import relocate

        a, b = start - self.first_frame, stop - self.first_frame
        if a < 0 or b > self.n_frames or a > b:
            raise ValidationError(f"frames {start}-{stop - 1} are outside the take "
                                  f"({self.first_frame}-{self.last_frame})")
        channels = {k: self.channels[k][a:b] for k in POSE_CHANNELS if k in self.channels}
        scale = size / self.portrait_size
        lm = relocate(self.identity, self.expression[a:b], channels, scale=scale)
        return np.asarray(lm, dtype=np.float32)
