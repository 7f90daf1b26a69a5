"""The default stage 1 backend: a procedural performer that needs no weights.

Combines lip sync (phones -> visemes with coarticulation), emotion intensities, prosodic head
motion, a saccade gaze model and blinks into channels, then builds the expression landmarks as
canonical face + sum(channel x blendshape). Deterministic for a seed: each part draws from its own
child of the seed, so changing e.g. the blink rate does not reshuffle the head motion.
"""

from __future__ import annotations

import numpy as np

from talkface_studio.core.channels import CHANNEL_NAMES, SPEC_BY_NAME
from talkface_studio.core.errors import ValidationError

from ..base import Performance, PerformRequest
from ..blendshapes import compose
from .blink import blink_curve, blink_times
from .emotion import expression_channels
from .gaze import gaze_motion, style_curves
from .head import head_performance
from .lipsync import lip_sync
from .performance_settings import BY_KEY

DEFAULTS = {
    "lip_amount": 1.0,  # articulation: 0 = mouth still, 1 = natural, >1 = exaggerated
    "jaw_amount": 1.0,  # jaw opening on vowels (and everything else the jaw does)
    "round_amount": 1.0,  # rounding and protrusion of the lips on /u/, /o/, /w/
    "closure_strength": 1.0,  # how firmly P/B/M seal and F/V tuck: <1 lazy, 1 sealed, >1 held longer
    "emotion_amount": 1.0,  # scales the painted emotion intensities
    "liveliness": 1.0,  # how much intensity swells with emphasis
    "head_amount": 1.0,  # size of head motion (posture is kept)
    "gaze_amount": 1.0,  # size of saccades
    "blink_rate": 1.0,  # multiplies the natural blink rate (0 = no blinks)
    "eye_contact": 0.8,  # how much the eyes counter head motion to keep looking at the camera
}


def resolve_settings(*layers: dict) -> dict[str, float]:
    """Defaults overridden by each layer in turn; known keys must be non-negative numbers."""
    out = dict(DEFAULTS)
    for layer in layers:
        for key, value in (layer or {}).items():
            if key not in DEFAULTS:
                continue  # settings of other backends travel in the same dict
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ValidationError(f"procedural setting {key} must be a number, got {value!r}") from None
            if not np.isfinite(value) or value < 0:
                raise ValidationError(f"procedural setting {key} must be >= 0, got {value}")
            out[key] = BY_KEY[key].check(value) if key in BY_KEY else value
    return out


class ProceduralPerformer:
    name = "procedural"

    def __init__(self, **options):
        self.options = resolve_settings(options)

    def perform(self, request: PerformRequest) -> Performance:
        request.validate()
        s = resolve_settings(self.options, request.settings)
        f = request.features
        n = request.n_frames
        fps = request.rate.fps
        weights = np.asarray(request.emotion_weights, dtype=np.float64)
        head_rng, gaze_rng, blink_rng, emo_rng = (
            np.random.default_rng(child) for child in np.random.SeedSequence(int(request.seed)).spawn(4)
        )

        channels: dict[str, np.ndarray] = {}
        channels.update(lip_sync(f, fps, s["lip_amount"], s["jaw_amount"], s["round_amount"],
                                 s["closure_strength"]))
        channels.update(expression_channels(weights, f.loudness, fps, emo_rng, s["emotion_amount"], s["liveliness"]))
        head, posture, offset = head_performance(f, weights, fps, head_rng, s["head_amount"])
        channels.update(head)

        world, saccades = gaze_motion(f, weights, fps, gaze_rng, s["gaze_amount"])
        # Eyes counter-rotate against head motion (vestibulo-ocular reflex) so the look stays on
        # the camera; the emotion's posture only as far as the emotion keeps eye contact (an angry
        # head lowers and glares up at you, a sad one hangs, eyes and all).
        moving = np.stack([head["head_yaw"], head["head_pitch"]], axis=1) - posture[:, :2] - offset[:2]
        contact = style_curves(weights)["contact"][:, None]
        eye = world - s["eye_contact"] * (moving + contact * posture[:, :2])
        channels["gaze_yaw"], channels["gaze_pitch"] = eye[:, 0], eye[:, 1]
        channels["blink"] = blink_curve(
            blink_times(f, weights, fps, blink_rng, saccades, s["blink_rate"]), n, fps, blink_rng
        )

        ordered = {}
        for name in CHANNEL_NAMES:
            spec = SPEC_BY_NAME[name]
            values = np.asarray(channels.get(name, np.full(n, spec.default)), dtype=np.float32)
            ordered[name] = np.clip(values, spec.min, spec.max).astype(np.float32)
        expression = compose(ordered, n)
        return Performance(rate=request.rate, expression=expression, channels=ordered)
