"""`talkface-studio script PROJECT.tfs [--take NAME] [--text TEXT | --file PATH | --clear | --draft] [--language CODE]
[--captions FILE]`: show or set a take's script (the words spoken), which lip sync aligns to the
recording; write it as captions timed by the lip sync.

`--draft` recognizes the words of an English recording (``audio.draft_script``) and stores them as
the script; read it and correct it (`--file`) before trusting the lip sync to it. The project is
saved in place; `generate` then redoes the lip sync.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("script", help="show or set a take's script (the words spoken), or draft it from English audio",
                       description="Without an option, print the take's script. The script is what lip sync "
                                   "aligns to the recording: with it, p/b/m close the lips where they are said.")
    p.add_argument("project", type=Path, help="project file (.tfs); saved in place when the script changes")
    p.add_argument("--take", help="take name (default: the first take)")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--text", help="the words spoken")
    what.add_argument("--file", type=Path, help="a UTF-8 text file holding the words spoken, or subtitles (.srt, .vtt, "
                                                ".ass): their dialogue, without timecodes, styling or sounds")
    what.add_argument("--clear", action="store_true", help="remove the script (lip sync recognizes the speech)")
    what.add_argument("--draft", action="store_true",
                      help="recognize the words of the take's English recording and store them as the script "
                           "(a draft with recognition errors: read and correct it)")
    p.add_argument("--captions", type=Path, metavar="FILE",
                   help="write the script as captions (.srt or .vtt) timed by where the lip sync placed its words "
                        "(after any change above)")
    p.add_argument("--language", metavar="CODE",
                   help="set the take's spoken language too (BCP-47: en, fr-CA, ...), which the script is read in")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from talkface_studio.audio.languages import check_language
    from talkface_studio.audio.script_language import mismatch_note
    from talkface_studio.core.concurrent_save import save_reapplying
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.take_commands import SetGeneration, SetLanguage
    from talkface_studio.pipeline.take_state import load_take, pick_take

    project, take = load_take(args.project, args.take)
    language = check_language(args.language) if args.language is not None else None
    if args.captions is not None:  # refused before anything changes
        from talkface_studio.core.protected_files import ProtectedFiles
        from talkface_studio.pipeline.export.captions import caption_format

        caption_format(args.captions)
        ProtectedFiles.of_project(project).check(args.captions, "caption file")
    changes_script = args.text is not None or args.file or args.clear or args.draft
    if not changes_script and language is None:
        if args.captions is not None:
            write_captions(args, take)
            return 0
        print(take.generation.transcript or "(no script: lip sync recognizes the speech)")
        return 0
    language_now = language or take.language  # a draft is recognized in the language set with it
    script, file_note = new_script(args, take, language_now) if changes_script else (take.generation.transcript, None)
    name = take.name
    if args.captions is not None and not script:
        raise ValidationError(f"take {name!r} would have no script: captions are its script's words")

    def apply(p) -> None:
        target = pick_take(p, name, args.project).name
        if language is not None:
            SetLanguage(target, language).do(p)
        if changes_script:
            SetGeneration(target, transcript=script).do(p)

    apply(project)
    save_reapplying(project, apply, args.project, note=lambda text: print(f"note: {text}", file=sys.stderr))
    if language is not None:
        print(f"take {name!r}: language {language}; generate to redo the lip sync", file=sys.stderr)
    if changes_script and script is None:
        print(f"take {name!r}: script removed; generate to redo the lip sync")
    elif changes_script:
        print(script)
        print(f"take {name!r}: script set ({len(script.split())} words); generate to redo the lip sync",
              file=sys.stderr)
    if file_note:  # after the save, so that a refusal stays one line
        print(f"note: take {name!r}: {file_note}", file=sys.stderr)
    if script and (odd := mismatch_note(script, language_now)):
        print(f"note: take {name!r}: {odd} (--language CODE sets it)", file=sys.stderr)
    if args.captions is not None:
        write_captions(args, pick_take(project, name, args.project))
    return 0


def write_captions(args, take) -> None:
    """The take's script as captions timed by its lip sync (its analysis, cached)."""
    from talkface_studio.pipeline.export.captions import write_take_captions

    out = write_take_captions(args.captions, take, args.project, 0, take.n_frames)
    print(f"wrote {out} (take {take.name!r}, captions of its script timed by the lip sync)", file=sys.stderr)


def new_script(args, take, language: str) -> tuple[str | None, str | None]:
    """(the new script, a note about how a file was read); None: no script."""
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.script_files import read_script_file

    note = None
    if args.clear:
        return None, None
    if args.draft:
        return drafted(args.project, take, language), None
    if args.file is not None:
        read = read_script_file(args.file, take.n_frames / take.rate.fps)
        if read.outside:
            note = (f"{read.cues} subtitle cue(s) of {args.file.name} used; {read.outside} starting after the take's "
                    "recording left out")
        text = read.text
    else:
        text = args.text
    text = text.strip()
    if not text:
        raise ValidationError("the script is empty (use --clear to remove a take's script)",
                              args.file if args.file is not None else None)
    return text, note


def drafted(project_path, take, language: str) -> str:
    from talkface_studio.audio.draft_script import draft_script
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.core.media_paths import resolve_media

    audio = resolve_media(take.audio_path, project_path)
    if audio is None:
        raise ValidationError(f"take {take.name!r} has no recording to draft a script from", project_path)
    print(f"recognizing the words of {audio} ...", file=sys.stderr, flush=True)
    text = draft_script(audio, language, channel=take.audio_channel)
    if not text:
        raise ValidationError("no words were recognized in the recording; type the script instead", audio)
    return text
