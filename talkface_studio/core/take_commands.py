"""Undoable edits of the project's takes: add, rename, remove, reorder, media, frame rate, settings."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

from .errors import ValidationError
from .language_code import normalize_language
from .mouth_shapes import MouthShape, checked, cleared, frames_text, with_shape
from .project import Change
from .retime import retime_take
from .take import GenerationSettings, Take, check_audio_channel, check_take_name
from .timebase import FrameRate
from .undo import Command

_UNSET = object()


class _TakeListCommand(Command):
    """Snapshot of the take list and the takes' names (the takes themselves are shared)."""

    def _capture(self, project):
        return [(t, t.name) for t in project.takes]

    def _restore(self, project, state):
        for t, name in state:
            t.name = name
        project.takes[:] = [t for t, _ in state]

    def _change(self, project):
        return Change(None, "takes")


class AddTake(_TakeListCommand):
    def __init__(self, take: Take, index: int | None = None):
        super().__init__()
        self.take, self.index = take, index
        self.label = f"Add take {take.name}"

    def _apply(self, project):
        project.add_take(self.take, self.index)


class RemoveTake(_TakeListCommand):
    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self.label = f"Remove take {name}"

    def _apply(self, project):
        project.remove_take(self.name)


class RenameTake(_TakeListCommand):
    def __init__(self, old: str, new: str):
        super().__init__()
        self.old, self.new = old, check_take_name(new)
        self.label = f"Rename take {old} to {new}"

    def _apply(self, project):
        take = project.take(self.old)
        if self.new != self.old and self.new in project.take_names():
            raise ValidationError(f"a take named {self.new!r} already exists")
        take.name = self.new


class MoveTake(_TakeListCommand):
    def __init__(self, name: str, index: int):
        super().__init__()
        self.name, self.index = name, index
        self.label = f"Move take {name}"

    def _apply(self, project):
        take, _ = project.remove_take(self.name)
        project.add_take(take, max(0, min(self.index, len(project.takes))))


class _TakeStateCommand(Command):
    """Snapshot of one take's whole state, restored in place."""

    def __init__(self, take: str):
        super().__init__()
        self.take = take

    def _capture(self, project):
        return project.take(self.take).snapshot()

    def _restore(self, project, state):
        project.take(self.take).restore(state)

    def _change(self, project):
        return Change(self.take, "take")


class SetMedia(_TakeStateCommand):
    """Point a take at other media. A new audio length (`n_frames`) keeps segments and keys on
    their frames; `portrait_fit` is the face room's JSON for the new portrait (None to refit)."""

    def __init__(self, take: str, audio_path=_UNSET, portrait_path=_UNSET, n_frames=_UNSET, portrait_fit=_UNSET):
        super().__init__(take)
        self.changes = {k: v for k, v in dict(audio_path=audio_path, portrait_path=portrait_path,
                                              n_frames=n_frames, portrait_fit=portrait_fit).items()
                        if v is not _UNSET}
        self.label = "Set " + ", ".join(k.replace("_path", "") for k in self.changes)

    def _apply(self, project):
        take = project.take(self.take)
        for key in ("audio_path", "portrait_path"):
            if key in self.changes:
                value = self.changes[key]
                setattr(take, key, Path(value) if value is not None else None)
        if "portrait_fit" in self.changes:
            take.portrait_fit = copy.deepcopy(self.changes["portrait_fit"])
        if "n_frames" in self.changes:
            take.set_length(self.changes["n_frames"])


class SetFrameRate(_TakeStateCommand):
    """Change fps keeping every time in seconds (frames are rescaled, bases resampled)."""

    def __init__(self, take: str, rate):
        super().__init__(take)
        self.rate = FrameRate.parse(rate)
        self.label = f"Set frame rate to {self.rate}"

    def _apply(self, project):
        retime_take(project.take(self.take), self.rate)


class SetGeneration(_TakeStateCommand):
    """Change backend, seed, transcript and/or options (the base is replaced by SetBase later)."""

    def __init__(self, take: str, backend=_UNSET, seed=_UNSET, transcript=_UNSET, options=_UNSET):
        super().__init__(take)
        self.changes = {k: v for k, v in dict(backend=backend, seed=seed, transcript=transcript,
                                              options=options).items() if v is not _UNSET}
        self.label = "Set " + ", ".join(self.changes)

    def _apply(self, project):
        take = project.take(self.take)
        g = take.generation
        take.generation = GenerationSettings(**{**vars(g), **copy.deepcopy(self.changes)})

    def _change(self, project):
        return Change(self.take, "generation")  # no view draws these: lighter than a whole-take change

    def _merge_key(self):
        return (self.take, tuple(sorted(self.changes)))


