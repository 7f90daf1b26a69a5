"""Named markers on a take's timeline (document state: saved and undone).

A director's notes ("breath", "turn here") at frames. Markers are immutable values with stable
ids, kept sorted by frame; two markers may share a frame (notes pile up), ids may not repeat.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .channels import new_id
from .errors import ValidationError
from .limits import MAX_NAME


@dataclass(frozen=True)
class Marker:
    frame: int
    name: str = ""
    id: str = field(default_factory=lambda: new_id("m"))

    def __post_init__(self):
        if isinstance(self.frame, bool) or not isinstance(self.frame, int) or self.frame < 0:
            raise ValidationError(f"marker frame must be a whole number >= 0, got {self.frame!r}")
        if not isinstance(self.name, str) or len(self.name) > MAX_NAME or any(c in self.name for c in "\n\r\t"):
            raise ValidationError(f"marker name must be one line of text, got {self.name!r}")


def sorted_markers(markers) -> tuple[Marker, ...]:
    markers = tuple(sorted(markers, key=lambda m: (m.frame, m.id)))
    if len({m.id for m in markers}) != len(markers):
        raise ValidationError("marker ids must be unique within a take")
    return markers


def default_name(markers, frame: int) -> str:
    """"M1", "M2", ...: the first number no marker of the take uses yet."""
    used = {m.name for m in markers}
    n = 1
    while f"M{n}" in used:
        n += 1
    return f"M{n}"
