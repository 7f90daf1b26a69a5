"""Synthesised audio for the audio tests: tones, vowels, files in every format, espeak speech."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import fftconvolve

HAVE_ESPEAK = shutil.which("espeak-ng") is not None
needs_espeak = pytest.mark.skipif(not HAVE_ESPEAK, reason="espeak-ng is not installed")


def tone(freq: float, seconds: float, sr: int, channels: int = 1, amp: float = 0.3) -> np.ndarray:
    """Sine, float32 [N, C]; each channel slightly quieter so a mixdown is not trivially one channel."""
    t = np.arange(int(round(seconds * sr))) / sr
    x = amp * np.sin(2 * np.pi * freq * t)
    return np.stack([x * (1 - 0.1 * c) for c in range(channels)], axis=1).astype(np.float32)


def vowel(f0: float, seconds: float, sr: int, amp: float = 0.3) -> np.ndarray:
    """Glottal-like harmonic series shaped by two formants (an /a/-ish vowel), float32 [N]."""
    t = np.arange(int(round(seconds * sr))) / sr
    x = np.zeros_like(t)
    for k in range(1, int(4000 // f0)):
        fk = k * f0
        gain = 1 / k + 1.5 * np.exp(-(((fk - 700) / 150) ** 2)) + 0.8 * np.exp(-(((fk - 1200) / 200) ** 2))
        x += gain * np.sin(2 * np.pi * fk * t + 0.3 * k)
    return (amp * x / np.max(np.abs(x))).astype(np.float32)


def write(path: Path, samples: np.ndarray, sr: int, **kw) -> Path:
    sf.write(str(path), samples, sr, **kw)
    return path


def encode_ffmpeg(src: Path, dst: Path, *args: str) -> Path:
    """Encode with the ffmpeg imageio-ffmpeg bundles (AAC for .m4a / .aac)."""
    import imageio_ffmpeg

    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-v", "error", "-i", str(src), *args, str(dst)]
    subprocess.run(cmd, check=True, capture_output=True)
    return dst


def espeak(text: str, path: Path, speed: int = 150) -> Path:
    subprocess.run(["espeak-ng", "-s", str(speed), "-w", str(path), text], check=True, capture_output=True)
    return path


def trimmed_speech(text: str, tmp: Path, sr: int = 22050) -> np.ndarray:
    """espeak `text` with its leading/trailing near-silence cut, float32 [N] at `sr`."""
    x, file_sr = sf.read(str(espeak(text, tmp / "word.wav")), dtype="float32")
    assert file_sr == sr
    loud = np.flatnonzero(np.abs(x) > 0.02)
    return x[loud[0] : loud[-1] + 1]


def write_tone(path: Path, seconds: float = 1.0, freq: float = 220.0, sr: int = 16000) -> Path:
    """A mono tone as a recording: for tests where any audio will do."""
    return write(path, tone(freq, seconds, sr)[:, 0], sr)


def write_speech_around_noise(path: Path, script: str) -> tuple[float, float]:
    """Writes the script's two sentences (espeak-ng) with a second of loud noise between them (loud
    audio that matches no word of the script); returns where the noise starts and ends, seconds."""
    import espeak_events

    sr = espeak_events.SAMPLE_RATE
    a, b = (espeak_events.speak(t, "en-us", 170).samples for t in script.split(". "))
    pause = np.zeros(int(0.5 * sr), np.float32)
    noise = np.random.default_rng(0).normal(0, 0.15, sr).astype(np.float32)
    write(path, np.concatenate([pause, a, pause, noise, pause, b, pause]), sr)
    start = (2 * len(pause) + len(a)) / sr
    return start, start + len(noise) / sr


def reverberant(x: np.ndarray, sr: int, rt60: float = 0.7, direct_over_reverb_db: float = -3.0) -> np.ndarray:
    """`x` through a synthetic room: a direct path and exponentially decaying noise."""
    rng = np.random.default_rng(0)
    t = np.arange(int(sr * rt60 * 1.2)) / sr
    tail = rng.standard_normal(len(t)) * 10 ** (-3 * t / rt60)
    tail[: int(0.003 * sr)] = 0.0
    h = tail * np.sqrt(1.0 / (np.sum(tail ** 2) * 10 ** (direct_over_reverb_db / 10)))
    h[0] = 1.0
    y = fftconvolve(x, h)[: len(x)]
    return (y * np.abs(x).max() / np.abs(y).max()).astype(np.float32)


NOISE_KINDS = ("white", "pink", "hum")


def noise(kind: str, n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """n samples of unit-power noise: white (hiss), pink (equal power per octave: wind, rumble, a
    busy room) or hum (a ventilation fan: 50 Hz and its harmonics over brown noise)."""
    white = rng.standard_normal(n)
    if kind == "white":
        out = white
    else:
        spectrum = np.fft.rfft(white)
        f = np.maximum(np.fft.rfftfreq(n, 1 / sr), 20.0)
        spectrum /= np.sqrt(f) if kind == "pink" else f  # pink: 1/f power; brown (under the hum): 1/f^2
        out = np.fft.irfft(spectrum, n)
        if kind == "hum":
            t = np.arange(n) / sr
            hum = sum(np.sin(2 * np.pi * 50 * k * t + rng.uniform(0, 2 * np.pi)) / k for k in range(1, 8))
            out = out / np.std(out) + 2 * hum / np.std(hum)
    return out / np.std(out)


def speech_power(x: np.ndarray, sr: int) -> float:
    """Mean power of a recording's active speech: its 10-ms frames within 30 dB of its loud level
    (95th percentile), as a speech level meter counts (ITU-T P.56 in spirit), not its pauses."""
    hop = sr // 100
    frames = np.asarray(x, np.float64)[:len(x) // hop * hop].reshape(-1, hop)
    power = np.mean(frames ** 2, axis=1) + 1e-12
    loud = np.percentile(power, 95)
    return float(np.mean(power[power >= loud * 1e-3]))


def with_noise(x: np.ndarray, sr: int, snr_db: float, kind: str = "white", seed: int = 0) -> np.ndarray:
    """`x` with noise of `kind` mixed in `snr_db` under its speech, scaled down if it would clip."""
    x = np.asarray(x, np.float64)
    mixed = x + noise(kind, len(x), sr, np.random.default_rng(seed)) * np.sqrt(speech_power(x, sr) / 10 ** (snr_db / 10))
    return (mixed / max(1.0, np.abs(mixed).max())).astype(np.float32)


def overdriven(x: np.ndarray, drive_db: float) -> np.ndarray:
    """`x` with its peak raised `drive_db` dB past full scale and cut flat at +-1: a recording whose
    input stage was set too hot."""
    x = np.asarray(x, np.float64)
    return np.clip(x * (10 ** (drive_db / 20) / np.abs(x).max()), -1.0, 1.0).astype(np.float32)
