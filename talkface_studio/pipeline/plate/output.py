"""Write a plate job to a file: .mp4 / .mov (video + the take's audio) or a PNG / EXR sequence,
with the performer's matte as alpha where asked (PNG RGBA, EXR RGBA, MOV as ProRes 4444).

The counterpart of ``pipeline.render_output.render_to`` for plates; the same atomic writers, so
nothing appears at the output unless every frame succeeded.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np

from talkface_studio.core.errors import ValidationError

from ..cancel import CancelToken
from ..export.exr_sequence import ExrSequenceWriter
from ..export.image_sequence import ImageSequenceWriter
from ..export.video import VideoWriter
from ..job import ProgressFn
from ..render_output import output_kind, recording_start_frame
from .job import PlateJob

IMAGE_FORMATS = {"png": ".png", "exr": ".exr"}
PLATE_PRESET = "fast"   # x264 for plates: "medium" alone encodes 1080p below 8 fps on 2 cores


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


def describe(job: PlateJob) -> str:
    """The log line's account of size and density, e.g. '1920x1080 plate; head region rendered
    at 1071 px, the photo's own density'."""
    src = job.source
    size = f"{src.width}x{src.height} plate"
    if job.padded:
        size += (f" padded to {job.width}x{job.height} (video needs even sides: one "
                 f"{'column' if job.width != src.width else 'row'}"
                 f"{' and one row' if job.width != src.width and job.height != src.height else ''}"
                 " repeating the edge)")
    return f"{size}; {src.density_note()}"


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


def render_plate_to(job: PlateJob, out: str | os.PathLike, *, image_format: str = "png", crf: int = 18,
                    audio_bits: int = 16, with_audio: bool = True, preset: str = PLATE_PRESET,
                    cancel: CancelToken | None = None, progress: ProgressFn | None = None, renderer=None) -> Path:
    """Render `job` into `out`. Nothing appears at `out` unless every frame succeeded."""
    kind = check_plate_request(out, job.alpha, image_format)
    out = Path(out)
    take = job.take
    if kind == "sequence":
        writer_cls = ExrSequenceWriter if image_format == "exr" else ImageSequenceWriter
        with writer_cls(out, take.name) as seq:
            for frame, pf in job.run(cancel, progress, renderer):
                if image_format == "exr":
                    seq.write(frame, (pf.rgb, pf.alpha))
                else:
                    seq.write(frame, _rgba(pf.rgb, pf.alpha) if pf.alpha is not None else pf.rgb)
        return out
    if not job.pad_even:
        job = dataclasses.replace(job, pad_even=True)   # codecs want even sides
    audio = take.audio_path if with_audio and take.audio_path is not None else None
    audio_start = take.audio_offset_s + take.rate.frame_to_seconds(job.start - take.first_frame)
    clock = recording_start_frame(take.audio_path, take.rate)
    with VideoWriter(out, width=job.width, height=job.height, rate=take.rate, n_frames=len(job), audio=audio,
                     audio_start_s=audio_start, first_frame=clock + job.start, crf=crf, audio_bits=audio_bits,
                     alpha=job.alpha, preset=preset) as writer:
        for _, pf in job.run(cancel, progress, renderer):
            writer.write(_rgba(pf.rgb, pf.alpha) if pf.alpha is not None else pf.rgb)
    return out

