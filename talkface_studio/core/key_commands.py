"""Undoable key edits of the graph editor: insert without changing the curve, place dragged keys,
tangent types and handles. Every value is clamped to the channel's range and every frame to the
take (0 .. n_frames - 1) here, in the model, so what a view shows is what is saved."""

from __future__ import annotations

import dataclasses
from typing import Iterable, Mapping

import numpy as np

from .channels import EditLayer, Key, key_value_limits, new_id
from .curve_commands import _LayersCommand, _merge_keys
from .errors import ValidationError
from .key_curve import TANGENTS, curve_arrays, raw_handle_lengths, slopes
from .key_insert import insert_key, keep_slopes


def clamp_value(channel: str, mode: str, value: float) -> float:
    lo, hi = key_value_limits(channel, mode)
    return float(min(hi, max(lo, value)))


def last_frame(project, take: str) -> int:
    return max(0, project.take(take).n_frames - 1)


# -- insert ----------------------------------------------------------------------------------------
class InsertKeys(_LayersCommand):
    """Key `channels` at `frame` at the value they show, leaving every curve exactly as it was.

    Inside the keys of the channel's top layer the key splits that layer's span (core.key_insert).
    Elsewhere (no layer, past the ends, or a reset or disabled layer on top) it goes on a new
    additive layer as a zero offset, so the generated motion under it stays, and dragging the key
    bends the curve around it. An additive top layer that is back at zero on that side is extended
    instead, so repeated keys gather on one layer. `keys` maps channel -> (layer id, key id).
    """

    def __init__(self, take: str, frame: int, channels: Iterable[str]):
        super().__init__(take, channels)
        self.frame = int(frame)
        self.keys: dict[str, tuple[str, str]] = {}
        self._ids = {n: (new_id("L"), new_id("k")) for n in self.channels}
        self.label = f"Insert key at {self.frame}"

    def _apply(self, project):
        if not 0 <= self.frame <= last_frame(project, self.take) or project.take(self.take).n_frames == 0:
            raise ValidationError(f"frame {self.frame} is outside the take")
        for n in self.channels:
            self.keys[n] = self._insert(self._channel(project, n), *self._ids[n])

    def _insert(self, ch, layer_id: str, key_id: str) -> tuple[str, str]:
        top = ch.layers[-1] if ch.layers else None
        f = self.frame
        if top is not None and top.enabled and top.mode != "reset" and top.keys:
            first, last = top.span
            same = [k for k in top.keys if k.frame == f]
            if same:
                return top.id, same[0].id  # already keyed here
            if first < f < last:
                keys = insert_key(top.keys, f, key_id, Key)
                # only a curve that overshoots the channel's range (auto tangents) changes here
                keys = tuple(dataclasses.replace(k, value=clamp_value(ch.name, top.mode, k.value))
                             if k.id == key_id else k for k in keys)
                ch.replace_layer(dataclasses.replace(top, keys=keys))
                return top.id, key_id
            end = top.keys[0] if f < first else top.keys[-1]
            if top.mode == "additive" and end.value == 0.0:
                # back at zero on that side: a zero key there adds nothing and the span to it is zero
                keys = tuple(sorted(top.keys + (Key(f, 0.0, id=key_id),), key=lambda k: k.frame))
                ch.replace_layer(dataclasses.replace(top, keys=keep_slopes(top.keys, keys, [end.id])))
                return top.id, key_id
        ch.layers = ch.layers + (EditLayer(id=layer_id, mode="additive", keys=(Key(f, 0.0, id=key_id),),
                                           name="Keys"),)
        return layer_id, key_id


# -- place (drags) ---------------------------------------------------------------------------------
class PlaceKeys(_LayersCommand):
    """Put keys of one layer at absolute (frame, value) positions: a drag sends the positions the
    mouse asks for and the model clamps them, so dragging back from past an edge finds the key
    where it stopped. Keys of the layer that a moved key lands on are replaced (as in Maya)."""

    def __init__(self, take: str, channel: str, layer_id: str, positions: Mapping[str, tuple[int, float]]):
        super().__init__(take, [channel])
        self.layer_id = layer_id
        self.positions = {k: (int(f), float(v)) for k, (f, v) in positions.items()}
        self.label = f"Move keys on {channel}"

    def _apply(self, project):
        layer = self._channel(project).layer(self.layer_id)
        hi = last_frame(project, self.take)
        moving = [layer.key(i) for i in self.positions]
        frames = np.array([self.positions[k.id][0] for k in moving])
        # the whole selection stops at the take's ends together, keeping its spacing
        shift = max(0, -int(frames.min())) - max(0, int(frames.max()) - hi)
        moved = [dataclasses.replace(k, frame=self.positions[k.id][0] + shift,
                                     value=clamp_value(self.channels[0], layer.mode, self.positions[k.id][1]))
                 for k in moving]
        still = [k for k in layer.keys if k.id not in self.positions]
        self._edit_layer(project, self.layer_id, keys=_merge_keys(still, moved))

    def _merge_key(self):
        return (self.take, self.channels, self.layer_id, frozenset(self.positions))


