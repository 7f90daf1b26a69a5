"""Mouth shapes set by hand (core.mouth_shapes) applied to a take's phones before any performer
reads them: over each span the phones heard give way to the shape's phone, so the mouth takes
that shape with the same coarticulation, closures and settings as a phone the lip sync found.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from talkface_studio.audio.features import PhoneSpan
from talkface_studio.audio.runs import true_runs
from talkface_studio.perform.procedural.visemes import normalize_phone

# shape -> the phone whose mouth it is (perform.procedural.visemes)
PHONES = {"MBP": "M", "FV": "F", "AI": "AA", "E": "IY", "O": "AO", "U": "UW", "WQ": "W", "L": "L",
          "etc": "S", "rest": "SIL"}
SHAPES_IN_ORDER = tuple(PHONES)
# the other way: which shape of the chart a phone the lip sync heard is drawn as (unlisted: etc)
HEARD = {**dict.fromkeys(("P", "B", "M"), "MBP"), **dict.fromkeys(("F", "V"), "FV"),
         **dict.fromkeys(("AA", "AE", "AH", "AY", "AW"), "AI"), **dict.fromkeys(("IY", "IH", "EH", "EY", "Y"), "E"),
         **dict.fromkeys(("AO", "OW", "OY"), "O"), **dict.fromkeys(("UW", "UH"), "U"), "W": "WQ",
         **dict.fromkeys(("L", "TH", "DH"), "L"), "SIL": "rest"}


def with_hand_shapes(features, shapes):
    """`features` whose phones over each of `shapes` are the shape's phone, and whose `hand_set`
    marks those frames (the lip sync's safety nets leave them as the artist set them)."""
    n = int(features.n_frames)
    spans = [(min(s.start, n), min(s.end, n), PHONES[s.shape]) for s in shapes]
    spans = [s for s in spans if s[1] > s[0]]
    if not spans:
        return features
    hand = np.zeros(n, dtype=bool)
    for a, b, _ in spans:
        hand[a:b] = True
    phones = []
    for p in features.phones:  # what the lip sync heard, outside the hand-set frames
        s, e = max(0, p.start_frame), min(n, p.end_frame)
        phones += [PhoneSpan(s + a, s + b, p.phone) for a, b in true_runs(~hand[s:e])] if e > s else []
    phones += [PhoneSpan(a, b, phone) for a, b, phone in spans]
    phones.sort(key=lambda p: p.start_frame)
    return dataclasses.replace(features, phones=phones, hand_set=hand)


@dataclass(frozen=True, eq=False)
class HeardShapes:
    """Runs of one chart shape the lip sync heard: frames [starts[i], ends[i]) took SHAPES_IN_ORDER
    [codes[i]], sorted, never overlapping. Arrays rather than thousands of tuples: a 10-minute take
    has ~5000 runs, made in a worker, and every Python object they would be costs the event loop a
    share of the garbage collector's pauses."""

    starts: np.ndarray
    ends: np.ndarray
    codes: np.ndarray
    words: tuple = ()  # ((start, end, word), ...): the script's words as aligned, for the word row

    def __len__(self) -> int:
        return len(self.starts)

    def __iter__(self):
        return iter(self.between(0, np.iinfo(np.int64).max))

    def __eq__(self, other) -> bool:
        return isinstance(other, HeardShapes) and self.words == other.words and all(
            np.array_equal(a, b) for a, b in zip((self.starts, self.ends, self.codes),
                                                 (other.starts, other.ends, other.codes)))

    def between(self, first: float, last: float) -> list[tuple[int, int, str]]:
        """(start, end, shape) of the runs that reach frames [first, last]."""
        i = int(np.searchsorted(self.ends, first, side="right"))
        j = int(np.searchsorted(self.starts, last, side="right"))
        return [(a, b, SHAPES_IN_ORDER[c]) for a, b, c in zip(self.starts[i:j].tolist(), self.ends[i:j].tolist(),
                                                               self.codes[i:j].tolist())]

    def words_between(self, first: float, last: float) -> list[tuple[int, int, str]]:
        """(start, end, word) of the script's words that reach frames [first, last]."""
        return [w for w in self.words if w[1] > first and w[0] <= last]

    def words_within(self, start: int, stop: int) -> list[tuple[int, int, str]]:
        """The words that reach frames [start, stop), cut to them (what an export of a range holds)."""
        return [(max(a, start), min(b, stop), w) for a, b, w in self.words_between(start, stop - 1)]


NOTHING_HEARD = HeardShapes(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))


def heard_shapes(phones, n_frames: int, words=()) -> HeardShapes:
    """What the lip sync heard as runs of chart shapes, silence left out: the timeline draws them
    under the shapes set by hand, so a missed p/b/m shows as a word without MBP. `words`: the
    script's words as aligned ([start, end) frames, word), which the timeline writes above them."""
    words = tuple(words)
    nothing = dataclasses.replace(NOTHING_HEARD, words=words) if words else NOTHING_HEARD
    if not phones:
        return nothing
    code_of: dict[str, int] = {}
    codes = np.empty(len(phones), dtype=np.int64)
    starts = np.empty(len(phones), dtype=np.int64)
    ends = np.empty(len(phones), dtype=np.int64)
    for i, p in enumerate(phones):
        label = str(p.phone)
        code = code_of.get(label)
        if code is None:
            code = code_of[label] = SHAPES_IN_ORDER.index(HEARD.get(normalize_phone(label), "etc"))
        codes[i], starts[i], ends[i] = code, p.start_frame, p.end_frame
    order = np.argsort(starts, kind="stable")
    codes, starts, ends = codes[order], np.clip(starts[order], 0, n_frames), np.clip(ends[order], 0, n_frames)
    keep = (ends > starts) & (codes != SHAPES_IN_ORDER.index("rest"))
    codes, starts, ends = codes[keep], starts[keep], ends[keep]
    if not len(codes):
        return nothing
    # a run goes on while the shape is the same and the next phone starts where this one ends
    first = np.flatnonzero(np.r_[True, (codes[1:] != codes[:-1]) | (starts[1:] != ends[:-1])])
    last = np.r_[first[1:] - 1, len(codes) - 1]
    return HeardShapes(starts[first], ends[last], codes[first], words)


def backend_note(backend: str) -> str | None:
    """Said where a take's performer does not read the shapes: the neural one predicts the mouth
    from the sound alone (its mouth channels are measured on the landmarks it generates)."""
    if backend == "procedural":
        return None
    return (f"its {backend} performer does not read mouth shapes set by hand "
            "(the procedural performer does: generate --backend procedural)")