class SetMouthShape(_TakeStateCommand):
    """Give frames [start, end) of a take mouth shape `shape` by hand (core.mouth_shapes), or, with
    None, lose any shape set there; Generate applies it like the take's other lip-sync settings."""

    def __init__(self, take: str, start: int, end: int, shape: str | None):
        super().__init__(take)
        MouthShape(start, end, shape if shape is not None else "rest")  # one line if frames or shape are bad
        self.start, self.end, self.shape = int(start), int(end), shape
        frames = frames_text(start, end)
        self.label = f"Set mouth shape {shape} ({frames})" if shape else f"Clear mouth shapes ({frames})"

    def _apply(self, project):
        take = project.take(self.take)
        if self.end > take.n_frames:
            raise ValidationError(f"take {self.take!r} has {take.n_frames} frames; "
                                  f"frame {self.end - 1} is past its end")
        g = take.generation
        shapes = (with_shape(g.mouth_shapes, self.start, self.end, self.shape) if self.shape
                  else cleared(g.mouth_shapes, self.start, self.end))
        take.generation = dataclasses.replace(g, mouth_shapes=shapes)

    def _change(self, project):
        return Change(self.take, "generation")


class ImportMouthShapes(_TakeStateCommand):
    """Spans read from a mouth-cue file (core.mouth_cues) as the take's shapes set by hand, from the
    file's first cue to its last (what was set by hand there gives way): one undo step."""

    def __init__(self, take: str, shapes, source: str):
        super().__init__(take)
        self.shapes = tuple(sorted(shapes))
        if not self.shapes:
            raise ValidationError(f"{source}: no mouth shapes to import")
        self.label = f"Import mouth cues from {source}"

    def _apply(self, project):
        take = project.take(self.take)
        first, end = self.shapes[0].start, self.shapes[-1].end
        if end > take.n_frames:
            raise ValidationError(f"take {self.take!r} has {take.n_frames} frames; "
                                  f"frame {end - 1} is past its end")
        g = take.generation
        kept = cleared(g.mouth_shapes, first, end)
        take.generation = dataclasses.replace(g, mouth_shapes=checked(kept + self.shapes))

    def _change(self, project):
        return Change(self.take, "generation")


class SetLanguage(_TakeStateCommand):
    """The take's spoken language (BCP-47). Which languages analysis supports is checked by the
    caller through audio.languages; the core only keeps the tag well formed."""

    def __init__(self, take: str, language: str):
        super().__init__(take)
        self.language = normalize_language(language)
        self.label = f"Set language to {self.language}"

    def _apply(self, project):
        project.take(self.take).language = self.language

    def _change(self, project):
        return Change(self.take, "take", "language")  # the lip sync must be regenerated


class SetAudioChannel(_TakeStateCommand):
    """Which channel of the take's recording the character speaks on (from 1), or None for the mix
    of all of them: a field recorder's poly WAV holds each actor's lavalier on its own track."""

    def __init__(self, take: str, channel: int | None):
        super().__init__(take)
        self.channel = check_audio_channel(channel)
        self.label = "Analyse the mix of all channels" if self.channel is None else f"Analyse channel {self.channel}"

    def _apply(self, project):
        project.take(self.take).audio_channel = self.channel

    def _change(self, project):
        return Change(self.take, "take", "audio_channel")  # the lip sync must be regenerated


class SetProjectSetting(Command):
    def __init__(self, key: str, value):
        super().__init__()
        self.key, self.value = key, value
        self.label = f"Set {key}"

    def _capture(self, project):
        return copy.deepcopy(project.settings)

    def _restore(self, project, state):
        project.settings = copy.deepcopy(state)

    def _apply(self, project):
        project.settings[self.key] = copy.deepcopy(self.value)

    def _change(self, project):
        return Change(None, "settings", self.key)

    def _merge_key(self):
        return (self.key,)
