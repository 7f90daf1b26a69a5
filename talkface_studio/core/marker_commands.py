"""Undoable edits of a take's markers: add (M), rename, move (a drag merges into one step), remove."""

from __future__ import annotations

import dataclasses
from typing import Iterable

from .errors import ValidationError
from .markers import Marker, default_name, sorted_markers
from .project import Change
from .undo import Command


class _MarkersCommand(Command):
    def __init__(self, take: str):
        super().__init__()
        self.take = take

    def _capture(self, project):
        return project.take(self.take).markers

    def _restore(self, project, state):
        project.take(self.take).markers = state

    def _change(self, project):
        return Change(self.take, "markers")

    def _marker(self, project, marker_id: str) -> Marker:
        for m in project.take(self.take).markers:
            if m.id == marker_id:
                return m
        raise ValidationError(f"no marker with id {marker_id!r} on take {self.take!r}")

    def _replace(self, project, marker: Marker) -> None:
        take = project.take(self.take)
        take.markers = sorted_markers(marker if m.id == marker.id else m for m in take.markers)

    def _check_frame(self, project, frame: int) -> int:
        n = project.take(self.take).n_frames
        return max(0, min(int(frame), max(0, n - 1)))  # markers stay on the take


class AddMarker(_MarkersCommand):
    def __init__(self, take: str, frame: int, name: str | None = None):
        super().__init__(take)
        self.frame, self.name = int(frame), name
        self.marker_id = Marker(0).id
        self.label = f"Add marker at {self.frame}"

    def _apply(self, project):
        take = project.take(self.take)
        name = self.name if self.name is not None else default_name(take.markers, self.frame)
        marker = Marker(self._check_frame(project, self.frame), name, self.marker_id)
        take.markers = sorted_markers(take.markers + (marker,))


class RenameMarker(_MarkersCommand):
    def __init__(self, take: str, marker_id: str, name: str):
        super().__init__(take)
        self.marker_id, self.name = marker_id, name
        self.label = f"Rename marker to {name!r}"

    def _apply(self, project):
        self._replace(project, dataclasses.replace(self._marker(project, self.marker_id), name=self.name))


class MoveMarker(_MarkersCommand):
    """Put a marker on `frame` (absolute, so a drag's steps merge and the last one wins)."""

    def __init__(self, take: str, marker_id: str, frame: int):
        super().__init__(take)
        self.marker_id, self.frame = marker_id, int(frame)
        self.label = "Move marker"

    def _apply(self, project):
        marker = self._marker(project, self.marker_id)
        self._replace(project, dataclasses.replace(marker, frame=self._check_frame(project, self.frame)))

    def _merge_key(self):
        return (self.take, self.marker_id)


class RemoveMarkers(_MarkersCommand):
    def __init__(self, take: str, marker_ids: Iterable[str]):
        super().__init__(take)
        self.marker_ids = tuple(marker_ids)
        self.label = f"Delete {len(self.marker_ids)} marker{'s' if len(self.marker_ids) != 1 else ''}"

    def _apply(self, project):
        for i in self.marker_ids:
            self._marker(project, i)
        take = project.take(self.take)
        take.markers = tuple(m for m in take.markers if m.id not in self.marker_ids)
