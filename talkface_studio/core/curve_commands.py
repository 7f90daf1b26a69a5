"""Undoable edits of channels: keys, edit layers, reset-to-generated, imported curves, new bases."""

from __future__ import annotations

import dataclasses
from typing import Iterable, Mapping

import numpy as np

from .channels import CHANNEL_NAMES, DEFAULT_BLEND, EditLayer, Key, key_value_limits, new_id, spec
from .errors import ValidationError
from .project import Change, Project
from .undo import Command

_UNSET = object()
KeyLike = Key | tuple  # Key, or (frame, value) / (frame, value, interp)


class _LayersCommand(Command):
    """Snapshot of the layer tuples of some channels of one take."""

    def __init__(self, take: str, channels: Iterable[str]):
        super().__init__()
        self.take = take
        self.channels = tuple(channels)
        for name in self.channels:
            spec(name)  # unknown channel names fail before anything changes

    def _channel(self, project: Project, name: str | None = None):
        return project.take(self.take).channel(name or self.channels[0])

    def _capture(self, project):
        return {n: self._channel(project, n).layers for n in self.channels}

    def _restore(self, project, state):
        for n, layers in state.items():
            self._channel(project, n).layers = layers

    def _change(self, project):
        return Change(self.take, "channel", self.channels[0] if len(self.channels) == 1 else None,
                      self._frames())

    def _frames(self) -> tuple[int, int] | None:
        """Frames touched by the layers that differ between before and after (blends included)."""
        if self._before is None or self._after is None:
            return None
        spans = []
        for n in self.channels:
            old, new = set(self._before[n]), set(self._after[n])
            for layer in old ^ new:
                if layer.keys:
                    first, last = layer.span
                    spans.append((max(0, first - layer.blend_in), last + layer.blend_out + 1))
        if not spans:
            return None
        return (min(s for s, _ in spans), max(e for _, e in spans))

    def _limited(self, project, mode: str, keys, shift_frames: bool = False) -> tuple[Key, ...]:
        """Keys clamped into the channel's value limits; frames outside the take are refused, or
        with `shift_frames` the keys move back inside together (a drag or nudge stops at the ends)."""
        keys = tuple(keys)
        lo, hi = key_value_limits(self.channels[0], mode)
        n = project.take(self.take).n_frames
        if keys:
            first, last = min(k.frame for k in keys), max(k.frame for k in keys)
            if shift_frames:
                shift = max(0, -first) - max(0, last - (n - 1))
                keys = tuple(dataclasses.replace(k, frame=k.frame + shift) for k in keys) if shift else keys
            elif first < 0 or last > n - 1:
                bad = first if first < 0 else last
                raise ValidationError(f"a key at frame {bad} is outside the take (frames 0-{max(0, n - 1)})")
        return tuple(k if lo <= k.value <= hi else dataclasses.replace(k, value=min(hi, max(lo, k.value)))
                     for k in keys)

    def _edit_layer(self, project, layer_id: str, **changes) -> EditLayer:
        ch = self._channel(project)
        new = dataclasses.replace(ch.layer(layer_id), **changes)
        ch.replace_layer(new)
        return new


def _as_key(k: KeyLike) -> Key:
    if isinstance(k, Key):
        return k
    if len(k) == 2:
        return Key(int(k[0]), float(k[1]))
    return Key(int(k[0]), float(k[1]), k[2])


def _merge_keys(existing: Iterable[Key], incoming: Iterable[Key]) -> tuple[Key, ...]:
    """Incoming keys win on frames already keyed (keying again replaces the old key)."""
    incoming = tuple(incoming)
    taken = {k.frame for k in incoming}
    return tuple(k for k in existing if k.frame not in taken) + incoming


# -- layers ----------------------------------------------------------------------------------------
class AddLayer(_LayersCommand):
    def __init__(self, take: str, channel: str, mode: str = "override", name: str = "",
                 keys: Iterable[KeyLike] = (), blend_in: int = DEFAULT_BLEND, blend_out: int = DEFAULT_BLEND,
                 index: int | None = None):
        super().__init__(take, [channel])
        self.layer = EditLayer(mode=mode, keys=tuple(_as_key(k) for k in keys), blend_in=blend_in,
                               blend_out=blend_out, name=name)
        self.layer_id = self.layer.id
        self.index = index
        self.label = f"Add {mode} layer on {channel}"

    def _apply(self, project):
        layers = list(self._channel(project).layers)
        layers.insert(len(layers) if self.index is None else self.index, self.layer)
        self._channel(project).layers = layers


