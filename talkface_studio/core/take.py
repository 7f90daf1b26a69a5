"""A take: one line of dialogue with its media, frame rate, emotion track and channels.

Only document state lives here (what is saved and undone). The expression cache, playhead and
selection belong to the session objects of the UI and pipeline.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .channels import CHANNEL_NAMES, Channel
from .emotion_track import EmotionTrack, default_transition
from .errors import ValidationError
from .json_reader import MAX_TEXT
from .markers import Marker, sorted_markers
from .mouth_shapes import MouthShape, cut_at
from .language_code import DEFAULT_LANGUAGE, normalize_language
from .limits import MAX_AUDIO_CHANNELS
from .timebase import FrameRate


@dataclass
class GenerationSettings:
    """What the performer was asked for; regenerate with the same settings gives the same base."""

    backend: str = "procedural"
    seed: int = 0
    transcript: str | None = None
    options: dict = field(default_factory=dict)
    # Digest of stage 1's inputs when the bases were last generated (pipeline.generation_stamp);
    # None: never generated, or by a version that kept no stamp. Not an input itself.
    stamp: str | None = None
    # Spans the artist set to a mouth shape by hand (core.mouth_shapes), sorted, never overlapping.
    mouth_shapes: tuple[MouthShape, ...] = ()

    def __post_init__(self):
        self.mouth_shapes = tuple(self.mouth_shapes)
        # the project file refuses a longer string on load: such a script, saved, would lock the
        # artist out of the project (`new --transcript`, Take > Script..., `script` all land here)
        if self.transcript is not None and len(self.transcript) > MAX_TEXT:
            raise ValidationError(f"the script is {len(self.transcript)} characters long; at most {MAX_TEXT} "
                                  "are allowed")

    def to_json(self) -> dict:
        """The performer's settings (what a cache of its results is keyed on; no stamp)."""
        out = {"backend": self.backend, "seed": self.seed, "transcript": self.transcript,
               "options": copy.deepcopy(self.options)}
        if self.mouth_shapes:  # only where set, so every stamp and cache key made before still holds
            out["mouth_shapes"] = [s.to_json() for s in self.mouth_shapes]
        return out


