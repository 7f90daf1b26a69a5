"""`talkface-studio generate PROJECT.tfs [--take NAME] [--backend procedural|neural --checkpoint F] [--seed N]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .channel_flag import add_channel_flag, channel_from
from .mouth_flags import add_mouth_flags, mouth_options_from


def add_parser(sub) -> None:
    p = sub.add_parser("generate", help="generate the performance (lip sync, expression, gaze, blinks, head)",
                       description="Run stage 1 on a take: fills the generated base of every channel and "
                                   "fits the portrait once. The artist's edit layers are kept. The project "
                                   "is saved in place (atomically; the old file is kept as .bak).")
    p.add_argument("project", type=Path, help="project file (.tfs)")
    p.add_argument("--take", help="take name (default: every take)")
    p.add_argument("--backend", choices=("procedural", "neural"), help="performer (default: the take's, "
                   "procedural for a new take)")
    p.add_argument("--checkpoint", type=Path, help="weights of the neural performer (.safetensors / .pt)")
    p.add_argument("--seed", type=int, help="random seed (default: the take's)")
    keep = p.add_mutually_exclusive_group()
    keep.add_argument("--keep-portrait-expression", dest="neutralize", action="store_false", default=None,
                      help="drive from the portrait as it is (its smile stays under every emotion)")
    keep.add_argument("--neutralize-portrait", dest="neutralize", action="store_true",
                      help="remove the portrait's own expression before animating it (the default)")
    add_channel_flag(p)
    add_mouth_flags(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from talkface_studio.audio.script_language import mismatch_note
    from talkface_studio.core.concurrent_save import save_reapplying
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.project_file import load_project
    from talkface_studio.core.take import check_seed
    from talkface_studio.pipeline.alignment_notes import print_no_script_note, print_notices
    from talkface_studio.pipeline.export.atomic import check_writable
    from talkface_studio.pipeline.take_state import TakeState

    mouth_options_from(args)  # bad values fail before any work
    channel_from(args)
    project = load_project(args.project)
    check_writable(args.project)
    names = [args.take] if args.take else project.take_names()
    if args.take and args.take not in project.take_names():
        raise ValidationError(f"no take named {args.take!r} (takes: {', '.join(project.take_names())})",
                              args.project)
    if args.checkpoint is not None and args.backend not in (None, "neural"):
        raise ValidationError("--checkpoint is only used by --backend neural")
    if args.seed is not None:
        check_seed(args.seed)
    state = TakeState(project)
    generated = []
    for take, report, line in generate_takes(state, names, args):
        print(line)
        generated.append(take)
        if print_notices(take.name, report, take.rate):  # where lip sync fell back, one line each
            odd = mismatch_note(take.generation.transcript or "", take.language)
            if odd:  # the likely reason for all of them
                print(f"note: take {take.name!r}: {odd} (`script --language CODE` sets it)", file=sys.stderr)

    def reapply(theirs) -> None:
        # another program saved meanwhile: generate again on their version (edits, emotions, new takes
        # of theirs are kept; the performances computed above are reused when the inputs are the same)
        again = TakeState(theirs)
        again.share_results(state)
        list(generate_takes(again, [n for n in names if n in theirs.take_names()], args))

    save_reapplying(project, reapply, args.project, note=lambda text: print(f"note: {text}", file=sys.stderr))
    print(f"saved {args.project}")
    for take in generated:  # advice, once the work is saved (a refusal stays one line)
        print_no_script_note(take)
    return 0


def check_checkpoint(path, missing_help: str) -> None:
    """A checkpoint that is given, exists and is a regular file (said before any work is done)."""
    import os

    from talkface_studio.core.errors import MissingCheckpointError
    from talkface_studio.core.file_access import check_regular

    if not path:
        raise MissingCheckpointError(missing_help)
    if not os.path.lexists(path):
        raise MissingCheckpointError("checkpoint not found", path)
    check_regular(path, "checkpoint", MissingCheckpointError)


def generate_takes(state, names: list[str], args):
    """Generate each named take of `state.project`; yields (take, alignment report, summary line)."""
    from talkface_studio.core.take_commands import SetAudioChannel

    project = state.project
    mouth = mouth_options_from(args)
    given, channel = channel_from(args)
    for name in names:
        take = project.take(name)
        if given and take.audio_channel != channel:
            SetAudioChannel(name, channel).do(project)
        options = dict(take.generation.options)
        if args.checkpoint is not None:
            options["checkpoint"] = str(args.checkpoint.absolute())
        if args.neutralize is not None:
            options["neutralize_portrait"] = args.neutralize
        options.update(mouth)
        backend = args.backend or take.generation.backend
        if backend == "neural":
            # before the portrait fit: a missing checkpoint must not cost seconds of work first
            from talkface_studio.perform.registry import MISSING_CHECKPOINT

            check_checkpoint(options.get("checkpoint"), MISSING_CHECKPOINT)
        state.fit(take)  # fitted once, stored in the project
        performance = state.generate(take, backend=args.backend, seed=args.seed, options=options)
        edited = sum(1 for ch in take.channels.values() if ch.layers)
        report = state.report(take)
        yield take, report, (f"generated take {name!r}: {performance.n_frames} frames, "
                             f"{take.generation.backend} seed {take.generation.seed}; {edited} edited "
                             f"channel(s) kept; phones: {report.summary()}")
