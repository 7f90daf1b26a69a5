"""Stage 1 training losses (paper: landmark reconstruction + velocity, gaze classification +
refinement, pose, emotion classification). Weights come from the config's `loss_weights`.

- landmark: L1 between landmark deltas rebuilt from predicted and true PCA coefficients, divided by
  the basis' mean absolute delta so the weight does not depend on the face scale.
- velocity: the same on frame-to-frame differences (jitter and lag are what artists notice first).
- gaze_class: cross-entropy over the yaw x pitch grid; gaze_offset: L1 of the true class' offset.
- pose / pose_velocity: L1 in units of pose_scale degrees.
- emotion_real / emotion_generated: cross-entropy of the classifier on real cues (teaches it) and
  on generated cues (teaches the generator to make the requested emotion visible).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def stage1_losses(model, batch: dict, pred: dict) -> tuple[torch.Tensor, dict[str, float]]:
    cfg = model.cfg
    scale = model.basis_delta_scale
    d_pred = model.coefficients_to_deltas(pred["coeffs"]) / scale
    d_true = model.coefficients_to_deltas(batch["coeffs"]) / scale
    gaze_cls, gaze_off = model.gaze_bins.encode(batch["gaze"])
    chosen_off = pred["gaze_offsets"].gather(-2, gaze_cls[..., None, None].expand(*gaze_cls.shape, 1, 2))[..., 0, :]
    pose_p, pose_t = pred["pose"] / cfg.pose_scale, batch["pose"] / cfg.pose_scale
    parts = {
        "landmark": F.l1_loss(d_pred, d_true),
        "velocity": F.l1_loss(d_pred.diff(dim=1), d_true.diff(dim=1)) if d_pred.shape[1] > 1 else d_pred.sum() * 0,
        "gaze_class": F.cross_entropy(pred["gaze_logits"].flatten(0, 1), gaze_cls.flatten()),
        "gaze_offset": F.l1_loss(chosen_off, gaze_off),
        "pose": F.l1_loss(pose_p, pose_t),
        "pose_velocity": F.l1_loss(pose_p.diff(dim=1), pose_t.diff(dim=1)) if pose_p.shape[1] > 1 else pose_p.sum() * 0,
        "emotion_real": F.cross_entropy(pred["emotion_logits_real"], batch["emotion_label"]),
        "emotion_generated": F.cross_entropy(pred["emotion_logits_generated"], batch["emotion_label"]),
    }
    total = sum(cfg.loss_weights.get(k, 0.0) * v for k, v in parts.items())
    return total, {k: float(v.detach()) for k, v in parts.items()}
