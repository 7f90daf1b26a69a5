"""Channels: a generated base curve per frame plus the artist's keyframed edit layers.

Keys and layers are immutable values with stable ids, so an edit replaces a layer and undo puts
the old one back. Evaluation is vectorised numpy: a 36000-frame take evaluates in milliseconds.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable

import numpy as np

from .errors import ValidationError
from .key_curve import INTERPOLATIONS, TANGENTS, curve_arrays, evaluate


@dataclass(frozen=True)
class ChannelSpec:
    name: str
    group: str
    unit: str
    default: float
    min: float
    max: float

    @property
    def range(self) -> tuple[float, float]:
        return (self.min, self.max)


def _specs() -> tuple[ChannelSpec, ...]:
    deg = "deg"
    specs = [
        ChannelSpec("head_yaw", "Head", deg, 0.0, -60.0, 60.0),
        ChannelSpec("head_pitch", "Head", deg, 0.0, -45.0, 45.0),
        ChannelSpec("head_roll", "Head", deg, 0.0, -45.0, 45.0),
        ChannelSpec("gaze_yaw", "Gaze", deg, 0.0, -35.0, 35.0),
        ChannelSpec("gaze_pitch", "Gaze", deg, 0.0, -25.0, 25.0),
        ChannelSpec("blink", "Blink", "", 0.0, 0.0, 1.0),
    ]
    specs += [ChannelSpec(n, "Mouth", "", 0.0, 0.0, 1.0)
              for n in ("jaw_open", "mouth_wide", "mouth_round", "lip_press", "lip_tuck")]
    specs += [ChannelSpec(f"emo_{e}", "Expression", "", 0.0, 0.0, 1.0)
              for e in ("angry", "contempt", "disgusted", "fear", "happy", "sad", "surprised")]
    return tuple(specs)


# Ordered as the UI lists them; names are the contract with perform/, face/ and the file format.
CHANNEL_SPECS: tuple[ChannelSpec, ...] = _specs()
SPEC_BY_NAME: dict[str, ChannelSpec] = {s.name: s for s in CHANNEL_SPECS}
CHANNEL_NAMES: tuple[str, ...] = tuple(s.name for s in CHANNEL_SPECS)

LAYER_MODES = ("override", "additive", "reset")
DEFAULT_BLEND = 6  # frames


def key_value_limits(name: str, mode: str) -> tuple[float, float]:
    """Where a key's value may lie: an override key within the channel's range, an additive key's
    offset within plus or minus the range's width (enough to reach any value from any other)."""
    s = spec(name)
    span = s.max - s.min
    return (-span, span) if mode == "additive" else (s.min, s.max)


