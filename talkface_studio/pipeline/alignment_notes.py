"""How a take's phones were found, as lines for the user: the CLI prints them, the app logs them.

Every stretch where the script could not be used (and every sentence of the script that was not
heard) gets one line with its timecodes, its words and the reason, so nothing falls back silently.
"""

from __future__ import annotations

import sys


def notice_lines(take_name: str, report, rate) -> list[str]:
    """'take NAME: TC-TC (frames A-B) "words": what happened (why)' per notice of the report."""
    return [f"take {take_name!r}: {line}" for line in report.warnings(rate)]


def print_notices(take_name: str, report, rate, stream=None) -> int:
    """Write each notice as a `warning:` line (stderr by default); returns how many."""
    stream = stream or sys.stderr
    lines = notice_lines(take_name, report, rate)
    for line in lines:
        print(f"warning: {line}", file=stream)
    return len(lines)


def no_script_note(take) -> str | None:
    """Where a take with a recording has no script, what a script would give it; None otherwise.
    Recognition without a script misses about one spoken p/b/m in five of real English voices
    (README, "Languages and lip sync without a script"); aligned to a script none."""
    if take.audio_path is None or (take.generation.transcript or "").strip():
        return None
    return "no script, so the lip sync recognized the speech and may miss a p, b or m; a script places every one"


def print_no_script_note(take, stream=None) -> None:
    """The command line's `note:` for a take without a script (generate, render), with the command
    that gets one."""
    if (note := no_script_note(take)) is not None:
        how = "`script --draft` drafts one from the audio, to correct; `--file` reads a text or subtitle file" \
            if can_draft(take) else "`script --text` or `--file` sets it, from text or subtitles"
        print(f"note: take {take.name!r}: {note} ({how})", file=stream or sys.stderr)


def can_draft(take) -> bool:
    """Whether a script can be drafted from the take's audio (audio.draft_script: English only)."""
    from talkface_studio.audio.draft_script import can_draft as can_draft_language

    return can_draft_language(take.language)
