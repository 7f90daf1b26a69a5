"""The emotion track: non-overlapping labelled segments on the frame axis, and their blended weights.

Segments are immutable values with stable ids; the track replaces them as it is edited, so a
command can snapshot the whole track (a tuple) cheaply for undo. Gaps between segments are neutral.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from .errors import ValidationError

EMOTIONS: tuple[str, ...] = ("neutral", "angry", "contempt", "disgusted", "fear", "happy", "sad", "surprised")
LEVELS = (1, 2, 3)
TRANSITION_SECONDS = 1 / 3  # a third of a second reads as a natural change of mood at any frame rate


def default_transition(fps: float) -> int:
    """The transition, in frames, that new takes (and files that do not say) use at `fps`: the one
    place this default is decided."""
    return max(1, round(float(fps) * TRANSITION_SECONDS))


DEFAULT_TRANSITION = default_transition(24)  # 8 frames, where no frame rate is known


def level_intensity(level: int) -> float:
    """Level 1/2/3 -> intensity 1/3, 2/3, 1 (the MEAD levels, evenly spaced)."""
    return level / 3.0


@dataclass(frozen=True)
class Segment:
    """Frames [start, end) labelled `emotion` at `level`; `transition` (frames) overrides the track's."""

    start: int
    end: int
    emotion: str
    level: int = 2
    transition: int | None = None
    id: str = ""

    def __post_init__(self):
        check_segment_values(self.start, self.end, self.emotion, self.level, self.transition)
        for name in ("start", "end", "level", "transition"):  # numpy integers would not save as JSON
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, int(value))

    @property
    def length(self) -> int:
        return self.end - self.start

    def same_label(self, other: Segment) -> bool:
        return (self.emotion, self.level, self.transition) == (other.emotion, other.level, other.transition)


def check_segment_values(start, end, emotion, level, transition=None) -> None:
    """Raise ValidationError for anything a segment cannot hold (shared with the file loader)."""
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValidationError(f"segment {name} must be an integer frame, got {value!r}")
    if start < 0:
        raise ValidationError(f"segment start must be >= 0, got {start}")
    if end <= start:
        raise ValidationError(f"segment must end after it starts, got {start}-{end}")
    if emotion not in EMOTIONS:
        raise ValidationError(f"unknown emotion {emotion!r}; use one of {', '.join(EMOTIONS)}")
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or level not in LEVELS:
        raise ValidationError(f"level must be 1-3, got {level!r}")
    if transition is not None and (isinstance(transition, bool) or not isinstance(transition, (int, np.integer))
                                   or transition < 0):
        raise ValidationError(f"transition must be a number of frames >= 0, got {transition!r}")


_UNSET = object()


