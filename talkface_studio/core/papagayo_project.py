"""Papagayo lip-sync projects, Papagayo's `.pgo` and Papagayo-NG's `.pg2`, read as mouth cues and
written from a take.

A project is the artist's lip-sync work itself: the sound file, its frame rate, and per voice
(character) the typed text broken into phrases, words and phonemes, each with the frame it starts
on (frames from 0, at the file's own rate). A `.pgo` is lines of text:

    lipsync version 1
    sound.wav
    24                        frame rate
    120                       sound length in frames
    1                         voices
        Voice 1               name
        Hello there|Bye       text (| = a new line)
        2                     phrases
            Hello there       phrase text, first frame, last frame, words
            ...
            Hello 3 10 2      word, first frame, last frame (inclusive), phonemes
                3 etc         a phoneme: its first frame and mouth shape
                7 O

A `.pg2` (Papagayo-NG 1.5 and later, its default) is the same tree as JSON, with the phoneme set
the project was broken down in: `{"version": 2, "sound_path", "fps", "sound_duration",
"phoneme_set", "voices": [{"name", "text", "phrases": [{"text", "start_frame", "end_frame",
"words": [{"text", "start_frame", "end_frame", "phonemes": [{"text", "frame"}]}]}]}]}`.

Written from a take (`project_text`, `project_json`) so the artist can refine its lip sync in
Papagayo: its script's words where the lip sync placed them, each word's phonemes the mouth chart's
shapes over it (Papagayo's Preston Blair set). Papagayo counts whole frames a second, so a take at
29.97 fps is written at 30 (a frame in 1000 apart; the file comes back onto the take's own frames).

Read as Papagayo shows and exports it: inside a word each phoneme holds until the next one or the
word's last frame; between words and phrases the mouth is at rest. The cues run from the first
word's first frame to the last word's last frame, so the take's own lip sync keeps the frames
before and after. Shapes are Papagayo's Preston Blair set (the chart's names) or Papagayo-NG's
Rhubarb set (letters A-H, X), which mouth_cues reads as it reads a `.dat` file's; Papagayo-NG's
Fleming-Dobbs and CMU-39 sets are turned into the chart's names here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .errors import ValidationError
from .json_reader import parse_json
from .mouth_shapes import SHAPES

HEADER = "lipsync version 1"
MAX_ITEMS = 200_000  # voices, phrases, words or phonemes: far more than hours of dialogue
SUFFIXES = (".pgo", ".pg2")

# Papagayo-NG's other phoneme sets as the chart's shapes. Fleming-Dobbs as Papagayo-NG itself shows
# it in the Preston Blair set, so a project looks as it did there; CMU-39 (ARPAbet phones) by where
# each is made: open vowels AI, rounded O / U, W WQ, lips MBP, lip-teeth FV, L L, the rest etc.
FLEMING_DOBBS = {"AA": "AI", "EHSZ": "E", "FV": "FV", "GK": "E", "IY": "E", "MBP": "MBP", "NLTDR": "L",
                 "O": "O", "SH": "etc", "TH": "L", "rest": "rest"}
CMU_39 = {**{p: "AI" for p in ("AA", "AE", "AH", "AW", "AY")}, **{p: "O" for p in ("AO", "OW", "OY")},
          **{p: "E" for p in ("EH", "ER", "EY", "IH", "IY")}, "UH": "U", "UW": "U", "W": "WQ",
          "B": "MBP", "M": "MBP", "P": "MBP", "F": "FV", "V": "FV", "L": "L",
          **{p: "etc" for p in ("CH", "D", "DH", "G", "HH", "JH", "K", "N", "NG", "R", "S", "SH", "T", "TH",
                                "Y", "Z", "ZH")}, "rest": "rest"}
_CONVERTED = {"fleming_dobbs": FLEMING_DOBBS, "cmu_39": CMU_39}
_KEPT_SETS = ("preston_blair", "rhubarb")  # read by mouth_cues as they are
_PRESTON_BLAIR = {s.lower() for s in SHAPES}  # the chart's names
_RHUBARB = {"a", "b", "c", "d", "e", "f", "g", "h", "x", "rest"}  # mouth_cues.FROM_RHUBARB's (it imports this)


@dataclass(frozen=True)
class Voice:
    name: str
    text: str  # the typed text, lines joined by newlines
    keys: list[tuple[float, str, str]]  # (seconds, shape, where) in order
    ends: list[float]  # where each key's shape ends (seconds)


@dataclass(frozen=True)
class Project:
    sound: str  # the sound file as the project names it
    fps: float
    voices: list[Voice]


def read_project_file(data: bytes, path: Path) -> Project:
    """A `.pgo` or `.pg2` file's bytes (by `path`'s suffix) -> its sound, rate and voices' cues."""
    if Path(path).suffix.lower() == ".pg2":
        return read_project_json(data, path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"not a Papagayo project (not UTF-8 text: bad byte at offset {exc.start})",
                              path) from None
    return read_project(text, path)


