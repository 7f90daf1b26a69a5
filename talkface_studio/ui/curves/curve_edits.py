"""Turning curve-editor intents into core commands (Qt-free; tests call these directly).

Keys are edited on the channel's top override layer, or a new one is created, so the artist's
keys replace the generated curve between them and blend back at their ends.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from talkface_studio.core.channels import SPEC_BY_NAME
from talkface_studio.core.commands import AddKeys, DeleteKeys, MoveKeys, ResetRangeToGenerated, SetKeys
from talkface_studio.core.key_commands import InsertKeys, PlaceKeys, SetHandle, SetTangents
from talkface_studio.core.key_curve import SMOOTH, handle_lengths, slopes
from talkface_studio.ui.selection import KeyRef


def key_layers(take, channel: str):
    """Layers whose keys the editor shows and edits (reset layers only mark a range)."""
    return [layer for layer in take.channel(channel).layers if layer.mode != "reset"]


def visible_keys(take, channels) -> list[tuple[KeyRef, int, float, str]]:
    out = []
    for name in channels:
        for layer in key_layers(take, name):
            for k in layer.keys:
                out.append((KeyRef(name, layer.id, k.id), k.frame, k.value, k.interp))
    return out


def drawn_keys(take, channels) -> list[tuple[KeyRef, int, float, bool]]:
    """(ref, frame, value drawn, additive) for every shown key. An additive key's value is an
    offset, so it is drawn where it acts, on the final curve, as animators expect (and a drag still
    moves the curve by exactly the distance the key moves)."""
    out = []
    for name in channels:
        final = None
        for layer in key_layers(take, name):
            additive = layer.mode == "additive"
            if additive and final is None:
                final = take.channel(name).final()
            for k in layer.keys:
                y = float(final[min(max(k.frame, 0), len(final) - 1)]) if additive else k.value
                out.append((KeyRef(name, layer.id, k.id), k.frame, y, additive))
    return out


def drawn_value(take, ref: KeyRef, frame: int, value: float) -> float:
    layer = take.channel(ref.channel).layer(ref.layer)
    if layer.mode != "additive":
        return value
    final = take.channel(ref.channel).final()
    return float(final[min(max(frame, 0), len(final) - 1)])


def key_lookup(take, refs) -> dict[KeyRef, tuple[int, float, str]]:
    out = {}
    for ref in refs:
        try:
            k = take.channel(ref.channel).layer(ref.layer).key(ref.key)
        except Exception:  # the key vanished (undo): drop it from the selection quietly
            continue
        out[ref] = (k.frame, k.value, k.interp)
    return out


def _by_layer(refs) -> dict[tuple[str, str], list[str]]:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for ref in sorted(refs, key=lambda r: (r.channel, r.layer, r.key)):
        groups[(ref.channel, ref.layer)].append(ref.key)
    return groups


def top_override_layer(take, channel: str) -> str | None:
    layers = take.channel(channel).layers
    if layers and layers[-1].mode == "override":
        return layers[-1].id  # only the top one: keying under a reset layer would be invisible
    return None


def add_key_commands(take_name: str, take, keys: dict[str, list[tuple]]) -> list:
    """keys: channel -> [(frame, value[, interp])]. Values are clipped into the channel's range."""
    cmds = []
    for channel, items in keys.items():
        spec = SPEC_BY_NAME[channel]
        clean = [(int(f), float(min(spec.max, max(spec.min, v))), *rest) for f, v, *rest in items]
        cmds.append(AddKeys(take_name, channel, clean, layer_id=top_override_layer(take, channel)))
    return cmds


def move_commands(take_name: str, refs, d_frame: int, d_value_by_channel: dict[str, float]) -> dict:
    """(channel, layer) -> MoveKeys: one per layer, the unit a drag merges into."""
    return {(c, layer): MoveKeys(take_name, c, layer, ids, d_frame, d_value_by_channel.get(c, 0.0))
            for (c, layer), ids in _by_layer(refs).items()}


def delete_commands(take_name: str, refs) -> list:
    return [DeleteKeys(take_name, c, layer, ids) for (c, layer), ids in _by_layer(refs).items()]


def set_commands(take_name: str, refs, value: float | None = None, interp: str | None = None) -> list:
    return [SetKeys(take_name, c, layer, ids, value=value, interp=interp) for (c, layer), ids in _by_layer(refs).items()]


