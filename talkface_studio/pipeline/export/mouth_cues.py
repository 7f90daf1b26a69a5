"""A take's mouth cues as a file for 2D and game pipelines (Rhubarb TSV / JSON, Moho switch data, a
Papagayo or Papagayo-NG project): what the lip sync heard, in the mouth chart's shapes, with the
shapes set by hand over it, which is what Generate performs. The formats are core.mouth_cues'."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from talkface_studio.core.mouth_cues import cues_text, format_of
from talkface_studio.core.papagayo_project import SUFFIXES as PAPAGAYO, project_json, project_text
from talkface_studio.perform.hand_shapes import SHAPES_IN_ORDER

from .atomic import write_text_atomic

REST = SHAPES_IN_ORDER.index("rest")


MAX_HOLD = 8  # frames: a third of a second at 24 fps


def mouth_track(heard, hand_shapes, n_frames: int, start: int = 0, stop: int | None = None,
                hold: int = 1) -> list[tuple]:
    """(start, end, shape) runs covering frames [start, stop): silence and unheard frames rest;
    with `hold` > 1 each drawing held at least that many frames (held)."""
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
    return held([(start + int(a), start + int(b), SHAPES_IN_ORDER[codes[a]]) for a, b in zip(change, ends)], hold)


def held(runs: list[tuple], frames: int) -> list[tuple]:
    """`runs` with every drawing held at least `frames` frames, as 2D animation is drawn on twos
    (2) or threes: a shorter drawing gives its frames to the one after it (the mouth anticipates
    the next sound, as the 3D face does), or to the one before at the end or before a closure. A
    closed mouth (MBP) is never given away, only lengthened from the drawings after it: a p, b or m
    that never closes shows more than a vowel reached a frame late. Nor is a closure given frames:
    a drawing between two closures stays, however short, so the mouth opens between them. The runs
    still cover the same frames."""
    if frames <= 1 or len(runs) < 2:
        return list(runs)
    out = [list(r) for r in runs]
    i = 0
    while i < len(out):
        a, b, shape = out[i]
        if b - a >= frames or len(out) == 1:
            i += 1
            continue
        if shape == "MBP":  # lengthen the closure from the drawings after it, when there are any
            if i + 1 < len(out):
                nxt = out[i + 1]
                keep = 1 if i + 2 < len(out) and out[i + 2][2] == "MBP" else 0  # it opens between closures
                nxt[0] = out[i][1] = min(a + frames, nxt[1] - keep)
                if nxt[0] >= nxt[1]:
                    del out[i + 1]
                    continue  # still short? take from the next one too
            i += 1
            continue
        if i + 1 < len(out) and out[i + 1][2] != "MBP":
            out[i + 1][0] = a  # the next drawing comes in earlier
        elif i > 0 and out[i - 1][2] != "MBP":
            out[i - 1][1] = b  # the last drawing, or one before a closure: the one before holds on
        else:  # between closures (or a closure and an end) the mouth must open, however briefly
            i += 1
            continue
        del out[i]
        i = max(i - 1, 0)
    merged: list[tuple] = []
    for a, b, shape in out:  # a drawing that met its own shape again is one run
        if merged and merged[-1][2] == shape:
            merged[-1] = (merged[-1][0], b, shape)
        else:
            merged.append((a, b, shape))
    return merged


def write_mouth_cues(path: str | os.PathLike, take, heard, start: int = 0, stop: int | None = None,
                     sound_file: str = "", hold: int = 1) -> Path:
    """Write frames [start, stop) of `take`'s mouth (`heard`: TakeCache.heard) to `path`, in the
    format its suffix names, each drawing held `hold` frames or more (held); times and frames are
    the take's own. Atomic, like every export."""
    path = Path(path)
    suffix = format_of(path)
    track = mouth_track(heard, take.generation.mouth_shapes, take.n_frames, start, stop, hold)
    if suffix in PAPAGAYO:  # the script's words with their shapes, for Papagayo (-NG)
        words = heard.words_within(start, take.n_frames if stop is None else stop)
        write = project_text if suffix == ".pgo" else project_json
        text = write(track, words, take.rate.fps, take.n_frames, sound_file, take.name)
    else:
        text = cues_text(track, suffix, take.rate.fps, sound_file)
    return write_text_atomic(path, text)


def write_take_cues(path, take, project_path, start: int, stop: int, cache=None, cancel=None, hold: int = 1) -> Path:
    """write_mouth_cues for a take of a project: what its lip sync hears (the cached analysis of
    `cache`, a TakeCache), its recording named as the sound file. `mouth --export` and the render
    queue both write through here."""
    from talkface_studio.pipeline.take_cache import TakeCache

    cache = cache if cache is not None else TakeCache()
    heard = cache.heard(take, project_path)
    if cancel is not None:
        cancel.check()
    audio = cache.audio_path(take, project_path)
    return write_mouth_cues(path, take, heard, start, stop, str(audio), hold)
