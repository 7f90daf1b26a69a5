"""A render job: an immutable take snapshot + frame range + size + device + renderer name, and how
the frames are framed: the square crop around the head (the default) or, with `plate`, the whole
source photo with the head region rendered into it (pipeline.plate.framing: an option of this
path, not another path from a take to pixels).

`run()` is a generator yielding `(frame, rgb)` one frame at a time (`(frame, PlateFrame)` for a
plate); each yield reports progress and is where cancellation takes effect. The same job object runs in the GUI's worker thread, in the CLI and
as one task of a render farm (each task one frame range). Landmarks are computed per chunk and frames
stream straight through, so memory does not grow with the length of the take.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.limits import check_render_size

from .cancel import CancelToken
from .frame_cache import FrameCache, frame_key
from .snapshot import BLOCK, TakeSnapshot

if TYPE_CHECKING:
    from .plate.framing import PlateFraming

DEFAULT_RENDERER = "mesh_warp"
CHUNK = BLOCK  # frames of landmarks computed at once, on the snapshot's block boundaries

ProgressFn = Callable[[int, int], None]  # (frames done, frames total)


def parse_frame_range(text: str | None, snapshot: TakeSnapshot) -> tuple[int, int]:
    """'A-B' (inclusive take frames, as in Nuke) or None for the whole take -> (start, stop)."""
    first, last = snapshot.first_frame, snapshot.last_frame
    if text is None or text.strip() == "":
        return first, last + 1
    parts = text.strip().split("-")
    try:
        if len(parts) == 1:
            a = b = int(parts[0])
        elif len(parts) == 2:
            a, b = int(parts[0]), int(parts[1])
        else:
            raise ValueError
    except ValueError:
        raise ValidationError(f"--frames must look like A-B (e.g. 0-99), got {text!r}") from None
    if a > b:
        raise ValidationError(f"--frames {text}: start is after end")
    if a < first or b > last:
        raise ValidationError(f"--frames {text} is outside the take (frames {first}-{last})")
    return a, b + 1


def renderer_id(renderer) -> str:
    """Name and version: part of every cache key, so a renderer upgrade never serves stale frames."""
    return f"{renderer.name}:{getattr(renderer, 'version', '0')}"


@dataclass(frozen=True, eq=False)
class RenderJob:
    take: TakeSnapshot
    start: int  # first take frame
    stop: int  # one past the last take frame
    size: int = 512
    device: str = "auto"
    renderer: str = DEFAULT_RENDERER
    checkpoint: str | None = None  # weights for a neural renderer, supplied by the user
    plate: PlateFraming | None = None  # the whole photo; `size` is then the head region's render side

    def __post_init__(self):
        if self.plate is not None:
            from .plate.framing import check_plate_renderer

            check_plate_renderer(self.renderer)
            object.__setattr__(self, "size", self.plate.render_side)
        if not self.take.first_frame <= self.start <= self.stop <= self.take.last_frame + 1:
            raise ValidationError(f"frames {self.start}-{self.stop - 1} are outside the take "
                                  f"({self.take.first_frame}-{self.take.last_frame})")
        check_render_size(self.size, "output size")

    @classmethod
    def whole_take(cls, take: TakeSnapshot, **kw) -> RenderJob:
        return cls(take, take.first_frame, take.last_frame + 1, **kw)

    def __len__(self) -> int:
        return self.stop - self.start

    @property
    def frames(self) -> range:
        return range(self.start, self.stop)

    def split(self, n_tasks: int) -> list[RenderJob]:
        """Contiguous sub-ranges for a farm: each task renders one."""
        edges = np.linspace(self.start, self.stop, max(1, n_tasks) + 1).round().astype(int)
        return [replace(self, start=int(a), stop=int(b)) for a, b in zip(edges[:-1], edges[1:]) if b > a]

    def make_renderer(self):
        from talkface_studio.render.registry import get_renderer

        options = {"checkpoint": self.checkpoint} if self.checkpoint else {}
        return get_renderer(self.renderer, device=self.device, **options)

    @property
    def width(self) -> int:
        """Of the frames written: the square's side, or the plate's (padded) width."""
        return self.plate.width if self.plate is not None else self.size

    @property
    def height(self) -> int:
        return self.plate.height if self.plate is not None else self.size

    def run(self, cancel: CancelToken | None = None, progress: ProgressFn | None = None,
            cache: FrameCache | None = None, renderer=None) -> Iterator[tuple[int, np.ndarray]]:
        """Yield `(take frame, rgb uint8 [size,size,3])` in order; with `plate`, `(take frame,
        PlateFrame)` (buffers reused from frame to frame). Raises JobCancelled when cancelled."""
        renderer = renderer if renderer is not None else self.make_renderer()
        if self.plate is None:
            for frame, rgb, _ in self._rendered(cancel, progress, cache, renderer):
                yield frame, rgb
        else:  # plate frames skip the frame cache: a 1080-px head region is 3.4 MB a frame, and a
            # minute of them would push everything else out of its 4 GB
            yield from self.plate.frames(self._rendered(cancel, progress, None, renderer), renderer)

    def _rendered(self, cancel, progress, cache, renderer) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """(take frame, rgb [size,size,3], landmarks [478,3]) of the square (the plate's head region)."""
        cancel = cancel or CancelToken()
        cancel.check()
        portrait = self.plate.source.portrait if self.plate is not None else self.take.portrait
        rid = renderer_id(renderer)
        if self.checkpoint:  # other weights, other pixels: the checkpoint is part of the cache key
            ckpt = Path(self.checkpoint)
            rid += f":{ckpt.resolve()}:{ckpt.stat().st_mtime_ns if ckpt.exists() else 0}"
        total, done = len(self), 0
        if progress:
            progress(0, total)
        a = self.start
        while a < self.stop:
            b = min(a - a % CHUNK + CHUNK, self.stop)  # chunks end on block boundaries
            landmarks = self.take.landmarks(a, b, self.size)
            keys = [frame_key(self.take.portrait_hash, lm, self.size, rid) for lm in landmarks]
            shape = (self.size, self.size, 3)
            cached = [cache.get(k, shape) if cache is not None else None for k in keys]
            # render each distinct missing input once (held poses repeat inside a chunk)
            first_of: dict[str, int] = {}
            for i, c in enumerate(cached):
                if c is None:
                    first_of.setdefault(keys[i], i)
            missing = sorted(first_of.values())
            fresh = iter(renderer.render(portrait, landmarks[missing], self.size)) if missing else None
            repeated = {k for k in first_of if keys.count(k) > 1}
            done_here: dict[str, np.ndarray] = {}  # only frames needed again in this chunk
            for i in range(b - a):
                cancel.check()
                rgb = cached[i]
                if rgb is None:
                    rgb = done_here.get(keys[i])
                if rgb is None:
                    rgb = next(fresh)
                    if keys[i] in repeated:
                        done_here[keys[i]] = rgb
                    if cache is not None:
                        cache.put(keys[i], rgb)
                yield a + i, rgb, landmarks[i]
                done += 1
                if progress:
                    progress(done, total)
            a = b
