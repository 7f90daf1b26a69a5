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
