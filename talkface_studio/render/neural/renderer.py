"""NeuralRenderer: stage 2 with the face-vid2vid keypoint generator driven through the landmark mapping.

Per take: the portrait's appearance volume and keypoints are computed once; each frame's image
landmarks are mapped to driving keypoints, warped and decoded at the model's resolution, then resized
to the requested output size. Frames are processed in small batches and streamed.

Driving is relative by default (as LivePortrait and face-vid2vid's "relative" mode do): the frame's
keypoints are the portrait's detected ones plus mapping(frame landmarks) - mapping(portrait
landmarks), so a frame with the portrait's own landmarks reproduces the portrait exactly and the
mapping's per-identity bias cancels. `relative=False` uses mapping(frame landmarks) as they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F

from talkface_studio.core.errors import MissingCheckpointError, ValidationError
from talkface_studio.core.limits import check_render_size
from talkface_studio.torch_support.device import pick_device
from talkface_studio.render.neural.keypoint_generator import load_keypoint_generator
from talkface_studio.render.registry import MISSING_CHECKPOINT



class NeuralRenderer:
    name = "neural"

    def __init__(self, checkpoint: str | Path | None = None, device: str = "auto", batch_size: int = 4,
                 relative: bool = True, **_):
        if not checkpoint:
            raise MissingCheckpointError(MISSING_CHECKPOINT)
        self.device = pick_device(device, "render device")
        self.model = load_keypoint_generator(checkpoint, self.device)  # weights loaded once
        self.batch_size = max(1, int(batch_size))
        self.relative = bool(relative)

    def _to_tensor(self, image: np.ndarray) -> torch.Tensor:
        s = self.model.cfg.image_size
        x = torch.from_numpy(np.ascontiguousarray(image[..., :3])).to(self.device).permute(2, 0, 1)[None].float() / 255
        return F.interpolate(x, size=(s, s), mode="bilinear", align_corners=False, antialias=True)

    @torch.no_grad()
    def render(self, portrait, landmarks_px: np.ndarray, size: int) -> Iterator[np.ndarray]:
        lm = np.asarray(landmarks_px, np.float32)
        if lm.ndim != 3 or lm.shape[1:] != (478, 3):
            raise ValidationError(f"landmarks must be [T, 478, 3], got {lm.shape}")
        check_render_size(size, "output size")
        f_s, kp_s = self.model.source(self._to_tensor(portrait.image))
        unit = torch.from_numpy(lm / float(size)).to(self.device)  # image units: same for any output size
        offset = torch.zeros_like(kp_s)
        if self.relative:
            own = np.asarray(portrait.landmarks, np.float32) / float(portrait.image.shape[1])
            offset = kp_s - self.model.mapping(torch.from_numpy(own).to(self.device)[None])
        for a in range(0, len(lm), self.batch_size):
            frames = self.model.drive(f_s, kp_s, self.model.mapping(unit[a:a + self.batch_size]) + offset)
            frames = F.interpolate(frames, size=(size, size), mode="bilinear", align_corners=False)
            for img in (frames.clamp(0, 1) * 255).round().byte().permute(0, 2, 3, 1).cpu().numpy():
                yield img
