"""Frame rates and the one place where seconds, frames and SMPTE timecode are converted.

Rates are exact rationals (24000/1001 for 23.976) so that frame numbers stored in project
files never drift; float seconds appear only at the edges (CLI arguments, audio sample maths).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

from .errors import ValidationError


@dataclass(frozen=True, order=True)
class FrameRate:
    num: int
    den: int = 1

    def __post_init__(self):
        if self.num <= 0 or self.den <= 0:
            raise ValidationError(f"frame rate must be positive, got {self.num}/{self.den}")

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.num, self.den)

    @property
    def fps(self) -> float:
        return self.num / self.den

    @property
    def nominal(self) -> int:
        """Frames per timecode second: 24 for 23.976, 30 for 29.97."""
        return round(self.fps)

    @property
    def is_ntsc(self) -> bool:
        return self.den == 1001

    @property
    def drop_frame(self) -> bool:
        """29.97 and 59.94 use drop-frame timecode by convention."""
        return self.is_ntsc and self.nominal in (30, 60)

    def __str__(self) -> str:
        return f"{self.fps:.3f}".rstrip("0").rstrip(".") if self.den != 1 else str(self.num)

    @classmethod
    def parse(cls, text: str | float | int | FrameRate) -> FrameRate:
        """'24', '23.976', '29.97', '30000/1001', 25.0 -> FrameRate. Only standard rates."""
        if isinstance(text, FrameRate):
            return text
        s = str(text).strip()
        m = re.fullmatch(r"(\d+)\s*/\s*(\d+)", s)
        if m:
            rate = cls(int(m.group(1)), int(m.group(2)))
        else:
            try:
                value = float(s)
            except ValueError:
                raise ValidationError(f"not a frame rate: {text!r}") from None
            rate = next((r for r in STANDARD_RATES if abs(r.fps - value) < 0.01), None)
            if rate is None:
                raise ValidationError(f"unsupported frame rate {text!r}; use one of {rate_names()}")
        if rate not in STANDARD_RATES:
            raise ValidationError(f"unsupported frame rate {text!r}; use one of {rate_names()}")
        return rate

    # -- seconds <-> frames ---------------------------------------------------------------
    def frame_to_seconds(self, frame: int) -> float:
        return frame * self.den / self.num

    def seconds_to_frame(self, seconds: float) -> int:
        """The frame whose interval [t_f, t_f+1) contains `seconds` (tolerant of float noise)."""
        return math.floor(seconds * self.num / self.den + 1e-6)

    def frames_in(self, seconds: float) -> int:
        """Number of whole-or-partial frames needed to cover `seconds` of media."""
        return max(0, math.ceil(seconds * self.num / self.den - 1e-6))

    # -- SMPTE timecode -------------------------------------------------------------------
    def to_timecode(self, frame: int) -> str:
        """HH:MM:SS:FF (';' before frames for drop-frame). Negative frames get a leading '-'."""
        if frame < 0:
            return "-" + self.to_timecode(-frame)
        n = self.nominal
        if self.drop_frame:
            drop = 2 * (n // 30)  # 2 frame numbers dropped per minute (4 at 59.94)
            per_10min = n * 600 - drop * 9
            per_min = n * 60 - drop
            tens, rem = divmod(frame, per_10min)
            if rem > drop:
                frame += drop * 9 * tens + drop * ((rem - drop) // per_min)
            else:
                frame += drop * 9 * tens
        ff = frame % n
        ss = (frame // n) % 60
        mm = (frame // (n * 60)) % 60
        hh = frame // (n * 3600)
        sep = ";" if self.drop_frame else ":"
        return f"{hh:02d}:{mm:02d}:{ss:02d}{sep}{ff:02d}"

    def from_timecode(self, text: str) -> int:
        m = re.fullmatch(r"(-?)(\d+):(\d\d):(\d\d)[:;.](\d\d)", text.strip())
        if not m:
            raise ValidationError(f"not a timecode: {text!r} (expected HH:MM:SS:FF)")
        sign = -1 if m.group(1) else 1
        hh, mm, ss, ff = (int(g) for g in m.groups()[1:])
        n = self.nominal
        if mm > 59 or ss > 59 or ff >= n:
            raise ValidationError(f"timecode {text!r} out of range at {self}")
        frame = ((hh * 60 + mm) * 60 + ss) * n + ff
        if self.drop_frame:
            drop = 2 * (n // 30)
            if ss == 0 and ff < drop and mm % 10 != 0:
                raise ValidationError(f"timecode {text!r} does not exist in drop-frame")
            total_minutes = hh * 60 + mm
            frame -= drop * (total_minutes - total_minutes // 10)
        return sign * frame

    def to_json(self) -> list[int]:
        return [self.num, self.den]

    @classmethod
    def from_json(cls, value) -> FrameRate:
        if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, int) for v in value):
            return cls.parse(f"{value[0]}/{value[1]}")
        raise ValidationError(f"frame rate must be [num, den], got {value!r}")


STANDARD_RATES: tuple[FrameRate, ...] = (
    FrameRate(24000, 1001),
    FrameRate(24),
    FrameRate(25),
    FrameRate(30000, 1001),
    FrameRate(30),
    FrameRate(50),
    FrameRate(60),
)


def rate_names() -> str:
    return ", ".join(str(r) for r in STANDARD_RATES)
