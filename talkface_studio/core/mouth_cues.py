"""Mouth cues: a lip sync as 2D animation and game tools trade it, one mouth-chart shape per stretch
of time. Read from and written to the files those tools use:

- Rhubarb Lip Sync's TSV (`0.05<TAB>D`, one line per change, the last line the recording's end),
  JSON (`mouthCues: [{start, end, value}]`) and XML (`<mouthCue start= end=>D</mouthCue>`), in
  Rhubarb's letters A-H and X;
- Moho switch data (`.dat`: `MohoSwitch1`, then `FRAME SHAPE` lines with frames from 1), which
  Papagayo writes, Rhubarb writes with `-f dat`, and Moho and OpenToonz read, in the chart's names
  (MBP, etc, E ...) or Rhubarb's letters;
- Papagayo's own projects (`.pgo`, and Papagayo-NG's `.pg2`: core.papagayo_project), a voice's words
  and their phonemes.

Shapes are the chart's (core.mouth_shapes); Rhubarb's letters map to them as Rhubarb's own
`--datUsePrestonBlair` does. Nothing here knows audio or the performer: a cue track comes in as
frame runs and goes out as text, a file comes in as spans of frames the take can hold by hand.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ElementTree
from xml.sax.saxutils import escape
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath, PureWindowsPath

from .errors import ValidationError
from .file_access import read_regular
from .json_reader import parse_json
from .mouth_shapes import MAX_SHAPES, SHAPES, MouthShape
from .papagayo_project import SUFFIXES as PAPAGAYO, pick_voice, read_project_file

# Rhubarb's letters <-> the chart's names (Rhubarb's README, `--datUsePrestonBlair`); WQ has no
# letter of its own, so it leaves as F (puckered), and F comes back as U.
TO_RHUBARB = {"MBP": "A", "etc": "B", "E": "C", "AI": "D", "O": "E", "U": "F", "WQ": "F", "FV": "G", "L": "H",
              "rest": "X"}
FROM_RHUBARB = {"A": "MBP", "B": "etc", "C": "E", "D": "AI", "E": "O", "F": "U", "G": "FV", "H": "L", "X": "rest"}
SUFFIXES = (".tsv", ".json", ".xml", ".dat", ".pgo", ".pg2")
_CHART = {k.lower(): k for k in SHAPES}  # a shape name in any case -> the chart's own spelling
MOHO_HEADER = "MohoSwitch1"
MAX_CUE_BYTES = 64 << 20  # an hour of cues at 10 a second is ~1.5 MB of JSON
_SYNFIG_LINES = {"bmp", "gif", "jpg", "png", "ppm", "tiff"}  # image-format lines of Synfig's .lst variant


@dataclass(frozen=True)
class CueFile:
    """A cue file read into the take's frames: `shapes` to set by hand, how many cues started at or
    past the take's end (left out), and the names the file used ('letters' or 'names')."""

    shapes: tuple[MouthShape, ...]
    past_end: int
    names: str
    sound: str = ""  # the recording the file says it was made for (Rhubarb JSON/XML, Papagayo), if any

    def other_sound(self, audio) -> str | None:
        """A note when the file names a recording other than the take's `audio` (by file name,
        whatever the folder or system wrote it): the cues of another line, most likely."""
        made_for = PureWindowsPath(self.sound).name if "\\" in self.sound else PurePosixPath(self.sound).name
        if not made_for or audio is None or made_for.lower() == Path(audio).name.lower():
            return None
        return f"made for {made_for!r}, not this take's recording {Path(audio).name!r}"

    @property
    def span(self) -> tuple[int, int]:
        return (self.shapes[0].start, self.shapes[-1].end) if self.shapes else (0, 0)


