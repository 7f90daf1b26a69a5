"""A take's dialogue as captions for editorial (SubRip .srt, WebVTT .vtt), timed by where the lip
sync placed the script's words (core.captions), written with pysubs2. Times are the take's own
(frame 0 at the recording's start), as the other exports keep them."""

from __future__ import annotations

from pathlib import Path

from talkface_studio.core.captions import caption_cues
from talkface_studio.core.errors import ValidationError

from .atomic import write_text_atomic

SUFFIXES = {".srt": "srt", ".vtt": "vtt"}


def caption_format(path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError(f"captions are SubRip .srt or WebVTT .vtt; not {suffix or 'a file without a suffix'}",
                              path)
    return SUFFIXES[suffix]


def captions_text(take, words, fmt: str, stop: int | None = None) -> str:
    """The take's captions in `fmt` ('srt' or 'vtt'); `words`: HeardShapes.words (frames); no cue
    past frame `stop`."""
    import pysubs2

    from talkface_studio.audio.g2p import g2p

    script = take.generation.transcript or ""
    if not script.strip():
        raise ValidationError(f"take {take.name!r} has no script: captions are its script's words "
                              "(script --file, or Take > Script…)")
    fps = take.rate.fps
    subs = pysubs2.SSAFile()
    # the script's words as the lip sync read them (Mandarin in its own words, not runs of hanzi)
    tokens = [(w.text, w.start, w.pause_after) for w in g2p(script, take.language)]
    for start, end, text in caption_cues(words, tokens, script, fps, stop):
        subs.append(pysubs2.SSAEvent(start=round(start / fps * 1000), end=round(end / fps * 1000),
                                     text=text.replace("\n", "\\N")))
    return subs.to_string(fmt)


def write_captions(path, take, heard, start: int = 0, stop: int | None = None) -> Path:
    """Write the captions of frames [start, stop) of `take` (`heard`: TakeCache.heard) to `path`,
    atomically, in the format its suffix names."""
    fmt = caption_format(path)
    stop = take.n_frames if stop is None else stop
    return write_text_atomic(Path(path), captions_text(take, heard.words_within(start, stop), fmt, stop))


def write_take_captions(path, take, project_path, start: int, stop: int, cache=None, cancel=None) -> Path:
    """write_captions for a take of a project, from its cached analysis (`cache`, a TakeCache)."""
    from talkface_studio.pipeline.take_cache import TakeCache

    cache = cache if cache is not None else TakeCache()
    heard = cache.heard(take, project_path)
    if cancel is not None:
        cancel.check()
    return write_captions(path, take, heard, start, stop)
