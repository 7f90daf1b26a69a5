"""Turning curve-editor intents into core commands (Qt-free; tests call these directly).

Keys are edited on the channel's top override layer, or a new one is created, so the artist's
keys replace the generated curve between them and blend back at their ends.
"""

from __future__ import annotations

from collections import defaultdict

from talkface_studio.core.channels import SPEC_BY_NAME
from talkface_studio.core.commands import AddKeys, DeleteKeys, MoveKeys, ResetRangeToGenerated, SetKeys

from .key_gestures import KeyRef


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