def new_id(prefix: str) -> str:
    """A short unique id; commands create ids once so that redo reproduces the same ones."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def spec(name: str) -> ChannelSpec:
    try:
        return SPEC_BY_NAME[name]
    except KeyError:
        raise ValidationError(f"unknown channel {name!r}; channels are {', '.join(CHANNEL_NAMES)}") from None


@dataclass(frozen=True)
class Key:
    """A value at a frame. `interp` shapes the curve from this key to the next one; the tangent
    fields shape its Bézier handles (core.key_curve): `tangent` one of TANGENTS, explicit slopes
    (value units per frame) for "free", `broken` in/out slopes independent, `weighted` handle
    lengths (frames) of its own. The defaults reproduce the curves of files without tangents."""

    frame: int
    value: float
    interp: str = "smooth"
    id: str = field(default_factory=lambda: new_id("k"))
    tangent: str = "auto_clamped"
    in_slope: float = 0.0
    out_slope: float = 0.0
    broken: bool = False
    weighted: bool = False
    in_weight: float | None = None
    out_weight: float | None = None

    def __post_init__(self):
        if isinstance(self.frame, bool) or not isinstance(self.frame, (int, np.integer)):
            raise ValidationError(f"key frame must be an integer, got {self.frame!r}")
        if not np.isfinite(self.value):
            raise ValidationError(f"key value must be a finite number, got {self.value!r}")
        if self.interp not in INTERPOLATIONS:
            raise ValidationError(f"interpolation must be one of {', '.join(INTERPOLATIONS)}, got {self.interp!r}")
        if self.tangent not in TANGENTS:
            raise ValidationError(f"tangent must be one of {', '.join(TANGENTS)}, got {self.tangent!r}")
        for name in ("in_slope", "out_slope"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) or not np.isfinite(v):
                raise ValidationError(f"key {name} must be a finite number, got {v!r}")
            object.__setattr__(self, name, float(v))
        for name in ("in_weight", "out_weight"):
            v = getattr(self, name)
            if v is not None:
                if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) or not np.isfinite(v) or v <= 0:
                    raise ValidationError(f"key {name} must be a number of frames > 0, got {v!r}")
                object.__setattr__(self, name, float(v))
        object.__setattr__(self, "frame", int(self.frame))
        object.__setattr__(self, "value", float(self.value))
        object.__setattr__(self, "broken", bool(self.broken))
        object.__setattr__(self, "weighted", bool(self.weighted))

    @property
    def has_default_tangents(self) -> bool:
        """True when the key says nothing about handles (stored as a plain [frame, value, interp, id])."""
        return (self.tangent == "auto_clamped" and not self.broken and not self.weighted
                and self.in_slope == 0.0 and self.out_slope == 0.0
                and self.in_weight is None and self.out_weight is None)


@dataclass(frozen=True)
class EditLayer:
    """Keys applied over the layers below, between the first and last key.

    'override' replaces the value below, 'additive' adds to it, 'reset' puts back the generated
    base (its keys only mark the range). Outside its keys the layer holds the end values while it
    fades in over `blend_in` frames before the first key and out over `blend_out` after the last,
    so every key is hit exactly.
    """

    id: str = field(default_factory=lambda: new_id("L"))
    mode: str = "override"
    keys: tuple[Key, ...] = ()
    blend_in: int = DEFAULT_BLEND
    blend_out: int = DEFAULT_BLEND
    enabled: bool = True
    name: str = ""

    def __post_init__(self):
        if self.mode not in LAYER_MODES:
            raise ValidationError(f"layer mode must be one of {', '.join(LAYER_MODES)}, got {self.mode!r}")
        for n in ("blend_in", "blend_out"):
            v = getattr(self, n)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise ValidationError(f"{n} must be a number of frames >= 0, got {v!r}")
            object.__setattr__(self, n, int(v))
        object.__setattr__(self, "enabled", bool(self.enabled))
        keys = tuple(sorted(self.keys, key=lambda k: k.frame))
        frames = [k.frame for k in keys]
        if len(set(frames)) != len(frames):
            raise ValidationError("two keys on the same frame in one layer")
        if len({k.id for k in keys}) != len(keys):
            raise ValidationError("key ids must be unique within a layer")
        object.__setattr__(self, "keys", keys)

    def key(self, key_id: str) -> Key:
        for k in self.keys:
            if k.id == key_id:
                return k
        raise ValidationError(f"no key with id {key_id!r} in layer {self.name or self.id!r}")

    @property
    def span(self) -> tuple[int, int] | None:
        """(first, last) key frame, inclusive; None for a layer without keys."""
        return (self.keys[0].frame, self.keys[-1].frame) if self.keys else None

    @cached_property
    def curve(self):
        """The keys as core.key_curve.CurveArrays (built once: layers are immutable)."""
        return curve_arrays(self.keys)

    def sample(self, t: np.ndarray) -> np.ndarray:
        """The keyed curve at frames `t` (held flat outside the keys)."""
        return evaluate(self.curve, t)

    def weight(self, t: np.ndarray) -> np.ndarray:
        """0..1 influence at frames `t`: 1 between the keys, smoothstep ramps outside them."""
        if not self.keys or not self.enabled:
            return np.zeros(len(t))
        first, last = self.span
        w = np.ones(len(t))
        before, after = t < first, t > last
        w[before] = _ramp((t[before] - (first - self.blend_in)) / max(self.blend_in, 1e-9)) if self.blend_in else 0.0
        w[after] = _ramp(((last + self.blend_out) - t[after]) / max(self.blend_out, 1e-9)) if self.blend_out else 0.0
        return w

    def apply(self, below: np.ndarray, base: np.ndarray) -> np.ndarray:
        """This layer's result over `below` (the value of the layers under it) for all frames."""
        if not self.keys or not self.enabled:
            return below
        first, last = self.span
        lo = max(0, first - self.blend_in)
        hi = min(len(below), last + self.blend_out + 1)
        if hi <= lo:
            return below
        t = np.arange(lo, hi, dtype=np.float64)
        w = self.weight(t)
        out = below.copy()
        seg = below[lo:hi]
        if self.mode == "override":
            out[lo:hi] = seg + w * (self.sample(t) - seg)
        elif self.mode == "additive":
            out[lo:hi] = seg + w * self.sample(t)
        else:  # reset: back to the generated base, whatever the base is after regeneration
            out[lo:hi] = seg + w * (base[lo:hi] - seg)
        return out