def format_of(path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError("mouth cues are Rhubarb Lip Sync's .tsv, .json or .xml, Moho switch data .dat or a "
                              f"Papagayo project .pgo / .pg2; not {suffix or 'a file without a suffix'}", path)
    return suffix


# -- writing --------------------------------------------------------------------------------------

def cues_text(track, suffix: str, fps: float, sound_file: str = "") -> str:
    """`track`: (start frame, end frame, chart shape) runs in order, end exclusive, covering what is
    exported. Times and frames are the take's own (frame 0 = the recording's start), as curve
    exports keep them. TSV and JSON give times to the millisecond, so any frame rate comes back."""
    runs = [(int(a), int(b), s) for a, b, s in track if b > a]
    if not runs:
        raise ValidationError("no frames to write mouth cues for")
    if suffix == ".dat":  # frames from 1; each key holds until the next; a closing rest, as Papagayo writes
        lines = [MOHO_HEADER] + [f"{a + 1} {s}" for a, _, s in runs] + [f"{runs[-1][1] + 1} rest"]
        return "\n".join(lines) + "\n"
    t = [f"{f / fps:.3f}" for f in [a for a, _, _ in runs] + [runs[-1][1]]]
    if suffix == ".tsv":  # Rhubarb's last line is the end, with the mouth closed
        return "".join(f"{t[i]}\t{TO_RHUBARB[s]}\n" for i, (_, _, s) in enumerate(runs)) + f"{t[-1]}\tX\n"
    if suffix == ".xml":
        cues = "".join(f'    <mouthCue start="{t[i]}" end="{t[i + 1]}">{TO_RHUBARB[s]}</mouthCue>\n'
                       for i, (_, _, s) in enumerate(runs))
        return ('<?xml version="1.0" encoding="utf-8"?>\n<rhubarbResult>\n  <metadata>\n'
                f"    <soundFile>{escape(sound_file)}</soundFile>\n    <duration>{t[-1]}</duration>\n"
                f"  </metadata>\n  <mouthCues>\n{cues}  </mouthCues>\n</rhubarbResult>\n")
    cues = ",\n".join(f'    {{ "start": {t[i]}, "end": {t[i + 1]}, "value": "{TO_RHUBARB[s]}" }}'
                      for i, (_, _, s) in enumerate(runs))
    return ('{\n  "metadata": {\n' f'    "soundFile": {json.dumps(sound_file)},\n    "duration": {t[-1]}\n'
            '  },\n  "mouthCues": [\n' f"{cues}\n  ]\n}}\n")


# -- reading --------------------------------------------------------------------------------------

def read_cues(path, fps: float, n_frames: int, dat_fps: float | None = None, voice: str | None = None) -> CueFile:
    """The cues of a file, as spans of a take at `fps` with `n_frames`. A .dat file's frames are
    counted at its `FPS` line's rate, else at `dat_fps`, else at the take's. A Papagayo project's
    `voice` (its name; None: the only one) is read. Any problem is one ValidationError naming the
    file (and the line)."""
    path = Path(path)
    suffix = format_of(path)
    data = read_regular(path, "mouth-cue file", max_bytes=MAX_CUE_BYTES, error=ValidationError)
    sound = ""
    if suffix in PAPAGAYO:
        keys, ends, names, sound = _papagayo_cues(data, path, voice)
    elif suffix == ".json":
        keys, ends, names, sound = _json_cues(data, path)
    elif suffix == ".xml":
        keys, ends, names, sound = _xml_cues(data, path)
    else:
        text = _text(data, path)
        if suffix == ".dat":
            keys, names = _dat_cues(text, path, fps if dat_fps is None else dat_fps)
        else:
            keys, names = _tsv_cues(text, path)
        # each key holds until the next. Rhubarb's TSV always ends on a line at the recording's end;
        # a .dat file's last key closes its cues when it is a closed mouth (Papagayo's rest after the
        # last phrase; Rhubarb's X, or A without X): later frames of a longer take stay the lip sync's
        for (t0, _, _), (t1, _, where) in zip(keys, keys[1:]):
            if t1 < t0:
                raise ValidationError(f"{where}: cues must be in time order ({t1:g} s after {t0:g} s)", path)
        if keys and (suffix == ".tsv" or _is_closed(keys[-1][1], names)):
            keys, ends = keys[:-1], [k[0] for k in keys[1:]]
        else:
            ends = [k[0] for k in keys[1:]] + [math.inf]  # a last shape holds to the take's end (Moho)
    return replace(_spans(keys, ends, fps, n_frames, names, path), sound=sound)


def _is_closed(shape: str, names: str) -> bool:
    return shape.lower() in ("rest", "mbp") if names == "names" else shape.upper() in ("X", "A")


def declared_fps(path) -> float | None:
    """The rate a .dat file says it was keyed at (an `FPS N` line, as Synfig's variant has), if any;
    None for other files or where it says nothing (the caller then asks)."""
    path = Path(path)
    if path.suffix.lower() != ".dat":
        return None
    data = read_regular(path, "mouth-cue file", max_bytes=MAX_CUE_BYTES, error=ValidationError)
    return _fps_line(_text(data, path).splitlines(), path)


def _text(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"not a mouth-cue file (not UTF-8 text: bad byte at offset {exc.start})",
                              path) from None


def _fps_line(lines: list[str], path: Path) -> float | None:
    """The rate of a .dat file's `FPS N` line (after its header), checked; None without one."""
    for n, line in enumerate(lines[1:], 2):
        words = line.split()
        if len(words) == 2 and words[0] == "FPS":
            fps = _seconds(words[1], path, f"line {n}", what="frame rate")
            if not 1 <= fps <= 1000:
                raise ValidationError(f"line {n}: a frame rate of 1-1000 fps, got {words[1]}", path)
            return fps
    return None


def _tsv_cues(text: str, path: Path):
    keys = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2:
            raise ValidationError(f"line {n}: expected TIME<TAB>SHAPE (e.g. 0.05<TAB>D), got {line.strip()[:60]!r}",
                                  path)
        keys.append((_seconds(parts[0], path, f"line {n}"), parts[1], f"line {n}"))
    return keys, _names(keys, path, default="letters")


def _dat_cues(text: str, path: Path, fps: float):
    lines = text.splitlines()
    if not lines or lines[0].strip() != MOHO_HEADER:
        raise ValidationError(f"not Moho switch data: the first line must be {MOHO_HEADER}", path)
    fps = _fps_line(lines, path) or fps
    frames = []
    for n, line in enumerate(lines[1:], 2):
        words = line.split()
        if not words or words[0].lower() in _SYNFIG_LINES or (words[0] == "FPS" and len(words) == 2):
            continue
        if len(words) != 2:
            raise ValidationError(f"line {n}: expected FRAME SHAPE (e.g. 12 MBP), got {line.strip()[:60]!r}", path)
        try:
            frame = int(words[0])
        except ValueError:
            raise ValidationError(f"line {n}: the frame must be a whole number, got {words[0]!r}", path) from None
        frames.append((max(frame, 1), words[1], f"line {n}"))  # Papagayo may key frame 0 for the start
    keys = [((f - 1) / fps, s, where) for f, s, where in frames]
    return keys, _names(keys, path, default="names")


def _papagayo_cues(data: bytes, path: Path, voice: str | None):
    """A Papagayo project's voice (core.papagayo_project). Its rests are "rest" in either of
    Papagayo's shape sets, so the other shapes decide whether they are letters or names."""
    project = read_project_file(data, path)
    picked = pick_voice(project, voice, path)
    keys, ends = picked.keys, picked.ends
    names = _names([k for k in keys if k[1].lower() != "rest"], path, default="names")
    if names == "letters":
        keys = [(t, "X" if s.lower() == "rest" else s, w) for t, s, w in keys]
    return keys, ends, names, project.sound


def papagayo_voices(path) -> list[str]:
    """The voice names of a Papagayo project (for the app to ask which one), checked as read_cues
    reads it."""
    path = Path(path)
    data = read_regular(path, "mouth-cue file", max_bytes=MAX_CUE_BYTES, error=ValidationError)
    return [v.name for v in read_project_file(data, path).voices]


def _json_cues(data: bytes, path: Path):
    root = parse_json(data, path, "mouth-cue file", error=ValidationError)
    keys, ends = [], []
    for cue in root["mouthCues"].each(MAX_SHAPES * 10):
        start, end = cue["start"].float(min=0, max=1e7), cue["end"].float(min=0, max=1e7)
        if end < start:
            raise cue.fail(f"ends ({end:g} s) before it starts ({start:g} s)")
        keys.append((start, cue["value"].str(max_len=16), cue.path))
        ends.append(end)
    meta = root.get("metadata", {})
    sound = meta.get("soundFile", "").value if isinstance(meta.value, dict) else ""
    return keys, ends, _names(keys, path, default="letters"), sound if isinstance(sound, str) else ""


def _xml_cues(data: bytes, path: Path):
    """Rhubarb's XML. A document type (and so any entity) is refused: Rhubarb writes none, and an
    entity is the one way an XML file makes its reader do more than read it."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValidationError("not Rhubarb XML: it declares a document type or entities", path)
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise ValidationError(f"not valid XML at line {line} column {column + 1}", path) from None
    cues = root.find("mouthCues")
    if cues is None:
        raise ValidationError(f"not Rhubarb XML: no <mouthCues> under <{root.tag}>", path)
    keys, ends = [], []
    for n, cue in enumerate(cues.iter("mouthCue"), 1):
        where = f"mouthCue {n}"
        if n > MAX_SHAPES * 10:
            raise ValidationError(f"more than {MAX_SHAPES * 10} mouth cues", path)
        start = _seconds(cue.get("start", ""), path, where, "start time")
        end = _seconds(cue.get("end", ""), path, where, "end time")
        if end < start:
            raise ValidationError(f"{where}: ends ({end:g} s) before it starts ({start:g} s)", path)
        keys.append((start, (cue.text or "").strip()[:16], where))
        ends.append(end)
    return keys, ends, _names(keys, path, default="letters"), (root.findtext("metadata/soundFile") or "").strip()


def _seconds(text: str, path: Path, where: str, what: str = "time") -> float:
    try:
        v = float(text)
    except ValueError:
        v = math.nan
    if not math.isfinite(v) or v < 0:
        raise ValidationError(f"{where}: the {what} must be a number >= 0, got {text[:30]!r}", path)
    return v


def _names(keys, path: Path, default: str) -> str:
    """Whether the file names shapes by Rhubarb's letters or by the chart's names. E is both (the
    chart's spread E, Rhubarb's rounded E): the other names decide, else the format's habit."""
    letters = [w for _, s, w in keys if s.upper() in FROM_RHUBARB and s.lower() not in _CHART]
    names = [w for _, s, w in keys if s.lower() in _CHART and s.upper() not in FROM_RHUBARB]
    for _, s, where in keys:
        if s.upper() not in FROM_RHUBARB and s.lower() not in _CHART:
            raise ValidationError(f"{where}: unknown mouth shape {s!r} (Rhubarb's A-H and X, or the chart's "
                                  f"{', '.join(SHAPES)})", path)
    if letters and names:
        raise ValidationError(f"mixes Rhubarb's letters ({letters[0]}) with the chart's names ({names[0]})", path)
    return "letters" if letters else "names" if names else default


def _spans(keys, ends, fps: float, n_frames: int, names: str, path: Path) -> CueFile:
    out: list[MouthShape] = []
    past_end, last = 0, 0.0
    for (start, shape, where), end in zip(keys, ends):
        if start < last:
            raise ValidationError(f"{where}: cues must be in time order ({start:g} s after {last:g} s)", path)
        last = start
        a = int(round(start * fps))
        b = n_frames if math.isinf(end) else min(int(round(end * fps)), n_frames)
        if a >= n_frames:
            past_end += 1
            continue
        name = FROM_RHUBARB[shape.upper()] if names == "letters" else _CHART[shape.lower()]
        if out and a < out[-1].end:  # rounding to frames made two meet: the later cue has the frame
            prev = out.pop()
            if a > prev.start:
                out.append(MouthShape(prev.start, a, prev.shape))
        if b <= a:
            continue  # shorter than half a frame at the take's rate
        if out and out[-1].end == a and out[-1].shape == name:  # Rhubarb ends on a second X
            a = out.pop().start
        out.append(MouthShape(a, b, name))
    if len(out) > MAX_SHAPES:
        raise ValidationError(f"{len(out)} cues; a take holds at most {MAX_SHAPES} mouth shapes", path)
    if not out:
        raise ValidationError("no mouth cues within the take" + (f" ({past_end} start past its end)"
                                                                  if past_end else ""), path)
    return CueFile(tuple(out), past_end, names)
