"""Papagayo lip-sync projects (`.pgo`, Papagayo and Papagayo-NG) read as mouth cues.

A `.pgo` is the artist's lip-sync work itself: the sound file, its frame rate, and per voice
(character) the typed text broken into phrases, words and phonemes, each with the frame it starts
on (frames from 0, at the file's own rate):

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

Written from a take (`project_text`) so the artist can refine its lip sync in Papagayo: its script's
words where the lip sync placed them, each word's phonemes the mouth chart's shapes over it.
Papagayo counts whole frames a second, so a take at 29.97 fps is written at 30 (a frame in 1000
apart; the file comes back onto the take's own frames).

Read as Papagayo shows and exports it: inside a word each phoneme holds until the next one or the
word's last frame; between words and phrases the mouth is at rest. The cues run from the first
word's first frame to the last word's last frame, so the take's own lip sync keeps the frames
before and after. Shapes are Papagayo's Preston Blair set (the chart's names) or Papagayo-NG's
Rhubarb set (letters A-H, X); mouth_cues reads them as it reads a `.dat` file's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ValidationError

HEADER = "lipsync version 1"
MAX_ITEMS = 200_000  # voices, phrases, words or phonemes: far more than hours of dialogue


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
    keys: list[tuple[float, str, str]] = []
    ends: list[float] = []
    last_end = None  # the frame after the previous word: rest from there to the next word
    for _ in range(lines.number(f"voice {name!r}'s number of phrases")):
        lines.next("a phrase's text")
        lines.number("a phrase's first frame", 0, 10**9)
        lines.number("a phrase's last frame", 0, 10**9)
        for _ in range(lines.number("a phrase's number of words")):
            at = f"line {lines.n + 1}"  # the word's own line
            first, stop, phonemes = _word(lines)
            if last_end is not None and first < last_end:
                raise ValidationError(f"{at}: words must be in time order (frame {first} before frame "
                                      f"{last_end}, the end of the word before)", lines.path)
            if last_end is not None and first > last_end:
                keys.append((last_end / fps, "rest", at))
                ends.append(first / fps)
            for i, (frame, shape, where) in enumerate(phonemes):
                end = phonemes[i + 1][0] if i + 1 < len(phonemes) else stop
                keys.append((frame / fps, shape, where))
                ends.append(end / fps)
            if len(keys) > MAX_ITEMS:
                raise ValidationError(f"more than {MAX_ITEMS} phonemes", lines.path)
            last_end = stop
    return Voice(name, text, keys, ends)


def _word(lines: _Lines) -> tuple[int, int, list[tuple[int, str, str]]]:
    """A word: its first frame, the frame after its last, and its phonemes (frame, shape, where),
    each kept within the word and after the one before (as Papagayo keeps them)."""
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
        frame = min(max(int(words[0]), first, phonemes[-1][0] + 1 if phonemes else first), last)
        if phonemes and frame <= phonemes[-1][0]:  # more phonemes than frames: the later one wins
            phonemes.pop()
        phonemes.append((frame, words[1], f"line {lines.n}"))
    # a word Papagayo could not break down has no phonemes: it shows and exports rest there
    return first, last + 1, phonemes or [(first, "rest", f"line {lines.n}")]


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


def project_text(track, words, fps: float, n_frames: int, sound_file: str, voice: str = "Voice 1") -> str:
    """A Papagayo project of one voice: `words` ((start, end, text), take frames, in order) with the
    shapes of `track` ((start, end, shape) runs of the chart) over each as its phonemes."""
    rate = max(1, round(fps))
    scale = rate / fps

    def at(frame: int) -> int:
        return int(round(frame * scale))

    placed = []  # (first, last inclusive, text, phonemes) at Papagayo's rate
    for a, b, text in words:
        first = max(at(a), placed[-1][1] + 1 if placed else 0)
        last = max(first, at(b) - 1)
        phonemes: list[tuple[int, str]] = []
        for ra, rb, shape in track:
            if rb <= a or ra >= b:
                continue
            frame = min(max(at(ra), first), last)
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
    lines = [HEADER, sound_file, str(rate), str(at(n_frames)), "1", f"\t{voice}",
             "\t" + "|".join(" ".join(w[2] for w in ph) for ph in phrases), f"\t{len(phrases)}"]
    for ph in phrases:
        lines += [f"\t\t{' '.join(w[2] for w in ph)}", f"\t\t{ph[0][0]}", f"\t\t{ph[-1][1]}", f"\t\t{len(ph)}"]
        for first, last, text, phonemes in ph:
            lines.append(f"\t\t\t{text} {first} {last} {len(phonemes)}")
            lines += [f"\t\t\t\t{frame} {shape}" for frame, shape in phonemes]
    return "\n".join(lines) + "\n"
