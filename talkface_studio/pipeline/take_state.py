"""A project's takes and everything a renderer needs from them, for the command line and scripts:
portrait fit, audio features, performance, Generate, snapshot.

The derived data is session state (not saved, not undone), cached by its inputs in a
pipeline.take_cache.TakeCache so that editing a curve does not re-run the performer and opening a
project fits each portrait once. The document changes only through core commands (the portrait fit
is stored in the take with SetMedia, regenerated bases with SetBase), so every change is undoable
and regenerating keeps the artist's edit layers. What a take renders as: pipeline.renderable.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from talkface_studio.core.channels import CHANNEL_NAMES
from talkface_studio.core.commands import SetBase, SetMedia
from talkface_studio.core.errors import ValidationError
from talkface_studio.core.project import Project
from talkface_studio.core.take import Take

from .generation_stamp import generation_stamp
from .renderable import NEVER_GENERATED, build_snapshot, take_status
from .snapshot import TakeSnapshot
from .take_cache import TakeCache


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


class TakeState:
    """Derived data for the takes of one project. `stack` (a core UndoStack) records the edits it makes.
    `cache` (a pipeline.take_cache.TakeCache) may be shared with other states of the same session."""

    def __init__(self, project: Project, stack=None, fit_size: int = 512, cache: TakeCache | None = None):
        self.project = project
        self.stack = stack
        self.cache = cache if cache is not None else TakeCache(fit_size)

    def share_results(self, other: TakeState) -> None:
        """Reuse `other`'s performances and portrait fits (the same inputs give the same results):
        a command that re-applies its change to a project another program saved redoes no work."""
        self.cache = other.cache

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

    def _keep_fit(self, take: Take, fit_json: dict | None) -> None:
        if fit_json is not None:
            self._do(SetMedia(take.name, portrait_fit=fit_json))

    # -- portrait -------------------------------------------------------------------------------
    def fit(self, take: str | Take | None = None):
        """The take's PortraitFit: reused from the project when stored, else fitted once and stored."""
        take = self._take(take)
        fit, fit_json = self.cache.fit(take, self.project.path)
        self._keep_fit(take, fit_json)
        return fit

    # -- audio and performance ------------------------------------------------------------------
    def audio_path(self, take: str | Take | None = None) -> Path:
        return self.cache.audio_path(self._take(take), self.project.path)

    def features(self, take: str | Take | None = None, transcript: str | None = None):
        return self.cache.features(self._take(take), self.project.path, transcript)

    def report(self, take: str | Take | None = None):
        """How the take's phones were found (audio.alignment_report.AlignmentReport): derived from the
        cached analysis, never saved. Fast once the take was analysed."""
        return self.cache.report(self._take(take), self.project.path)

    def performance(self, take: str | Take | None = None):
        """The take's Performance for its current audio, emotions and generation settings (cached)."""
        return self.cache.performance(self._take(take), self.project.path)

    def generate(self, take: str | Take | None = None, backend: str | None = None, seed: int | None = None,
                 options: dict | None = None, transcript: str | None = None):
        """Run the performer and replace the channels' generated bases (one undoable SetBase).

        Edit layers are untouched, so the artist's corrections survive regeneration.
        """
        take = self._take(take)
        g = take.generation
        generation = dataclasses.replace(  # what is not asked for (mouth shapes set by hand) as it is
            g, backend=backend or g.backend, seed=g.seed if seed is None else int(seed),
            transcript=g.transcript if transcript is None else transcript,
            options=dict(g.options if options is None else options), stamp=None)
        performance = self.cache.performance(take, self.project.path, generation)
        bases = {n: v for n, v in performance.channels.items() if n in CHANNEL_NAMES}
        n_frames = performance.n_frames if performance.n_frames != take.n_frames else None
        generation.stamp = generation_stamp(take, self.audio_path(take), generation, performance.n_frames)
        self._do(SetBase(take.name, bases, n_frames=n_frames, generation=generation))
        if n_frames is not None:
            self.cache.remember(take, self.project.path, performance)
        return performance

    def status(self, take: str | Take | None = None) -> str:
        """pipeline.renderable: "current", "stale" (Generate is out of date) or "never generated";
        from the generation stamp, without running stage 1."""
        return take_status(self._take(take), self.project.path)

    def ensure_generated(self, take: str | Take | None = None) -> bool:
        """Generate the take when its generation stamp says it is out of date (or it never was).
        Returns True when it generated. Renders do not call this: they show a take as stored."""
        take = self._take(take)
        if self.status(take) == "current":
            return False
        self.generate(take)
        return True

    # -- what a renderer needs -------------------------------------------------------------------
    def snapshot(self, take: str | Take | None = None, portrait: bool = True) -> TakeSnapshot:
        """The take's renderable snapshot (pipeline.renderable.build_snapshot); a portrait fitted for
        it is stored in the take."""
        take = self._take(take)
        snapshot, fit_json = build_snapshot(self.cache, take, self.project.path, portrait=portrait)
        self._keep_fit(take, fit_json)
        return snapshot

    def never_generated(self, take: str | Take | None = None) -> bool:
        return self.status(take) == NEVER_GENERATED
