"""Choose a stage 1 backend by name. Adding a backend touches only this table and its own package."""

from __future__ import annotations

from talkface_studio.core.errors import MissingCheckpointError, ValidationError

from .base import Performer

DEFAULT_PERFORMER = "procedural"
PERFORMER_NAMES = ("procedural", "neural")

# What an artist is told when the neural performer has no weights (the backend, the registry and the
# command line say it the same way).
MISSING_CHECKPOINT = "the neural performer needs a checkpoint: --checkpoint FILE (train one with talkface-studio train)"


def get_performer(name: str = DEFAULT_PERFORMER, **options) -> Performer:
    """`procedural` (default, no weights) or `neural` (needs `checkpoint=PATH`)."""
    if name == "procedural":
        from .procedural.performer import ProceduralPerformer

        return ProceduralPerformer(**options)
    if name == "neural":
        if not options.get("checkpoint"):
            raise MissingCheckpointError(MISSING_CHECKPOINT)
        try:  # imported lazily: torch and the model code load only when asked for
            from talkface_studio.perform.neural import NeuralPerformer
        except ImportError as exc:
            raise MissingCheckpointError(f"the neural performer is not available ({exc})") from None
        return NeuralPerformer(**options)
    raise ValidationError(f"unknown performer {name!r}; choose one of {', '.join(PERFORMER_NAMES)}")


def channel_composer(name: str):
    """The function `compose(channels, n_frames) -> expression [T,478,3]` that builds the backend's
    expression from its channels alone, or None when its expression carries more than its channels
    (the neural performer's landmarks), so renders must run it. The procedural performer's
    expression IS perform.blendshapes.compose of its channels, so a take it generated renders from
    its curves without running stage 1 again."""
    if name == "procedural":
        from .blendshapes import compose

        return compose
    if name in PERFORMER_NAMES:
        return None
    raise ValidationError(f"unknown performer {name!r}; choose one of {', '.join(PERFORMER_NAMES)}")
