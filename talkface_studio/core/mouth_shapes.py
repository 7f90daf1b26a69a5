"""Mouth shapes the artist set by hand: spans of frames that take a chosen shape whatever the lip
sync heard there (a p/b/m recognition missed, a word said under a laugh).

The shapes are the ten of the classic mouth chart animators know (Preston Blair's: AI, E, O, U, L,
WQ, MBP, FV, etc and rest); what each does to the face is the performer's business
(perform.hand_shapes). Spans are document state: stored in the take's generation settings, so a
change is undoable, saved, and marks the take for Generate like any other stage-1 input.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ValidationError

# name -> what the menu, the CLI's help and the README say about it
SHAPES: dict[str, str] = {
    "MBP": "lips closed (p, b, m)",
    "FV": "lower lip tucked under the teeth (f, v)",
    "AI": "open (a, i as in 'father', 'my')",
    "E": "spread (e, ee as in 'see')",
    "O": "rounded and open (o as in 'go')",
    "U": "rounded, lips pushed forward (oo as in 'you')",
    "WQ": "tight round (w, q)",
    "L": "open, tongue up (l, th)",
    "etc": "teeth nearly together (c, d, g, k, n, r, s, t, y, z)",
    "rest": "closed at rest (silence)",
}
MAX_SHAPES = 10_000  # spans per take: far past any hand-made list, small enough to check quickly


@dataclass(frozen=True, order=True)
class MouthShape:
    """Frames [start, end) of a take, which take `shape`."""

    start: int
    end: int
    shape: str

    def __post_init__(self):
        for v in (self.start, self.end):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValidationError(f"a mouth shape's frames must be whole numbers >= 0, got {v!r}")
        if self.end <= self.start:
            raise ValidationError(f"a mouth shape must cover at least one frame, got frames {self.start}-{self.end}")
        check_shape(self.shape)

    def to_json(self) -> list:
        return [self.start, self.end, self.shape]


def frames_text(start: int, end: int) -> str:
    """Frames [start, end) as an artist reads them: "frame 41" or "frames 41-44" (inclusive)."""
    return f"frames {start}-{end - 1}" if end - start > 1 else f"frame {start}"


def check_shape(name) -> str:
    if name not in SHAPES:
        raise ValidationError(f"unknown mouth shape {name!r} (shapes are {', '.join(SHAPES)})")
    return name


def cleared(shapes, start: int, end: int) -> tuple[MouthShape, ...]:
    """`shapes` with frames [start, end) free: spans inside go, spans across are cut."""
    out = []
    for s in shapes:
        if s.end <= start or s.start >= end:
            out.append(s)
            continue
        if s.start < start:
            out.append(MouthShape(s.start, start, s.shape))
        if s.end > end:
            out.append(MouthShape(end, s.end, s.shape))
    return tuple(sorted(out))


def cut_at(shapes, n_frames: int) -> tuple[MouthShape, ...]:
    """`shapes` within a take of `n_frames`: spans past its end go, a span across it is cut."""
    return tuple(s if s.end <= n_frames else MouthShape(s.start, n_frames, s.shape)
                 for s in shapes if s.start < n_frames)


def with_shape(shapes, start: int, end: int, shape: str) -> tuple[MouthShape, ...]:
    """`shapes` with frames [start, end) set to `shape` (whatever covered them before gives way);
    a touching span of the same shape joins it, so a shape painted in two strokes is one span."""
    new = MouthShape(start, end, shape)
    out = list(cleared(shapes, start, end))
    for s in [s for s in out if s.shape == shape and (s.end == new.start or s.start == new.end)]:
        out.remove(s)
        new = MouthShape(min(s.start, new.start), max(s.end, new.end), shape)
    return tuple(sorted(out + [new]))


def shapes_from_json(items) -> tuple[MouthShape, ...]:
    """[[start, end, shape], ...] -> sorted spans, refusing overlaps (a hand-edited file)."""
    if len(items) > MAX_SHAPES:
        raise ValidationError(f"at most {MAX_SHAPES} mouth shapes per take, got {len(items)}")
    return checked(MouthShape(*item) for item in items)


def checked(shapes) -> tuple[MouthShape, ...]:
    """Spans a take can hold: sorted, at most MAX_SHAPES, none overlapping (one line if not)."""
    shapes = sorted(shapes)
    if len(shapes) > MAX_SHAPES:
        raise ValidationError(f"at most {MAX_SHAPES} mouth shapes per take, got {len(shapes)}")
    for a, b in zip(shapes, shapes[1:]):
        if b.start < a.end:
            raise ValidationError(f"mouth shapes overlap at frames {b.start}-{min(a.end, b.end) - 1}")
    return tuple(shapes)


def retimed(shapes, factor: float) -> tuple[MouthShape, ...]:
    """Spans at a new frame rate (`factor` = new fps / old fps), keeping their times; a span never
    shrinks below one frame and a later span gives way where rounding made two touch."""
    out: list[MouthShape] = []
    for s in sorted(shapes):
        a = int(round(s.start * factor))
        b = max(a + 1, int(round(s.end * factor)))
        if out and a < out[-1].end:
            a = out[-1].end
        if b > a:
            out.append(MouthShape(a, b, s.shape))
    return tuple(out)
