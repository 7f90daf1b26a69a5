"""What the session points at, shared by every room: the emotion brush (tool, emotion, level) and
keys named by their model ids (channel, layer, key), as the commands name them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Brush:
    tool: str = "paint"  # "paint" | "erase" | "select"
    emotion: str = "happy"
    level: int = 2


@dataclass(frozen=True)
class KeyRef:
    channel: str
    layer: str
    key: str
