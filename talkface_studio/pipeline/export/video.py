"""MP4 (H.264) and MOV (ProRes 422 HQ; ProRes 4444 with alpha) writers: raw RGB frames piped into ffmpeg, audio muxed in.

The audio is cut to the exported frame range with input `-ss`/`-t`, padded with `apad` and the output
cut with `-t`. `-shortest` is deliberately not used: when the audio is shorter than the video, ffmpeg
stops reading the pipe and the writer would see a broken pipe (see STACK.md).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.timebase import FrameRate

from ..ffmpeg import ffmpeg_exe
from .atomic import ExportError, commit, discard, temp_path_for
from .frame_feed import FrameFeed

# Colour: frames are sRGB; convert with the BT.709 matrix (limited range) and tag the stream so
# players and Nuke/Resolve do not guess BT.601 for small frame sizes.
_COLOUR_FILTER = ("scale=out_color_matrix=bt709:out_range=tv:flags=bicubic+accurate_rnd+full_chroma_int,"
                  "setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv")


@dataclass(frozen=True)
class VideoFormat:
    container: str  # ffmpeg muxer
    video: tuple[str, ...]
    pix_fmt: str


MP4 = VideoFormat("mp4", ("-c:v", "libx264", "-movflags", "+faststart"), "yuv420p")
MOV = VideoFormat("mov", ("-c:v", "prores_ks", "-profile:v", "3", "-vendor", "apl0"), "yuv422p10le")
# with an alpha channel (plate --alpha): ProRes 4444, the alpha coded losslessly at 16 bits
MOV_ALPHA = VideoFormat("mov", ("-c:v", "prores_ks", "-profile:v", "4", "-vendor", "apl0", "-alpha_bits", "16"),
                        "yuva444p10le")
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")


def format_for(path: Path) -> VideoFormat:
    suffix = Path(path).suffix.lower()
    if suffix == ".mp4":
        return MP4
    if suffix == ".mov":
        return MOV
    raise ValidationError(f"unknown video format {suffix!r}; use .mp4 or .mov", path)


class VideoWriter:
    """Context manager: `write(rgb)` each frame; the file appears at `path` only on a clean exit.

    `audio` is any file ffmpeg reads; `audio_start_s` is where the exported range starts in it.
    `first_frame` sets the embedded start timecode so editorial sees take frame numbers.
    With `alpha` frames are RGBA and the file ProRes 4444 (.mov only). `preset` is x264's (MP4).
    """

    def __init__(self, path, *, width: int, height: int, rate: FrameRate, n_frames: int,
                 audio: str | os.PathLike | None = None, audio_start_s: float = 0.0,
                 first_frame: int = 0, crf: int = 18, audio_bits: int = 16, alpha: bool = False,
                 preset: str = "medium"):
        self.path = Path(path)
        self.format = format_for(self.path)
        if alpha:
            if self.format is not MOV:
                raise ValidationError("--alpha needs .mov (ProRes 4444) or a PNG/EXR sequence; "
                                      "MP4 (H.264) has no alpha channel", self.path)
            self.format = MOV_ALPHA
        if preset not in X264_PRESETS:
            raise ValidationError(f"unknown x264 preset {preset!r} (use one of {', '.join(X264_PRESETS)})", self.path)
        self.channels = 4 if alpha else 3
        if n_frames <= 0:
            raise ValidationError("nothing to export: the frame range is empty", self.path)
        if self.format is MP4 and (width % 2 or height % 2):
            raise ValidationError(f"H.264 needs an even frame size, got {width}x{height}", self.path)
        if not 0 <= crf <= 51:
            raise ValidationError(f"--crf must be 0..51, got {crf}", self.path)
        if audio_bits not in (16, 24):
            raise ValidationError(f"audio bit depth must be 16 or 24, got {audio_bits}", self.path)
        self.width, self.height, self.n_frames = width, height, n_frames
        self.written = 0
        duration = f"{n_frames * rate.den / rate.num:.6f}"
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostats", "-loglevel", "error", "-y",
               "-f", "rawvideo", "-pix_fmt", "rgba" if alpha else "rgb24", "-s", f"{width}x{height}",
               "-framerate", f"{rate.num}/{rate.den}", "-i", "pipe:0"]
        if audio is not None:
            cmd += ["-ss", f"{max(0.0, audio_start_s):.6f}", "-t", duration, "-i", str(audio),
                    "-map", "0:v:0", "-map", "1:a:0?", "-af", "apad", "-ar", "48000"]  # 48 kHz: video standard
            if self.format is MP4:
                cmd += ["-c:a", "aac", "-b:a", "192k"]
            else:
                cmd += ["-c:a", f"pcm_s{audio_bits}le"]
        cmd += list(self.format.video)
        if self.format is MP4:
            cmd += ["-preset", preset, "-crf", str(crf)]
        cmd += ["-vf", _COLOUR_FILTER, "-pix_fmt", self.format.pix_fmt,
                "-timecode", rate.to_timecode(first_frame), "-t", duration, "-f", self.format.container]
        self._temp = temp_path_for(self.path)
        self._log = tempfile.TemporaryFile()  # a file, not a pipe: a chatty ffmpeg cannot block
        self._proc = subprocess.Popen(cmd + [str(self._temp)], stdin=subprocess.PIPE,
                                      stdout=subprocess.DEVNULL, stderr=self._log)
        self._feed = FrameFeed(self._proc.stdin, frame_bytes=width * height * self.channels)

    def write(self, rgb: np.ndarray) -> None:
        if rgb.shape != (self.height, self.width, self.channels) or rgb.dtype != np.uint8:
            raise ValueError(f"frame must be uint8 [{self.height},{self.width},{self.channels}], "
                             f"got {rgb.dtype} {rgb.shape}")
        # the feed keeps the frame until ffmpeg takes it: our own copy (plate frames reuse one buffer)
        if not self._feed.put(np.array(rgb, order="C", copy=True)):
            self._proc.wait()
            raise ExportError(f"encoder stopped: {self._last_error()}", self.path)
        self.written += 1

    def close(self) -> Path:
        """Finish encoding and move the file into place."""
        fed = self._feed.finish()
        rc = self._proc.wait()
        if rc == 0 and not fed:
            rc = -1
        if rc != 0:
            discard(self._temp)
            raise ExportError(f"encoder failed: {self._last_error()}", self.path)
        if self.written != self.n_frames:
            discard(self._temp)
            raise ExportError(f"only {self.written} of {self.n_frames} frames were written", self.path)
        self._log.close()
        commit(self._temp, self.path)
        return self.path

    def abort(self) -> None:
        """Stop ffmpeg and delete the partial file (cancel, error)."""
        self._proc.kill()  # first: a feeder blocked in a write gets a broken pipe and stops
        self._feed.finish()
        self._proc.wait()
        self._log.close()
        discard(self._temp)

    def _last_error(self) -> str:
        self._log.seek(0)
        lines = [ln for ln in self._log.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        text = lines[-1] if lines else "unknown error"
        if any("No space left" in ln for ln in lines):  # ffmpeg's last line is a consequence
            return "disk full while writing"
        return text

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
