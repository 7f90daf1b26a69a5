"""Stage 1 training windows from cached clips.

Expression targets are deltas from the speaker's own neutral face (mean of their neutral clips, or
of all their clips when they have none), so identity stays out of the model; gaze is taken relative
to the speaker's mean gaze (iris landmarks carry a per-person offset). A batch holds equal-length
windows (no padding anywhere): random crops of `window` frames, shorter when a clip is shorter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from talkface_studio.core.emotion_track import EMOTIONS, level_intensity
from talkface_studio.perform.neural.expression_basis import project
from talkface_studio.perform.neural.mel_context import normalize_mel, padded_window
from talkface_studio.training.mead import MeadClip


@dataclass
class ClipItem:
    subject: str
    label: int
    weights: np.ndarray  # [8] emotion intensities, as EmotionTrack.weights gives them
    deltas: np.ndarray  # [T, 478, 3]
    gaze: np.ndarray  # [T, 2]
    pose: np.ndarray  # [T, 3]
    mel: np.ndarray  # [T, 80] raw log-mel


def emotion_row(emotion: str, level: int) -> np.ndarray:
    w = np.zeros(len(EMOTIONS), np.float32)
    if emotion != "neutral":
        w[EMOTIONS.index(emotion)] = level_intensity(min(max(level, 1), 3))
    w[0] = max(0.0, 1.0 - w.sum())
    return w


def build_items(clips: list[MeadClip], arrays: list[dict]) -> list[ClipItem]:
    """Pair clips with their cached arrays (None = skipped) and remove per-speaker identity."""
    pairs = [(c, a) for c, a in zip(clips, arrays) if a is not None]
    neutral, gaze0 = {}, {}
    for subject in {c.subject for c, _ in pairs}:
        own = [a for c, a in pairs if c.subject == subject]
        calm = [a for c, a in pairs if c.subject == subject and c.emotion == "neutral"] or own
        neutral[subject] = np.concatenate([a["expression"] for a in calm]).mean(0)
        gaze0[subject] = np.concatenate([a["gaze"] for a in own]).mean(0)
    return [ClipItem(c.subject, EMOTIONS.index(c.emotion), emotion_row(c.emotion, c.level),
                     a["expression"] - neutral[c.subject], a["gaze"] - gaze0[c.subject], a["pose"], a["mel"])
            for c, a in pairs]


class LandmarkWindows:
    """Random training windows; `batch()` returns the dict SpeechToCues.forward expects."""

    def __init__(self, items: list[ClipItem], basis: dict, audio_margin: int, window: int):
        self.items, self.margin, self.window = items, audio_margin, window
        self.coeffs = [project(it.deltas, basis) for it in items]
        self.mels = [normalize_mel(it.mel) for it in items]

    @property
    def n_frames(self) -> int:
        return sum(len(c) for c in self.coeffs)

    def batch(self, rng: np.random.Generator, size: int) -> dict[str, torch.Tensor]:
        pick = rng.integers(0, len(self.items), size)
        length = min(self.window, *(len(self.coeffs[i]) for i in pick))
        m = self.margin
        rows = {k: [] for k in ("mel", "emotion", "coeffs", "gaze", "pose", "prev_coeffs", "prev_gaze",
                                "prev_pose", "has_prev", "emotion_label")}
        for i in pick:
            it, co = self.items[i], self.coeffs[i]
            s = int(rng.integers(0, len(co) - length + 1))
            p = max(s - 1, 0)
            rows["mel"].append(padded_window(*self.mels[i], s, s + length, m))
            rows["emotion"].append(np.repeat(it.weights[None], length + 2 * m, 0))
            rows["coeffs"].append(co[s:s + length])
            rows["gaze"].append(it.gaze[s:s + length])
            rows["pose"].append(it.pose[s:s + length])
            rows["prev_coeffs"].append(co[p])
            rows["prev_gaze"].append(it.gaze[p])
            rows["prev_pose"].append(it.pose[p])
            rows["has_prev"].append(s > 0)
            rows["emotion_label"].append(it.label)
        out = {k: torch.from_numpy(np.stack(v).astype(np.float32)) for k, v in rows.items()}
        out["has_prev"] = out["has_prev"].bool()
        out["emotion_label"] = out["emotion_label"].long()
        return out
