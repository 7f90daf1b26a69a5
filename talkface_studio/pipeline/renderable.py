"""One path from a take to pixels: the snapshot that the viewer's preview, the app's Export, the
command line's `render` and every farm task render, built here and nowhere else.

What a take renders as is what the artist sees in the viewer and the curve editor:
- **its curves as stored**: each channel's generated base plus the artist's edit layers; the
  expression landmarks are composed from those curves (the procedural performer's expression is a
  function of its channels, so no stage 1 runs for a render) or, for a backend whose landmarks carry
  more than its channels (neural), its performance with the channel edits applied on top;
- **a stale take** (Generate is out of date: emotions, recording, language or settings changed
  since the last Generate; the generation stamp says so without running stage 1) renders the same
  way. A painted emotion already shows, because emotion edits move the emo_* curves in the same
  step (core.emotion_follow); posture, gaze, blinks and lip sync stay as last generated until
  Generate. Renders never regenerate behind the artist's back;
- **a take never generated** (no stamp and no generated motion) has nothing to show yet: it renders
  what Generate would make of it now (performed in memory, edit layers on top), and nothing is stored.
"""

from __future__ import annotations

import numpy as np

from talkface_studio.core.channels import CHANNEL_NAMES, SPEC_BY_NAME
from talkface_studio.core.errors import ValidationError
from talkface_studio.core.media_paths import resolve_media
from talkface_studio.core.take import Take

from .generation_stamp import generation_stamp, stamps_match
from .snapshot import TakeSnapshot
from .take_cache import TakeCache

CURRENT, STALE, NEVER_GENERATED = "current", "stale", "never generated"
# Channels whose base only Generate writes (emotion edits move the emo_* bases too): a take whose
# bases here are all at their defaults and that has no stamp has never been generated.
_GENERATED_MOTION = tuple(n for n in CHANNEL_NAMES if not n.startswith("emo_"))


def was_generated(take: Take) -> bool:
    """Generated at least once: a stamp, or (projects from before stamps) generated motion."""
    if take.generation.stamp is not None:
        return True
    return any(np.any(take.channel(n).base != SPEC_BY_NAME[n].default) for n in _GENERATED_MOTION)


def take_status(take: Take, project_path) -> str:
    """CURRENT, STALE or NEVER_GENERATED (reads the recording's digest once per file version)."""
    if not was_generated(take):
        return NEVER_GENERATED
    audio = resolve_media(take.audio_path, project_path)
    return CURRENT if stamps_match(generation_stamp(take, audio), take.generation.stamp) else STALE


def _performed_channels(take: Take, performance) -> dict:
    """The take's final channels over the bases Generate would store now (its edits on top)."""
    performed = take.copy()
    if performance.n_frames != performed.n_frames:
        performed.set_length(performance.n_frames)
    for name in CHANNEL_NAMES:
        if name in performance.channels:
            performed.channel(name).base = performance.channels[name]
    return performed.final_channels()


def build_snapshot(cache: TakeCache, take: Take, project_path, portrait: bool = True) -> tuple[TakeSnapshot, dict | None]:
    """(the take's renderable snapshot, a new portrait fit JSON worth keeping or None).

    `take` is read, never changed (pass a copy from a GUI thread). `portrait=False` leaves out the
    portrait (curves and rig exports need no pixels, nor a fit).
    """
    from talkface_studio.perform.neutralize import wants_neutralize
    from talkface_studio.perform.registry import channel_composer

    status = take_status(take, project_path)
    backend = take.generation.backend
    composed = channel_composer(backend) is not None
    fit, fit_json = cache.fit(take, project_path) if portrait else (None, None)
    audio = cache.audio_path(take, project_path) if portrait or status == NEVER_GENERATED or not composed \
        else resolve_media(take.audio_path, project_path)
    expression = expression_channels = None
    if status == NEVER_GENERATED:
        performance = cache.performance(take, project_path)
        channels = _performed_channels(take, performance)
    else:
        channels = take.final_channels()
        performance = None if composed else cache.performance(take, project_path)
        if performance is not None and performance.n_frames != take.n_frames:
            raise ValidationError(f"take {take.name!r} has {take.n_frames} frames but its audio gives "
                                  f"{performance.n_frames}; run generate again", project_path)
    if not composed:
        expression, expression_channels = performance.expression, performance.channels
    neutralize = wants_neutralize(take.generation.options)
    identity, portrait_hash = cache.driving_identity(fit, neutralize) if fit is not None else (None, "")
    snapshot = TakeSnapshot(name=take.name, rate=take.rate, portrait=fit, expression=expression, channels=channels,
                            audio_path=audio, seed=int(take.generation.seed), portrait_hash=portrait_hash,
                            neutralize=neutralize, identity=identity, expression_channels=expression_channels,
                            backend=backend, status=status)
    return snapshot, fit_json


def status_notes(take_name: str, status: str, output: str = "render") -> list[str]:
    """The `note:` lines the command line prints for a take that is not current."""
    if status == STALE:
        return [f"note: take {take_name!r} changed since it was last generated: this {output} shows its curves "
                "as stored (painted emotions show; posture, gaze, blinks and lip sync are the last generated "
                "ones); run `talkface-studio generate` to update them"]
    if status == NEVER_GENERATED:
        return [f"note: take {take_name!r} was never generated: performed in memory for this {output}; run "
                "`talkface-studio generate` to store it"]
    return []
