"""Changing a take's frame rate keeps its timing in seconds: every frame number is rescaled."""

from __future__ import annotations

import dataclasses

import numpy as np

from .channels import Channel, EditLayer
from .emotion_track import EmotionTrack
from .mouth_shapes import cut_at, retimed
from .take import Take
from .timebase import FrameRate


def retime_take(take: Take, rate: FrameRate) -> None:
    """Move `take` to `rate` in place: segments, keys, blends and transitions keep their times;
    the bases are resampled (regenerating at the new rate refines them); n_frames covers the
    same duration."""
    old = take.rate
    if rate == old:
        return
    factor = float(rate.fraction / old.fraction)
    n_new = rate.frames_in(old.frame_to_seconds(take.n_frames))
    _retime_track(take.emotion_track, factor)
    for ch in take.channels.values():
        _retime_channel(ch, factor, n_new)
    take.rate = rate
    take.n_frames = n_new
    if take.generation.mouth_shapes:  # a new object: commands may hold the old one
        shapes = cut_at(retimed(take.generation.mouth_shapes, factor), n_new)
        take.generation = dataclasses.replace(take.generation, mouth_shapes=shapes)


def _scale(frame: int, factor: float) -> int:
    return int(round(frame * factor))


def _retime_track(track: EmotionTrack, factor: float) -> None:
    segments = []
    for s in track.segments:
        start, end = _scale(s.start, factor), _scale(s.end, factor)
        if segments and start < segments[-1].end:
            start = segments[-1].end
        if end > start:  # a segment shorter than one frame at the new rate disappears
            tr = None if s.transition is None else _scale(s.transition, factor)
            segments.append(dataclasses.replace(s, start=start, end=end, transition=tr))
    track.restore((tuple(segments), _scale(track.default_transition, factor), track.next_id))


def _retime_channel(ch: Channel, factor: float, n_new: int) -> None:
    old = ch.base.astype(np.float64)
    if len(old):
        t_new = np.arange(n_new) / factor
        ch.base = np.interp(t_new, np.arange(len(old)), old)
    else:
        ch.base = np.full(n_new, ch.spec.default)
    ch.layers = [_retime_layer(layer, factor) for layer in ch.layers]


def _retime_layer(layer: EditLayer, factor: float) -> EditLayer:
    by_frame = {}
    for k in layer.keys:  # keys that land on one frame: the later one wins
        by_frame[_scale(k.frame, factor)] = dataclasses.replace(k, frame=_scale(k.frame, factor))
    return dataclasses.replace(layer, keys=tuple(by_frame.values()),
                               blend_in=_scale(layer.blend_in, factor), blend_out=_scale(layer.blend_out, factor))
