"""`talkface-studio new`: create a project from an audio file and a portrait, with emotion labels."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from talkface_studio.core.emotion_track import EMOTIONS
from talkface_studio.core.errors import ValidationError
from talkface_studio.core.project import Project
from talkface_studio.core.project_file import load_project, save_project
from talkface_studio.core.timebase import rate_names
from talkface_studio.pipeline.new_project import new_project

from .channel_flag import add_channel_flag, channel_from
from .mouth_flags import add_mouth_flags, mouth_options_from


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
    said = p.add_mutually_exclusive_group()
    said.add_argument("--transcript", "--script", dest="transcript", default=None,
                      help="the take's script, the words spoken (improves lip sync)")
    said.add_argument("--script-file", type=Path, default=None, metavar="FILE",
                      help="... read from a UTF-8 text file or subtitles (.srt, .vtt, .ass): their dialogue "
                           "alone, cues after the recording left out")
    p.add_argument("--language", default=None, metavar="CODE",
                   help="spoken language, a BCP-47 code such as en, en-GB, es, de, fr-CA, it, ja (default: the "
                        "language the --transcript is clearly written in, else en)")
    p.add_argument("--face", type=int, default=None, metavar="N",
                   help="which face of a photo with several, counted from the left (default: the largest)")
    p.add_argument("--force", action="store_true", help="overwrite an existing project file")
    add_channel_flag(p)
    add_mouth_flags(p)
    p.set_defaults(handler=run)


def build_project(args) -> Project:
    from talkface_studio.audio.script_language import mismatch_note, script_language_and_alike
    from talkface_studio.core.script_files import read_script_file

    def note(text: str) -> None:
        print(f"note: {text}", file=sys.stderr)

    if args.script_file is not None:  # read whole first (the recording's length is known once it is probed)
        args.transcript = read_script_file(args.script_file).text

    _, channel = channel_from(args)
    language = args.language
    if language is None:
        found, alike = script_language_and_alike(args.transcript or "")
        language = found or "en"
        if language != "en" and alike:
            note(f"language {language}, the most spoken of the languages the transcript's writing may be "
                 f"({', '.join(sorted(alike))}; --language overrides)")
        elif language != "en":
            note(f"language {language}, which the transcript is written in (--language overrides)")
    elif args.transcript and (odd := mismatch_note(args.transcript, language)):
        note(f"{odd} (--language sets it)")
    project = new_project(args.project, args.audio, args.portrait, fps=args.fps, emotions=args.emotion,
                          take=args.take, seed=args.seed, transcript=args.transcript,
                          options=mouth_options_from(args), language=language, face=args.face, note=note,
                          channel=channel)
    if args.script_file is not None:  # subtitles of a longer programme: only the cues of this recording
        take = project.takes[0]
        read = read_script_file(args.script_file, take.n_frames / take.rate.fps)
        if read.outside:
            take.generation = dataclasses.replace(take.generation, transcript=read.text)
            note(f"{read.cues} subtitle cue(s) of {args.script_file.name} used; {read.outside} starting after the "
                 "recording left out")
    return project


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
    heard = "" if take.audio_channel is None else f", channel {take.audio_channel} of the recording"
    print(f"{path}: take {take.name!r} ({take.language}{heard}), {take.n_frames} frames at {take.rate} fps "
          f"({take.rate.to_timecode(take.n_frames)}), {len(take.emotion_track.segments)} emotion segment(s)")
    return 0
