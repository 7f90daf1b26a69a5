"""Find the clips of a dataset laid out like MEAD:

    ROOT/<subject>/video/front/<emotion>/level_<n>/<clip>.mp4
    ROOT/<subject>/audio/<emotion>/level_<n>/<clip>.m4a     (optional: else the video's own audio)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from talkface_studio.core.emotion_track import EMOTIONS
from talkface_studio.core.errors import ValidationError

_AUDIO_SUFFIXES = (".m4a", ".wav", ".flac", ".mp3", ".aac")


@dataclass(frozen=True)
class MeadClip:
    subject: str
    emotion: str
    level: int
    name: str
    video: Path
    audio: Path  # the video itself when no separate audio file exists

    @property
    def key(self) -> str:
        return f"{self.subject}/{self.emotion}/level_{self.level}/{self.name}"


def scan_mead(root: str | Path) -> list[MeadClip]:
    root = Path(root)
    if not root.is_dir():
        raise ValidationError("dataset folder not found", root)
    clips = []
    for video in sorted(root.glob("*/video/front/*/level_*/*.mp4")):
        level_dir = video.parent
        emotion, subject = level_dir.parent.name, level_dir.parents[3].name
        if emotion not in EMOTIONS:
            raise ValidationError(f"unknown emotion folder {emotion!r} (expected one of {', '.join(EMOTIONS)})",
                                  level_dir.parent)
        try:
            level = int(level_dir.name.removeprefix("level_"))
        except ValueError:
            raise ValidationError("level folder must be named level_<n>", level_dir) from None
        audio_dir = root / subject / "audio" / emotion / level_dir.name
        audio = next((audio_dir / (video.stem + s) for s in _AUDIO_SUFFIXES
                      if (audio_dir / (video.stem + s)).is_file()), video)
        clips.append(MeadClip(subject, emotion, level, video.stem, video, audio))
    if not clips:
        raise ValidationError("no clips found (expected <subject>/video/front/<emotion>/level_<n>/*.mp4)", root)
    return clips
