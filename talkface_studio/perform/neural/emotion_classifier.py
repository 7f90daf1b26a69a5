"""Emotion classifier on a sequence of generated cues (expression coefficients, gaze, pose).

Trained jointly with the generator (paper: an emotion classification loss on the generated
landmarks): on real cues it learns what each emotion looks like, on generated cues its loss pushes
expression, gaze and pose of a take towards the requested emotion together.
"""

from __future__ import annotations

from torch import nn


class EmotionClassifier(nn.Module):
    """cues [B, T, C] (normalized cue vectors) -> logits [B, n_emotions]."""

    def __init__(self, cue_dim: int, dim: int, n_emotions: int):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(cue_dim, dim, 5, padding=2), nn.GELU(),
            nn.Conv1d(dim, dim, 5, padding=2), nn.GELU(),
        )
        self.head = nn.Linear(dim, n_emotions)

    def forward(self, cues):
        return self.head(self.net(cues.transpose(1, 2)).mean(-1))
