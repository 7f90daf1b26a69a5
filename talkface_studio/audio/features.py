"""What analysis hands to the performers: one row per video frame, plus a phone track.

Stored as plain arrays (`to_arrays` / `from_arrays`) so a cache file is an `.npz` read with
`allow_pickle=False`: nothing loaded from disk can execute code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from talkface_studio.audio.alignment_report import PATHS, AlignmentReport, PathStretch

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.timebase import FrameRate

N_MELS = 80
# The path that produced most of the take's phones (the report says which produced each stretch).
PHONE_SOURCES = PATHS
_OLD_SPELLING = {"recognised": "recognized"}

# ARPAbet (no stress) plus SIL; the acoustic fallback uses a subset, see audio.phones.
ARPABET = (
    "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH SIL"
).split()
VOWELS = frozenset("AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split())


@dataclass(frozen=True)
class PhoneSpan:
    """One phone over video frames [start_frame, end_frame)."""

    start_frame: int
    end_frame: int
    phone: str


@dataclass
class AudioFeatures:
    """Per-video-frame analysis of one take (T = n_frames rows)."""

    rate: FrameRate
    n_frames: int
    loudness: np.ndarray  # [T] 0..1, perceptual (0 = silence)
    voicing: np.ndarray  # [T] 0..1
    pitch_hz: np.ndarray  # [T], 0 where unvoiced
    mel: np.ndarray  # [T, 80] natural-log mel power
    spectral_centroid: np.ndarray  # [T] Hz
    phones: list[PhoneSpan] = field(default_factory=list)
    phone_source: str = "acoustic"
    report: AlignmentReport | None = None  # which path produced each stretch; None: all phone_source
    hand_set: np.ndarray | None = None  # bool [T]: phones the artist set by hand (perform.hand_shapes); not cached
    words: list[tuple[int, int, str]] = field(default_factory=list)  # the script's words where aligned: [start, end)

    def __post_init__(self):
        t = self.n_frames
        for name in ("loudness", "voicing", "pitch_hz", "spectral_centroid"):
            arr = np.asarray(getattr(self, name), dtype=np.float32)
            if arr.shape != (t,):
                raise ValidationError(f"AudioFeatures.{name} must have shape ({t},), got {arr.shape}")
            setattr(self, name, arr)
        self.mel = np.asarray(self.mel, dtype=np.float32)
        if self.mel.shape != (t, N_MELS):
            raise ValidationError(f"AudioFeatures.mel must have shape ({t}, {N_MELS}), got {self.mel.shape}")
        self.phone_source = _OLD_SPELLING.get(self.phone_source, self.phone_source)
        if self.phone_source not in PHONE_SOURCES:
            raise ValidationError(f"unknown phone_source {self.phone_source!r}")
        if self.report is None:
            self.report = AlignmentReport((PathStretch(0, t, self.phone_source),) if t else ())

    def phone_at(self) -> np.ndarray:
        """The phone label of every frame, str array [T] ("SIL" where no span covers it)."""
        out = np.full(self.n_frames, "SIL", dtype="<U3")
        for span in self.phones:
            out[max(span.start_frame, 0) : min(span.end_frame, self.n_frames)] = span.phone
        return out

    # -- plain-array form for caching ----------------------------------------------------
    def to_arrays(self) -> dict[str, np.ndarray]:
        return {
            "rate": np.array(self.rate.to_json(), dtype=np.int64),
            "n_frames": np.array(self.n_frames, dtype=np.int64),
            "loudness": self.loudness,
            "voicing": self.voicing,
            "pitch_hz": self.pitch_hz,
            "mel": self.mel,
            "spectral_centroid": self.spectral_centroid,
            "phone_start": np.array([p.start_frame for p in self.phones], dtype=np.int64),
            "phone_end": np.array([p.end_frame for p in self.phones], dtype=np.int64),
            "phone_name": np.array([p.phone for p in self.phones], dtype="<U4"),
            "phone_source": np.array(self.phone_source),
            "report": np.array(json.dumps(self.report.to_json())),
        }

    @classmethod
    def from_arrays(cls, arrays) -> AudioFeatures:
        phones = [
            PhoneSpan(int(s), int(e), str(p))
            for s, e, p in zip(arrays["phone_start"], arrays["phone_end"], arrays["phone_name"])
        ]
        num, den = (int(v) for v in arrays["rate"])
        return cls(
            rate=FrameRate(num, den),
            n_frames=int(arrays["n_frames"]),
            loudness=np.array(arrays["loudness"]),
            voicing=np.array(arrays["voicing"]),
            pitch_hz=np.array(arrays["pitch_hz"]),
            mel=np.array(arrays["mel"]),
            spectral_centroid=np.array(arrays["spectral_centroid"]),
            phones=phones,
            phone_source=str(arrays["phone_source"]),
            report=AlignmentReport.from_json(json.loads(str(arrays["report"]))) if "report" in arrays else None,
        )
