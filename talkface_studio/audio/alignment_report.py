"""Which path produced the phones of each stretch of a take, and why a stretch fell back.

Paths, best first: `aligned` (the whole script aligned in one pass), `piecewise` (aligned piece by
piece between pauses), `recognized` (free phone recognition: no script, or the script could not be
placed there), `acoustic` (a coarse guess from loudness and spectrum: the last resort). The last
two are fallbacks when a script was given, and every fallen-back stretch carries a reason that the
CLI prints and the app shows on the timeline. The report is derived from the analysis (cached with
the phones, in seconds, so every frame rate reads the same pass); it is never saved in a project.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

PATHS = ("aligned", "piecewise", "recognized", "acoustic")
FALLBACK_PATHS = frozenset({"recognized", "acoustic"})
NO_SCRIPT_WORDS = "sound here matches no words of the script"  # speech where the script has nothing: an ad-lib
_DESCRIBE = {"aligned": "aligned to the script", "piecewise": "aligned in pieces",
             "recognized": "phones recognized without the script", "acoustic": "mouth guessed from loudness only"}


class TimedStretch(NamedTuple):
    """A stretch in seconds, as the phone pass produces and caches it."""

    start: float
    end: float
    path: str
    reason: str = ""
    words: str = ""  # the script's words in this stretch, when known


def join_reasons(*parts: str) -> str:
    """A stretch's reason from its parts (why it fell back; what its fallback step said), "; " between."""
    return "; ".join(p for p in parts if p)


UNHEARD = "script words not heard"
SAID_AGAIN = "said again: a second reading of these words of the script"  # a retake in the same file (retakes)


def unheard_note(words: str) -> str:
    """The note on the said words next to script words (clauses) nobody said."""
    return f'{UNHEARD}: "{words}"'


def unheard_words(reason: str) -> list[str]:
    """The script words of each note of words not heard in `reason` (unheard_note), as quoted."""
    prefix = f'{UNHEARD}: "'
    return [p[len(prefix):-1] for p in reason.split("; ") if p.startswith(prefix)]


def without_unheard(reason: str) -> str:
    """`reason` without its note of script words not heard (for a part cut off the stretch it was on,
    so that the note is reported once)."""
    return join_reasons(*(p for p in reason.split("; ") if not p.startswith(f"{UNHEARD}: ")))


@dataclass(frozen=True)
class PathStretch:
    """Video frames [start_frame, end_frame) whose phones came from `path`."""

    start_frame: int
    end_frame: int
    path: str
    reason: str = ""
    words: str = ""
    fell_back: bool = False  # a script was given but could not be used here

    def describe(self, rate) -> str:
        """One line for the user: timecodes, frames, words, what happened and why."""
        last = max(self.start_frame, self.end_frame - 1)
        where = f"{rate.to_timecode(self.start_frame)}-{rate.to_timecode(last)} (frames {self.start_frame}-{last})"
        words = f' "{self.words}"' if self.words else ""
        what = _DESCRIBE.get(self.path, self.path)
        return f"{where}{words}: {what}" + (f" ({self.reason})" if self.reason else "")


@dataclass(frozen=True)
class AlignmentReport:
    """Stretches tiling the take in frame order."""

    stretches: tuple[PathStretch, ...] = ()

    @classmethod
    def from_timed(cls, timed, rate, n_frames: int, scripted: bool) -> AlignmentReport:
        """Seconds -> frames; adjacent stretches share their boundary frame, so they tile [0, n_frames)."""
        out: list[PathStretch] = []
        for s in sorted(timed, key=lambda s: s.start):
            start = 0 if not out else out[-1].end_frame
            end = n_frames if s is timed[-1] else min(n_frames, max(start, round(s.end * rate.fps)))
            if end <= start:
                continue
            out.append(PathStretch(start, end, s.path, s.reason, s.words, scripted and s.path in FALLBACK_PATHS))
        if out and out[-1].end_frame < n_frames:
            out[-1] = replace(out[-1], end_frame=n_frames)
        return cls(tuple(out))

    @property
    def fallbacks(self) -> tuple[PathStretch, ...]:
        return tuple(s for s in self.stretches if s.fell_back)

    @property
    def notices(self) -> tuple[PathStretch, ...]:
        """What the user must hear about: fallbacks, and aligned stretches with a reason (e.g.
        script words that were not heard in the audio)."""
        return tuple(s for s in self.stretches if s.fell_back or s.reason and s.path not in FALLBACK_PATHS)

    @property
    def pieces(self) -> int:
        return sum(1 for s in self.stretches if s.path == "piecewise")

    def path_at(self, n_frames: int) -> np.ndarray:
        """The path of every frame, str [T] ("" where no stretch covers it)."""
        out = np.full(n_frames, "", dtype="<U10")
        for s in self.stretches:
            out[max(0, s.start_frame):min(n_frames, s.end_frame)] = s.path
        return out

    def overlay(self, start_frame: int, end_frame: int, path: str, reason: str, fell_back: bool = True
                ) -> AlignmentReport:
        """A copy in which [start_frame, end_frame) took `path` (the stretches under it are cut)."""
        out = []
        for s in self.stretches:
            if s.end_frame <= start_frame or s.start_frame >= end_frame:
                out.append(s)
                continue
            if s.start_frame < start_frame:
                out.append(replace(s, end_frame=start_frame))
            if s.end_frame > end_frame:
                out.append(replace(s, start_frame=end_frame))
        words = " ".join(s.words for s in self.stretches if s.words and s.start_frame < end_frame
                         and s.end_frame > start_frame and s.start_frame >= start_frame and s.end_frame <= end_frame)
        out.append(PathStretch(start_frame, end_frame, path, reason, words, fell_back))
        return AlignmentReport(tuple(sorted(out, key=lambda s: s.start_frame)))

    def summary(self) -> str:
        """e.g. "aligned to the script", "aligned in 4 pieces; 1 stretch fell back"."""
        paths = {s.path for s in self.stretches}
        if not self.stretches:
            return "no phones"
        if self.pieces:
            text = f"aligned in {self.pieces} piece{'s' if self.pieces > 1 else ''}"
            if "aligned" in paths:
                text = "aligned to the script, partly " + text
        elif "aligned" in paths:
            text = "aligned to the script"
        elif "recognized" in paths:
            text = "phones recognized (no script)" if not self.fallbacks else "phones recognized"
        else:
            text = "mouth from loudness only"
        n = len(self.fallbacks)
        text += f"; {n} stretch{'es' if n > 1 else ''} fell back" if n else ""
        unheard = sum(1 for s in self.notices if not s.fell_back and UNHEARD in s.reason)
        again = sum(1 for s in self.notices if s.reason == SAID_AGAIN)
        return text + (f"; {unheard} with script words not heard" if unheard else "") + (
            f"; {again} said again" if again else "")

    def warnings(self, rate) -> list[str]:
        """One line per notice (fallbacks and aligned stretches with a reason)."""
        return [s.describe(rate) for s in self.notices]

    # -- plain form for the cache (JSON inside the features' .npz) ---------------------------------
    def to_json(self) -> list:
        return [[s.start_frame, s.end_frame, s.path, s.reason, s.words, s.fell_back] for s in self.stretches]

    @classmethod
    def from_json(cls, data) -> AlignmentReport:
        return cls(tuple(PathStretch(int(a), int(b), str(p), str(r), str(w), bool(f)) for a, b, p, r, w, f in data))
