"""A tiny MEAD-layout dataset made from one portrait, for smoke tests of the training code.

Each clip is the portrait drifting and breathing in scale (so the face tracker follows a moving face)
with a tone-plus-noise soundtrack. It exercises every step of training; it teaches nothing real.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import soundfile as sf
from skimage.io import imread
from skimage.transform import AffineTransform, warp


def make_synthetic_mead(root: str | Path, portrait: str | Path, subjects=("M001", "W002"),
                        emotions=("neutral", "happy"), seconds: float = 1.0, fps: int = 25,
                        size: int = 192, seed: int = 0) -> Path:
    root = Path(root)
    rng = np.random.default_rng(seed)
    image = imread(str(portrait))[..., :3].astype(np.float64) / 255.0
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    n = int(round(seconds * fps))
    for si, subject in enumerate(subjects):
        for ei, emotion in enumerate(emotions):
            level = 1 if emotion == "neutral" else 3
            video = root / subject / "video" / "front" / emotion / f"level_{level}" / "001.mp4"
            audio = root / subject / "audio" / emotion / f"level_{level}" / "001.m4a"
            video.parent.mkdir(parents=True, exist_ok=True)
            audio.parent.mkdir(parents=True, exist_ok=True)
            frames = []
            for t in range(n):
                phase = 2 * np.pi * t / n
                s = image.shape[0] / size * (1.0 + 0.03 * np.sin(phase + si))
                shift = (4 * np.sin(phase + ei), 3 * np.cos(phase))
                tf = AffineTransform(scale=s, translation=(shift[0] * s, shift[1] * s))
                frames.append((warp(image, tf, output_shape=(size, size)) * 255).astype(np.uint8))
            writer = imageio_ffmpeg.write_frames(str(video), (size, size), fps=fps, codec="libx264",
                                                 pix_fmt_out="yuv420p", macro_block_size=1)
            writer.send(None)
            for f in frames:
                writer.send(np.ascontiguousarray(f))
            writer.close()
            sr = 16000
            tt = np.arange(int(seconds * sr)) / sr
            wav = 0.3 * np.sin(2 * np.pi * (150 + 50 * ei + 20 * si) * tt) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * tt))
            wav += 0.02 * rng.standard_normal(len(tt))
            tmp = audio.with_suffix(".wav")
            sf.write(tmp, wav.astype(np.float32), sr)
            subprocess.run([ffmpeg, "-y", "-loglevel", "error", "-i", str(tmp), "-c:a", "aac", str(audio)], check=True)
            tmp.unlink()
    return root