class RemoveLayer(_LayersCommand):
    def __init__(self, take: str, channel: str, layer_id: str):
        super().__init__(take, [channel])
        self.layer_id = layer_id
        self.label = f"Remove layer from {channel}"

    def _apply(self, project):
        ch = self._channel(project)
        ch.layer(self.layer_id)
        ch.layers = [x for x in ch.layers if x.id != self.layer_id]


class MoveLayer(_LayersCommand):
    """Reorder: layers apply bottom (index 0) to top."""

    def __init__(self, take: str, channel: str, layer_id: str, index: int):
        super().__init__(take, [channel])
        self.layer_id, self.index = layer_id, index
        self.label = f"Reorder layers on {channel}"

    def _apply(self, project):
        ch = self._channel(project)
        layer = ch.layer(self.layer_id)
        rest = [x for x in ch.layers if x.id != self.layer_id]
        rest.insert(max(0, min(self.index, len(rest))), layer)
        ch.layers = rest


class SetLayer(_LayersCommand):
    """Change mode, blend_in, blend_out, enabled and/or name of a layer (pass only what changes)."""

    def __init__(self, take: str, channel: str, layer_id: str, mode=_UNSET, blend_in=_UNSET,
                 blend_out=_UNSET, enabled=_UNSET, name=_UNSET):
        super().__init__(take, [channel])
        self.layer_id = layer_id
        self.changes = {k: v for k, v in dict(mode=mode, blend_in=blend_in, blend_out=blend_out,
                                              enabled=enabled, name=name).items() if v is not _UNSET}
        self.label = f"Set layer {', '.join(self.changes)}"

    def _apply(self, project):
        self._edit_layer(project, self.layer_id, **self.changes)

    def _merge_key(self):
        return (self.take, self.channels, self.layer_id, tuple(sorted(self.changes)))


# -- keys ------------------------------------------------------------------------------------------
class AddKeys(_LayersCommand):
    """Key one or more frames. Without `layer_id`, the keys go on a new layer of `mode`."""

    def __init__(self, take: str, channel: str, keys: Iterable[KeyLike], layer_id: str | None = None,
                 mode: str = "override", name: str = ""):
        super().__init__(take, [channel])
        self.keys = tuple(_as_key(k) for k in keys)
        if not self.keys:
            raise ValidationError("no keys to add")
        self.key_ids = tuple(k.id for k in self.keys)
        self.new_layer = layer_id is None
        self.layer_id = new_id("L") if layer_id is None else layer_id
        self.mode, self.name = mode, name
        self.label = f"Key {channel}"

    def _apply(self, project):
        ch = self._channel(project)
        if self.new_layer:
            keys = self._limited(project, self.mode, self.keys)
            ch.layers = ch.layers + (EditLayer(id=self.layer_id, mode=self.mode, keys=keys, name=self.name),)
        else:
            layer = ch.layer(self.layer_id)
            keys = self._limited(project, layer.mode, self.keys)
            self._edit_layer(project, self.layer_id, keys=_merge_keys(layer.keys, keys))


class MoveKeys(_LayersCommand):
    """Shift several keys by frames and value; moved keys replace unselected keys they land on."""

    def __init__(self, take: str, channel: str, layer_id: str, key_ids: Iterable[str],
                 d_frame: int = 0, d_value: float = 0.0):
        super().__init__(take, [channel])
        self.layer_id, self.key_ids = layer_id, tuple(key_ids)
        self.d_frame, self.d_value = int(d_frame), float(d_value)
        self.label = f"Move keys on {channel}"

    def _apply(self, project):
        layer = self._channel(project).layer(self.layer_id)
        moving = [layer.key(i) for i in self.key_ids]
        moved = [dataclasses.replace(k, frame=k.frame + self.d_frame, value=k.value + self.d_value) for k in moving]
        moved = self._limited(project, layer.mode, moved, shift_frames=True)  # keys stop at the take's ends
        still = [k for k in layer.keys if k.id not in self.key_ids]
        self._edit_layer(project, self.layer_id, keys=_merge_keys(still, moved))

    def _merge_key(self):  # a drag or repeated nudges of the same selection: one undo step
        return (self.take, self.channels, self.layer_id, frozenset(self.key_ids))


