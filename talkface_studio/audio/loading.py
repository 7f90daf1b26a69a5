"""Load any common audio file into float32 samples, refusing files that cannot be a dialogue take.

libsndfile (via soundfile) reads WAV/FLAC/OGG/MP3 directly; everything else (M4A/AAC, video
containers, ...) is decoded by the ffmpeg binary that imageio-ffmpeg ships, to a temporary float WAV
so channel count and rate come from a real header rather than from parsing ffmpeg's log.
"""

from __future__ import annotations

import logging
import re
import struct
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from talkface_studio.core.errors import MediaError
from talkface_studio.core.file_access import check_regular
from talkface_studio.core.limits import MAX_AUDIO_CHANNELS

from .downmix import mix_down

_log = logging.getLogger(__name__)

MAX_SECONDS = 3 * 3600  # longer than any dialogue take; refuse before decoding gigabytes
MIN_SECONDS = 0.05  # shorter is a click (a one-sample file crashed phone recognition)
MIN_RATE, MAX_RATE = 4000, 768_000
MAX_CHANNELS = MAX_AUDIO_CHANNELS
SILENCE_PEAK = 10 ** (-80 / 20)  # below -80 dBFS everywhere: nothing to lip-sync

# First bytes of files people drop on the app by mistake; named so the error says what it is.
_NOT_AUDIO_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive",
    b"{": "a text/JSON file",
}


@dataclass
class AudioClip:
    """Decoded audio: `samples` float32 [N, C] at the file's own rate (kept for export)."""

    samples: np.ndarray
    sample_rate: int
    path: Path | None = None
    _mono_cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def duration(self) -> float:
        return self.samples.shape[0] / self.sample_rate

    @property
    def n_channels(self) -> int:
        return self.samples.shape[1]

    def only_channel(self, channel: int | None) -> AudioClip:
        """This clip, or its channel `channel` (counted from 1) alone; None: this clip. A channel the
        recording does not have is refused naming the file."""
        if channel is None:
            return self
        if not 1 <= channel <= self.n_channels:
            has = "1 channel" if self.n_channels == 1 else f"{self.n_channels} channels"
            raise MediaError(f"{self.path or 'the recording'}: has {has}, so there is no channel {channel} to "
                             "analyse (choose one it has, or the mix)")
        return AudioClip(np.ascontiguousarray(self.samples[:, channel - 1:channel]), self.sample_rate, self.path)

    def mono(self, sr: int | None = None) -> np.ndarray:
        """Channel mean as float32 [N'] (or one channel where they cancel, see downmix), resampled
        to `sr` (for analysis; memoised per rate)."""
        sr = int(sr or self.sample_rate)
        if sr not in self._mono_cache:
            x, channel = mix_down(self.samples)
            if channel is not None and not self._mono_cache:  # once per recording, not per rate
                _log.warning("%s: its channels cancel when mixed to mono (one is polarity-inverted); "
                             "channel %d alone is analysed", self.path or "the recording", channel + 1)
            if sr != self.sample_rate:
                import soxr  # librosa's resampler, without importing librosa (numba warm-up)

                x = soxr.resample(x, self.sample_rate, sr, quality="HQ").astype(np.float32)
            self._mono_cache[sr] = np.ascontiguousarray(x)
        return self._mono_cache[sr]


def load_audio(path: str | Path) -> AudioClip:
    """Decode `path`; raises MediaError naming the file for anything unusable."""
    path = Path(path)
    check_regular(path, "audio file", MediaError)  # a FIFO or /dev/zero is refused before reading
    if path.stat().st_size == 0:
        raise MediaError("file is empty (0 bytes)", path)
    with open(path, "rb") as fh:
        head = fh.read(16)
    for magic, what in _NOT_AUDIO_MAGIC.items():
        if head.startswith(magic):
            raise MediaError(f"not an audio file (looks like {what})", path)

    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError):
        info = None
    if info is not None:
        _check_stream(path, info.samplerate, info.channels, info.frames / max(info.samplerate, 1))
        samples, rate = _read_soundfile(path, info)
    else:
        samples, rate = _read_ffmpeg(path)

    if samples.shape[0] == 0:
        raise MediaError("contains no audio samples (zero length)", path)
    if samples.shape[0] < MIN_SECONDS * rate:  # a click, not a line of dialogue: nothing to animate
        raise MediaError(f"is too short ({samples.shape[0]} samples, {samples.shape[0] / rate * 1000:.1f} ms); "
                         f"a take needs at least {MIN_SECONDS * 1000:.0f} ms of audio", path)
    if not np.all(np.isfinite(samples)):
        samples = np.nan_to_num(samples, nan=0.0, posinf=0.0, neginf=0.0)
    if float(np.max(np.abs(samples))) < SILENCE_PEAK:
        raise MediaError("contains only silence (peak below -80 dBFS)", path)
    return AudioClip(samples=samples, sample_rate=rate, path=path)


