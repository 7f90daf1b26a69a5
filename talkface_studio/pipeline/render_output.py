"""Run a render job into a file: .mp4 / .mov (video + the take's audio) or a folder (PNG or EXR
sequence); a plate job (the whole photo) with the performer's matte as alpha where asked (RGBA PNG,
EXR, MOV as ProRes 4444).

This is the one function the CLI, the GUI render queue and farm tasks call to produce pictures.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.protected_files import ProtectedFiles

from .cancel import CancelToken
from .export.exr_sequence import ExrSequenceWriter
from .export.image_sequence import ImageSequenceWriter, frame_name
from .export.video import VideoWriter
from .frame_cache import FrameCache
from .job import ProgressFn, RenderJob

VIDEO_SUFFIXES = (".mp4", ".mov")


def recording_start_frame(audio_path, rate) -> int:
    """The recording's time of day (BWF bext/iXML) in frames of `rate`; 0 without one."""
    from talkface_studio.audio.bwf import read_start_time

    start = read_start_time(audio_path) if audio_path is not None else None
    return round(start.seconds * rate.fps) if start is not None else 0


def output_kind(out: str | os.PathLike) -> str:
    """'video' for .mp4/.mov, 'sequence' for a folder (existing, written with a trailing slash, or a
    path without a suffix: `shots/take1.v2/` is a folder even though it has a dot)."""
    text = os.fspath(out)
    path = Path(text)
    if text.endswith(("/", os.sep)) or path.is_dir():
        return "sequence"
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return "video"
    if path.suffix == "":
        return "sequence"
    raise ValidationError(f"unknown output type {path.suffix!r}; use .mp4, .mov or a folder", path)


def check_output(guard: ProtectedFiles, out: str | os.PathLike, take_name: str, start: int, stop: int,
                 image_format: str = "png") -> None:
    """Refuse an output (video file or image-sequence folder of frames start..stop-1) that would
    replace one of the files `guard` protects (the project's media and project files)."""
    if output_kind(out) == "sequence":
        guard.check_sequence(out, [frame_name(take_name, f, f".{image_format}") for f in range(start, stop)])
    else:
        guard.check(out, "video")


def render_to(job: RenderJob, out: str | os.PathLike, *, crf: int = 18, audio_bits: int = 16,
              with_audio: bool = True, cache: FrameCache | None = None,
              cancel: CancelToken | None = None, progress: ProgressFn | None = None,
              renderer=None, preset: str | None = None, image_format: str = "png") -> Path:
    """Render `job` into `out`. Nothing appears at `out` unless every frame succeeded.
    `preset`: x264's, for .mp4 (default medium; fast for plates); `image_format`: png or exr, for
    a folder."""
    from .plate.output import PLATE_PRESET, check_plate_request, plate_pixels

    plate = job.plate is not None
    kind = check_plate_request(out, job.plate.alpha, image_format) if plate else output_kind(out)
    out = Path(out)  # after output_kind: Path() would drop a trailing slash
    take = job.take
    pixels = (lambda frame: plate_pixels(frame, image_format if kind == "sequence" else "video")) if plate \
        else (lambda rgb: rgb)
    if kind == "sequence":
        writer = ExrSequenceWriter if image_format == "exr" else ImageSequenceWriter
        with writer(out, take.name) as seq:
            for frame, image in job.run(cancel, progress, cache, renderer):
                seq.write(frame, pixels(image))
        return out
    if plate:
        job = replace(job, plate=job.plate.padded_for_video())  # codecs want even sides
    audio = take.audio_path if with_audio and take.audio_path is not None else None
    audio_start = take.audio_offset_s + take.rate.frame_to_seconds(job.start - take.first_frame)
    # the movie's timecode track continues the recording's (BWF) time of day, so editorial syncs it
    clock = recording_start_frame(take.audio_path, take.rate)
    with VideoWriter(out, width=job.width, height=job.height, rate=take.rate, n_frames=len(job),
                     audio=audio, audio_start_s=audio_start, first_frame=clock + job.start, crf=crf,
                     audio_bits=audio_bits, alpha=plate and job.plate.alpha,
                     preset=preset or (PLATE_PRESET if plate else "medium")) as writer:
        for _, image in job.run(cancel, progress, cache, renderer):
            writer.write(pixels(image))
    return out
