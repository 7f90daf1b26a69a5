"""A take's mouth cues as a file for 2D and game pipelines (Rhubarb TSV / JSON, Moho switch data, a
Papagayo project): what the lip sync heard, in the mouth chart's shapes, with the shapes set by hand
over it, which is what Generate performs. The formats are core.mouth_cues'."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from talkface_studio.core.mouth_cues import cues_text, format_of
from talkface_studio.core.papagayo_project import project_text
from talkface_studio.perform.hand_shapes import SHAPES_IN_ORDER

from .atomic import write_text_atomic

REST = SHAPES_IN_ORDER.index("rest")


def mouth_track(heard, hand_shapes, n_frames: int, start: int = 0, stop: int | None = None) -> list[tuple]:
    """(start, end, shape) runs covering frames [start, stop): silence and unheard frames rest."""
    stop = n_frames if stop is None else stop
    codes = np.full(n_frames, REST, dtype=np.int64)
    for a, b, shape in heard:
        codes[a:b] = SHAPES_IN_ORDER.index(shape)
    for s in hand_shapes:
        codes[s.start:min(s.end, n_frames)] = SHAPES_IN_ORDER.index(s.shape)
    codes = codes[start:stop]
    if not len(codes):
        return []
    change = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[change[1:], len(codes)]
    return [(start + int(a), start + int(b), SHAPES_IN_ORDER[codes[a]]) for a, b in zip(change, ends)]


def write_mouth_cues(path: str | os.PathLike, take, heard, start: int = 0, stop: int | None = None,
                     sound_file: str = "") -> Path:
    """Write frames [start, stop) of `take`'s mouth (`heard`: TakeCache.heard) to `path`, in the
    format its suffix names; times and frames are the take's own. Atomic, like every export."""
    path = Path(path)
    suffix = format_of(path)
    track = mouth_track(heard, take.generation.mouth_shapes, take.n_frames, start, stop)
    if suffix == ".pgo":  # the script's words with their shapes, for Papagayo
        stop = take.n_frames if stop is None else stop
        words = [(max(a, start), min(b, stop), w) for a, b, w in heard.words if b > start and a < stop]
        text = project_text(track, words, take.rate.fps, take.n_frames, sound_file, take.name)
    else:
        text = cues_text(track, suffix, take.rate.fps, sound_file)
    return write_text_atomic(path, text)


def write_take_cues(path, take, project_path, start: int, stop: int, cache=None, cancel=None) -> Path:
    """write_mouth_cues for a take of a project: what its lip sync hears (the cached analysis of
    `cache`, a TakeCache), its recording named as the sound file. `mouth --export` and the render
    queue both write through here."""
    from talkface_studio.pipeline.take_cache import TakeCache

    cache = cache if cache is not None else TakeCache()
    heard = cache.heard(take, project_path)
    if cancel is not None:
        cancel.check()
    audio = cache.audio_path(take, project_path)
    return write_mouth_cues(path, take, heard, start, stop, str(audio))
