"""`talkface-studio mouth PROJECT.tfs [--take NAME] [--set FRAMES=SHAPE ...] [--clear FRAMES ...]
[--clear-all] [--heard] [--import CUES [--cue-fps FPS] [--voice NAME]] [--export CUES [--frames FIRST-LAST]
[--hold N]]`:
list or set the mouth shapes a take holds by hand (core.mouth_shapes), e.g. a p/b/m the lip sync
missed: `--set 41-44=MBP`. FRAMES is a frame (`41`) or an inclusive range (`41-44`), as the lip-sync
warnings print them. The project is saved in place; `generate` then redoes the performance.
`--import` sets by hand the shapes of a Rhubarb or Moho/Papagayo cue file, or of a Papagayo
project's voice; `--export` writes the take's mouth as a cue file (core.mouth_cues).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from talkface_studio.core.mouth_shapes import SHAPES


def add_parser(sub) -> None:
    shapes = "; ".join(f"{name}: {what}" for name, what in SHAPES.items())
    p = sub.add_parser("mouth", help="list or set mouth shapes by hand (a missed p/b/m, a word said under a laugh)",
                       description="Without an option, list the take's hand-set mouth shapes. Over a span set by "
                                   "hand the mouth takes that shape whatever the lip sync heard there. "
                                   f"Shapes: {shapes}.")
    p.add_argument("project", type=Path, help="project file (.tfs); saved in place when a shape changes")
    p.add_argument("--take", help="take name (default: the first take)")
    p.add_argument("--set", action="append", default=[], metavar="FRAMES=SHAPE",
                   help="give frames a shape, e.g. 41-44=MBP (frames inclusive, from 0); repeatable")
    p.add_argument("--clear", action="append", default=[], metavar="FRAMES",
                   help="give frames back to the lip sync, e.g. 41-44; repeatable")
    p.add_argument("--clear-all", action="store_true", help="give every hand-set frame back to the lip sync")
    p.add_argument("--heard", action="store_true",
                   help="also list what the lip sync hears in the take, in the same shapes (where a spoken "
                        "p/b/m has no MBP, set one)")
    p.add_argument("--import", dest="import_cues", type=Path, metavar="CUES",
                   help="set by hand the shapes of a mouth-cue file: Rhubarb Lip Sync .tsv, .json or .xml, Moho "
                        "switch data .dat (Papagayo, Rhubarb -f dat) or a Papagayo project .pgo / .pg2; applied after "
                        "--clear and --set")
    p.add_argument("--cue-fps", type=float, metavar="FPS",
                   help="the frame rate a .dat file was keyed at, when it has no FPS line (default: the take's)")
    p.add_argument("--voice", metavar="NAME",
                   help="with a Papagayo project of several voices (characters): the one to import")
    p.add_argument("--export", dest="export_cues", type=Path, metavar="CUES",
                   help="write the take's mouth (what the lip sync hears, with the shapes set by hand) as "
                        ".tsv, .json or .xml (Rhubarb's letters A-H, X), .dat (Moho switch data, the chart's "
                        "names) or .pgo / .pg2 (a Papagayo / Papagayo-NG project: the script's words with their "
                        "shapes)")
    p.add_argument("--frames", metavar="FIRST-LAST", help="with --export: only these frames (inclusive)")
    p.add_argument("--hold", type=int, default=1, metavar="N",
                   help="with --export: hold each mouth drawing at least N frames, as 2D animation is drawn on twos "
                        "(2) or threes (default 1: every change; a p/b/m closure is never dropped)")
    p.set_defaults(handler=run)


def frame_span(text: str) -> tuple[int, int]:
    """'41' -> (41, 42), '41-44' -> (41, 45): [start, end) from the inclusive frames an artist types."""
    from talkface_studio.core.errors import ValidationError

    first, _, last = text.strip().partition("-")
    try:
        a = int(first)
        b = int(last) if last else a
    except ValueError:
        raise ValidationError(f"frames must be FRAME or FIRST-LAST (e.g. 41-44), got {text!r}") from None
    if a < 0 or b < a:
        raise ValidationError(f"frames must be FRAME or FIRST-LAST with FIRST <= LAST, from 0, got {text!r}")
    return a, b + 1


def parse_set(text: str) -> tuple[int, int, str]:
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.mouth_shapes import check_shape

    frames, sep, shape = text.partition("=")
    if not sep:
        raise ValidationError(f"--set takes FRAMES=SHAPE (e.g. 41-44=MBP), got {text!r}")
    a, b = frame_span(frames)
    return a, b, check_shape(shape.strip())


def run(args: argparse.Namespace) -> int:
    from talkface_studio.core.concurrent_save import save_reapplying
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.take_commands import ImportMouthShapes, SetMouthShape
    from talkface_studio.perform.hand_shapes import backend_note
    from talkface_studio.pipeline.export.mouth_cues import MAX_HOLD
    from talkface_studio.pipeline.take_state import load_take, pick_take

    if args.frames and args.export_cues is None:
        raise ValidationError("--frames goes with --export (which frames to write)")
    if args.hold != 1 and args.export_cues is None:
        raise ValidationError("--hold goes with --export (how long each drawing is held)")
    if not 1 <= args.hold <= MAX_HOLD:
        raise ValidationError(f"--hold takes 1-{MAX_HOLD} frames, got {args.hold}")
    project, take = load_take(args.project, args.take)
    edits = [(a, b, None) for a, b in map(frame_span, args.clear)] + [parse_set(s) for s in args.set]
    if args.clear_all and take.n_frames:
        edits.insert(0, (0, take.n_frames, None))
    name = take.name
    cues = read_cue_file(args, take)
    export_range = export_frames(args, project, take)  # refused before anything is changed
    if edits or cues is not None:
        def apply(p) -> None:
            target = pick_take(p, name, args.project).name
            for a, b, shape in edits:  # clears first, then sets in the order given
                SetMouthShape(target, a, b, shape).do(p)
            if cues is not None:
                ImportMouthShapes(target, cues.shapes, args.import_cues.name).do(p)

        apply(project)
        save_reapplying(project, apply, args.project, note=lambda text: print(f"note: {text}", file=sys.stderr))
        take = pick_take(project, name, args.project)
    rate = take.rate
    for s in take.generation.mouth_shapes:
        print(f"{rate.to_timecode(s.start)}-{rate.to_timecode(s.end - 1)} (frames {s.start}-{s.end - 1})  "
              f"{s.shape}: {SHAPES[s.shape]}")
    if not take.generation.mouth_shapes:
        print(f"take {name!r}: no mouth shapes set by hand (the lip sync decides every frame)")
    if cues is not None:
        a, b = cues.span
        past = f"; {cues.past_end} cue(s) past the take's end left out" if cues.past_end else ""
        print(f"take {name!r}: {len(cues.shapes)} shape(s) from {args.import_cues.name} over frames {a}-{b - 1} "
              f"({'Rhubarb letters' if cues.names == 'letters' else 'chart names'}){past}", file=sys.stderr)
    if edits or cues is not None:
        print(f"take {name!r}: {len(take.generation.mouth_shapes)} span(s) set by hand; generate to redo the "
              "performance", file=sys.stderr)
    if args.heard:
        print_heard(take, args.project)
    if export_range is not None:
        export_cues(args, take, *export_range)
    if cues is not None and (other := cues.other_sound(take.audio_path)):
        print(f"note: take {name!r}: {args.import_cues.name} was {other}", file=sys.stderr)
    if take.generation.mouth_shapes and (note := backend_note(take.generation.backend)):
        print(f"note: take {name!r}: {note}", file=sys.stderr)
    return 0


def print_heard(take, project_path) -> None:
    """What the lip sync hears in the take (its analysis, cached), one run of a shape per line."""
    from talkface_studio.pipeline.take_cache import TakeCache

    rate = take.rate
    report, heard = TakeCache().lipsync(take, project_path)
    print(f"take {take.name!r}: the lip sync hears (silence left out):")
    for start, end, shape in heard:
        print(f"  {rate.to_timecode(start)}-{rate.to_timecode(end - 1)} (frames {start}-{end - 1})  {shape}")
    if heard.words:  # a take with a script: where its words were placed, to find a word's frames
        print(f"take {take.name!r}: the script's words, where the lip sync placed them:")
        fell = report.fallbacks
        for start, end, word in heard.words:
            gave_up = any(s.start_frame < end and s.end_frame > start for s in fell)
            print(f"  {rate.to_timecode(start)}-{rate.to_timecode(end - 1)} (frames {start}-{end - 1})  {word}"
                  + ("  (fell back: the mouth follows the speech recognized here)" if gave_up else ""))


def read_cue_file(args, take):
    """The --import file read into the take's frames (None without --import); refused in one line."""
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.mouth_cues import PAPAGAYO, read_cues

    if args.cue_fps is not None and not 1 <= args.cue_fps <= 1000:
        raise ValidationError(f"--cue-fps takes a frame rate of 1-1000, got {args.cue_fps:g}")
    if args.import_cues is None:
        if args.cue_fps is not None:
            raise ValidationError("--cue-fps goes with --import (the rate a .dat file was keyed at)")
        if args.voice is not None:
            raise ValidationError("--voice goes with --import of a Papagayo project (.pgo, .pg2)")
        return None
    papagayo = args.import_cues.suffix.lower() in PAPAGAYO
    if args.voice is not None and not papagayo:
        raise ValidationError("--voice picks a voice of a Papagayo project (.pgo, .pg2)", args.import_cues)
    if args.cue_fps is not None and papagayo:
        raise ValidationError("--cue-fps is for .dat files: a Papagayo project says its own frame rate",
                              args.import_cues)
    return read_cues(args.import_cues, take.rate.fps, take.n_frames, args.cue_fps, args.voice)


def export_frames(args, project, take) -> tuple[int, int] | None:
    """[start, stop) of the take that --export writes (None without it), checked before any change."""
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.mouth_cues import format_of
    from talkface_studio.core.protected_files import ProtectedFiles

    if args.export_cues is None:
        return None
    format_of(args.export_cues)
    ProtectedFiles.of_project(project).check(args.export_cues, "cue file")
    start, stop = frame_span(args.frames) if args.frames else (0, take.n_frames)
    if stop > take.n_frames:
        raise ValidationError(f"take {take.name!r} has {take.n_frames} frames; frame {stop - 1} is past its end")
    return start, stop


def export_cues(args, take, start: int, stop: int) -> None:
    """Write the take's mouth as a cue file: what the lip sync hears (its analysis, cached) with the
    shapes set by hand over it."""
    from talkface_studio.pipeline.export.mouth_cues import write_take_cues

    out = write_take_cues(args.export_cues, take, args.project, start, stop, hold=args.hold)
    held = f", each drawing held {args.hold} frames or more" if args.hold > 1 else ""
    print(f"wrote {out} (take {take.name!r}, frames {start}-{stop - 1} at {take.rate} fps{held})", file=sys.stderr)
