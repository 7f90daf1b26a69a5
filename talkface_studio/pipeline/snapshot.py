"""An immutable, renderer-ready picture of one take: what a job (preview, app export, CLI or farm
task) needs. Built in one place, pipeline.renderable.build_snapshot.

Only the per-frame channels are held for the whole take; the expression landmarks and the image
landmarks are computed on demand in blocks of BLOCK frames aligned to take frame numbers, so a
long take never holds all of them at once, and a frame's landmarks are computed the same way
whatever range asks for it: a preview frame, a chunk of an export and a farm task's chunk see the
very same floats (byte-identical frames, and the same frame-cache keys).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.timebase import FrameRate

# channels relocation reads; the rest act through the expression landmarks (blendshape edits)
POSE_CHANNELS = ("head_yaw", "head_pitch", "head_roll", "gaze_yaw", "gaze_pitch", "blink")
BLOCK = 32  # frames computed together; blocks start at multiples of BLOCK (take frames)
_KEPT_BLOCKS = 4  # recent blocks of landmarks kept (playback and chunked renders revisit them)


def _frozen(a: np.ndarray, dtype=np.float32) -> np.ndarray:
    a = np.array(a, dtype=dtype, copy=True)
    a.setflags(write=False)
    return a


def driving_identity(portrait, neutralize: bool) -> np.ndarray:
    """The identity landmarks relocation starts from: the portrait's own, with its expression (a
    smile, parted lips) removed when `neutralize` (the renderer still samples the original pixels)."""
    identity = np.asarray(portrait.landmarks, dtype=np.float32)
    if neutralize:
        # a fit (and scipy.optimize's import) a new process need not pay twice for one portrait
        from talkface_studio.portrait_store import entry_key, stored

        key = entry_key(identity, _stage1_code())
        identity = stored("identity", key, lambda: _neutralized(identity))
    return identity


def _neutralized(identity: np.ndarray) -> np.ndarray:
    from talkface_studio.perform.neutralize import neutralize_identity

    return np.asarray(neutralize_identity(identity)[0], dtype=np.float32)


def _stage1_code() -> str:
    """A digest of the code the neutralized identity comes from (perform/ and face/)."""
    from pathlib import Path

    from talkface_studio.render.mesh_warp.code_version import source_digest

    package = Path(__file__).resolve().parents[1]
    return source_digest(str(package / "perform")) + source_digest(str(package / "face"))


@dataclass(frozen=True, eq=False)
class TakeSnapshot:
    """Copies, not views: later edits to the project cannot change a running job.

    `channels`: final values {name: float32 [T]} (generated base + edits, as rendered).
    The expression (normalized [T,478,3]) comes from one of:
    - `expression` None: composed from the channels by the take's backend (`backend`), whose
      expression is a function of its channels (the procedural performer): no stage 1 needed;
    - `expression` and `expression_channels`: a performance's expression and the channels it was
      made from; the channel edits (channels - expression_channels) are applied per block;
    - `expression` alone: used as it is (edits already applied).
    `portrait` is a face.portrait.PortraitFit (crop image + identity landmarks in crop pixels), or
    None for outputs that need no pixels (rig curves). Frame i is take frame `first_frame + i`.
    """

    name: str
    rate: FrameRate
    portrait: object
    expression: np.ndarray | None
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
    expression_channels: dict | None = None
    backend: str = "procedural"
    status: str = "current"  # pipeline.renderable: current | stale | never generated
    _blocks: OrderedDict = field(default_factory=OrderedDict, repr=False, compare=False)
    _lock: object = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "channels", {k: _frozen(v) for k, v in self.channels.items()})
        if self.expression is not None:
            object.__setattr__(self, "expression", _frozen(self.expression))
            n = self.expression.shape[0]
        else:
            from talkface_studio.perform.registry import channel_composer

            if channel_composer(self.backend) is None:
                raise ValidationError(f"the {self.backend} performer's expression is not a function of its "
                                      "channels: the snapshot needs its performance's expression")
            n = len(next(iter(self.channels.values()))) if self.channels else 0
        if self.expression_channels is not None:
            object.__setattr__(self, "expression_channels",
                               {k: _frozen(v) for k, v in self.expression_channels.items()})
        for k, v in list(self.channels.items()) + list((self.expression_channels or {}).items()):
            if len(v) != n:
                raise ValidationError(f"channel {k} has {len(v)} frames, the take has {n}")
        object.__setattr__(self, "_n", n)
        if self.portrait is None:
            return
        identity = self.identity  # given when derived before (pipeline.take_cache.TakeCache.driving_identity)
        if identity is None:
            identity = driving_identity(self.portrait, self.neutralize)
        object.__setattr__(self, "identity", _frozen(identity))
        if not self.portrait_hash:
            from .frame_cache import image_hash

            object.__setattr__(self, "portrait_hash", image_hash(self.portrait.image))

    @property
    def n_frames(self) -> int:
        return int(self._n)

    @property
    def last_frame(self) -> int:
        return self.first_frame + self.n_frames - 1

    @property
    def portrait_size(self) -> int:
        return int(self.portrait.image.shape[0])

    def _check_range(self, start: int, stop: int) -> None:
        if start < self.first_frame or stop > self.last_frame + 1 or start > stop:
            raise ValidationError(f"frames {start}-{stop - 1} are outside the take "
                                  f"({self.first_frame}-{self.last_frame})")

    def _blocks_of(self, start: int, stop: int):
        """(block start, block stop) in take frames covering [start, stop), aligned to BLOCK."""
        a = start - start % BLOCK
        while a < stop:
            yield max(a, self.first_frame), min(a + BLOCK, self.last_frame + 1)
            a += BLOCK

    def _block_expression(self, a: int, b: int) -> np.ndarray:
        i, j = a - self.first_frame, b - self.first_frame
        final = {k: v[i:j] for k, v in self.channels.items()}
        if self.expression is None:
            from talkface_studio.perform.registry import channel_composer

            return channel_composer(self.backend)(final, j - i)
        if self.expression_channels is None:
            return np.asarray(self.expression[i:j], np.float32)
        from talkface_studio.perform.blendshapes import apply_channel_edits

        made_from = {k: v[i:j] for k, v in self.expression_channels.items()}
        return apply_channel_edits(self.expression[i:j], made_from, final)

    def expression_rows(self, start: int, stop: int) -> np.ndarray:
        """Normalized expression landmarks float32 [stop-start, 478, 3] of take frames [start, stop),
        channel edits applied."""
        self._check_range(start, stop)
        parts = [self._block_expression(a, b)[max(start, a) - a:min(stop, b) - a]
                 for a, b in self._blocks_of(start, stop)]
        return np.concatenate(parts) if parts else np.zeros((0, 478, 3), np.float32)

    def _block_landmarks(self, a: int, b: int, size: int) -> np.ndarray:
        from talkface_studio.face.relocate import relocate

        key = (a, size)
        with self._lock:
            hit = self._blocks.get(key)
            if hit is not None:
                self._blocks.move_to_end(key)
                return hit
        i, j = a - self.first_frame, b - self.first_frame
        channels = {k: self.channels[k][i:j] for k in POSE_CHANNELS if k in self.channels}
        lm = relocate(self.identity, self._block_expression(a, b), channels, scale=size / self.portrait_size)
        lm = _frozen(lm)
        with self._lock:
            self._blocks[key] = lm
            while len(self._blocks) > _KEPT_BLOCKS:
                self._blocks.popitem(last=False)
        return lm

    def landmarks(self, start: int, stop: int, size: int) -> np.ndarray:
        """Image landmarks float32 [stop-start, 478, 3] in pixels of a `size` output, take frames."""
        if self.portrait is None:
            raise ValidationError(f"take {self.name!r}: no portrait in this snapshot")
        self._check_range(start, stop)
        parts = [self._block_landmarks(a, b, size)[max(start, a) - a:min(stop, b) - a]
                 for a, b in self._blocks_of(start, stop)]
        return np.concatenate(parts) if parts else np.zeros((0, 478, 3), np.float32)
