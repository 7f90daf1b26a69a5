"""Mouse handling of the curve editor as plain objects over press/move/release, in data coordinates
(frames, values). The widget maps pixels to data; tests drive these directly.

Keys are named by model ids (channel, layer, key), as the commands name them; a gesture
reports one (frames, value) delta that the widget turns into one MoveKeys per layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence


@dataclass(frozen=True)
class KeyRef:
    channel: str
    layer: str
    key: str


class KeyDragGesture:
    """Move the selected keys together: time snaps to whole frames, values follow the mouse.

    `keys` maps every selected KeyRef to its (frame, value) at press; `occupied` maps
    (channel, layer) to the frames of that layer's other keys, which a dragged key never lands on
    (the core would let it replace them; mid-drag that would silently delete keys).
    """

    def __init__(self, keys: dict[KeyRef, tuple[int, float]], press_frame: float, press_value: float,
                 occupied: dict[tuple[str, str], set[int]] | None = None, lock_value: bool = False):
        self.keys = dict(keys)
        self.press = (press_frame, press_value)
        self.occupied = occupied or {}
        self.lock_value = lock_value
        self.delta = (0, 0.0)
        self.min_df = -min((f for f, _ in self.keys.values()), default=0)  # keys stop at frame 0

    def move(self, frame: float, value: float) -> tuple[int, float]:
        df = max(self.min_df, int(round(frame - self.press[0])))
        dv = 0.0 if self.lock_value else float(value - self.press[1])
        if any(f + df in self.occupied.get((ref.channel, ref.layer), ()) for ref, (f, _) in self.keys.items()):
            df = self.delta[0]  # keep the last legal time, still follow the value
        self.delta = (df, dv)
        return self.delta

    def positions(self) -> dict[KeyRef, tuple[int, float]]:
        df, dv = self.delta
        return {ref: (f + df, v + dv) for ref, (f, v) in self.keys.items()}

    def release(self) -> tuple[int, float] | None:
        return None if self.delta == (0, 0.0) else self.delta


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
