"""Mouth shapes set by hand (core.mouth_shapes) applied to a take's phones before any performer
reads them: over each span the phones heard give way to the shape's phone, so the mouth takes
that shape with the same coarticulation, closures and settings as a phone the lip sync found.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from talkface_studio.audio.features import PhoneSpan
from talkface_studio.audio.runs import true_runs
from talkface_studio.perform.procedural.visemes import normalize_phone

# shape -> the phone whose mouth it is (perform.procedural.visemes)
PHONES = {"MBP": "M", "FV": "F", "AI": "AA", "E": "IY", "O": "AO", "U": "UW", "WQ": "W", "L": "L",
          "etc": "S", "rest": "SIL"}
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


def heard_shapes(phones, n_frames: int) -> tuple[tuple[int, int, str], ...]:
    """What the lip sync heard as runs of chart shapes [(start, end, shape)], silence left out: the
    timeline draws them under the shapes set by hand, so a missed p/b/m shows as a word without MBP."""
    out: list[list] = []
    for p in sorted(phones, key=lambda p: p.start_frame):
        s, e = max(0, p.start_frame), min(n_frames, p.end_frame)
        shape = HEARD.get(normalize_phone(p.phone), "etc")
        if e <= s or shape == "rest":
            continue
        if out and out[-1][2] == shape and out[-1][1] == s:
            out[-1][1] = e
        else:
            out.append([s, e, shape])
    return tuple(tuple(x) for x in out)


def backend_note(backend: str) -> str | None:
    """Said where a take's performer does not read the shapes: the neural one predicts the mouth
    from the sound alone (its mouth channels are measured on the landmarks it generates)."""
    if backend == "procedural":
        return None
    return (f"its {backend} performer does not read mouth shapes set by hand "
            "(the procedural performer does: generate --backend procedural)")
