"""Captions of a take's dialogue timed by its lip sync: the script as written (its punctuation and
case), cut into cues where the speaker pauses or a sentence ends, each cue on at most two lines.

The times come from where the lip sync placed the script's words (HeardShapes.words), so a cue
starts with its first word's first frame, not with a transcriber's guess. Words the lip sync did
not place are still written, inside the cue of the words around them.
"""

from __future__ import annotations

import re

from .errors import ValidationError

MAX_LINE = 42  # characters a caption line holds (the common broadcast and streaming limit)
PAUSE_S = 0.5  # a pause this long between words starts a new cue
HOLD_S = 0.3  # a cue stays this long after its last word (not into the next cue)
GAP_FRAMES = 2  # between one cue and the next, so a reader sees the change
MIN_CUE_S = 1.0  # ... and at least this long in all, where the next cue leaves room
_SENTENCE_END = re.compile(r"[.!?…。！？]['\"’”»)\]]*$")

Token = tuple[str, int, bool]  # a script word as g2p reads it: (word, offset in the script, pause after)


def caption_cues(words, tokens: list[Token], script: str, fps: float,
                 stop: int | None = None) -> list[tuple[int, int, str]]:
    """(start frame, end frame, text) cues. `words`: (start, end, text) frames of the placed script
    words in order (their text as the script writes them); `tokens`: the script's words (as
    audio.g2p reads them); `stop`: no cue lasts past this frame (the end of what is exported)."""
    placed = _placed(words, tokens)
    if not placed:
        raise ValidationError("captions need the script's words where the lip sync placed them; this take has "
                              "none (no script, or nothing placed in the frames exported)")
    groups: list[list] = [[placed[0]]]
    for prev, cur in zip(placed, placed[1:]):
        group = groups[-1]
        prev_text = _end_of(script, tokens, prev[2])
        too_long = _two_lines(_text(script, tokens, group[0][2], cur[2])) is None
        if (cur[0] - prev[1]) / fps >= PAUSE_S or _SENTENCE_END.search(prev_text) or too_long:
            groups.append([])
        groups[-1].append(cur)
    cues = []
    for i, group in enumerate(groups):
        start, end = group[0][0], group[-1][1]
        room = groups[i + 1][0][0] - GAP_FRAMES if i + 1 < len(groups) else end + int(round(MIN_CUE_S * fps))
        room = room if stop is None else min(room, stop)
        end = min(max(end + int(round(HOLD_S * fps)), start + int(round(MIN_CUE_S * fps))), room)
        cues.append((start, max(end, group[-1][1]), _lines(_text(script, tokens, group[0][2], group[-1][2]))))
    return cues


def _placed(words, tokens: list[Token]) -> list[tuple[int, int, int]]:
    """(start, end, token index) of each placed word, matched to the script's words in order."""
    out, k = [], 0
    for a, b, text in words:
        at = next((i for i in range(k, min(len(tokens), k + 64)) if tokens[i][0] == text), None)
        if at is not None:
            out.append((int(a), int(b), at))
            k = at + 1
    return out


def _end_of(script: str, tokens: list[Token], i: int) -> str:
    """Token i with the punctuation written after it (up to the next space or word)."""
    word, at, _ = tokens[i]
    stop = tokens[i + 1][1] if i + 1 < len(tokens) else len(script)
    tail = script[at + len(word):stop]
    return word + tail.split()[0] if tail.strip() and not tail[:1].isspace() else word


def _text(script: str, tokens: list[Token], first: int, last: int) -> str:
    """The script from token `first` to `last` as written: an opening quote or ¿ before the first,
    the punctuation after the last, its spaces and line breaks as single spaces."""
    begin = tokens[first][1]
    while begin > 0 and not script[begin - 1].isspace() and (first == 0 or begin > tokens[first - 1][1]
                                                             + len(tokens[first - 1][0])):
        begin -= 1
    end = tokens[last][1] + len(_end_of(script, tokens, last))
    return " ".join(script[begin:end].split())


def _two_lines(text: str) -> str | None:
    """`text` on one line, or on two of at most MAX_LINE cut at the space nearest the middle; None
    where it does not fit (a writing without spaces stays one line)."""
    if len(text) <= MAX_LINE or " " not in text:
        return text
    fits = [i for i, c in enumerate(text) if c == " " and i <= MAX_LINE and len(text) - i - 1 <= MAX_LINE]
    if not fits:
        return None
    cut = min(fits, key=lambda i: abs(i - len(text) / 2))
    return text[:cut] + "\n" + text[cut + 1:]


def _lines(text: str) -> str:
    """A cue's text as caption lines (a single word longer than two lines stays as it is)."""
    return _two_lines(text) or text
