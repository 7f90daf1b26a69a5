"""What a plate output may be, and a plate frame as the writers take it: ``pipeline.render_output.
render_to`` writes plate jobs with the same atomic writers as square ones (.mp4 / .mov with the
take's audio, PNG / EXR sequences), with the performer's matte as alpha where asked (PNG RGBA, EXR
RGBA, MOV as ProRes 4444).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from talkface_studio.core.errors import ValidationError

from ..render_output import output_kind
from .framing import PlateFrame

IMAGE_FORMATS = {"png": ".png", "exr": ".exr"}
# x264 for plates (CRF 18 as ever, so the quality holds and the bit rate moves): at 1920x1080 a
# frame costs ~49 ms of CPU with "fast", ~33 with "faster", more with "medium", and the encoder
# shares the two cores with the renderer (benchmarks/bench_plate.py)
PLATE_PRESET = "faster"


def check_plate_request(out: str | os.PathLike, alpha: bool, image_format: str = "png") -> str:
    """The output kind ('video' / 'sequence') for a plate, refusing what cannot hold it: --alpha
    with .mp4, an unknown image format. Cheap: call before anything is computed or written."""
    kind = output_kind(out)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(f"unknown image format {image_format!r} (use png or exr)", out)
    if alpha and kind == "video" and Path(out).suffix.lower() != ".mov":
        raise ValidationError("--alpha needs .mov (ProRes 4444) or a PNG/EXR sequence folder; "
                              "MP4 (H.264) has no alpha channel", out)
    return kind


def _rgba(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    a = np.clip(np.round(alpha * 255.0), 0, 255).astype(np.uint8)
    h, w = a.shape
    out = np.empty(rgb.shape[:2] + (4,), np.uint8)
    out[..., :3] = rgb
    out[:h, :w, 3] = a
    # the padding (video) repeats the alpha's edge as the colour's
    if out.shape[1] > w:
        out[:h, w:, 3] = a[:, -1:]
    if out.shape[0] > h:
        out[h:, :, 3] = out[h - 1:h, :, 3]
    return out


def plate_pixels(frame: PlateFrame, target: str) -> np.ndarray | tuple:
    """A PlateFrame as a writer takes it: `target` "exr" (rgb, float alpha), "png" or "video"
    (uint8 RGB, or RGBA with the matte)."""
    if frame.alpha is None:
        return frame.rgb
    return (frame.rgb, frame.alpha) if target == "exr" else _rgba(frame.rgb, frame.alpha)
