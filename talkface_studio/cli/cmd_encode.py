"""`talkface-studio encode PROJECT.tfs --sequence DIR -o OUT.mp4|OUT.mov [--take T] [--frames A-B]`.

Muxes an already rendered PNG sequence (DIR/<take>.%06d.png, as `render -o DIR` writes it) with the
take's audio into a video, with the same writer and settings as `render -o OUT.mp4`: the farm's last
task after the chunks rendered, so a chunked render encodes to the same video as a single-machine one.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def add_parser(sub) -> None:
    p = sub.add_parser("encode", help="encode a rendered PNG sequence + the take's audio to MP4/MOV",
                       description="Encode DIR/<take>.NNNNNN.png (from `render -o DIR`, e.g. farm chunks) "
                                   "with the take's audio into .mp4 (H.264 + AAC) or .mov (ProRes 422 HQ + "
                                   "PCM). Every frame of the range must be present.")
    p.add_argument("project", type=Path, help="project file (.tfs)")
    p.add_argument("--sequence", type=Path, required=True, help="folder holding the PNG sequence")
    p.add_argument("-o", "--output", type=Path, required=True, help="OUT.mp4 or OUT.mov")
    p.add_argument("--take", help="take name (default: the first take)")
    p.add_argument("--frames", metavar="A-B", help="inclusive frame range (default: the whole take)")
    p.add_argument("--crf", type=int, default=18, help="H.264 quality, 0-51, lower is better (default 18)")
    p.add_argument("--audio-bits", type=int, choices=(16, 24), default=16, help="MOV PCM bit depth (default 16)")
    p.add_argument("--no-audio", action="store_true", help="video without the dialogue track")
    p.add_argument("--plate", action="store_true",
                   help="frames of `render --plate`: odd sides padded as a plate render pads them, x264 preset fast")
    p.add_argument("--alpha", action="store_true", help="keep the frames' alpha (RGBA PNG): .mov as ProRes 4444")
    p.add_argument("--preset", default=None, help="x264 preset for .mp4 (default medium; faster with --plate)")
    p.set_defaults(handler=run)


def sequence_frames(folder: Path, take: str, start: int, stop: int) -> list[Path]:
    """The PNG of every frame start..stop-1; names the first missing one."""
    from talkface_studio.core.errors import MediaError
    from talkface_studio.pipeline.export.image_sequence import frame_name

    if not folder.is_dir():
        raise MediaError("image sequence folder not found", folder)
    paths = [folder / frame_name(take, f) for f in range(start, stop)]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise MediaError(f"frame missing from the sequence: {missing[0].name}{more}", folder)
    return paths


def run(args: argparse.Namespace) -> int:
    from talkface_studio.core.errors import MediaError, ValidationError
    from talkface_studio.core.protected_files import ProtectedFiles
    from talkface_studio.pipeline.export.atomic import check_writable
    from talkface_studio.pipeline.export.image_sequence import read_frame, read_frame_rgba
    from talkface_studio.pipeline.export.video import VideoWriter, format_for
    from talkface_studio.pipeline.job import parse_frame_range
    from talkface_studio.pipeline.plate.compose import pad_to_even
    from talkface_studio.pipeline.plate.output import PLATE_PRESET
    from talkface_studio.pipeline.render_output import recording_start_frame
    from talkface_studio.core.media_paths import resolve_media
    from talkface_studio.pipeline.take_state import TakeState, load_take

    format_for(args.output)  # .mp4 / .mov only, before any work
    if args.alpha and args.output.suffix.lower() != ".mov":
        raise ValidationError("--alpha needs .mov (ProRes 4444): MP4 (H.264) has no alpha channel", args.output)
    if args.alpha and not args.plate:
        raise ValidationError("--alpha needs --plate (only plate frames carry the performer's matte)")
    preset = args.preset or (PLATE_PRESET if args.plate else "medium")
    read = read_frame_rgba if args.alpha else read_frame
    as_video = pad_to_even if args.plate else np.asarray   # plates: odd sides padded as render pads them
    project, take = load_take(args.project, args.take)
    if take.n_frames == 0:
        raise ValidationError(f"take {take.name!r} is empty", args.project)
    start, stop = parse_frame_range(args.frames, _Span(take.n_frames))
    paths = sequence_frames(args.sequence, take.name, start, stop)
    guard = ProtectedFiles.of_project(project)
    for path in paths:
        guard.add(path, "a frame of the sequence being encoded")
    guard.check(args.output, "video")
    check_writable(args.output, create_folder=True)
    audio = None if args.no_audio else TakeState(project).audio_path(take)
    recording = resolve_media(take.audio_path, project.path)  # its BWF time of day is the movie's timecode
    first = read(paths[0])
    height, width = first.shape[:2]
    video_h, video_w = as_video(first).shape[:2]
    # Same arguments as pipeline.render_output.render_to (plates too), so the bitstreams match a
    # direct render.
    with VideoWriter(args.output, width=video_w, height=video_h, rate=take.rate, n_frames=stop - start,
                     audio=audio, audio_start_s=take.rate.frame_to_seconds(start),
                     first_frame=recording_start_frame(recording, take.rate) + start,
                     crf=args.crf, audio_bits=args.audio_bits, alpha=args.alpha, preset=preset) as writer:
        for path in paths:
            rgb = read(path)
            if rgb.shape[:2] != (height, width):
                raise MediaError(f"frame is {rgb.shape[1]}x{rgb.shape[0]}, the sequence is {width}x{height}", path)
            writer.write(as_video(rgb))
    print(f"wrote {args.output} (frames {start}-{stop - 1} of take {take.name}, {width}x{height})")
    return 0


class _Span:
    """Just enough of a take snapshot for parse_frame_range."""

    def __init__(self, n_frames: int):
        self.first_frame, self.last_frame = 0, n_frames - 1
