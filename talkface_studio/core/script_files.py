"""A take's script from a file: plain text, or the subtitles editorial and transcription services
deliver (SubRip .srt, WebVTT .vtt, SubStation .ass/.ssa), read with pysubs2.

A subtitle file's numbers, timecodes and styling are not words anyone said: read as text they were
spoken into the lip sync ("00:00:01,000" as "zero zero zero zero ..."). Here only the dialogue is
kept, one cue a line: tags and styling go, and so does what subtitles for the deaf add that nobody
says ([door slams], (laughs), ♪ music ♪, a speaker's name in capitals: "MAN: Get out!"), and the
dash that marks a second speaker. Cues wholly outside the take's recording (the subtitles of a
longer programme) are left out and counted.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ValidationError
from .file_access import read_regular
from .json_reader import MAX_TEXT

SUBTITLE_SUFFIXES = {".srt": "srt", ".vtt": "vtt", ".ass": "ass", ".ssa": "ssa"}
SUFFIXES = (".txt",) + tuple(SUBTITLE_SUFFIXES)
MAX_FILE_BYTES = 16 << 20  # a feature film's subtitles are ~100 kB
_TAG = re.compile(r"<[^>]*>")  # WebVTT voice, class and timestamp tags, SRT's <i> and <font>
_UNSAID = re.compile(r"\[[^\]]*\]|\([^)]*\)|♪[^♪]*♪|[♪♫]")  # sounds, music: said by nobody
_SPEAKER_DASH = re.compile(r"^\s*[-‐–—]\s*")
_SPEAKER_LABEL = re.compile(r"^\s*[A-Z][A-Z0-9 .'’-]{0,30}:\s+")  # SDH's "MAN:" / "DR. JONES:" before a line


@dataclass(frozen=True)
class ScriptFile:
    text: str  # the words spoken, one cue a line
    cues: int  # subtitle cues used (0 for plain text)
    outside: int  # cues left out: wholly outside the take's recording


def read_script_file(path, duration_s: float | None = None) -> ScriptFile:
    """The script in `path`. `duration_s`: the take's recording length, to leave out the cues of a
    subtitle file that lie wholly after it. Any problem is one ValidationError naming the file."""
    path = Path(path)
    suffix = path.suffix.lower()
    data = read_regular(path, "script file", max_bytes=MAX_FILE_BYTES, error=ValidationError)
    # Windows subtitle tools save "Unicode" as UTF-16 with a byte-order mark (their cue structure then
    # shows whether that was right); anything else must be UTF-8
    utf16 = suffix in SUBTITLE_SUFFIXES and data[:2] in (b"\xff\xfe", b"\xfe\xff")
    encoding = "utf-16" if utf16 else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValidationError(f"not UTF-8 text (bad byte at offset {exc.start}): save it as UTF-8", path) from None
    if suffix in SUBTITLE_SUFFIXES:
        return _subtitles(text, SUBTITLE_SUFFIXES[suffix], path, duration_s)
    if len(text) > MAX_TEXT:
        raise ValidationError(f"a script file over {MAX_TEXT // 1000} kB is not a script", path)
    return ScriptFile(text.strip(), 0, 0)


def _subtitles(text: str, fmt: str, path: Path, duration_s: float | None) -> ScriptFile:
    import pysubs2

    try:
        subs = pysubs2.SSAFile.from_string(text, format_=fmt)
    except Exception as exc:  # pysubs2 raises several kinds on a malformed file
        raise ValidationError(f"not a readable {fmt.upper()} subtitle file ({exc})", path) from None
    lines, outside, spoken = [], 0, 0
    for event in subs:
        if event.is_comment:
            continue
        words = _spoken(event.plaintext)
        if not words:
            continue
        spoken += 1
        if duration_s is not None and event.start / 1000 >= duration_s:
            outside += 1
            continue
        lines.append(words)
    if not spoken:
        raise ValidationError(f"no spoken words in its {fmt.upper()} cues", path)
    if not lines:
        raise ValidationError(f"every cue starts after the take's recording ends ({duration_s:.1f} s): "
                              "subtitles of another stretch of the programme?", path)
    script = "\n".join(lines)
    if len(script) > MAX_TEXT:
        raise ValidationError(f"its dialogue is over {MAX_TEXT // 1000} kB: not the script of one take", path)
    return ScriptFile(script, len(lines), outside)


def _spoken(cue: str) -> str:
    """A cue's dialogue on one line: tags, entities, sounds and speaker dashes taken out."""
    out = []
    for line in html.unescape(_TAG.sub("", cue)).splitlines():
        line = _SPEAKER_LABEL.sub("", _SPEAKER_DASH.sub("", _UNSAID.sub(" ", line)))
        if line.strip():
            out.append(" ".join(line.split()))
    return " ".join(out)
