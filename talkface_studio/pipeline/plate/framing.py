"""Plate framing: an option of the one render path (``pipeline.job.RenderJob``), not a second one.

A RenderJob with ``plate=PlateFraming(...)`` renders the same snapshot (``pipeline.renderable``),
the same block-aligned landmarks and the same renderer as a square export, but of the head region
cut from the source photo at the photo's own density (``source``) instead of the fit's 512-px
crop, and writes each rendered region into a base frame that holds the whole photo
(``compose``). With ``alpha`` each frame also carries the performer's matte
(``performer_matte``). Frames carry no state between them, so a chunk renders the same pixels as
the whole range.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

import numpy as np

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.limits import MAX_PLATE_RENDER_SIDE

from .compose import PlateCanvas
from .performer_matte import PerformerMatte
from .source import PlateSource, open_plate

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
class PlateFraming:
    """Where a RenderJob's frames go: into the whole photo of ``source`` (``pad_even``: odd sides
    padded by one for video codecs), with the performer's matte when ``alpha``."""

    source: PlateSource
    alpha: bool = False
    pad_even: bool = False

    @classmethod
    def open(cls, fit, max_side: int = MAX_PLATE_RENDER_SIDE, **kw) -> PlateFraming:
        """Load the fit's photo (a snapshot's portrait) and cut the head region."""
        return cls(open_plate(fit, max_side), **kw)

    def padded_for_video(self) -> PlateFraming:
        return self if self.pad_even else replace(self, pad_even=True)

    @property
    def render_side(self) -> int:
        return self.source.render_side

    @property
    def width(self) -> int:
        return self.source.width + (self.source.width % 2 if self.pad_even else 0)

    @property
    def height(self) -> int:
        return self.source.height + (self.source.height % 2 if self.pad_even else 0)

    @property
    def padded(self) -> bool:
        return (self.width, self.height) != (self.source.width, self.source.height)

    def describe(self) -> str:
        """The log line's account of size and density, e.g. '1920x1080 plate; head region rendered
        at 1071 px, the photo's own density'."""
        src = self.source
        size = f"{src.width}x{src.height} plate"
        if self.padded:
            both = self.width != src.width and self.height != src.height
            size += (f" padded to {self.width}x{self.height} (video needs even sides: one "
                     f"{'column' if self.width != src.width else 'row'}{' and one row' if both else ''}"
                     " repeating the edge)")
        return f"{size}; {src.density_note()}"

    def frames(self, rendered: Iterable[tuple[int, np.ndarray, np.ndarray]], renderer) -> Iterator[tuple[int, PlateFrame]]:
        """(take frame, head region rgb, its landmarks) from RenderJob's loop -> (take frame, PlateFrame)."""
        portrait, side = self.source.portrait, self.render_side
        canvas = PlateCanvas(self.source, self.pad_even)
        matte = PerformerMatte(self.source, renderer.layer_alpha(portrait, portrait.landmarks, side)) \
            if self.alpha else None
        for frame, head, landmarks in rendered:
            rgb = canvas.place(head)
            alpha = matte.frame_alpha(renderer.layer_alpha(portrait, landmarks, side)) if matte else None
            yield frame, PlateFrame(rgb, alpha)