class _Cues:
    """A voice's words, in time order, turned into keys as Papagayo shows them: each phoneme holds
    to the next or to its word's end, rest between words."""

    def __init__(self, fps: float, path: Path):
        self.fps, self.path = fps, path
        self.keys: list[tuple[float, str, str]] = []
        self.ends: list[float] = []
        self.last_end: int | None = None  # the frame after the previous word

    def word(self, first: int, last: int, phonemes: list[tuple[int, str, str]], where: str) -> None:
        """A word from frame `first` to `last` (inclusive); `phonemes` (frame, shape, where) as the file has
        them, kept within the word and after the one before, as Papagayo keeps them."""
        if last < first:
            raise ValidationError(f"{where}: the word runs from frame {first} to {last}", self.path)
        if self.last_end is not None and first < self.last_end:
            raise ValidationError(f"{where}: words must be in time order (frame {first} before frame "
                                  f"{self.last_end}, the end of the word before)", self.path)
        kept: list[tuple[int, str, str]] = []
        for frame, shape, at in phonemes:
            frame = min(max(frame, first, kept[-1][0] + 1 if kept else first), last)
            if kept and frame <= kept[-1][0]:  # more phonemes than frames: the later one wins
                kept.pop()
            kept.append((frame, shape, at))
        # a word Papagayo could not break down has no phonemes: it shows and exports rest there
        kept = kept or [(first, "rest", where)]
        if self.last_end is not None and first > self.last_end:
            self.keys.append((self.last_end / self.fps, "rest", where))
            self.ends.append(first / self.fps)
        for i, (frame, shape, at) in enumerate(kept):
            self.keys.append((frame / self.fps, shape, at))
            self.ends.append((kept[i + 1][0] if i + 1 < len(kept) else last + 1) / self.fps)
        if len(self.keys) > MAX_ITEMS:
            raise ValidationError(f"more than {MAX_ITEMS} phonemes", self.path)
        self.last_end = last + 1

    def voice(self, name: str, text: str, phoneme_set: str | None = None) -> Voice:
        return Voice(name, text, _in_chart(self.keys, phoneme_set, self.path), self.ends)


def _in_chart(keys, phoneme_set: str | None, path: Path) -> list[tuple[float, str, str]]:
    """Keys in the chart's names or Rhubarb's letters: a Fleming-Dobbs or CMU-39 project's phonemes
    turned into the chart's shapes. `phoneme_set` as a .pg2 names it; None (a .pgo, or a set this does
    not know) tells the set by the names used."""
    table = _CONVERTED.get((phoneme_set or "").lower())
    if table is None and (phoneme_set or "").lower() not in _KEPT_SETS:
        used = {s.lower() for _, s, _ in keys}
        if not (used <= _PRESTON_BLAIR or used <= _RHUBARB):
            table = next((t for t in (FLEMING_DOBBS, CMU_39) if {s for _, s, _ in keys} <= set(t)), None)
    if table is None:
        return keys  # mouth_cues names any shape it cannot read
    for _, shape, where in keys:
        if shape not in table:
            name = "Fleming-Dobbs" if table is FLEMING_DOBBS else "CMU-39"
            raise ValidationError(f"{where}: {shape!r} is not a phoneme of the {name} set "
                                  f"({', '.join(table)})", path)
    return [(t, table[s], w) for t, s, w in keys]


class _Lines:
    """The file's lines, read one at a time with the line number kept for messages."""

    def __init__(self, text: str, path: Path):
        self.lines, self.n, self.path = text.splitlines(), 0, path

    def next(self, what: str) -> str:
        if self.n >= len(self.lines):
            raise ValidationError(f"not a whole Papagayo project: it ends where {what} was expected "
                                  f"(after line {self.n})", self.path)
        self.n += 1
        return self.lines[self.n - 1].strip()

    def number(self, what: str, low: int = 0, high: int = MAX_ITEMS) -> int:
        text = self.next(what)
        try:
            value = int(text)
        except ValueError:
            raise ValidationError(f"line {self.n}: {what} must be a whole number, got {text[:40]!r}",
                                  self.path) from None
        if not low <= value <= high:
            raise ValidationError(f"line {self.n}: {what} must be {low}-{high}, got {value}", self.path)
        return value