def _check_stream(path: Path, rate: float, channels: int, seconds: float) -> None:
    if not MIN_RATE <= rate <= MAX_RATE:
        raise MediaError(f"unsupported sample rate {rate:g} Hz (expected {MIN_RATE}-{MAX_RATE} Hz)", path)
    if not 1 <= channels <= MAX_CHANNELS:
        raise MediaError(f"unsupported channel count {channels}", path)
    if seconds > MAX_SECONDS:
        raise MediaError(f"too long ({seconds / 3600:.1f} h); takes longer than 3 hours are refused", path)


def _read_soundfile(path: Path, info) -> tuple[np.ndarray, int]:
    try:
        samples, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise MediaError(f"cannot decode audio ({exc})", path) from None
    declared = _wav_declared_bytes(path)
    if declared is not None and declared[0] > declared[1]:
        raise MediaError(
            f"file is truncated (header promises {declared[0]} bytes of audio, {declared[1]} present)", path
        )
    if info.frames > 0 and samples.shape[0] < info.frames:
        raise MediaError(f"file is truncated ({samples.shape[0]} of {info.frames} samples readable)", path)
    return samples, int(rate)


def _wav_declared_bytes(path: Path) -> tuple[int, int] | None:
    """(data bytes the RIFF header declares, bytes actually present) for a WAV, else None.

    libsndfile quietly reads what is there from a cut-off WAV, so an interrupted copy would
    otherwise load as a shorter take with no warning.
    """
    size = path.stat().st_size
    with open(path, "rb") as fh:
        if fh.read(4) != b"RIFF":
            return None
        fh.seek(12)
        while True:
            hdr = fh.read(8)
            if len(hdr) < 8:
                return None
            chunk, length = hdr[:4], struct.unpack("<I", hdr[4:])[0]
            if chunk == b"data":
                if length in (0, 0xFFFFFFFF):  # streamed WAV: size unknown, nothing to check
                    return None
                return length, size - fh.tell()
            fh.seek(length + (length & 1), 1)


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _probe(path: Path) -> str:
    """ffmpeg's stream description (stderr of `ffmpeg -i`, which exits 1 without an output)."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)], capture_output=True, timeout=60
    )
    return proc.stderr.decode("utf-8", "replace")


def _read_ffmpeg(path: Path) -> tuple[np.ndarray, int]:
    log = _probe(path)
    audio = re.search(r"Stream #\S+.*?: Audio: (.*)", log)
    if audio is None:
        if "Invalid data found" in log or "Stream #" not in log:
            lines = [ln.strip() for ln in log.splitlines() if ln.strip()]
            reason = lines[-1].removeprefix(f"{path}: ") if lines else "unknown format"
            raise MediaError(f"not a readable audio file (not audio, corrupt or truncated: {reason})", path)
        raise MediaError("contains no audio stream", path)
    rate = re.search(r"(\d+) Hz", audio.group(1))
    dur = re.search(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", log)
    seconds = int(dur.group(1)) * 3600 + int(dur.group(2)) * 60 + float(dur.group(3)) if dur else 0.0
    if rate is not None:
        _check_stream(path, int(rate.group(1)), 1, seconds)

    with tempfile.TemporaryDirectory(prefix="talkface-decode-") as tmp:
        out = Path(tmp) / "decoded.wav"
        proc = subprocess.run(
            [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-xerror", "-i", str(path),
             "-map", "0:a:0", "-vn", "-c:a", "pcm_f32le", str(out)],
            capture_output=True, timeout=max(120.0, seconds * 2),
        )
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        if proc.returncode != 0 or not out.exists():
            reason = err[-1] if err else f"ffmpeg exit code {proc.returncode}"
            raise MediaError(f"cannot decode audio (truncated or corrupt?): {reason}", path)
        samples, rate_out = sf.read(str(out), dtype="float32", always_2d=True)
    _check_stream(path, rate_out, samples.shape[1], samples.shape[0] / rate_out)
    return samples, int(rate_out)
