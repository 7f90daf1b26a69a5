"""The stage-2 contract: portrait + per-frame image landmarks -> RGB frames, streamed."""

from __future__ import annotations

from typing import Iterator, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Renderer(Protocol):
    """A stage-2 backend. No state between frames except caches (so frame ranges can be farmed out).

    ``render(portrait, landmarks_px, size)`` takes a ``face.portrait.PortraitFit`` (``image`` uint8
    [S, S, 3], ``landmarks`` [478, 3] in crop pixels) and landmarks [T, 478, 3] in pixels of the
    *output* frame (``size`` x ``size``; x right, y down, z away from the camera, in pixels), and
    yields T frames, each uint8 [size, size, 3].
    """

    name: str
    device: object      # where it draws: ``torch_support.device.ComputeDevice`` or a ``torch.device``

    def render(self, portrait, landmarks_px: np.ndarray, size: int) -> Iterator[np.ndarray]: ...