def read_project(text: str, path: Path) -> Project:
    """A .pgo file's text -> its sound, rate and voices' cues. Any problem is one ValidationError
    naming the file and the line."""
    lines = _Lines(text, path)
    if lines.next("the header") != HEADER:
        raise ValidationError(f"not a Papagayo project: the first line must be {HEADER!r}", path)
    sound = lines.next("the sound file")
    fps = lines.number("the frame rate", 1, 1000)
    lines.number("the sound's length in frames", 0, 10**9)
    voices = [_voice(lines, fps) for _ in range(lines.number("the number of voices"))]
    return Project(sound, float(fps), voices)


def _voice(lines: _Lines, fps: float) -> Voice:
    name = lines.next("a voice's name")
    text = lines.next("a voice's text").replace("|", "\n")
    cues = _Cues(fps, lines.path)
    for _ in range(lines.number(f"voice {name!r}'s number of phrases")):
        lines.next("a phrase's text")
        lines.number("a phrase's first frame", 0, 10**9)
        lines.number("a phrase's last frame", 0, 10**9)
        for _ in range(lines.number("a phrase's number of words")):
            at = f"line {lines.n + 1}"  # the word's own line
            first, last, phonemes = _word(lines)
            cues.word(first, last, phonemes, at)
    return cues.voice(name, text)


def _word(lines: _Lines) -> tuple[int, int, list[tuple[int, str, str]]]:
    """A word's line and its phonemes' lines: its first and last frame and its phonemes (frame,
    shape, where) as written."""
    line = lines.next("a word")
    parts = line.rsplit(None, 3)
    if len(parts) != 4 or not all(p.lstrip("-").isdecimal() for p in parts[1:]):
        raise ValidationError(f"line {lines.n}: expected WORD FIRST LAST PHONEMES (e.g. Hello 3 10 2), "
                              f"got {line[:60]!r}", lines.path)
    first, last, count = (int(p) for p in parts[1:])
    if first < 0 or last < first:
        raise ValidationError(f"line {lines.n}: word {parts[0]!r} runs from frame {first} to {last}", lines.path)
    if not 0 <= count <= MAX_ITEMS:
        raise ValidationError(f"line {lines.n}: word {parts[0]!r} has {count} phonemes", lines.path)
    phonemes = []
    for _ in range(count):
        line = lines.next("a phoneme")
        words = line.split()
        if len(words) != 2 or not words[0].lstrip("-").isdecimal():
            raise ValidationError(f"line {lines.n}: expected FRAME SHAPE (e.g. 7 MBP), got {line[:60]!r}",
                                  lines.path)
        phonemes.append((int(words[0]), words[1], f"line {lines.n}"))
    return first, last, phonemes


def read_project_json(data: bytes | str, path: Path) -> Project:
    """A .pg2 file (Papagayo-NG's JSON project) -> its sound, rate and voices' cues. Any problem is
    one ValidationError naming the file and the JSON path (`voices[0].phrases[2].words[1]: ...`)."""
    root = parse_json(data, path, "Papagayo-NG project", error=ValidationError)
    if not isinstance(root.value, dict) or "voices" not in root.value:
        raise ValidationError("not a Papagayo-NG project: no \"voices\" in it", path)
    fps = root["fps"].float(min=1, max=1000)
    phoneme_set = root.get("phoneme_set", "preston_blair").str(max_len=200)
    voices = []
    for voice in root["voices"].each(MAX_ITEMS):
        cues = _Cues(fps, path)
        for phrase in voice["phrases"].each(MAX_ITEMS):
            for word in phrase["words"].each(MAX_ITEMS):
                first = word["start_frame"].int(min=0, max=10**9)
                last = word["end_frame"].int(min=0, max=10**9)
                phonemes = [(p["frame"].int(min=-10**9, max=10**9), p["text"].str(max_len=40), p.path)
                            for p in word["phonemes"].each(MAX_ITEMS)]
                cues.word(first, last, phonemes, word.path)
        name, text = voice["name"].str(max_len=1000), voice.get("text", "").str(max_len=10**6)
        voices.append(cues.voice(name, text, phoneme_set))
    return Project(root.get("sound_path", "").str(max_len=4096), fps, voices)


