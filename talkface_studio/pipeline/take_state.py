"""From a core Take to everything a renderer needs: portrait fit, audio features, performance, snapshot.

This is session state (not saved, not undone): derived data cached per take so that editing a curve
does not re-run the performer and opening a project fits each portrait once. The document changes
only through core commands (the portrait fit is stored in the take with SetMedia, regenerated bases
with SetBase), so every change is undoable and regenerating keeps the artist's edit layers.
Expression landmarks are not saved: they are regenerated deterministically from the take's seed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from talkface_studio.core.channels import CHANNEL_NAMES
from talkface_studio.core.commands import SetBase, SetMedia
from talkface_studio.core.file_access import check_regular
from talkface_studio.core.errors import MediaError, ProjectFileError, ValidationError
from talkface_studio.core.project import Project
from talkface_studio.core.take import GenerationSettings, Take

from talkface_studio.perform.neutralize import wants_neutralize

from .generation_stamp import generation_stamp
from .snapshot import TakeSnapshot

_MAX_PERFORMANCES = 4  # a few takes' worth: the performer is fast, memory is not free


def resolve_media(project: Project, path: Path | None) -> Path | None:
    """Media paths are stored relative to the project file."""
    if path is None:
        return None
    path = Path(path)
    if not path.is_absolute() and project.path is not None:
        path = Path(project.path).parent / path
    return path


def load_take(project_path, take: str | None = None):
    """Open a project file and pick a take (the first when `take` is None) -> (project, take)."""
    from talkface_studio.core.project_file import load_project

    project = load_project(project_path)
    return project, pick_take(project, take, project_path)


def pick_take(project: Project, take: str | None, project_path=None) -> Take:
    """The take named `take` (the first when None); a one-line error naming the project otherwise."""
    if not project.takes:
        raise ValidationError("the project has no takes", project_path)
    if take is None:
        return project.takes[0]
    if take not in project.take_names():
        raise ValidationError(f"no take named {take!r} (takes: {', '.join(project.take_names())})", project_path)
    return project.take(take)


def _performer_args(backend: str, options: dict) -> tuple[dict, dict]:
    """Split take options into constructor options (checkpoint) and per-request settings."""
    options = dict(options or {})
    ctor = {"checkpoint": options.pop("checkpoint")} if backend == "neural" and "checkpoint" in options else {}
    return ctor, options


class TakeState:
    """Derived data for the takes of one project. `stack` (a core UndoStack) records the edits it makes."""

    def __init__(self, project: Project, stack=None, fit_size: int = 512):
        self.project = project
        self.stack = stack
        self.fit_size = fit_size
        self._fits: dict[str, tuple[str, object]] = {}
        self._performances: dict[str, object] = {}
        self._fits_by_source: dict[tuple, object] = {}  # (path, size, mtime) -> PortraitFit

    def share_results(self, other: TakeState) -> None:
        """Reuse `other`'s performances and portrait fits (the same inputs give the same results):
        a command that re-applies its change to a project another program saved redoes no work."""
        self._performances = other._performances
        self._fits_by_source = other._fits_by_source

    def _do(self, command) -> None:
        if self.stack is not None:
            self.stack.push(command)
        else:
            command.do(self.project)

    def _take(self, take: str | Take | None) -> Take:
        if isinstance(take, Take):
            return take
        if take is None:
            if not self.project.takes:
                raise ValidationError("the project has no takes", self.project.path)
            return self.project.takes[0]
        return self.project.take(take)

    @property
    def project_dir(self) -> Path | None:
        return Path(self.project.path).parent if self.project.path is not None else None

    # -- portrait -------------------------------------------------------------------------------
    def fit(self, take: str | Take | None = None):
        """The take's PortraitFit: reused from the project when stored, else fitted once and stored."""
        from talkface_studio.face.portrait import fit_portrait, load_fit

        take = self._take(take)
        stored = json.dumps(take.portrait_fit, sort_keys=True) if take.portrait_fit else ""
        cached = self._fits.get(take.name)
        if cached and cached[0] == stored:
            return cached[1]
        fit = None
        if take.portrait_fit:
            data = dict(take.portrait_fit)
            source = resolve_media(self.project, take.portrait_path)
            if source is not None:
                # The take's portrait is authoritative: a project saved elsewhere keeps a stale relative
                # path inside the fit. load_fit's sha256 check still refuses a changed image.
                data["source_path"] = str(source)
            try:
                fit = load_fit(data, self.project_dir)
            except (MediaError, ProjectFileError):
                if take.portrait_path is None:
                    raise
                fit = None  # the source changed since it was fitted (or the fit is damaged): fit again
        if fit is None:
            source = resolve_media(self.project, take.portrait_path)
            if source is None:
                raise ValidationError(f"take {take.name!r} has no portrait", self.project.path)
            st = source.stat() if source.exists() else None
            by_source = (str(source), self.fit_size, st.st_size, st.st_mtime_ns) if st is not None else None
            fit = self._fits_by_source.get(by_source) or fit_portrait(source, size=self.fit_size)
            if by_source is not None:
                self._fits_by_source[by_source] = fit
            self._do(SetMedia(take.name, portrait_fit=fit.to_json(relative_to=self.project_dir)))
            stored = json.dumps(take.portrait_fit, sort_keys=True)
        self._fits[take.name] = (stored, fit)
        return fit

    # -- audio and performance ------------------------------------------------------------------
    def audio_path(self, take: str | Take | None = None) -> Path:
        take = self._take(take)
        path = resolve_media(self.project, take.audio_path)
        if path is None:
            raise ValidationError(f"take {take.name!r} has no audio", self.project.path)
        if not os.path.lexists(path):
            raise MediaError("audio file is missing (moved or deleted?)", path)
        check_regular(path, "audio file", MediaError)  # a FIFO, a device, a folder, a dangling link
        return path

    def features(self, take: str | Take | None = None, transcript: str | None = None):
        from talkface_studio.audio.analysis import analyze

        take = self._take(take)
        text = transcript if transcript is not None else take.generation.transcript
        return analyze(self.audio_path(take), take.rate, transcript=text, n_frames=take.n_frames or None,
                       language=take.language)

    def report(self, take: str | Take | None = None):
        """How the take's phones were found (audio.alignment_report.AlignmentReport): derived from the
        cached analysis, never saved. Fast once the take was analysed."""
        return self.features(self._take(take)).report

    def _perform(self, take: Take, generation: GenerationSettings):
        from talkface_studio.perform.base import PerformRequest
        from talkface_studio.perform.registry import get_performer

        features = self.features(take, generation.transcript)
        weights = take.emotion_track.weights(features.n_frames)
        ctor, settings = _performer_args(generation.backend, generation.options)
        performer = get_performer(generation.backend, **ctor)
        request = PerformRequest(features, weights, take.rate, int(generation.seed), settings)
        return performer.perform(request)

    def _performance_key(self, take: Take, generation: GenerationSettings | None = None) -> str:
        g = generation if generation is not None else take.generation
        audio = self.audio_path(take)
        st = audio.stat()
        h = hashlib.sha256(json.dumps([str(audio), st.st_size, st.st_mtime_ns, take.rate.to_json(),
                                       take.n_frames, g.to_json(), take.language], sort_keys=True,
                                      default=str).encode())
        h.update(np.ascontiguousarray(take.emotion_weights()).data)
        return h.hexdigest()

    def performance(self, take: str | Take | None = None):
        """The take's Performance for its current audio, emotions and generation settings (cached)."""
        take = self._take(take)
        key = self._performance_key(take)
        if key not in self._performances:
            while len(self._performances) >= _MAX_PERFORMANCES:
                self._performances.pop(next(iter(self._performances)))
            self._performances[key] = self._perform(take, take.generation)
        return self._performances[key]

    def generate(self, take: str | Take | None = None, backend: str | None = None, seed: int | None = None,
                 options: dict | None = None, transcript: str | None = None):
        """Run the performer and replace the channels' generated bases (one undoable SetBase).

        Edit layers are untouched, so the artist's corrections survive regeneration.
        """
        take = self._take(take)
        g = take.generation
        generation = GenerationSettings(backend=backend or g.backend, seed=g.seed if seed is None else int(seed),
                                        transcript=g.transcript if transcript is None else transcript,
                                        options=dict(g.options if options is None else options))
        key = self._performance_key(take, generation)
        performance = self._performances.get(key) or self._perform(take, generation)
        bases = {n: v for n, v in performance.channels.items() if n in CHANNEL_NAMES}
        n_frames = performance.n_frames if performance.n_frames != take.n_frames else None
        generation.stamp = generation_stamp(take, self.audio_path(take), generation, performance.n_frames)
        self._do(SetBase(take.name, bases, n_frames=n_frames, generation=generation))
        self._performances[self._performance_key(take)] = performance
        return performance

    def ensure_generated(self, take: str | Take | None = None) -> bool:
        """Make the take's bases match its current performance (emotions or audio changed since the
        last generate, or never generated). Returns True when it had to regenerate."""
        take = self._take(take)
        performance = self.performance(take)
        bases = take.base_channels()
        stale = performance.n_frames != take.n_frames or any(
            n in bases and not np.allclose(bases[n], v, atol=1e-4)
            for n, v in performance.channels.items())
        if stale:
            self.generate(take)
        return stale

    # -- what a renderer needs -------------------------------------------------------------------
    def snapshot(self, take: str | Take | None = None) -> TakeSnapshot:
        """Immutable renderer input: fit, expression with channel edits applied, final channels."""
        from talkface_studio.perform.blendshapes import apply_channel_edits

        take = self._take(take)
        fit = self.fit(take)
        performance = self.performance(take)
        final = take.final_channels()
        if performance.n_frames != take.n_frames:
            raise ValidationError(f"take {take.name!r} has {take.n_frames} frames but its audio gives "
                                  f"{performance.n_frames}; run generate again", self.project.path)
        expression = apply_channel_edits(performance.expression, performance.channels, final)
        return TakeSnapshot(name=take.name, rate=take.rate, portrait=fit, expression=expression,
                            channels=final, audio_path=self.audio_path(take), seed=int(take.generation.seed),
                            neutralize=wants_neutralize(take.generation.options))
