"""`talkface-studio new`: create a project from an audio file and a portrait, with emotion labels."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from talkface_studio.core.emotion_track import EMOTIONS, EmotionTrack
from talkface_studio.core.errors import ValidationError
from talkface_studio.core.project import Project
from talkface_studio.core.project_file import load_project, save_project
from talkface_studio.core.take import GenerationSettings, Take, check_take_name
from talkface_studio.core.timebase import FrameRate, rate_names

_EMOTION_ARG = re.compile(r"(?P<emotion>[a-z]+)(?::(?P<level>\d+))?@(?P<start>[0-9.]+)-(?P<end>[0-9.]+)")


def add_parser(sub) -> None:
    p = sub.add_parser("new", help="create a project from an audio file and a portrait",
                       description="Create a project. Emotion times are in seconds; levels are 1-3 (default 2); "
                                   "later --emotion labels paint over earlier ones.")
    p.add_argument("project", help="project file to write (.tfs)")
    p.add_argument("--audio", required=True, help="dialogue recording (WAV, FLAC, MP3, OGG, M4A, ...)")
    p.add_argument("--portrait", required=True, help="portrait image (PNG, JPEG, ...)")
    p.add_argument("--fps", default="24", help=f"frame rate: {rate_names()} (default 24)")
    p.add_argument("--emotion", action="append", default=[], metavar="EMOTION[:LEVEL]@START-END",
                   help=f"label a time range, e.g. happy:2@0.5-3.0; emotions: {', '.join(EMOTIONS[1:])}")
    p.add_argument("--take", default="take1", help="take name (default take1)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the performance (default 0)")
    p.add_argument("--transcript", default=None, help="the words spoken (improves lip sync)")
    p.add_argument("--force", action="store_true", help="overwrite an existing project file")
    p.set_defaults(handler=run)


def parse_emotion(text: str, rate: FrameRate, n_frames: int) -> tuple[int, int, str, int]:
    """'happy:2@0.5-3.0' -> (start_frame, end_frame, 'happy', 2), checked against the take length."""
    m = _EMOTION_ARG.fullmatch(text.strip().lower())
    if not m:
        raise ValidationError(f"--emotion {text!r}: expected EMOTION[:LEVEL]@START-END, e.g. happy:2@0.5-3.0")
    emotion = m["emotion"]
    if emotion not in EMOTIONS:
        raise ValidationError(f"--emotion {text!r}: unknown emotion {emotion!r}; use one of {', '.join(EMOTIONS)}")
    level = int(m["level"] or 2)
    if level not in (1, 2, 3):
        raise ValidationError(f"--emotion {text!r}: level must be 1-3, got {level}")
    try:
        t0, t1 = float(m["start"]), float(m["end"])
    except ValueError:
        raise ValidationError(f"--emotion {text!r}: times must be seconds like 0.5") from None
    start, end = rate.seconds_to_frame(t0), rate.seconds_to_frame(t1)
    if end <= start:
        raise ValidationError(f"--emotion {text!r}: the range must end after it starts (and span a frame)")
    if start >= n_frames or end > n_frames + 1:
        seconds = rate.frame_to_seconds(n_frames)
        raise ValidationError(f"--emotion {text!r}: the audio is only {seconds:.2f} s long")
    return start, min(end, n_frames), emotion, level


def build_project(args) -> Project:
    # Audio and image decoding live in their rooms; imported here so `info` stays light.
    from talkface_studio.audio.loading import load_audio
    from talkface_studio.face.image_io import load_image

    rate = FrameRate.parse(args.fps)
    name = check_take_name(args.take)
    audio = Path(args.audio).absolute()
    portrait = Path(args.portrait).absolute()
    clip = load_audio(audio)
    load_image(portrait)  # a readable image; fitting the face is done when generating
    n_frames = rate.frames_in(clip.duration)
    if n_frames == 0:
        raise ValidationError(f"{args.audio}: the audio is shorter than one frame")
    track = EmotionTrack(default_transition=max(1, round(0.33 * rate.fps)))
    for text in args.emotion:
        start, end, emotion, level = parse_emotion(text, rate, n_frames)
        track.paint(start, end, emotion, level)
    generation = GenerationSettings(seed=args.seed, transcript=args.transcript)
    take = Take(name, audio, portrait, rate, n_frames, track, generation=generation)
    return Project([take], path=Path(args.project))


def run(args: argparse.Namespace) -> int:
    path = Path(args.project)
    if path.suffix.lower() != ".tfs":
        raise ValidationError(f"{args.project}: project files end in .tfs")
    if path.exists() and not args.force:
        raise ValidationError(f"{path}: already exists; pass --force to overwrite it")
    if not path.parent.is_dir() and str(path.parent):
        raise ValidationError(f"{path}: the folder {path.parent} does not exist")
    project = build_project(args)
    save_project(project, path)
    take = project.takes[0]
    load_project(path)  # what we wrote must read back; a failure here is a bug worth reporting
    print(f"{path}: take {take.name!r}, {take.n_frames} frames at {take.rate} fps "
          f"({take.rate.to_timecode(take.n_frames)}), {len(take.emotion_track.segments)} emotion segment(s)")
    return 0