class DeleteKeys(_LayersCommand):
    def __init__(self, take: str, channel: str, layer_id: str, key_ids: Iterable[str]):
        super().__init__(take, [channel])
        self.layer_id, self.key_ids = layer_id, tuple(key_ids)
        self.label = f"Delete keys on {channel}"

    def _apply(self, project):
        layer = self._channel(project).layer(self.layer_id)
        for i in self.key_ids:
            layer.key(i)
        self._edit_layer(project, self.layer_id, keys=tuple(k for k in layer.keys if k.id not in self.key_ids))


class SetKeys(_LayersCommand):
    """Type a value and/or choose an interpolation for several keys at once."""

    def __init__(self, take: str, channel: str, layer_id: str, key_ids: Iterable[str],
                 value: float | None = None, interp: str | None = None):
        super().__init__(take, [channel])
        self.layer_id, self.key_ids = layer_id, tuple(key_ids)
        self.changes = {k: v for k, v in (("value", value), ("interp", interp)) if v is not None}
        self.label = f"Set key {' and '.join(self.changes)} on {channel}"

    def _apply(self, project):
        layer = self._channel(project).layer(self.layer_id)
        for i in self.key_ids:
            layer.key(i)
        changes = dict(self.changes)
        if "value" in changes:  # typed values stop at the channel's limits
            lo, hi = key_value_limits(self.channels[0], layer.mode)
            changes["value"] = min(hi, max(lo, float(changes["value"])))
        keys = tuple(dataclasses.replace(k, **changes) if k.id in self.key_ids else k for k in layer.keys)
        self._edit_layer(project, self.layer_id, keys=keys)

    def _merge_key(self):
        return (self.take, self.channels, self.layer_id, frozenset(self.key_ids), tuple(sorted(self.changes)))


# -- whole-range edits -----------------------------------------------------------------------------
class ResetRangeToGenerated(_LayersCommand):
    """Put frames [start, end) back to the generated base: a 'reset' layer on top of each channel.

    The keys of edit layers inside the range are removed (they would no longer shape the curve
    there; left in place they would float off it and still bend it at the range's edges), layers
    left without keys go, and a channel left without edits needs no reset layer. The reset layer
    samples whatever the base is, so it still holds after regeneration; undo puts everything back.
    """

    def __init__(self, take: str, start: int, end: int, channels: Iterable[str] | None = None,
                 blend: int = DEFAULT_BLEND):
        super().__init__(take, CHANNEL_NAMES if channels is None else channels)
        if not (0 <= start < end):
            raise ValidationError(f"reset range must be start < end within the take, got {start}-{end}")
        self.start, self.end, self.blend = int(start), int(end), int(blend)
        self.layer_ids = {n: new_id("L") for n in self.channels}
        self.removed_keys: set[tuple[str, str, str]] = set()  # (channel, layer, key) taken out
        self.label = "Reset to generated"

    def _apply(self, project):
        for n in self.channels:
            ch = self._channel(project, n)
            if not ch.layers:
                continue  # nothing to reset: keep unedited channels free of layers
            kept = []
            for layer in ch.layers:
                if layer.mode == "reset":
                    kept.append(layer)
                    continue
                inside = [k for k in layer.keys if self.start <= k.frame < self.end]
                self.removed_keys |= {(n, layer.id, k.id) for k in inside}
                if len(inside) < len(layer.keys) or not layer.keys:
                    kept.append(dataclasses.replace(layer, keys=tuple(k for k in layer.keys if k not in inside)))
            if not any(layer.keys and layer.mode != "reset" for layer in kept):
                ch.layers = [x for x in kept if x.mode != "reset"]
                continue
            keys = (Key(self.start, 0.0, "step"), Key(self.end - 1, 0.0, "step")) if self.end - 1 > self.start \
                else (Key(self.start, 0.0, "step"),)
            ch.layers = kept + [EditLayer(id=self.layer_ids[n], mode="reset", keys=keys, blend_in=self.blend,
                                          blend_out=self.blend, name="Reset to generated")]