# -- tangents --------------------------------------------------------------------------------------
class SetTangents(_LayersCommand):
    """Tangent type, break/unify, weighted on/off (and the span type that goes with a type) for
    several keys of one layer. Breaking or weighting keeps the curve as it is: the current slopes
    and handle lengths are written into the keys."""

    def __init__(self, take: str, channel: str, layer_id: str, key_ids: Iterable[str], tangent: str | None = None,
                 interp: str | None = None, broken: bool | None = None, weighted: bool | None = None):
        super().__init__(take, [channel])
        if tangent is not None and tangent not in TANGENTS:
            raise ValidationError(f"tangent must be one of {', '.join(TANGENTS)}, got {tangent!r}")
        self.layer_id, self.key_ids = layer_id, tuple(key_ids)
        self.tangent, self.interp, self.broken, self.weighted = tangent, interp, broken, weighted
        what = [x for x, v in (("tangents", tangent), ("interpolation", interp), ("broken", broken),
                               ("weights", weighted)) if v is not None]
        self.label = f"Set {' and '.join(what) or 'tangents'} on {channel}"

    def _apply(self, project):
        layer = self._channel(project).layer(self.layer_id)
        c = curve_arrays(layer.keys)
        m_in, m_out = slopes(c)
        a, b = raw_handle_lengths(c) if len(layer.keys) > 1 else (np.zeros(0), np.zeros(0))
        index = {k.id: i for i, k in enumerate(layer.keys)}
        keys = list(layer.keys)
        for kid in self.key_ids:
            i = index[layer.key(kid).id]
            keys[i] = self._changed(keys[i], m_in[i], m_out[i], b[i - 1] if i > 0 else None,
                                    a[i] if i < len(a) else None)
        self._edit_layer(project, self.layer_id, keys=tuple(keys))

    def _changed(self, k: Key, m_in: float, m_out: float, len_in, len_out) -> Key:
        fields = {}
        if self.interp is not None:
            fields["interp"] = self.interp
        if self.tangent is not None:
            fields.update(tangent=self.tangent, broken=False)
            if self.tangent != "free":
                fields.update(in_slope=0.0, out_slope=0.0)
        if self.broken is True and not k.broken:
            fields.update(tangent="free", broken=True, in_slope=float(m_in), out_slope=float(m_out))
        elif self.broken is False and k.broken:
            mean = 0.5 * (float(m_in) + float(m_out))
            fields.update(tangent="free", broken=False, in_slope=mean, out_slope=mean)
        if self.weighted is True and not k.weighted:
            fields.update(weighted=True, in_weight=float(len_in) if len_in else None,
                          out_weight=float(len_out) if len_out else None)
        elif self.weighted is False and k.weighted:
            fields.update(weighted=False, in_weight=None, out_weight=None)
        return dataclasses.replace(k, **fields)


class SetHandle(_LayersCommand):
    """A dragged handle: `side` "in" or "out" gets `slope` (value units per frame) and, on a weighted
    key, `length` (frames). A unified key turns both handles together (its other handle keeps its
    length); a broken one only this side. The key's tangent becomes "free"."""

    def __init__(self, take: str, channel: str, layer_id: str, key_id: str, side: str, slope: float,
                 length: float | None = None):
        super().__init__(take, [channel])
        if side not in ("in", "out"):
            raise ValidationError(f"handle side must be 'in' or 'out', got {side!r}")
        if not np.isfinite(slope):
            raise ValidationError("handle slope must be a finite number")
        self.layer_id, self.key_id, self.side = layer_id, key_id, side
        self.slope, self.length = float(slope), length
        self.label = f"Move tangent handle on {channel}"

    def _apply(self, project):
        layer = self._channel(project).layer(self.layer_id)
        k = layer.key(self.key_id)
        m_in, m_out = slopes(curve_arrays(layer.keys))
        i = layer.keys.index(k)
        fields = {"tangent": "free", f"{self.side}_slope": self.slope}
        other = "out" if self.side == "in" else "in"
        fields[f"{other}_slope"] = float((m_out if other == "out" else m_in)[i]) if k.broken else self.slope
        if k.weighted and self.length is not None:
            fields[f"{self.side}_weight"] = max(float(self.length), 1e-3)
        self._edit_layer(project, self.layer_id, keys=tuple(
            dataclasses.replace(x, **fields) if x.id == self.key_id else x for x in layer.keys))

    def _merge_key(self):
        return (self.take, self.channels, self.layer_id, self.key_id, self.side)