class Take:
    def __init__(self, name: str, audio_path: str | Path | None, portrait_path: str | Path | None,
                 rate: FrameRate, n_frames: int, emotion_track: EmotionTrack | None = None,
                 channels: dict[str, Channel] | None = None, generation: GenerationSettings | None = None,
                 portrait_fit: dict | None = None, language: str = DEFAULT_LANGUAGE,
                 markers: tuple[Marker, ...] = (), audio_channel: int | None = None):
        self.name = check_take_name(name)
        self.language = normalize_language(language)  # BCP-47; what the speech front end expects
        self.audio_channel = check_audio_channel(audio_channel)  # None: the mix of all channels
        self.audio_path = Path(audio_path) if audio_path is not None else None
        self.portrait_path = Path(portrait_path) if portrait_path is not None else None
        self.rate = rate
        if isinstance(n_frames, bool) or not isinstance(n_frames, (int, np.integer)) or n_frames < 0:
            raise ValidationError(f"take length must be a number of frames >= 0, got {n_frames!r}")
        self.n_frames = int(n_frames)
        self.emotion_track = emotion_track if emotion_track is not None else EmotionTrack(
            default_transition=default_transition(rate.fps))
        self.generation = generation if generation is not None else GenerationSettings()
        self.portrait_fit = portrait_fit  # opaque JSON owned by face/: the fitted landmarks and crop
        self.markers = markers
        given = dict(channels or {})
        unknown = set(given) - set(CHANNEL_NAMES)
        if unknown:
            raise ValidationError(f"unknown channel(s): {', '.join(sorted(unknown))}")
        # Ordered by CHANNEL_SPECS; missing channels start at their default value.
        self.channels: dict[str, Channel] = {
            n: given.get(n) or Channel(n, n_frames=self.n_frames) for n in CHANNEL_NAMES}
        for ch in self.channels.values():
            if ch.n_frames != self.n_frames:
                ch.resize(self.n_frames)

    @property
    def markers(self) -> tuple[Marker, ...]:
        """Named markers sorted by frame (immutable values; commands replace the tuple)."""
        return self._markers

    @markers.setter
    def markers(self, markers) -> None:
        self._markers = sorted_markers(markers)

    @property
    def duration_seconds(self) -> float:
        return self.rate.frame_to_seconds(self.n_frames)

    def channel(self, name: str) -> Channel:
        try:
            return self.channels[name]
        except KeyError:
            raise ValidationError(f"unknown channel {name!r}") from None

    def final_channels(self) -> dict[str, np.ndarray]:
        """name -> float32 [n_frames]: the generated base with the artist's edits applied."""
        return {n: ch.final() for n, ch in self.channels.items()}

    def base_channels(self) -> dict[str, np.ndarray]:
        return {n: ch.base for n, ch in self.channels.items()}

    def emotion_weights(self) -> np.ndarray:
        return self.emotion_track.weights(self.n_frames)

    def set_length(self, n_frames: int) -> None:
        """A new audio length: bases are cut or held; segments and keys stay on their frames."""
        self.n_frames = int(n_frames)
        for ch in self.channels.values():
            ch.resize(self.n_frames)
        shapes = cut_at(self.generation.mouth_shapes, self.n_frames)
        if shapes != self.generation.mouth_shapes:  # a new object: commands may hold the old one
            self.generation = dataclasses.replace(self.generation, mouth_shapes=shapes)

    def snapshot(self) -> tuple:
        """Everything undo needs to restore this take in place (arrays and layers are immutable)."""
        return (self.audio_path, self.portrait_path, self.rate, self.n_frames, self.emotion_track.snapshot(),
                {n: (ch.base, ch.layers) for n, ch in self.channels.items()},
                copy.deepcopy(self.generation), copy.deepcopy(self.portrait_fit), self.language, self.markers,
                self.audio_channel)

    def restore(self, state: tuple) -> None:
        (self.audio_path, self.portrait_path, self.rate, self.n_frames, track, channels,
         generation, fit, self.language, self.markers, self.audio_channel) = state
        self.emotion_track.restore(track)
        for n, (base, layers) in channels.items():
            self.channels[n].base = base
            self.channels[n].layers = layers
        self.generation = copy.deepcopy(generation)
        self.portrait_fit = copy.deepcopy(fit)

    def copy(self) -> Take:
        """An independent snapshot (render jobs and undo of whole-take edits use this)."""
        return Take(self.name, self.audio_path, self.portrait_path, self.rate, self.n_frames,
                    EmotionTrack(*self.emotion_track.snapshot()),
                    {n: ch.copy() for n, ch in self.channels.items()},
                    copy.deepcopy(self.generation), copy.deepcopy(self.portrait_fit), self.language,
                    self.markers, self.audio_channel)

    def __repr__(self) -> str:
        return f"Take({self.name!r}, {self.n_frames} frames at {self.rate} fps)"


def check_seed(seed) -> int:
    """Seeds are non-negative 64-bit integers (what numpy and torch generators accept)."""
    from .limits import MAX_SEED

    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= MAX_SEED:
        raise ValidationError(f"seed must be a whole number from 0 to {MAX_SEED}, got {seed!r}")
    return int(seed)


def check_take_name(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"take name must be a non-empty text, got {name!r}")
    if name != name.strip() or any(c in name for c in "\n\r\t"):
        raise ValidationError(f"take name {name!r} has leading/trailing spaces or control characters")
    return name


def check_audio_channel(channel) -> int | None:
    """The channel of the take's recording the character speaks on, counted from 1 as audio
    software does (a field recorder's lavalier track); None for the mix of all channels. Whether
    the recording has that many channels is checked where it is decoded (audio.loading)."""
    if channel is None:
        return None
    whole = isinstance(channel, (int, np.integer)) and not isinstance(channel, bool)
    if not whole or not 1 <= channel <= MAX_AUDIO_CHANNELS:
        raise ValidationError(f"audio channel must be a whole number from 1 to {MAX_AUDIO_CHANNELS} "
                              f"(or the mix of all channels), got {channel!r}")
    return int(channel)