class EmotionTrack:
    """Sorted, non-overlapping segments plus the default transition length (frames)."""

    def __init__(self, segments: Iterable[Segment] = (), default_transition: int = DEFAULT_TRANSITION,
                 next_id: int = 1):
        self.default_transition = _check_transition(default_transition)
        self._segments: tuple[Segment, ...] = ()
        self._next_id = next_id
        self.restore((tuple(segments), default_transition, next_id))

    # -- state --------------------------------------------------------------------------------------
    @property
    def segments(self) -> tuple[Segment, ...]:
        return self._segments

    @property
    def next_id(self) -> int:
        return self._next_id

    def snapshot(self) -> tuple:
        """Everything undo needs to put the track back exactly (ids included)."""
        return (self._segments, self.default_transition, self._next_id)

    def restore(self, state: tuple) -> None:
        segments, default_transition, next_id = state
        segments = tuple(sorted(segments, key=lambda s: s.start))
        for a, b in zip(segments, segments[1:]):
            if b.start < a.end:
                raise ValidationError(f"segments overlap: {a.start}-{a.end} and {b.start}-{b.end}")
        ids = [s.id for s in segments]
        if len(set(ids)) != len(ids) or "" in ids:
            segments = tuple(s if s.id else dataclasses.replace(s, id=self._new_id()) for s in segments)
            if len({s.id for s in segments}) != len(segments):
                raise ValidationError("segment ids must be unique")
        self._segments = segments
        self.default_transition = _check_transition(default_transition)
        self._next_id = max(next_id, 1, *(_id_number(s.id) + 1 for s in segments))

    def _new_id(self) -> str:
        self._next_id += 1
        return f"s{self._next_id - 1}"

    # -- queries ------------------------------------------------------------------------------------
    def get(self, segment_id: str) -> Segment:
        for s in self._segments:
            if s.id == segment_id:
                return s
        raise ValidationError(f"no emotion segment with id {segment_id!r}")

    def segment_at(self, frame: int) -> Segment | None:
        for s in self._segments:
            if s.start <= frame < s.end:
                return s
        return None

    def transition_of(self, segment: Segment) -> int:
        return self.default_transition if segment.transition is None else segment.transition

    # -- edits --------------------------------------------------------------------------------------
    def paint(self, start: int, end: int, emotion: str, level: int = 2, transition: int | None = None) -> str | None:
        """Label [start, end): overwrite what is there, split/trim neighbours, merge equal neighbours.

        Painting "neutral" erases. Returns the id of the segment now covering the range (None if erased).
        """
        check_segment_values(start, end, emotion, level, transition)
        kept: list[Segment] = []
        for s in self._segments:
            if s.end <= start or s.start >= end:
                kept.append(s)
                continue
            if s.start < start:  # left remainder keeps the id: the artist's selection stays put
                kept.append(dataclasses.replace(s, end=start))
            if s.end > end:
                right_id = s.id if s.start >= start else self._new_id()
                kept.append(dataclasses.replace(s, start=end, id=right_id))
        painted_id = None
        if emotion != "neutral":
            painted = Segment(start, end, emotion, level, transition, id=self._new_id())
            kept.append(painted)
            painted_id = painted.id
        kept.sort(key=lambda s: s.start)
        merged: list[Segment] = []
        for s in kept:
            if merged and merged[-1].end == s.start and merged[-1].same_label(s):
                if s.id == painted_id:
                    painted_id = merged[-1].id
                merged[-1] = dataclasses.replace(merged[-1], end=s.end)
            else:
                merged.append(s)
        self._segments = tuple(merged)
        return painted_id

    def erase(self, start: int, end: int) -> None:
        self.paint(start, end, "neutral", 1)

    def move_boundary(self, segment_id: str, edge: str, frame: int) -> int:
        """Drag a segment's 'start' or 'end' edge to `frame`; returns where it landed.

        The edge stops at the next segment and at zero length. An edge shared with a touching
        neighbour moves both (a rolling edit), stopping before either vanishes.
        """
        if edge not in ("start", "end"):
            raise ValidationError(f"edge must be 'start' or 'end', got {edge!r}")
        segs = list(self._segments)
        i = next((k for k, s in enumerate(segs) if s.id == segment_id), None)
        if i is None:
            raise ValidationError(f"no emotion segment with id {segment_id!r}")
        s = segs[i]
        frame = int(frame)
        if edge == "start":
            prev = segs[i - 1] if i > 0 else None
            low = 0 if prev is None else (prev.start + 1 if prev.end == s.start else prev.end)
            frame = min(max(frame, low), s.end - 1)
            if prev is not None and prev.end == s.start:
                segs[i - 1] = dataclasses.replace(prev, end=frame)
            segs[i] = dataclasses.replace(s, start=frame)
        else:
            nxt = segs[i + 1] if i + 1 < len(segs) else None
            if nxt is None:
                high = None
            else:
                high = nxt.end - 1 if nxt.start == s.end else nxt.start
            frame = max(frame, s.start + 1)
            if high is not None:
                frame = min(frame, high)
            if nxt is not None and nxt.start == s.end:
                segs[i + 1] = dataclasses.replace(nxt, start=frame)
            segs[i] = dataclasses.replace(s, end=frame)
        self._segments = tuple(segs)
        return frame

    def set_segment(self, segment_id: str, emotion=_UNSET, level=_UNSET, transition=_UNSET) -> None:
        """Change a segment's label in place (the id stays; equal neighbours are not merged)."""
        s = self.get(segment_id)
        changes = {k: v for k, v in (("emotion", emotion), ("level", level), ("transition", transition))
                   if v is not _UNSET}
        if changes.get("emotion") == "neutral":
            raise ValidationError("a segment cannot be neutral; erase it instead")
        new = dataclasses.replace(s, **changes)
        self._segments = tuple(new if x.id == segment_id else x for x in self._segments)

    def set_default_transition(self, frames: int) -> None:
        self.default_transition = _check_transition(frames)

    # -- evaluation ---------------------------------------------------------------------------------
    def weights(self, n_frames: int) -> np.ndarray:
        """float32 [n_frames, 8]: per-emotion intensity (0..1), smoothstep blends centred on boundaries.

        A boundary between frames b-1 and b blends over its transition (the larger of the two sides'
        at a shared boundary, so both crossfade together), capped at the shorter adjacent segment so
        a short segment still reaches its level. Segments touching the take's first or last frame
        do not fade there. The neutral column is 1 - sum(others), clipped at 0.
        """
        n_frames = int(n_frames)
        out = np.zeros((max(n_frames, 0), len(EMOTIONS)), np.float32)
        if n_frames <= 0:
            return out
        segs = self._segments
        t = np.arange(n_frames, dtype=np.float64)
        for i, s in enumerate(segs):
            if s.start >= n_frames:
                break
            prev = segs[i - 1] if i > 0 and segs[i - 1].end == s.start else None
            nxt = segs[i + 1] if i + 1 < len(segs) and segs[i + 1].start == s.end else None
            # A segment at the very start or end of the take holds its level right to the edge.
            w_in = self._edge_width(s, prev) if s.start > 0 else 0.0
            w_out = self._edge_width(s, nxt) if s.end < n_frames else 0.0
            lo = max(0, int(np.floor(s.start - w_in / 2)) - 1)
            hi = min(n_frames, int(np.ceil(s.end + w_out / 2)) + 1)
            tt = t[lo:hi]
            ramp = _smooth_step(tt - (s.start - 0.5), w_in) - _smooth_step(tt - (s.end - 0.5), w_out)
            out[lo:hi, EMOTIONS.index(s.emotion)] += (level_intensity(s.level) * ramp).astype(np.float32)
        np.clip(out, 0.0, 1.0, out=out)
        out[:, 0] = np.clip(1.0 - out[:, 1:].sum(axis=1), 0.0, 1.0)
        return out

    def _edge_width(self, s: Segment, neighbour: Segment | None) -> float:
        width = self.transition_of(s)
        cap = s.length
        if neighbour is not None:
            width = max(width, self.transition_of(neighbour))
            cap = min(cap, neighbour.length)
        return float(min(width, cap))


def _smooth_step(x: np.ndarray, width: float) -> np.ndarray:
    """0 -> 1 smoothstep centred on x = 0 over `width`; a hard step (x >= 0) when width is 0."""
    if width <= 0:
        return (x >= 0).astype(np.float64)
    u = np.clip(x / width + 0.5, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def _check_transition(frames) -> int:
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 0:
        raise ValidationError(f"transition must be a number of frames >= 0, got {frames!r}")
    return int(frames)


def _id_number(segment_id: str) -> int:
    digits = segment_id[1:] if segment_id.startswith("s") else ""
    return int(digits) if digits.isdigit() else 0
