"""Image-space landmarks as `.npz` for trackers, retargeting and the neural renderer's training.

Arrays (no pickled objects, so `np.load(..., allow_pickle=False)` reads it):
  landmarks     float32 [T, 478, 3]  output-image pixels (x right, y down; z in pixels, away from camera)
  frames        int64 [T]            take frame numbers
  fps           float64 scalar
  fps_rational  int64 [2]            numerator, denominator (24000/1001 for 23.976)
  image_size    int64 [2]            width, height of the output image
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from talkface_studio.core.timebase import FrameRate

from .atomic import atomic_file


def write_landmarks_npz(path: str | os.PathLike, landmarks_px: np.ndarray, frames, rate: FrameRate,
                        image_size: tuple[int, int]) -> Path:
    landmarks = np.asarray(landmarks_px, dtype=np.float32)
    if landmarks.ndim != 3 or landmarks.shape[1:] != (478, 3):
        raise ValueError(f"landmarks must be [T,478,3], got {landmarks.shape}")
    path = Path(path)
    # zip in memory first: a full disk mid-zip left numpy's ZipFile to fail again at exit
    # ("Exception ignored ... seek of closed file") after the clean one-line error
    buffer = io.BytesIO()
    np.savez(buffer, landmarks=landmarks, frames=np.asarray(frames, dtype=np.int64),
             fps=np.float64(rate.fps), fps_rational=np.array([rate.num, rate.den], dtype=np.int64),
             image_size=np.array(image_size, dtype=np.int64))
    with atomic_file(path) as temp, open(temp, "wb") as fh:
        fh.write(buffer.getbuffer())
    return path
