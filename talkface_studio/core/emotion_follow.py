"""Expression curves follow the painted emotions at once, without pressing Generate.

A rule of the document, applied wherever an artist edits (core.undo.UndoStack.edit: the app and
the command line's editorial import). Every emotion edit is bundled, in the same undo step, with a
FollowEmotions command that rescales the generated emo_* bases to the new track. Where an emotion was already present, its generated
curve is scaled by new/old intensity, which keeps the performer's swells on stressed syllables;
where it is new (or the take was never generated) it starts at the painted intensity. The curve
editor, the preview and renders therefore show a paint immediately; Generate later replaces the
bases exactly and also re-derives what emotions do to posture, gaze and blinks.
"""

from __future__ import annotations

import numpy as np

from .emotion_commands import MoveSegmentBoundary, PaintEmotion, SetDefaultTransition, SetSegment
from .emotion_track import EMOTIONS
from .project import Change
from .undo import Command

EMO_CHANNELS = tuple(f"emo_{e}" for e in EMOTIONS[1:])  # column k of EmotionTrack.weights is EMO_CHANNELS[k-1]
EMOTION_COMMANDS = (PaintEmotion, MoveSegmentBoundary, SetSegment, SetDefaultTransition)
PRESENT = 0.05  # below this painted intensity a generated curve carries no usable shape to rescale


def weights_before(project, commands) -> dict[str, np.ndarray]:
    """take name -> emotion weights [T, 8], for each take an emotion command is about to change."""
    names = {c.take for c in commands if isinstance(c, EMOTION_COMMANDS)}
    return {n: project.take(n).emotion_weights() for n in names if n in project.take_names()}


def followed_bases(take, before: np.ndarray, amount: float = 1.0) -> tuple[dict[str, np.ndarray], tuple | None]:
    """(emo_* bases that match the take's current emotion track, frames touched) from the weights
    `before` the edit. Every emo channel is returned (unchanged ones as the same array) so merged
    drag steps always restore all of them; ({}, None) when the weights did not change."""
    after = take.emotion_weights()
    if after.shape != before.shape:
        return {}, None
    moved = np.abs(after - before) > 1e-6
    rows = np.flatnonzero(moved.any(axis=1))
    if rows.size == 0:
        return {}, None
    out = {}
    for k, name in enumerate(EMO_CHANNELS, start=1):
        base = take.channel(name).base
        idx = rows[moved[rows, k]]
        if idx.size == 0:
            out[name] = base
            continue
        old, w0, w1 = base[idx].astype(np.float64), before[idx, k], after[idx, k]
        # A generated curve tracks its weight (times emphasis); a never-generated base (zeros) does not.
        tracks = (w0 > PRESENT) & (old > 0.5 * w0 * amount)
        new = np.where(tracks, old * w1 / np.maximum(w0, PRESENT), w1 * amount)
        values = np.array(base, np.float32)
        values[idx] = np.clip(new, 0.0, 1.0)
        out[name] = values
    return out, (int(rows[0]), int(rows[-1]) + 1)


class FollowEmotions(Command):
    """Set the emo_* bases to follow an emotion edit; merges across the steps of one drag."""

    def __init__(self, take: str, bases: dict[str, np.ndarray], frames: tuple | None = None):
        super().__init__()
        self.take, self.bases, self.frames = take, bases, frames
        self.label = "Expression follows emotions"

    def _capture(self, project):
        take = project.take(self.take)
        return {n: take.channel(n).base for n in self.bases}

    def _restore(self, project, state) -> None:
        take = project.take(self.take)
        for n, values in state.items():
            take.channel(n).base = values

    def _apply(self, project) -> None:
        self._restore(project, self.bases)

    def _change(self, project) -> Change:
        return Change(self.take, "channel", None, self.frames)

    def _merge_key(self):
        return (self.take, "follow-emotions")


def follow_commands(project, before: dict[str, np.ndarray]) -> list[FollowEmotions]:
    """Not yet done: one FollowEmotions per take whose emotion weights changed since `before`."""
    out = []
    for name, weights in before.items():
        if name not in project.take_names():
            continue
        take = project.take(name)
        amount = float(take.generation.options.get("emotion_amount", 1.0))
        bases, frames = followed_bases(take, weights, amount)
        if bases:
            out.append(FollowEmotions(name, bases, frames))
    return out


def do_with_follow(project, commands) -> list:
    """Do `commands` and then the FollowEmotions they call for -> every command done, in order.
    On an error everything done is undone and the error raised: the project is unchanged."""
    before = weights_before(project, commands)
    done = []
    try:
        for c in commands:
            c.do(project)
            done.append(c)
        for c in follow_commands(project, before):  # same undo step as the paint
            c.do(project)
            done.append(c)
    except Exception:
        for c in reversed(done):
            c.undo(project)
        raise
    return done
