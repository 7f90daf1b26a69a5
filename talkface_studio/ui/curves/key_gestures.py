"""Mouse handling of the curve editor as plain objects over press/move/release, in data coordinates
(frames, values). The widget maps pixels to data; tests drive these directly. Hit tests (which key,
handle or curve is under the mouse) are in curve_hits.

Keys are named by model ids (channel, layer, key), as the commands name them; a gesture
reports one (frames, value) delta that the widget turns into one MoveKeys per layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from talkface_studio.ui.selection import KeyRef


class KeyDragGesture:
    """Move the selected keys together: time snaps to whole frames, values follow the mouse.

    `keys` maps every selected KeyRef to its (frame, value) at press; `occupied` maps
    (channel, layer) to the frames of that layer's other keys, which a dragged key never lands on
    (the core would let it replace them; mid-drag that would silently delete keys). Keys stop at
    frame 0 and at `last_frame`. With `constrain` (Shift held) the drag keeps to the axis the mouse
    has moved furthest along, in pixels (`px_per_frame`, `px_per_value` at press), as in Maya.
    """

    def __init__(self, keys: dict[KeyRef, tuple[int, float]], press_frame: float, press_value: float,
                 occupied: dict[tuple[str, str], set[int]] | None = None, lock_value: bool = False,
                 last_frame: int | None = None, px_per_frame: float = 1.0, px_per_value: float = 1.0):
        self.keys = dict(keys)
        self.press = (press_frame, press_value)
        self.occupied = occupied or {}
        self.lock_value = lock_value
        self.delta = (0, 0.0)
        self.min_df = -min((f for f, _ in self.keys.values()), default=0)  # keys stop at frame 0
        self.max_df = None if last_frame is None else last_frame - max((f for f, _ in self.keys.values()), default=0)
        self.scale = (abs(px_per_frame), abs(px_per_value))

    def axis(self, frame: float, value: float) -> str:
        """"time" or "value": the axis the mouse has moved further along since the press."""
        dx = abs(frame - self.press[0]) * self.scale[0]
        dy = abs(value - self.press[1]) * self.scale[1]
        return "time" if dx >= dy else "value"

    def move(self, frame: float, value: float, constrain: bool = False) -> tuple[int, float]:
        df = max(self.min_df, int(round(frame - self.press[0])))
        if self.max_df is not None:
            df = min(self.max_df, df)
        dv = 0.0 if self.lock_value else float(value - self.press[1])
        if constrain:
            if self.axis(frame, value) == "time":
                dv = 0.0
            else:
                df = 0
        if any(f + df in self.occupied.get((ref.channel, ref.layer), ()) for ref, (f, _) in self.keys.items()):
            df = self.delta[0]  # keep the last legal time, still follow the value
        self.delta = (df, dv)
        return self.delta

    def positions(self) -> dict[KeyRef, tuple[int, float]]:
        df, dv = self.delta
        return {ref: (f + df, v + dv) for ref, (f, v) in self.keys.items()}

    def release(self) -> tuple[int, float] | None:
        return None if self.delta == (0, 0.0) else self.delta


class HandleDragGesture:
    """Turn (and on a weighted key, stretch) one tangent handle of a key.

    Works in display units: `key` is the key's (frame, value) as drawn; the handle stays on its own
    side of the key (an in handle never crosses to the right). `move` returns (slope in display
    units per frame, length in frames).
    """

    MIN_LENGTH = 0.05  # frames: a handle dragged onto its key keeps a direction

    def __init__(self, ref: KeyRef, side: str, key: tuple[float, float], handle: tuple[float, float]):
        self.ref, self.side = ref, side
        self.key = key
        self.result = self._slope_length(*handle)

    def _slope_length(self, frame: float, value: float) -> tuple[float, float]:
        kf, kv = self.key
        dx = (frame - kf) if self.side == "out" else (kf - frame)
        dx = max(dx, self.MIN_LENGTH)
        dy = (value - kv) if self.side == "out" else (kv - value)
        return dy / dx, dx

    def move(self, frame: float, value: float) -> tuple[float, float]:
        self.result = self._slope_length(frame, value)
        return self.result


@dataclass(frozen=True)
class BoxSelection:
    frame0: float
    frame1: float
    value0: float
    value1: float
    additive: bool

    def contains(self, frame: float, value: float) -> bool:
        return (min(self.frame0, self.frame1) <= frame <= max(self.frame0, self.frame1)
                and min(self.value0, self.value1) <= value <= max(self.value0, self.value1))


class BoxSelectGesture:
    def __init__(self, frame: float, value: float, additive: bool = False):
        self.anchor = (frame, value)
        self.current = (frame, value)
        self.additive = additive

    def move(self, frame: float, value: float) -> BoxSelection:
        self.current = (frame, value)
        return self.box()

    def box(self) -> BoxSelection:
        return BoxSelection(self.anchor[0], self.current[0], self.anchor[1], self.current[1], self.additive)

    def release(self) -> BoxSelection:
        return self.box()


def keys_in_box(box: BoxSelection, keys: Iterable[tuple[KeyRef, int, float]]) -> set[KeyRef]:
    return {ref for ref, frame, value in keys if box.contains(frame, value)}


def paste_offsets(clipboard: Sequence[tuple[str, int, float, str]], at_frame: int) -> dict[str, list[tuple]]:
    """Copied (channel, frame, value, interp) keep their spacing; the earliest lands on `at_frame`.

    Returns channel -> [(frame, value, interp)], ready for one AddKeys per channel."""
    out: dict[str, list[tuple]] = {}
    if not clipboard:
        return out
    first = min(f for _, f, _, _ in clipboard)
    for channel, f, v, interp in clipboard:
        out.setdefault(channel, []).append((f - first + at_frame, v, interp))
    return out
