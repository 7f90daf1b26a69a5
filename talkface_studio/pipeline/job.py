"""A render job: an immutable take snapshot + frame range + size + device + renderer name.

`run()` is a generator yielding `(frame, rgb)` one frame at a time; each yield reports progress and is
where cancellation takes effect. The same job object runs in the GUI's worker thread, in the CLI and
as one task of a render farm (each task one frame range). Landmarks are computed per chunk and frames
stream straight through, so memory does not grow with the length of the take.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pathlib import Path

import numpy as np

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.limits import check_render_size

from .cancel import CancelToken
from .frame_cache import FrameCache, frame_key
from .snapshot import BLOCK, TakeSnapshot

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

    def __post_init__(self):
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
        return [RenderJob(self.take, int(a), int(b), self.size, self.device, self.renderer, self.checkpoint)
                for a, b in zip(edges[:-1], edges[1:]) if b > a]

    def make_renderer(self):
        from talkface_studio.render.registry import get_renderer

        options = {"checkpoint": self.checkpoint} if self.checkpoint else {}
        return get_renderer(self.renderer, device=self.device, **options)

    def run(self, cancel: CancelToken | None = None, progress: ProgressFn | None = None,
            cache: FrameCache | None = None, renderer=None) -> Iterator[tuple[int, np.ndarray]]:
        """Yield `(take frame, rgb uint8 [size,size,3])` in order. Raises JobCancelled when cancelled."""
        cancel = cancel or CancelToken()
        cancel.check()
        renderer = renderer if renderer is not None else self.make_renderer()
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
            fresh = iter(renderer.render(self.take.portrait, landmarks[missing], self.size)) if missing else None
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
                yield a + i, rgb
                done += 1
                if progress:
                    progress(done, total)
            a = b
