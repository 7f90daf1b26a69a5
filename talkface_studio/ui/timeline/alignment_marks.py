"""Where lip sync could not use the script: the marks on the timeline ruler and their tooltips
(plain functions over the report's stretches, session state from the last Generate, so tests need
no screen). The messages after Generate are the window's (ui.window.generation)."""

from __future__ import annotations

from dataclasses import dataclass

from talkface_studio.audio.alignment_report import SAID_AGAIN

MARK_HEIGHT = 5  # px, a band along the top of the ruler
COLORS = {
    "acoustic": "#e0533d",  # the mouth follows loudness only: the least reliable
    "recognized": "#c75bd6",  # phones recognized without the script
}
NOTE_COLOR = "#d8c84a"  # aligned, but script words were not heard in the audio


@dataclass(frozen=True)
class Mark:
    x0: float
    x1: float
    color: str
    text: str


def mark_color(stretch) -> str:
    return COLORS.get(stretch.path, NOTE_COLOR) if stretch.fell_back else NOTE_COLOR


def marks_in_view(notices, mapping, width: float, rate) -> list[Mark]:
    """One Mark per notice that shows in [0, width) px, at least 2 px wide so a short one is seen."""
    out = []
    for s in notices:
        x0, x1 = mapping.x_of(s.start_frame), mapping.x_of(s.end_frame)
        if x1 < 0 or x0 > width:
            continue
        if x1 - x0 < 2:
            x1 = x0 + 2
        out.append(Mark(x0, x1, mark_color(s), tooltip(s, rate)))
    return out


def notice_at(notices, frame: float):
    """The notice over `frame`, or None."""
    return next((s for s in notices if s.start_frame <= frame < s.end_frame), None)


def tooltip(stretch, rate) -> str:
    head = "Lip sync fell back here" if stretch.fell_back else "Lip sync note"
    if stretch.reason == SAID_AGAIN:  # nothing to mend: the other reading has the same words
        return (f"{head}:\n{stretch.describe(rate)}\nThe recording says these words twice; this reading "
                "is lip-synced with them too. Trim the audio if it should not be in the take.")
    text = f"{head}:\n{stretch.describe(rate)}\nGive or correct the script (Take > Script…), or key the mouth channels by hand."
    if stretch.path == "recognized" and stretch.words:  # script words given up: the artist may know better
        text += "\nIf the script is right here, turn Script fallback down (Performance panel) and Generate."
    return text
