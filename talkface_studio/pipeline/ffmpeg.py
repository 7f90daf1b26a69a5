"""The ffmpeg that imageio-ffmpeg ships (no system ffmpeg needed), plus a small probe for checks.

imageio-ffmpeg ships no ffprobe, so `probe` reads what `ffmpeg -i` prints and decodes the file once
to count frames exactly.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@dataclass
class ProbeResult:
    video_codec: str | None = None
    pix_fmt: str | None = None
    width: int = 0
    height: int = 0
    audio_codec: str | None = None
    sample_rate: int = 0
    duration_s: float = 0.0
    n_frames: int = 0
    info: str = field(default="", repr=False)


def probe(path: str | Path) -> ProbeResult:
    """Streams, codecs and an exact decoded frame count of a video file."""
    path = str(path)
    head = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", path], capture_output=True, text=True)
    info = head.stderr
    result = ProbeResult(info=info)
    m = re.search(r"Stream #\S+: Video: (\w+)[^,]*, (\w+)[^,]*(?:\([^)]*\))?, (\d+)x(\d+)", info)
    if m:
        result.video_codec, result.pix_fmt = m.group(1), m.group(2)
        result.width, result.height = int(m.group(3)), int(m.group(4))
    m = re.search(r"Stream #\S+: Audio: (\w+)[^,]*, (\d+) Hz", info)
    if m:
        result.audio_codec, result.sample_rate = m.group(1), int(m.group(2))
    m = re.search(r"Duration: (\d+):(\d+):([\d.]+)", info)
    if m:
        result.duration_s = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    if result.video_codec:
        count = subprocess.run(
            [ffmpeg_exe(), "-hide_banner", "-nostats", "-i", path, "-map", "0:v:0", "-f", "null", "-"],
            capture_output=True, text=True,
        )
        frames = re.findall(r"frame=\s*(\d+)", count.stderr)
        result.n_frames = int(frames[-1]) if frames else 0
    return result


def decode_audio(path: str | Path, sample_rate: int = 48000) -> np.ndarray:
    """Mono float32 samples of a file's first audio stream (for sync checks)."""
    out = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-map", "0:a:0",
         "-ac", "1", "-ar", str(sample_rate), "-f", "f32le", "-"],
        capture_output=True, check=True,
    )
    return np.frombuffer(out.stdout, dtype=np.float32)


def decode_video(path: str | Path, width: int, height: int) -> np.ndarray:
    """All frames of a (small) video as uint8 [N, H, W, 3] (for tests and checks)."""
    out = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-map", "0:v:0",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True,
    )
    return np.frombuffer(out.stdout, dtype=np.uint8).reshape(-1, height, width, 3)
