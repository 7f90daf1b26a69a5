"""Per-clip training data, extracted once and cached as .npz (no pickles):

- `expression` float32 [T, 478, 3]: face-mesh landmarks in face.normalize's normalized space
- `pose` float32 [T, 3]: head yaw/pitch/roll in degrees (face.geometry conventions)
- `gaze` float32 [T, 2]: eye yaw/pitch in degrees relative to the head (landmark_cues)
- `mel` float32 [T, 80]: the same log-mel the app computes (audio.acoustic) at the video's rate
- `landmarks_unit` float32 [T, 478, 3]: the tracked landmarks in image units (pixels / frame width),
  the input of stage 2's landmark-to-keypoint mapping
- `found` bool [T]: frames where the tracker found a face (others are interpolated)
Frames where no face was found are filled from the nearest found ones; a clip with fewer than half
its frames found is skipped (returns None).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from talkface_studio.audio.acoustic import SR, analyze_acoustics
from talkface_studio.audio.loading import load_audio
from talkface_studio.core.atomic_write import replacing
from talkface_studio.core.errors import ValidationError
from talkface_studio.core.timebase import FrameRate
from talkface_studio.face.normalize import normalize
from talkface_studio.perform.neural.landmark_cues import gaze_from_landmarks
from talkface_studio.training.mead import MeadClip
from talkface_studio.training.video_landmarks import read_video, track_landmarks

CACHE_VERSION = 2


def _fill_missing(x: np.ndarray, found: np.ndarray) -> np.ndarray:
    idx = np.flatnonzero(found)
    nearest = idx[np.clip(np.searchsorted(idx, np.arange(len(x))), 0, len(idx) - 1)]
    return x[nearest]


def _frame_rate(fps: float, path: Path) -> FrameRate:
    try:
        return FrameRate.parse(round(fps, 3))
    except ValidationError as exc:
        raise ValidationError(f"video frame rate {fps:g} is not a standard rate ({exc.problem})", path) from None


def extract_clip(clip: MeadClip) -> dict | None:
    frames, fps = read_video(clip.video)
    px, found = track_landmarks(frames)
    if found.mean() < 0.5:
        return None
    px = _fill_missing(px, found)
    expression = np.zeros_like(px)
    pose = np.zeros((len(px), 3), np.float32)
    for i, lm in enumerate(px):
        norm, p = normalize(lm)
        expression[i], pose[i] = norm, (p.yaw, p.pitch, p.roll)
    mel = analyze_acoustics(load_audio(clip.audio).mono(SR), _frame_rate(fps, clip.video), len(px)).mel
    return {"expression": expression.astype(np.float32), "pose": pose, "gaze": gaze_from_landmarks(expression),
            "mel": np.asarray(mel, np.float32), "found": found,
            "landmarks_unit": (px / frames.shape[2]).astype(np.float32), "fps": np.float32(fps)}


def load_or_extract(clip: MeadClip, cache_dir: str | Path) -> dict | None:
    """The clip's arrays, from `cache_dir` when already extracted (and newer than the video)."""
    path = Path(cache_dir) / f"{clip.key}.v{CACHE_VERSION}.npz"
    if path.is_file() and path.stat().st_mtime >= clip.video.stat().st_mtime:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        return None if arrays.get("skipped", False) else arrays
    arrays = extract_clip(clip)
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path, durable=False) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, **(arrays if arrays is not None else {"skipped": np.bool_(True)}))
    return arrays