def reset_command(take_name: str, take, refs, fallback_range: tuple[int, int], fallback_channels) -> ResetRangeToGenerated:
    """Reset the span of the selected keys on their channels, or the given range on the given channels."""
    found = key_lookup(take, refs)
    if found:
        frames = [f for f, _, _ in found.values()]
        channels = sorted({r.channel for r in found})
        start, end = min(frames), max(frames) + 1
    else:
        (start, end), channels = fallback_range, sorted(fallback_channels)
    return ResetRangeToGenerated(take_name, start, max(end, start + 1), channels=channels)


def insert_commands(take_name: str, frame: int, channels) -> list:
    """S: key the channels at `frame` at the value they show, without changing any curve."""
    channels = list(channels)
    return [InsertKeys(take_name, frame, channels)] if channels else []


def place_commands(take_name: str, start: dict, d_frame: int, d_value_by_channel: dict[str, float]) -> dict:
    """(channel, layer) -> PlaceKeys putting each key of `start` ({ref: (frame, model value) at the
    press}) at its press position plus the drag's delta; the core clamps, so a drag back from past
    an edge finds the key where the mouse is."""
    out: dict[tuple[str, str], dict] = defaultdict(dict)
    for ref, (f, v) in start.items():
        out[(ref.channel, ref.layer)][ref.key] = (f + d_frame, v + d_value_by_channel.get(ref.channel, 0.0))
    return {k: PlaceKeys(take_name, k[0], k[1], positions) for k, positions in out.items()}


def tangent_commands(take_name: str, refs, **changes) -> list:
    """Tangent type / interpolation / broken / weighted for the keys, one command per layer."""
    return [SetTangents(take_name, c, layer, ids, **changes) for (c, layer), ids in _by_layer(refs).items()]


def below_slope(take, ref: KeyRef, frame: int) -> float:
    """Slope (units per frame) of what an additive layer adds to, at `frame`; 0 for other layers."""
    ch = take.channel(ref.channel)
    if ch.layer(ref.layer).mode != "additive" or ch.n_frames < 2:
        return 0.0
    below = ch.below(ref.layer)
    a, b = max(0, frame - 1), min(len(below) - 1, frame + 1)
    return float((below[b] - below[a]) / max(1, b - a))


def handle_command(take_name: str, take, ref: KeyRef, side: str, slope: float, length: float) -> SetHandle:
    """A handle dragged to `slope` (model units per frame, as drawn on the curve) and `length`."""
    k = take.channel(ref.channel).layer(ref.layer).key(ref.key)
    return SetHandle(take_name, ref.channel, ref.layer, ref.key, side, slope - below_slope(take, ref, k.frame),
                     length)


def handles(take, ref: KeyRef) -> list[tuple[str, float, float]]:
    """The handles that shape a span, as (side, frame, model value) of their ends, drawn from the
    key's point on the curve (an additive key's on the final curve, turned by the slope below it).
    Step and linear spans and the outer sides of a layer's end keys have none."""
    layer = take.channel(ref.channel).layer(ref.layer)
    keys = layer.keys
    i = next((j for j, k in enumerate(keys) if k.id == ref.key), None)
    if i is None or len(keys) < 2:
        return []
    c = layer.curve
    m_in, m_out = slopes(c)
    a, b = handle_lengths(c)
    k = keys[i]
    value = drawn_value(take, ref, k.frame, k.value)
    extra = below_slope(take, ref, k.frame)
    out = []
    if i > 0 and c.interp[i - 1] == SMOOTH:
        length = float(b[i - 1])
        out.append(("in", k.frame - length, value - (m_in[i] + extra) * length))
    if i < len(keys) - 1 and c.interp[i] == SMOOTH:
        length = float(a[i])
        out.append(("out", k.frame + length, value + (m_out[i] + extra) * length))
    return out


def keys_of_channel(take, channel: str) -> set[KeyRef]:
    return {KeyRef(channel, layer.id, k.id) for layer in key_layers(take, channel) for k in layer.keys}


def neighbour_key_frame(take, channels, frame: int, direction: int) -> int | None:
    """The nearest key frame after (direction 1) or before (-1) `frame` on `channels` (`,` and `.`)."""
    frames = sorted({k.frame for c in channels for layer in key_layers(take, c) for k in layer.keys
                     if 0 <= k.frame < take.n_frames})
    if direction > 0:
        later = [f for f in frames if f > frame]
        return later[0] if later else None
    earlier = [f for f in frames if f < frame]
    return earlier[-1] if earlier else None


def common(values) -> object | None:
    """The value all items share, or None for a mixed selection (its field stays blank)."""
    values = list(values)
    if not values:
        return None
    first = values[0]
    if all((np.isclose(v, first, rtol=0, atol=1e-9) if isinstance(first, float) else v == first) for v in values):
        return first
    return None

