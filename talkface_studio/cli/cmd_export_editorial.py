"""`talkface-studio export-editorial PROJECT.tfs -o edit.otio [--media [TAKE=]RENDER] [--take NAME]`."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("export-editorial", help="write the takes as an OpenTimelineIO timeline with emotion markers",
                       description="One clip per take at its exact frame rate, starting at the recording's "
                                   "timecode (BWF), the render or the audio as media, each emotion segment as "
                                   "a marker named '<emotion> <level>'. .otio always; .edl/.xml/.aaf when the "
                                   "matching OTIO adapter package is installed.")
    p.add_argument("project", type=Path, help="project file (.tfs)")
    p.add_argument("-o", "--output", type=Path, required=True, help="edit.otio (or .edl/.xml/.aaf)")
    p.add_argument("--take", action="append", default=None,
                   help="take to include (repeat for several; default: every take)")
    p.add_argument("--media", action="append", default=[], metavar="[TAKE=]FILE",
                   help="the rendered movie for a take (default: the take's audio); TAKE= may be left out "
                        "when one take is exported")
    p.add_argument("--relative-media", action="store_true",
                   help="write media paths relative to the timeline's folder (default: absolute file:// URLs)")
    p.set_defaults(handler=run)


def _media_map(args, names: list[str]) -> dict[str, Path]:
    from talkface_studio.core.errors import ValidationError

    out = {}
    for item in args.media:
        take, sep, file = item.partition("=")
        if not sep or take not in names:  # a bare path (which may itself contain "=")
            if len(names) != 1:
                raise ValidationError(f"--media {item}: name the take, --media TAKE=FILE "
                                      f"(takes: {', '.join(names)})")
            take, file = names[0], item
        path = Path(file)
        if not path.is_file():
            raise ValidationError("--media file not found", path)
        out[take] = path
    return out


def run(args: argparse.Namespace) -> int:
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.project_file import load_project
    from talkface_studio.core.protected_files import ProtectedFiles
    from talkface_studio.pipeline.export.atomic import check_writable
    from talkface_studio.pipeline.export.editorial import (EditorialTake, adapter_for, build_timeline,
                                                           write_editorial)
    from talkface_studio.pipeline.rig_curves import take_start_frame
    from talkface_studio.core.media_paths import resolve_media

    project = load_project(args.project)
    names = args.take or project.take_names()
    for name in names:
        if name not in project.take_names():
            raise ValidationError(f"no take named {name!r} (takes: {', '.join(project.take_names())})", args.project)
    if not names:
        raise ValidationError("the project has no takes", args.project)
    adapter_for(args.output)  # an uninstalled adapter is refused before any work
    media = _media_map(args, names)
    takes = []
    for name in names:
        take = project.take(name)
        source = media.get(name) or resolve_media(take.audio_path, project.path)
        if source is None:
            raise ValidationError(f"take {name!r} has no audio and no --media", args.project)
        track = take.emotion_track
        takes.append(EditorialTake(name, take.rate, take.n_frames, take_start_frame(project, take), Path(source),
                                   track.segments, tuple(track.transition_of(s) for s in track.segments)))
    guard = ProtectedFiles.of_project(project)
    guard.check(args.output, "editorial timeline")
    check_writable(args.output, create_folder=True)
    timeline = build_timeline(Path(args.project).stem, takes,
                              relative_to=args.output.parent if args.relative_media else None)
    write_editorial(args.output, timeline)
    markers = sum(len(t.segments) for t in takes)
    print(f"wrote {args.output} ({len(takes)} clip(s), {markers} emotion marker(s))")
    return 0
