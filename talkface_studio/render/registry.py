"""Stage-2 backends chosen by name; adding one touches no other backend."""

from __future__ import annotations

import importlib
from typing import Callable

from talkface_studio.core.errors import ValidationError

from .base import Renderer

DEFAULT_RENDERER = "mesh_warp"
# What an artist is told when the neural renderer has no weights (backend and command line alike).
MISSING_CHECKPOINT = ("the neural renderer needs a checkpoint: --checkpoint FILE (a face-vid2vid generator "
                      "with a landmark mapping; train the mapping with talkface-studio train --stage keypoints)")

_FACTORIES: dict[str, Callable[..., Renderer]] = {}
# Backends whose module registers itself on import; imported only when asked for (torch models are
# heavy, and a missing optional backend must not break the default one).
_LAZY_MODULES = {
    "mesh_warp": "talkface_studio.render.mesh_warp.renderer",
    "neural": "talkface_studio.render.neural",
}


def register_renderer(name: str, factory: Callable[..., Renderer]) -> None:
    """Make ``get_renderer(name, device=..., **options)`` call ``factory(device=..., **options)``."""
    _FACTORIES[name] = factory


def renderer_names() -> list[str]:
    return sorted(set(_FACTORIES) | set(_LAZY_MODULES))


def get_renderer(name: str = DEFAULT_RENDERER, device: str = "auto", **options) -> Renderer:
    """A ready renderer. Unknown names and bad devices raise ``ValidationError``."""
    if name not in _FACTORIES and name in _LAZY_MODULES:
        try:
            importlib.import_module(_LAZY_MODULES[name])
        except ModuleNotFoundError as exc:
            if exc.name != _LAZY_MODULES[name]:
                raise
    if name not in _FACTORIES:
        raise ValidationError(f"unknown renderer {name!r} (known: {', '.join(renderer_names())})")
    return _FACTORIES[name](device=device, **options)