class ImportCurvesAsLayer(_LayersCommand):
    """Bring curves from another tool in as one layer per channel.

    `curves` maps a channel name to per-frame values [T] (NaN = no key) or to (frames, values).
    Runs of straight lines are thinned to their end keys (within `tolerance`), the rest keyed linear.
    """

    def __init__(self, take: str, curves: Mapping[str, object], mode: str = "override",
                 name: str = "Imported", blend: int = 0, tolerance: float = 1e-5):
        super().__init__(take, list(curves))
        self.layers = {}
        for ch, data in curves.items():
            frames, values = _curve_arrays(ch, data)
            keep = _thin_linear(frames, values, tolerance)
            keys = tuple(Key(int(f), float(v), "linear") for f, v in zip(frames[keep], values[keep]))
            self.layers[ch] = EditLayer(mode=mode, keys=keys, blend_in=blend, blend_out=blend, name=name)
        self.label = f"Import curves ({len(self.layers)} channels)"

    def _apply(self, project):
        for n, layer in self.layers.items():
            ch = self._channel(project, n)
            ch.layers = ch.layers + (layer,)


def _curve_arrays(channel: str, data) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(data, tuple) and len(data) == 2:
        frames, values = np.asarray(data[0]), np.asarray(data[1], np.float64)
    else:
        values = np.asarray(data, np.float64).reshape(-1)
        frames = np.arange(len(values))
    if frames.shape != values.shape or frames.ndim != 1:
        raise ValidationError(f"{channel}: frames and values must be two lists of the same length")
    ok = np.isfinite(values)
    frames, values = frames[ok].astype(np.int64), values[ok]
    if len(frames) == 0:
        raise ValidationError(f"{channel}: no values to import")
    if len(np.unique(frames)) != len(frames) or frames.min() < 0:
        raise ValidationError(f"{channel}: frames must be distinct and >= 0")
    order = np.argsort(frames)
    return frames[order], values[order]


def _thin_linear(frames: np.ndarray, values: np.ndarray, tolerance: float) -> np.ndarray:
    """Mask of keys to keep (Ramer-Douglas-Peucker on values): linear interpolation through the
    kept keys is within `tolerance` of every imported sample."""
    keep = np.zeros(len(frames), bool)
    keep[[0, -1]] = True
    spans = [(0, len(frames) - 1)]
    while spans:
        i, j = spans.pop()
        if j - i < 2:
            continue
        f = frames[i + 1:j]
        line = values[i] + (values[j] - values[i]) * (f - frames[i]) / (frames[j] - frames[i])
        err = np.abs(values[i + 1:j] - line)
        k = int(np.argmax(err))
        if err[k] > tolerance:
            m = i + 1 + k
            keep[m] = True
            spans += [(i, m), (m, j)]
    return keep


# -- regeneration ----------------------------------------------------------------------------------
class SetBase(_LayersCommand):
    """Regenerate: replace the generated base of channels; edit layers are untouched.

    `bases` maps channel name -> float [T]; `n_frames` (if given) sets the take's new length first.
    """

    def __init__(self, take: str, bases: Mapping[str, np.ndarray], n_frames: int | None = None,
                 generation=None):
        super().__init__(take, list(bases))
        self.bases = {n: np.asarray(v, np.float32).reshape(-1) for n, v in bases.items()}
        self.n_frames, self.generation = n_frames, generation
        self.label = "Regenerate"

    def _capture(self, project):
        return project.take(self.take).snapshot()

    def _restore(self, project, state):
        project.take(self.take).restore(state)

    def _apply(self, project):
        take = project.take(self.take)
        if self.n_frames is not None:
            take.set_length(self.n_frames)
        for n, values in self.bases.items():
            if len(values) != take.n_frames:
                raise ValidationError(f"{n}: generated {len(values)} frames, the take has {take.n_frames}")
            take.channel(n).base = values
        if self.generation is not None:
            take.generation = self.generation

    def _change(self, project):
        return Change(self.take, "channel", None, None)