def pick_voice(project: Project, name: str | None, path: Path) -> Voice:
    """The voice called `name`, or the only one; refused in one line listing them otherwise."""
    names = ", ".join(repr(v.name) for v in project.voices)
    if not project.voices:
        raise ValidationError("the Papagayo project has no voices", path)
    if name is None:
        if len(project.voices) > 1:
            raise ValidationError(f"the Papagayo project has {len(project.voices)} voices ({names}): "
                                  "say which one (--voice NAME)", path)
        return project.voices[0]
    for voice in project.voices:
        if voice.name == name:
            return voice
    raise ValidationError(f"the Papagayo project has no voice {name!r}; its voices: {names}", path)


PHRASE_GAP_S = 0.25  # a pause this long between words starts a new phrase (a line of the voice's text)


def _phrases(track, words, fps: float) -> tuple[int, list[list[tuple[int, int, str, list[tuple[int, str]]]]]]:
    """Papagayo's whole frame rate and `words` ((start, end, text), take frames) with the shapes of
    `track` over each as phrases of (first, last inclusive, text, phonemes) at that rate."""
    rate = max(1, round(fps))
    scale = rate / fps
    placed = []
    for a, b, text in words:
        first = max(round(a * scale), placed[-1][1] + 1 if placed else 0)
        last = max(first, round(b * scale) - 1)
        phonemes: list[tuple[int, str]] = []
        for ra, rb, shape in track:
            if rb <= a or ra >= b:
                continue
            frame = min(max(round(ra * scale), first), last)
            if phonemes and frame <= phonemes[-1][0]:  # runs shorter than Papagayo's frame: the later one
                phonemes.pop()
            phonemes.append((frame, shape))
        placed.append((first, last, "".join(text.split()) or "-", phonemes or [(first, "rest")]))
    if not placed:
        raise ValidationError("a Papagayo project needs the script's words where the lip sync placed them, "
                              "and this take has none in the frames exported (no script, or silence)")
    phrases, gap = [[placed[0]]], PHRASE_GAP_S * rate
    for word in placed[1:]:
        if word[0] - phrases[-1][-1][1] > gap:
            phrases.append([])
        phrases[-1].append(word)
    return rate, phrases


def project_text(track, words, fps: float, n_frames: int, sound_file: str, voice: str = "Voice 1") -> str:
    """A Papagayo project (.pgo) of one voice: `words` ((start, end, text), take frames, in order) with
    the shapes of `track` ((start, end, shape) runs of the chart) over each as its phonemes."""
    rate, phrases = _phrases(track, words, fps)
    lines = [HEADER, sound_file, str(rate), str(round(n_frames * rate / fps)), "1", f"\t{voice}",
             "\t" + "|".join(" ".join(w[2] for w in ph) for ph in phrases), f"\t{len(phrases)}"]
    for ph in phrases:
        lines += [f"\t\t{' '.join(w[2] for w in ph)}", f"\t\t{ph[0][0]}", f"\t\t{ph[-1][1]}", f"\t\t{len(ph)}"]
        for first, last, text, phonemes in ph:
            lines.append(f"\t\t\t{text} {first} {last} {len(phonemes)}")
            lines += [f"\t\t\t\t{frame} {shape}" for frame, shape in phonemes]
    return "\n".join(lines) + "\n"


def project_json(track, words, fps: float, n_frames: int, sound_file: str, voice: str = "Voice 1") -> str:
    """The same project as Papagayo-NG's .pg2: its JSON tree, in the Preston Blair set (the chart)."""
    rate, phrases = _phrases(track, words, fps)
    tree = [{"id": i, "text": " ".join(w[2] for w in ph), "start_frame": ph[0][0], "end_frame": ph[-1][1],
             "tags": [], "words": [{"id": j, "text": text, "start_frame": first, "end_frame": last, "tags": [],
                                    "phonemes": [{"id": k, "text": shape, "frame": frame, "tags": []}
                                                 for k, (frame, shape) in enumerate(phonemes)]}
                                   for j, (first, last, text, phonemes) in enumerate(ph)]}
            for i, ph in enumerate(phrases)]
    used = list(dict.fromkeys(p["text"] for ph in tree for w in ph["words"] for p in w["phonemes"]))
    items = sum(1 + len(ph["words"]) + sum(len(w["phonemes"]) for w in ph["words"]) for ph in tree)
    doc = {"version": 2, "sound_path": sound_file, "fps": rate, "sound_duration": round(n_frames * rate / fps),
           "num_voices": 1, "phoneme_set": "preston_blair",
           "voices": [{"name": voice, "start_frame": tree[0]["start_frame"], "end_frame": tree[-1]["end_frame"],
                       "text": "\n".join(ph["text"] for ph in tree), "num_children": items, "phrases": tree,
                       "used_phonemes": used}]}
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
