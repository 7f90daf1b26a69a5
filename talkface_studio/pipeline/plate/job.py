"""A plate job: a take snapshot rendered back into its whole source photo, for a frame range.

Like ``pipeline.job.RenderJob`` (the unit of work of the GUI, the CLI and a farm task), but each
frame is the photo at its own resolution: only the head region (the portrait's crop box, rendered
at the photo's density, ``source``) is rendered, and it is written into a base frame that holds the
photo (``compose``). With ``alpha`` each frame also carries the performer's matte
(``performer_matte``). Frames carry no state between them, so a chunk renders the same pixels as
the whole range.

Plate frames do not go through the frame cache: a 1080-px head region is 3.4 MB a frame, and a
minute of them would push everything else out of its 4 GB.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from talkface_studio.core.errors import ValidationError

from ..cancel import CancelToken
from ..job import CHUNK, ProgressFn
from ..snapshot import TakeSnapshot
from .compose import PlateCanvas
from .performer_matte import PerformerMatte
from .source import MAX_RENDER_SIDE, PlateSource, open_plate

PLATE_RENDERERS = ("mesh_warp",)  # renderers that return the crop's own pixels where nothing moves


@dataclass(frozen=True)
class PlateFrame:
    """One plate frame: rgb uint8 [H, W, 3] (plus padding for video) and, with alpha, float32
    [H, W] 0..1. Both are buffers reused by the next frame: copy them to keep them."""

    rgb: np.ndarray
    alpha: np.ndarray | None = None


def check_plate_renderer(name: str) -> None:
    if name not in PLATE_RENDERERS:
        raise ValidationError(f"--plate needs the mesh_warp renderer (it keeps the photo's own pixels "
                              f"around the head); {name!r} redraws the whole crop")


@dataclass(frozen=True, eq=False)
class PlateJob:
    take: TakeSnapshot
    source: PlateSource
    start: int
    stop: int
    device: str = "auto"
    renderer: str = "mesh_warp"
    alpha: bool = False
    pad_even: bool = False   # video: odd sides get one more column / row (``compose.padding``)

    def __post_init__(self):
        check_plate_renderer(self.renderer)
        if not self.take.first_frame <= self.start <= self.stop <= self.take.last_frame + 1:
            raise ValidationError(f"frames {self.start}-{self.stop - 1} are outside the take "
                                  f"({self.take.first_frame}-{self.take.last_frame})")

    @classmethod
    def open(cls, take: TakeSnapshot, start: int, stop: int, max_side: int = MAX_RENDER_SIDE, **kw) -> PlateJob:
        """Load the snapshot's photo (its portrait fit's source) and cut the head region."""
        return cls(take, open_plate(take.portrait, max_side), start, stop, **kw)

    def __len__(self) -> int:
        return self.stop - self.start

    @property
    def width(self) -> int:
        return self.source.width + (self.source.width % 2 if self.pad_even else 0)

    @property
    def height(self) -> int:
        return self.source.height + (self.source.height % 2 if self.pad_even else 0)

    @property
    def padded(self) -> bool:
        return (self.width, self.height) != (self.source.width, self.source.height)

    def split(self, n_tasks: int) -> list[PlateJob]:
        """Contiguous sub-ranges (farm tasks), sharing the loaded photo."""
        edges = np.linspace(self.start, self.stop, max(1, n_tasks) + 1).round().astype(int)
        return [PlateJob(self.take, self.source, int(a), int(b), self.device, self.renderer, self.alpha,
                         self.pad_even) for a, b in zip(edges[:-1], edges[1:]) if b > a]

    def make_renderer(self):
        from talkface_studio.render.registry import get_renderer

        return get_renderer(self.renderer, device=self.device)

    def run(self, cancel: CancelToken | None = None, progress: ProgressFn | None = None,
            renderer=None) -> Iterator[tuple[int, PlateFrame]]:
        """Yield `(take frame, PlateFrame)` in order. Raises JobCancelled when cancelled."""
        cancel = cancel or CancelToken()
        cancel.check()
        renderer = renderer if renderer is not None else self.make_renderer()
        side, portrait = self.source.render_side, self.source.portrait
        canvas = PlateCanvas(self.source, self.pad_even)
        matte = None
        if self.alpha:
            rest = renderer.layer_alpha(portrait, portrait.landmarks, side)
            matte = PerformerMatte(self.source, rest)
        total, done = len(self), 0
        if progress:
            progress(0, total)
        for a in range(self.start, self.stop, CHUNK):
            b = min(a + CHUNK, self.stop)
            landmarks = self.take.landmarks(a, b, side)
            heads = iter(renderer.render(portrait, landmarks, side))
            for i in range(b - a):
                cancel.check()
                rgb = canvas.place(next(heads))
                alpha = matte.frame_alpha(renderer.layer_alpha(portrait, landmarks[i], side)) if matte else None
                yield a + i, PlateFrame(rgb, alpha)
                done += 1
                if progress:
                    progress(done, total)