def _ramp(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def interpolate(frames: np.ndarray, values: np.ndarray, interp: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The curve through (frames, values) with default (auto-clamped) tangents; interp[i] shapes the
    span from key i to key i+1 (0 step, 1 linear, 2 smooth: a monotone cubic, Fritsch-Carlson /
    PCHIP slopes, flat at the end keys so a layer eases in and out; it never overshoots its keys)."""
    keys = [Key(int(f), float(v), INTERPOLATIONS[int(i)], id=f"k{n}")
            for n, (f, v, i) in enumerate(zip(frames, values, interp))]
    return evaluate(curve_arrays(keys), t)


class Channel:
    """A named per-frame scalar: generated `base` plus edit layers, applied bottom to top."""

    def __init__(self, name: str, base: np.ndarray | None = None, layers: Iterable[EditLayer] = (),
                 n_frames: int | None = None):
        self.spec = spec(name)
        self.name = name
        if base is None:
            base = np.full(n_frames or 0, self.spec.default, np.float32)
        self._base = _frozen_f32(base)
        self._layers: tuple[EditLayer, ...] = ()
        self.layers = tuple(layers)
        self._final: np.ndarray | None = None

    # -- document state -----------------------------------------------------------------------------
    @property
    def base(self) -> np.ndarray:
        return self._base

    @base.setter
    def base(self, values: np.ndarray) -> None:
        """Regeneration: replaces the base only; layers (and their key frames) stay put."""
        self._base = _frozen_f32(values)
        self._final = None

    @property
    def n_frames(self) -> int:
        return len(self._base)

    @property
    def layers(self) -> tuple[EditLayer, ...]:
        return self._layers

    @layers.setter
    def layers(self, layers: Iterable[EditLayer]) -> None:
        layers = tuple(layers)
        ids = [layer.id for layer in layers]
        if len(set(ids)) != len(ids):
            raise ValidationError(f"{self.name}: layer ids must be unique")
        self._layers = layers
        self._final = None

    def layer(self, layer_id: str) -> EditLayer:
        for layer in self._layers:
            if layer.id == layer_id:
                return layer
        raise ValidationError(f"{self.name}: no edit layer with id {layer_id!r}")

    def replace_layer(self, layer: EditLayer) -> None:
        self.layer(layer.id)
        self.layers = tuple(layer if x.id == layer.id else x for x in self._layers)

    def resize(self, n_frames: int) -> None:
        """Until regenerated, a longer take holds the last generated value; a shorter one is cut."""
        old = self._base
        if n_frames <= len(old):
            self.base = old[:n_frames]
        else:
            fill = old[-1] if len(old) else self.spec.default
            self.base = np.concatenate([old, np.full(n_frames - len(old), fill, np.float32)])

    # -- evaluation ---------------------------------------------------------------------------------
    def final(self) -> np.ndarray:
        """float32 [T], read-only, cached until the base or a layer changes; clipped to the range."""
        if self._final is None:
            base = self._base.astype(np.float64)
            value = base
            for layer in self._layers:
                value = layer.apply(value, base)
            out = np.clip(value, self.spec.min, self.spec.max).astype(np.float32)
            out.flags.writeable = False
            self._final = out
        return self._final

    def below(self, layer_id: str) -> np.ndarray:
        """float64 [T]: the base with the layers under `layer_id` applied (unclipped): what an
        additive layer adds to, or what an override layer blends from at its edges."""
        base = self._base.astype(np.float64)
        value = base
        for layer in self._layers:
            if layer.id == layer_id:
                return value
            value = layer.apply(value, base)
        raise ValidationError(f"{self.name}: no edit layer with id {layer_id!r}")

    def has_edits(self) -> bool:
        return any(layer.enabled and layer.keys for layer in self._layers)

    def copy(self) -> Channel:
        return Channel(self.name, self._base, self._layers)


def _frozen_f32(values) -> np.ndarray:
    arr = np.array(values, dtype=np.float32).reshape(-1)
    if not np.all(np.isfinite(arr)):
        raise ValidationError("channel values must be finite numbers")
    arr.flags.writeable = False
    return arr


def replace_key(layer: EditLayer, key_id: str, **changes) -> EditLayer:
    keys = tuple(dataclasses.replace(k, **changes) if k.id == key_id else k for k in layer.keys)
    return dataclasses.replace(layer, keys=keys)
