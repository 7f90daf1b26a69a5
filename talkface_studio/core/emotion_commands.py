"""Undoable edits of a take's emotion track."""

from __future__ import annotations

from .emotion_track import _UNSET, Segment
from .project import Change, Project
from .undo import Command


class _TrackCommand(Command):
    def __init__(self, take: str):
        super().__init__()
        self.take = take

    def _track(self, project: Project):
        return project.take(self.take).emotion_track

    def _capture(self, project):
        return self._track(project).snapshot()

    def _restore(self, project, state):
        self._track(project).restore(state)

    def _change(self, project):
        return Change(self.take, "emotion", None, _changed_frames(self._before, self._after))


def _changed_frames(before, after) -> tuple[int, int] | None:
    """Extent of the segments that differ, widened by the longest transition (blends reach out)."""
    if before is None or after is None:
        return None
    a, b = set(before[0]), set(after[0])
    diff = a ^ b
    if before[1] != after[1]:
        diff = a | b
    if not diff:
        return None
    reach = max([before[1], after[1]] + [s.transition or 0 for s in diff])
    return (max(0, min(s.start for s in diff) - reach), max(s.end for s in diff) + reach)


class PaintEmotion(_TrackCommand):
    """Label [start, end) with an emotion; "neutral" erases."""

    def __init__(self, take: str, start: int, end: int, emotion: str, level: int = 2,
                 transition: int | None = None):
        super().__init__(take)
        self.start, self.end, self.emotion, self.level, self.transition = start, end, emotion, level, transition
        self.label = "Erase emotion" if emotion == "neutral" else f"Paint {emotion} {level}"
        self.segment_id: str | None = None

    def _apply(self, project):
        self.segment_id = self._track(project).paint(self.start, self.end, self.emotion, self.level, self.transition)


class EraseEmotion(PaintEmotion):
    def __init__(self, take: str, start: int, end: int):
        super().__init__(take, start, end, "neutral", 1)


class MoveSegmentBoundary(_TrackCommand):
    """Drag a segment edge; consecutive moves of the same edge merge into one undo step."""

    def __init__(self, take: str, segment_id: str, edge: str, frame: int):
        super().__init__(take)
        self.segment_id, self.edge, self.frame = segment_id, edge, frame
        self.label = f"Move emotion {edge}"
        self.landed: int | None = None

    def _apply(self, project):
        self.landed = self._track(project).move_boundary(self.segment_id, self.edge, self.frame)

    def _merge_key(self):
        return (self.take, self.segment_id, self.edge)


class SetSegment(_TrackCommand):
    """Change a segment's emotion, level and/or transition (pass only what changes)."""

    def __init__(self, take: str, segment_id: str, emotion=_UNSET, level=_UNSET, transition=_UNSET):
        super().__init__(take)
        self.segment_id = segment_id
        self.changes = dict(emotion=emotion, level=level, transition=transition)
        self.label = "Set emotion " + ", ".join(k for k, v in self.changes.items() if v is not _UNSET)

    def _apply(self, project):
        self._track(project).set_segment(self.segment_id, **self.changes)

    def _merge_key(self):  # a level slider or transition spin box edits the same segment repeatedly
        return (self.take, self.segment_id, tuple(k for k, v in self.changes.items() if v is not _UNSET))


class SetDefaultTransition(_TrackCommand):
    def __init__(self, take: str, frames: int):
        super().__init__(take)
        self.frames = frames
        self.label = "Set emotion transition"

    def _apply(self, project):
        self._track(project).set_default_transition(self.frames)

    def _merge_key(self):
        return (self.take,)


__all__ = ["PaintEmotion", "EraseEmotion", "MoveSegmentBoundary", "SetSegment", "SetDefaultTransition", "Segment"]
